// The JS backend: generated typed-array loops per kernel (see module.ts for the module's shape).
export { generateJs, planMeta, type GeneratedJs } from "./module.ts";
export type * from "../../ir/kernel_meta.ts";
