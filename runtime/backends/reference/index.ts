// The float64 reference evaluator and its reverse-mode gradient (the semantics every backend must match).
export { evaluate, type EvalResult, type EvaluateOptions } from "./evaluate.ts";
export { EvalError } from "../../library/ops/common.ts";
export type { StateValue } from "../../library/ops/state.ts";
export { gradients, numericGradient } from "./grad.ts";
export { uniformAt } from "../../library/ops/select.ts";
