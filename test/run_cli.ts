// Runs a CLI command in-process with stdout and stderr captured: how the tests see `rlp ...`.
import type { CliIO } from "../cli/main.ts";

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function captured(
  command: (argv: string[], io: CliIO) => number | Promise<number>,
  argv: string[],
): Promise<CliRun> {
  let out = "";
  let err = "";
  const io: CliIO = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {} };
  const code = await command(argv, io);
  return { code, out, err };
}
