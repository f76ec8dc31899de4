// Imports a user's module given on the command line (a task or policy plugin): a missing file or a module that fails
// to load is one line naming it, thrown as the caller's error class.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

export async function importUserModule(
  spec: string,
  what: string,
  fail: (message: string) => Error,
): Promise<{ path: string; module: Record<string, unknown> }> {
  const path = resolve(spec);
  if (!existsSync(path)) throw fail(`${what} ${spec}: no such file`);
  try {
    return { path, module: (await import(pathToFileURL(path).href)) as Record<string, unknown> };
  } catch (e) {
    throw fail(`${what} ${spec} cannot be loaded: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
}
