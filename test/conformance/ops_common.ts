// Helpers shared by the op-kind entries (ops.ts, ops_structural.ts).
import { vec, type Skip } from "./types.ts";

export const NONE = (why: string): Skip => ({ skip: why });
export const NO_GRAD = NONE("its result is not f32: no gradient");
export const W4 = vec([0.5, 1, 1.5, 2]);
export const ALL = (why: string): { reference: Skip; gradient: Skip; fused: Skip; tfjs: Skip } => ({
  reference: NONE(why),
  gradient: NONE(why),
  fused: NONE(why),
  tfjs: NONE(why),
});
export const PLUGIN = "needs a TypeScript plugin: covered by test/plugin, test/fuse/fuse_custom, test/agreement/agreement_custom";

/** A pipeline over one dim N: declarations, outputs and an optional loss L. */
export const lineProgram = (name: string, decls: string[], outputs: string[], loss?: string): string =>
  [
    `pipeline ${name} {`,
    "  dims N",
    ...decls.map((d) => `  ${d}`),
    ...outputs.map((o) => `  ${o}`),
    ...(loss ? [`  loss L = ${loss}`] : []),
    "}",
  ].join("\n");

export const run = { gradient: "run", fused: "run", tfjs: "run" } as const;
