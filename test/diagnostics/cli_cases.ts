// The command-line codes (RLP6xx): options of a command that name something that does not exist. Each is one line
// on stderr before anything is compiled, with exit status 64; docs/diagnostics.md shows what `rlp` prints for each
// example (produced by running it) and the fix.
import { main } from "../../cli/main.ts";
import { UNKNOWN_STAGE } from "../../cli/dump_after.ts";
import { captured } from "../run_cli.ts";
import { codeBlock, inlineCode } from "./markdown.ts";

export const CLI_MEANINGS: Record<string, string> = {
  [UNKNOWN_STAGE]: "`rlp compile --dump-after STAGE` names no stage of the compiler; the message lists the stages, in order.",
};

export interface CliCase {
  code: string;
  title: string;
  argv: string[];
  fix: string;
}

export const cliCases: CliCase[] = [
  {
    code: UNKNOWN_STAGE,
    title: "a misspelt stage",
    argv: ["compile", "main.rlp", "--dump-after", "simplfy"],
    fix: "Use one of the listed names (see [compile.md](compile.md#the-passes---dump-after-stage-and-rlp_verify)).",
  },
];

/** Runs the case's command: its exit status and the error lines it printed. */
export async function runCliCase(c: CliCase): Promise<{ code: number; lines: string[] }> {
  const r = await captured(main, c.argv);
  return { code: r.code, lines: r.err.split("\n").filter((l) => l.includes("error[")) };
}

export async function renderCliCodes(cases: CliCase[] = cliCases): Promise<string> {
  const codes = Object.keys(CLI_MEANINGS).sort();
  const out: string[] = [
    "## RLP6xx: command-line options",
    "",
    "Options that name something that does not exist. Each is one line, exit status 64.",
    "",
    "| Code | Meaning |",
    "|---|---|",
  ];
  for (const code of codes) out.push(`| ${code} | ${CLI_MEANINGS[code]} |`);
  for (const code of codes) {
    out.push("", `<a id="${code.toLowerCase()}"></a>`, `### ${code}`, "", CLI_MEANINGS[code]!);
    for (const c of cases.filter((x) => x.code === code)) {
      const { lines } = await runCliCase(c);
      out.push(
        "",
        `Example (${c.title}): ${inlineCode(`rlp ${c.argv.join(" ")}`)} reports:`,
        "",
        codeBlock("text", lines.join("\n")),
        "",
        `**Fix:** ${c.fix}`,
      );
    }
  }
  return out.join("\n");
}
