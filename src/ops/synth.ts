import { App } from "cdktf";
import { mkdirSync } from "fs";
import { buildSentryApp } from "../app";
import { Synthesizer } from "./stacks";

/** The app's own synth, in this process: no `cdktf synth` child, no per-resource `terraform version`. */
export const synthesizeInProcess: Synthesizer = (config, outdir) => {
  mkdirSync(outdir, { recursive: true });
  const app = new App({ outdir, skipValidation: true });
  buildSentryApp(app, config);
  app.synth();
};
