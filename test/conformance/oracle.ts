// The one place the conformance suite reaches for the float64 central differences (runtime/backends/reference
// today; the reference reverse mode moves to test/oracle, and this import may follow it).
export { numericGradient } from "../../runtime/backends/reference/grad.ts";
