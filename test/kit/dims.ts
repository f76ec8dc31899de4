// The size of every dim of a program, for generating inputs.
import type { IRProgram } from "../../compiler/ir/ir.ts";

/**
 * Sizes of every dim: static sizes as declared (labels count), then `sizes`, then an alias's target, then
 * `defaults`, then 3.
 */
export function dimSizes(
  program: IRProgram,
  sizes: Record<string, number> = {},
  defaults: Record<string, number> = {},
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of program.dims) {
    const s = d.size ?? d.labels?.length;
    out[d.name] = s ?? sizes[d.name] ?? (d.aliasOf ? out[d.aliasOf] : undefined) ?? defaults[d.name] ?? 3;
  }
  return out;
}
