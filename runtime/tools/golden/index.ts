// User-facing golden-output tests (`rlp test`): cases (cases.ts), backends (backends.ts), expected files
// (expected.ts), comparison and diffs (compare.ts), running and recording (run.ts), JUnit XML (junit.ts).
export { discoverCases, readManifest, hasExpected, MANIFEST, type CaseError, type Discovery, type GoldenCase } from "./cases.ts";
export {
  BACKEND_NAMES,
  BackendUnavailable,
  EXTERNAL_BACKENDS,
  GoldenRunError,
  evalOutputs,
  loadGoldenBackend,
  referenceBackend,
  type GoldenBackend,
  type GoldenRunOptions,
} from "./backends.ts";
export {
  compareOutputs,
  formatComparison,
  formatError,
  formatIndex,
  formatValue,
  type Comparison,
  type ElementDiff,
  type OutputProblem,
  type Tolerance,
} from "./compare.ts";
export { readExpected, writeExpected } from "./expected.ts";
export {
  checkCase,
  prepareCase,
  toleranceFor,
  updateCase,
  type CaseOutcome,
  type CaseStatus,
  type Prepared,
  type PreparedCase,
  type UpdateOutcome,
} from "./run.ts";
export { formatJunit } from "./junit.ts";
