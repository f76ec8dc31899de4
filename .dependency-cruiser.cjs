// The layer rules of the README's Layout section, enforced by dependency-cruiser in `npm test` (npm run lint:layers).
// Data flows one way: grammar -> compiler (ir <- elaborate, autodiff, simplify, lower, fuse, codegen, emit)
// -> runtime/library (what emitted modules import) <- runtime/backends <- runtime/tools <- cli.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "grammar-is-the-bottom",
      comment:
        "The grammar (lexer, parser, AST, diagnostics) imports nothing of the compiler, the runtime, the stdlib or the CLI.",
      severity: "error",
      from: { path: "^grammar/" },
      to: { path: "^(compiler|runtime|stdlib|cli|bench|examples)/" },
    },
    {
      name: "ir-is-data",
      comment: "compiler/ir is the shared data layer: it imports only the grammar's types and itself.",
      severity: "error",
      from: { path: "^compiler/ir/" },
      to: { path: "^(compiler/(?!ir/)|runtime|stdlib|cli|bench|examples)" },
    },
    {
      name: "compiler-does-not-run",
      comment: "The compiler never imports the runtime: what it needs of scalar semantics or rules lives in compiler/ir.",
      severity: "error",
      from: { path: "^compiler/" },
      to: { path: "^(runtime|cli|bench|examples)/" },
    },
    {
      name: "runtime-library-imports-only-ir",
      comment: "Emitted modules import runtime/library; it may use compiler/ir (pure data and semantics), nothing else of rlp.",
      severity: "error",
      from: { path: "^runtime/library/" },
      to: { path: "^(compiler/(?!ir/)|runtime/(backends|tools)/|stdlib|cli|bench|examples)" },
    },
    {
      name: "backends-below-tools",
      comment: "The backends (reference, tfjs, JS kernel driver) do not import the developer tools or the CLI.",
      severity: "error",
      from: { path: "^runtime/backends/" },
      to: { path: "^(runtime/tools/|cli/|bench/)" },
    },
    {
      name: "tools-below-cli",
      comment: "The runtime tools (train, golden, graph, policy, tasks) do not import the CLI.",
      severity: "error",
      from: { path: "^runtime/tools/" },
      to: { path: "^(cli|bench)/" },
    },
    {
      name: "compiler-through-its-entry-points",
      comment:
        "Outside the compiler, code uses compiler/ir, the pass pipeline and each stage's index.ts, never a stage's internals.",
      severity: "error",
      from: { path: "^(runtime|cli|bench|examples|stdlib)/" },
      to: {
        path: "^compiler/",
        pathNot:
          "^compiler/(ir/|index\\.ts$|pipeline\\.ts$|stage_inputs\\.ts$|display_path\\.ts$|[^/]+/index\\.ts$|codegen/js/index\\.ts$)",
      },
    },
    {
      name: "nothing-imports-tests",
      comment: "test/ is a leaf: shipped code, benchmarks and examples never import it.",
      severity: "error",
      from: { pathNot: "^test/" },
      to: { path: "^test/" },
    },
    {
      name: "no-circular-layers",
      comment: "A cycle between folders makes the layering meaningless.",
      severity: "error",
      from: { path: "^(grammar|compiler/ir)/" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^node_modules/|^test/golden/)" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
