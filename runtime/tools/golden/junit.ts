// JUnit XML for CI systems (GitLab, Jenkins, GitHub test reporters): one <testsuite> per backend, one <testcase>
// per golden case; a mismatch is a <failure> whose text is the diff, a case that cannot run is an <error>.
import { relative } from "node:path";
import type { CaseOutcome } from "./run.ts";

function esc(s: string): string {
  // XML 1.0 forbids most control characters even when escaped: drop them.
  return (
    s
      // eslint-disable-next-line no-control-regex -- these control characters are what the pattern removes
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, "")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
  );
}

const secs = (ms: number) => (ms / 1000).toFixed(3);

export interface JunitOptions {
  /** Paths are shown relative to this directory (default: the working directory). */
  cwd?: string;
  /** ISO timestamp of the run (default: now). */
  timestamp?: string;
}

export function formatJunit(outcomes: readonly CaseOutcome[], options: JunitOptions = {}): string {
  const cwd = options.cwd ?? process.cwd();
  const timestamp = options.timestamp ?? new Date().toISOString().replace(/\.\d+Z$/, "");
  const backends = [...new Set(outcomes.map((o) => o.backend))];
  const count = (os: readonly CaseOutcome[], s: CaseOutcome["status"]) => os.filter((o) => o.status === s).length;
  const total = (os: readonly CaseOutcome[]) => os.reduce((t, o) => t + o.timeMs, 0);
  const lines: string[] = [`<?xml version="1.0" encoding="UTF-8"?>`];
  lines.push(
    `<testsuites name="rlp test" tests="${outcomes.length}" failures="${count(outcomes, "failed")}" errors="${count(outcomes, "error")}" skipped="0" time="${secs(total(outcomes))}">`,
  );
  for (const b of backends) {
    const os = outcomes.filter((o) => o.backend === b);
    lines.push(
      `  <testsuite name="${esc(`rlp test (${b})`)}" tests="${os.length}" failures="${count(os, "failed")}" errors="${count(os, "error")}" skipped="0" time="${secs(total(os))}" timestamp="${timestamp}">`,
    );
    for (const o of os) {
      const r = relative(cwd, o.case.source);
      const source = r === "" || r.startsWith("..") ? o.case.source : r;
      const attrs = `name="${esc(o.case.name)}" classname="${esc(source)}" file="${esc(source)}" time="${secs(o.timeMs)}"`;
      if (o.status === "passed") {
        lines.push(`    <testcase ${attrs}/>`);
        continue;
      }
      const tag = o.status === "failed" ? "failure" : "error";
      const type = o.status === "failed" ? "mismatch" : "error";
      const body = [o.message ?? "", ...o.details].join("\n");
      lines.push(`    <testcase ${attrs}>`);
      lines.push(`      <${tag} message="${esc(o.message ?? o.status)}" type="${type}">${esc(body)}</${tag}>`);
      lines.push(`    </testcase>`);
    }
    lines.push(`  </testsuite>`);
  }
  lines.push(`</testsuites>`);
  return lines.join("\n") + "\n";
}
