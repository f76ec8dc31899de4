// `rlp test [DIR] [--update] [--backend NAME...] [--format text|junit]`: user-facing golden-output tests.
import { basename, relative } from "node:path";
import { CommandUsageError, EXIT_CODES, parseCommandArgs, usageError } from "./command_util.ts";
import type { CliIO } from "./main.ts";

export const TEST_HELP = `usage: rlp test [DIR|MANIFEST] [--update] [--backend NAME]... [--gradcheck] [--format text|junit]

Runs golden-output tests: each case is a pipeline, an inputs file and an expected-outputs file (the JSON that
'rlp eval --grad' prints, or safetensors), with tolerances. Cases are listed in rlp-test.json manifests or found by
name (NAME.rlp, NAME.inputs.json, NAME.expected.json) under DIR (default: the current directory); see
docs/testing.md. A mismatch shows the first differing elements: index, expected, actual, absolute and relative error.
Exit status: 0 all passed, 1 a case failed, 2 no cases or an unknown backend, 64 usage,
74 --update could not write an expected file.

options:
  --update               record the expected files from the reference evaluator (atomic writes)
  --backend NAME         check on this backend: reference (default), js, tfjs; repeatable or comma-separated
  --gradcheck            also check the gradients that custom nodes supply against central finite differences
                         (float64 reference, step 1e-6, rtol 1e-4, atol 1e-6), in cases that call such a node
  --format text|junit    text for people (default), or JUnit XML on stdout for CI systems`;

