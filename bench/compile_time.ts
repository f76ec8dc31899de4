// Measures parse + check + lower time of the example pipelines (not a test): the first compile in a
// process (which also parses and checks the std library) and the median of later ones.
import { compileFile } from "../compiler/index.ts";

export function measureCompileTime(files: string[], repeats = 50): { file: string; firstMs: number; medianMs: number }[] {
  const rows = [];
  for (const file of files) {
    const t0 = performance.now();
    compileFile(file);
    const firstMs = performance.now() - t0;
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      compileFile(file);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    rows.push({ file, firstMs, medianMs: times[Math.floor(times.length / 2)]! });
  }
  return rows;
}
