// The RLP52x section of docs/diagnostics.md: what custom nodes (TypeScript plugins) report at run time, each with a
// plugin that compiles but fails when run, and what `rlp eval` prints for it (produced by running it).
import { ALL_CODES, DIAGNOSTIC_CODES } from "../../grammar/diagnostic_codes.ts";
import { codeBlock, inlineCode } from "./markdown.ts";
import {
  PLUGIN_RUNTIME_INPUTS,
  PLUGIN_RUNTIME_PROGRAM,
  pluginRuntimeCases,
  runPluginRuntimeCase,
  type PluginRuntimeCase,
} from "./plugin_runtime_cases.ts";

/** The registered codes of custom nodes at run time (RLP52x); their meaning is the registry's doc. */
export const PLUGIN_RUNTIME_CODES = ALL_CODES.filter((c) => c.startsWith("RLP52")).sort();

/** The error lines `rlp eval` printed for the case. */
export async function pluginRuntimeLines(rc: PluginRuntimeCase): Promise<string[]> {
  const r = await runPluginRuntimeCase(rc);
  return r.stderr.split("\n").filter((l) => l.includes("error["));
}

export async function renderPluginRuntimeCodes(cases: PluginRuntimeCase[] = pluginRuntimeCases): Promise<string> {
  const out: string[] = [
    "## RLP52x: custom nodes at run time",
    "",
    "A custom node written in TypeScript ([docs/custom-nodes.md](custom-nodes.md)) is read by the compiler without",
    "running it (RLP120-RLP123 above); these problems show only when a command runs the plugin (`rlp eval`, `rlp test`,",
    "`rlp train`, a compiled module). Each is one line naming the plugin file and the node, with exit status 2. The",
    "examples use this program, with `my_nodes.ts` next to it:",
    "",
    codeBlock("rlp", PLUGIN_RUNTIME_PROGRAM),
    "",
    "and this `inputs.json`:",
    "",
    codeBlock("json", PLUGIN_RUNTIME_INPUTS),
    "",
    "| Code | Meaning |",
    "|---|---|",
  ];
  for (const code of PLUGIN_RUNTIME_CODES) out.push(`| ${code} | ${DIAGNOSTIC_CODES[code].doc} |`);
  for (const code of PLUGIN_RUNTIME_CODES) {
    out.push("", `<a id="${code.toLowerCase()}"></a>`, `### ${code}`, "", DIAGNOSTIC_CODES[code].doc);
    for (const rc of cases.filter((c) => c.code === code)) {
      const lines = await pluginRuntimeLines(rc);
      out.push("", `Example (${rc.title}), with this \`my_nodes.ts\`:`, "", codeBlock("ts", rc.plugin), "");
      out.push(
        `${inlineCode("rlp eval main.rlp --inputs inputs.json --grad")} reports:`,
        "",
        codeBlock("text", lines.join("\n")),
        "",
        `**Fix:** ${rc.fix}`,
      );
    }
  }
  return out.join("\n");
}
