import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";

Testing.setupJest();

// cdktf records where every token was created: a full-depth stack captured into a plain object. Jest's
// source-map support would map each frame of each record, parsing the inline source map of every cdktf and
// provider file again in every test file: half the suite's CPU. Those records (plain objects, never errors) get
// the frames unmapped, which cdktf's token errors still print as "Object creation stack"; everything else keeps
// jest's source-mapped stack. SENTRY_TEST_MAPPED_TOKEN_STACKS=1 maps them too (slower), for debugging a token error.
const mapStack = Error.prepareStackTrace;
if (mapStack && process.env.SENTRY_TEST_MAPPED_TOKEN_STACKS !== "1") {
  Error.prepareStackTrace = (target, frames) =>
    Object.getPrototypeOf(target) === Object.prototype ? `Error${frames.map((frame) => `\n    at ${frame}`).join("")}` : mapStack(target, frames);
}
