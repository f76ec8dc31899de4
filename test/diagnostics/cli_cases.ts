// The command-line codes (RLP6xx): options of a command that name something that does not exist. Each is one line
// on stderr before anything is compiled, with exit status 64; docs/diagnostics.md shows what `rlp` prints for each
// example (produced by running it) and the fix.
import { main } from "../../cli/main.ts";
import { UNKNOWN_STAGE } from "../../cli/dump_after.ts";
import { captured } from "../run_cli.ts";
import { ALL_CODES, DIAGNOSTIC_CODES, type DiagnosticCode } from "../../grammar/diagnostic_codes.ts";
import { codeBlock, inlineCode } from "./markdown.ts";

/** The registered command-line codes (RLP6xx); their meaning is the registry's doc. */
export const CLI_CODES = ALL_CODES.filter((c) => c.startsWith("RLP6")).sort();

export interface CliCase {
  code: DiagnosticCode;
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
  const codes = CLI_CODES;
  const out: string[] = [
    "## RLP6xx: command-line options",
    "",
    "Options that name something that does not exist. Each is one line, exit status 64.",
    "",
    "| Code | Meaning |",
    "|---|---|",
  ];
  for (const code of codes) out.push(`| ${code} | ${DIAGNOSTIC_CODES[code].doc} |`);
  for (const code of codes) {
    out.push("", `<a id="${code.toLowerCase()}"></a>`, `### ${code}`, "", DIAGNOSTIC_CODES[code].doc);
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
