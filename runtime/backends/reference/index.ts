// The float64 reference evaluator (the semantics every backend must match), the symbolic gradients evaluated by it,
// and central differences.
export { evaluate, type EvalResult, type EvaluateOptions } from "./evaluate.ts";
export { EvalError } from "../../library/ops/common.ts";
export type { StateValue } from "../../library/ops/state.ts";
export { hasDifferentiableLoss, symbolicGradients } from "./gradients.ts";
export { numericGradient } from "./numeric_grad.ts";
export { uniformAt } from "../../library/ops/select.ts";
