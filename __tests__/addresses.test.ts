import { EnvironmentName } from "../src/config";
import { Phase } from "../src/stacks/names";
import { PINNED } from "./support/pinned-addresses";
import { synthPhase, testConfig, TerraformJson } from "./support/synth";

/** Stateful resources keep their pinned addresses (`support/pinned-addresses.ts` says why). */

function addresses(tf: TerraformJson): string[] {
  return Object.entries(tf.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName as object).map((name) => `${type}.${name}`));
}

describe.each(Object.keys(PINNED) as EnvironmentName[])("%s: stateful resources keep their addresses", (env) => {
  test.each(Object.entries(PINNED[env]) as [Phase, string[]][])("%s", (phase, pinned) => {
    const actual = addresses(synthPhase(testConfig(env), phase).tf);
    expect(pinned.filter((address) => !actual.includes(address))).toEqual([]);
  });
});
