// How messages show a file: relative to the working directory when it lies under it, else as given. (runtime/library/io/errors.ts
// has the runtime's copy: the runtime that emitted modules load may not load the compiler.)
import { isAbsolute, relative } from "node:path";

export function displayPath(file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(process.cwd(), file);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
}
