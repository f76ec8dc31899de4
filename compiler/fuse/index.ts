// Fusion: group the primitives of an IR program into loop kernels (see plan.ts for the stages).
export { planLowered } from "./plan.ts";
export { formatPlan, opLabel, spanLabel, type FormatOptions } from "./format.ts";
export type * from "./types.ts";
