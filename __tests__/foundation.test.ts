import { testConfig, synthPhase, resource } from "./support/synth";

describe("foundation smoke", () => {
  test("vpc cidr", () => {
    const { tf } = synthPhase(testConfig("dev"), "foundation");
    expect(resource(tf, "aws_vpc", "vpc").cidr_block).toBe("172.22.0.0/16");
  });
});
