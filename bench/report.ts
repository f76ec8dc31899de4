// bench/results.md: the environment, a table per pipeline, the ratios, the GRPO acceptance figures, compile time.
import type { CompileStages } from "./compile_time.ts";
import {
  ACCEPTANCE,
  acceptance,
  ratio,
  rowOf,
  type Environment,
  type PipelineResult,
  type Round,
  type VariantId,
} from "./kernels.ts";
import { fmtMiB, fmtMs, median } from "./util.ts";

const x = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

function ratioCell(r: PipelineResult, slow: VariantId, fast: VariantId): string {
  const q = ratio(r, slow, fast);
  return `${x(q.median)}× (${x(q.low)}–${x(q.high)})`;
}

function short(id: VariantId): string {
  return {
    fused1: "1 thread",
    fusedN: "all cores",
    fusedApi: "API",
    tfjsCpu: "tfjs-cpu",
    tfjsWasm: "tfjs-wasm",
    reference: "reference",
    copy: "copy",
  }[id];
}

export function renderResults(
  env: Environment,
  results: PipelineResult[],
  compile: CompileStages[],
  rounds: Round[],
  command: string,
): string {
  const out: string[] = [];
  out.push("# Kernel benchmark: loss + gradient", "");
  out.push(
    `Written by \`${command}\` (bench/index.ts, bench/kernels.ts); not a test. Every figure below is from one process, on`,
  );
  out.push("the same data (bench/data.ts).", "");
  out.push("| | |", "| --- | --- |");
  out.push(`| date | ${env.date} |`);
  out.push(
    `| machine | ${env.cpu}, ${env.cores} cores (os.availableParallelism() = ${env.threads}), ${env.memGiB.toFixed(0)} GiB |`,
  );
  out.push(`| node | ${env.node} |`);
  out.push(`| tfjs | ${env.tfjs}; wasm backend: ${env.wasm} |`);
  out.push(
    `| load average (1, 5, 15 min) | before ${env.loadBefore.map((v) => v.toFixed(2)).join(", ")}; after ${(env.loadAfter ?? []).map((v) => v.toFixed(2)).join(", ")} |`,
  );
  out.push("");
  const intro = `The workload: each loss and its gradient with respect to each differentiable input it reaches. *Bytes moved*: every
input read once plus those gradients written once (what a fused pass must touch); *GB/s* = bytes moved / median
time; *× copy* = median time / median time of a plain \`Uint8Array.set\` copy of as many bytes. Times are medians
of 21 runs for the fused rows (1 thread and all cores measured in alternation, so that load from other processes
falls on both), 7 for the other fast rows, 3 for variants slower than 0.5 s a run, 1 for those slower than 20 s
a run (tfjs-cpu on PPO: the first, profiled run; its one-time costs are well under 1% of it), warmups excluded;
the range is min–max. *Memory*: the largest growth of \`process.memoryUsage()\` rss / arrayBuffers over the value
before the variant's runs (after a gc), sampled after each run; the process reuses pages freed by earlier variants
and collects garbage during a run, so these are lower bounds. *Allocated*: what one run allocates, counted
exactly where possible: for the fused kernels the buffers besides the inputs (gradients and values crossing
kernels), for tfjs its own peak of allocated bytes (\`tf.profile\`), for the reference the float64 values of every
node and the gradients, all held at the end of a run. *Dev.*: the largest |value − reference| / max |reference| over the loss and each gradient (float32 vs float64;
tfjs also accumulates its sums in float32, which over half a million tokens costs it more than the fused kernels,
whose accumulators are float64).

The fused rows time \`runArrays\` (float32 typed arrays in and out, SharedArrayBuffers, no conversion); the tfjs rows
time \`tfjsLossAndGrads\` inside \`tf.tidy\` on inputs uploaded beforehand (no host transfer but reading the loss
scalar). The \`evaluateWithGrad\` row is the Tensor API: float64 Tensors in and out, and every result of the
pipeline (metrics, outputs) rather than the losses and gradients only.`;
  out.push(...intro.split("\n"));
  for (const r of results) {
    out.push("", `## ${r.spec.name}`, "");
    out.push(
      `\`${r.spec.file}\`: ${r.spec.shape}; ${r.tokens.toLocaleString("en-US")} tokens. Outputs: ${r.outputs.map((o) => `\`${o}\``).join(", ")}.`,
    );
    out.push(`Load average (1 min) at the start: ${r.load.toFixed(2)} on ${env.threads} cores.`);
    out.push(
      `Bytes moved: ${fmtMiB(r.bytes)} MiB (inputs ${fmtMiB(r.inputBytes)} MiB, gradients ${fmtMiB(r.outputBytes)} MiB).`,
      "",
    );
    out.push(
      "| variant | median ms | range ms | runs | GB/s | × copy | rss growth MiB | arrayBuffers growth MiB | allocated MiB | dev. |",
    );
    out.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    const copy = rowOf(r, "copy").timing.median;
    for (const row of r.rows) {
      const t = row.timing;
      const gbs = r.bytes / (t.median * 1e6);
      out.push(
        `| ${row.label} | ${fmtMs(t.median)} | ${fmtMs(t.min)}–${fmtMs(t.max)} | ${t.runs.length} | ${gbs.toFixed(2)} | ${row.id === "copy" ? "1" : x(t.median / copy)} | ${fmtMiB(t.rssGrowth)} | ${fmtMiB(t.arrayBuffersGrowth)} | ${row.allocated === undefined ? "" : fmtMiB(row.allocated)} | ${row.deviation === undefined ? "" : row.deviation.toExponential(1)} |`,
      );
    }
    const prof = r.rows
      .filter((row) => row.topKernels !== undefined)
      .map((row) => `${row.label.split(",")[0]}: ${row.topKernels!.join(", ")}`);
    if (prof.length > 0)
      out.push("", `Where tfjs spends its time (one profiled run, tf.profile, share of kernel time): ${prof.join("; ")}.`);
    out.push("", "Speed-ups (median ratio; range: slowest/fastest run pairings):", "");
    out.push("| | 1 thread | all cores |", "| --- | ---: | ---: |");
    out.push(`| fused JS vs tfjs-cpu autograd | ${ratioCell(r, "tfjsCpu", "fused1")} | ${ratioCell(r, "tfjsCpu", "fusedN")} |`);
    out.push(
      `| fused JS vs tfjs-wasm autograd | ${ratioCell(r, "tfjsWasm", "fused1")} | ${ratioCell(r, "tfjsWasm", "fusedN")} |`,
    );
    out.push(
      `| fused JS vs the reference evaluator | ${ratioCell(r, "reference", "fused1")} | ${ratioCell(r, "reference", "fusedN")} |`,
    );
    out.push(`| all cores vs 1 thread | | ${ratioCell(r, "fused1", "fusedN")} |`);
  }
  const grpo = results.find((r) => r.spec.name === "GRPO");
  if (grpo) {
    out.push("", "## Acceptance (issue 3, GRPO loss + gradient)", "");
    if (rounds.length > 1) {
      out.push(
        `The measurements behind the three ratios, repeated in ${rounds.length} rounds on the same data (round 1 is the GRPO table`,
      );
      out.push("above): on a machine shared with other processes the all-cores figure depends on whether the other cores are");
      out.push("free at the time, so the spread over rounds is part of the result. Medians of each round (ms), and ratios:", "");
      out.push(
        `| round | load (1 min) | fused 1 thread | fused all cores | tfjs-cpu | tfjs-wasm | ${ACCEPTANCE.map(([, slow, fast]) => `${short(slow)} / ${short(fast)}`).join(" | ")} |`,
      );
      out.push(`| ---: | ---: | ---: | ---: | ---: | ---: | ${ACCEPTANCE.map(() => "---:").join(" | ")} |`);
      rounds.forEach((rd, i) => {
        const med = (id: VariantId): string => fmtMs(rd.rows.find((r) => r.id === id)!.timing.median);
        out.push(
          `| ${i + 1} | ${rd.load.toFixed(2)} | ${med("fused1")} | ${med("fusedN")} | ${med("tfjsCpu")} | ${med("tfjsWasm")} | ${acceptance(
            rd,
          )
            .map((a) => `${x(a.got.median)}×`)
            .join(" | ")} |`,
        );
      });
      out.push("");
      out.push("| | needed | median over rounds | range over rounds | |", "| --- | ---: | ---: | ---: | --- |");
      ACCEPTANCE.forEach(([what, , , need], k) => {
        const per = rounds.map((rd) => acceptance(rd)[k]!.got.median);
        const m = median(per);
        out.push(
          `| ${what} | ≥ ${need}× | ${x(m)}× | ${x(Math.min(...per))}–${x(Math.max(...per))}× | ${m >= need ? "pass" : "**FAIL**"} |`,
        );
      });
    } else {
      out.push("| | needed | median ratio | range | fastest runs' ratio | |", "| --- | ---: | ---: | ---: | ---: | --- |");
      for (const a of acceptance(grpo))
        out.push(
          `| ${a.what} | ≥ ${a.need}× | ${x(a.got.median)}× | ${x(a.got.low)}–${x(a.got.high)} | ${x(a.got.best)}× | ${a.pass ? "pass" : "**FAIL**"} |`,
        );
    }
  }
  out.push("", "## Compile time", "");
  out.push("To loss + gradient kernels, stage by stage (median of 15 compiles after the first; the first in a process also");
  out.push("parses and checks the std library):", "");
  const stageNames = compile[0]?.stages.map((s) => s.name) ?? [];
  out.push(`| pipeline | kernels | ${stageNames.join(" | ")} | total ms | first compile ms |`);
  out.push(`| --- | ---: | ${stageNames.map(() => "---:").join(" | ")} | ---: | ---: |`);
  for (const c of compile)
    out.push(
      `| ${c.file} | ${c.kernels} | ${c.stages.map((s) => s.ms.toFixed(2)).join(" | ")} | ${c.totalMs.toFixed(1)} | ${c.firstMs.toFixed(0)} |`,
    );
  out.push("");
  return out.join("\n");
}
