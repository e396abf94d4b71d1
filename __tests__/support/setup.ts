import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import { types } from "util";

Testing.setupJest();

// cdktf records where every token was created: a full-depth stack captured into a plain object, which jest's
// source-map-support then maps frame by frame, parsing the inline source map of every cdktf and provider file
// again in each test file (~10 % of the suite's CPU). Those records only decorate cdktf's own token errors;
// real errors keep their source-mapped stacks.
const mapStack = Error.prepareStackTrace;
Error.prepareStackTrace = (target, frames) => (types.isNativeError(target) ? mapStack?.(target, frames) : "");
