// The one place the conformance suite reaches for float64 central differences.
export { numericGradient } from "../../runtime/backends/reference/numeric_grad.ts";