export async function testCommand(argv: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandArgs(argv, {
      update: { type: "boolean" },
      backend: { type: "string", multiple: true },
      gradcheck: { type: "boolean" },
      format: { type: "string" },
    });
  } catch (e) {
    if (e instanceof CommandUsageError) return usageError(io, "test", e.message, TEST_HELP);
    throw e;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(TEST_HELP + "\n");
    return EXIT_CODES.ok;
  }
  if (positionals.length > 1)
    return usageError(io, "test", `expected at most one directory, got ${positionals.length}`, TEST_HELP);
  const format = values.format ?? "text";
  if (format !== "text" && format !== "junit")
    return usageError(io, "test", `--format must be text or junit, got '${format}'`, TEST_HELP);
  const backendNames = [
    ...new Set(
      (values.backend ?? ["reference"])
        .flatMap((b) => b.split(","))
        .map((b) => b.trim())
        .filter((b) => b !== ""),
    ),
  ];
  if (backendNames.length === 0) return usageError(io, "test", "--backend needs a name", TEST_HELP);
  if (values.update && backendNames.some((b) => b !== "reference")) {
    return usageError(
      io,
      "test",
      "--update records goldens with the reference evaluator; leave out --backend (or give --backend reference)",
      TEST_HELP,
    );
  }
  if (values.update && format === "junit")
    return usageError(io, "test", "--update does not write JUnit; leave out --format junit", TEST_HELP);
  if (values.update && values.gradcheck)
    return usageError(io, "test", "--update records goldens; run --gradcheck without it", TEST_HELP);

  const golden = await import("../runtime/tools/golden/index.ts");
  const { gradcheckCase } = await import("../runtime/tools/golden/gradcheck.ts");
  const backends: Awaited<ReturnType<typeof golden.loadGoldenBackend>>[] = [];
  for (const name of backendNames) {
    try {
      backends.push(await golden.loadGoldenBackend(name));
    } catch (e) {
      if (e instanceof golden.BackendUnavailable) {
        io.stderr.write(`rlp test: ${e.message}\n`);
        return EXIT_CODES.input;
      }
      throw e;
    }
  }

  const target = positionals[0] ?? ".";
  const found = golden.discoverCases(target);
  const show = (p: string) => {
    const r = relative(process.cwd(), p);
    return r === "" ? "." : r.startsWith("..") ? p : r;
  };
  if (found.cases.length === 0 && found.errors.length === 0) {
    io.stderr.write(
      `rlp test: no test cases under '${target}' (write an ${golden.MANIFEST} manifest, or NAME.rlp with NAME.inputs.json; see docs/testing.md)\n`,
    );
    return EXIT_CODES.input;
  }
  if (found.cases.length === 0 && found.errors.every((e) => e.message.startsWith("no such file or directory"))) {
    io.stderr.write(`rlp test: ${found.errors[0]!.message}\n`);
    return EXIT_CODES.input;
  }
  // A manifest that cannot be read counts as a failure, but the other cases still run.
  const manifestErrors = found.errors.map((e) => `${show(e.source)}: ${e.message}`);

  if (values.update) {
    let written = 0;
    let unchanged = 0;
    let failed = manifestErrors.length;
    let writeFailed = false;
    for (const m of manifestErrors) io.stdout.write(`ERROR ${m}\n`);
    for (const c of found.cases) {
      const r = await golden.updateCase(c);
      if (r.status === "error") {
        failed++;
        if (r.writeFailed) writeFailed = true;
        io.stdout.write(`ERROR ${c.name}: ${r.message ?? ""}\n`);
        for (const d of r.details) io.stdout.write(`  ${d}\n`);
      } else if (r.status === "written") {
        written++;
        io.stdout.write(`wrote ${c.name} -> ${show(c.expected)}\n`);
      } else {
        unchanged++;
        io.stdout.write(`same  ${c.name} (${show(c.expected)} unchanged)\n`);
      }
    }
    io.stdout.write(`${written} updated, ${unchanged} unchanged, ${failed} failed\n`);
    return writeFailed ? EXIT_CODES.ioError : failed > 0 ? EXIT_CODES.compile : EXIT_CODES.ok;
  }

  const outcomes: Awaited<ReturnType<typeof golden.checkCase>>[] = [];
  const text = format === "text";
  if (text) for (const m of manifestErrors) io.stdout.write(`ERROR ${m}\n`);
  for (const c of found.cases) {
    const prepared = golden.prepareCase(c);
    for (const b of backends) {
      const o = await golden.checkCase(c, b, prepared);
      outcomes.push(o);
      if (!text) continue;
      const tag = backends.length > 1 || b.name !== "reference" ? ` [${b.name}]` : "";
      const ms = `${Math.round(o.timeMs)} ms`;
      if (o.status === "passed") {
        io.stdout.write(`ok    ${c.name}${tag} (${ms})\n`);
        continue;
      }
      io.stdout.write(`${o.status === "failed" ? "FAIL " : "ERROR"} ${c.name}${tag}: ${o.message ?? ""}\n`);
      io.stdout.write(
        `      case: ${show(c.source)}; pipeline ${show(c.pipeline)}, inputs ${show(c.inputs)}, expected ${show(c.expected)}\n`,
      );
      for (const d of o.details) io.stdout.write(`      ${d}\n`);
    }
    if (!values.gradcheck) continue;
    const g = await gradcheckCase(c, prepared);
    if (g.status === "skipped") {
      if (text) io.stdout.write(`skip  ${c.name} [gradcheck]: ${g.message ?? ""}\n`);
      continue;
    }
    outcomes.push({ ...g, status: g.status });
    if (!text) continue;
    if (g.status === "passed") {
      io.stdout.write(`ok    ${c.name} [gradcheck] (${Math.round(g.timeMs)} ms): ${g.message ?? ""}\n`);
      continue;
    }
    io.stdout.write(`${g.status === "failed" ? "FAIL " : "ERROR"} ${c.name} [gradcheck]: ${g.message ?? ""}\n`);
    io.stdout.write(`      case: ${show(c.source)}; pipeline ${show(c.pipeline)}, inputs ${show(c.inputs)}\n`);
    for (const d of g.details) io.stdout.write(`      ${d}\n`);
  }
  const passed = outcomes.filter((o) => o.status === "passed").length;
  const failed = outcomes.length - passed + manifestErrors.length;
  const summary = `${passed} passed, ${failed} failed`;
  if (text) io.stdout.write(`${summary}\n`);
  else {
    // Unreadable manifests appear as errored cases, so that CI shows them.
    const broken = found.errors.map((e) => ({
      case: { name: basename(e.source), source: e.source, pipeline: "", inputs: "", expected: "", grad: false, set: {} },
      backend: backends[0]!.name,
      status: "error" as const,
      message: e.message,
      details: [],
      timeMs: 0,
    }));
    io.stdout.write(golden.formatJunit([...broken, ...outcomes]));
    io.stderr.write(`${summary}\n`);
  }
  return failed > 0 ? EXIT_CODES.compile : EXIT_CODES.ok;
}
