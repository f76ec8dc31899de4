#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx's loader, so there is no build step to forget.
import { register } from "tsx/esm/api";
import { register as registerCjs } from "tsx/cjs/api";

// `rlp list | head`: a reader that stops early is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}

register();
// A plugin (`import "./my_nodes.ts"`) in a folder whose package.json is not "type": "module" is loaded as CommonJS.
registerCjs();
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
