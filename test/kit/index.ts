// The shared test kit: seeded inputs, dim sizes, compile-and-run on the reference, diagnostic assertions.
export { dimSizes } from "./dims.ts";
export { diagnosticsOf, errorLines, errorsOf, expectDiagnostic, formatDiagnostics } from "./diagnostics.ts";
export { EDGE_DEFAULT_SIZES, MAIN_SIZES, roundF32, seededInputs, tieFree, TINY_SIZES, type InputOptions } from "./inputs.ts";
export { hashedLcg, lcg, mulberry32, uniform } from "./random.ts";
export { compileOne, compileSource, compileText, inlinePath, REPO, repoPath, runReference } from "./reference.ts";
