// DIR/report.html: one self-contained page (no network): the learning curves drawn by uPlot (its script and style
// inlined from node_modules), the held-out accuracy before and after, the run's settings, and the pipeline's graph
// (runtime/tools/graph, SVG).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { IRProgram } from "../../../compiler/ir/ir.ts";
import { writeFileAtomic } from "../../library/io/write_outputs.ts";

const require = createRequire(import.meta.url);

interface MetricLine {
  event?: string;
  step: number;
  accuracy?: number;
  [k: string]: unknown;
}

export interface ReportInput {
  title: string;
  /** metrics.jsonl lines. */
  lines: MetricLine[];
  /** Settings shown in a table. */
  settings: Record<string, string | number | boolean>;
  program?: IRProgram;
  sources?: ReadonlyMap<string, string>;
  file?: string;
}

function uplotAssets(): { js: string; css: string } {
  const dist = join(dirname(require.resolve("uplot/package.json")), "dist");
  return { js: readFileSync(join(dist, "uPlot.iife.min.js"), "utf8"), css: readFileSync(join(dist, "uPlot.min.css"), "utf8") };
}

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Inline <script> text must not close the element early. */
const scriptSafe = (s: string): string => s.replace(/<\/(script)/gi, "<\\/$1");

/** The charts: [title, [series key, label]...]. Keys are fields of the step lines (or `GROUP.NAME`: metrics, losses, time_s). */
const CHARTS: [string, [string, string][]][] = [
  [
    "reward and accuracy (training samples)",
    [
      ["reward", "mean reward"],
      ["accuracy", "accuracy"],
    ],
  ],
  ["loss", [["loss", "loss"]]],
  ["KL to the reference (k3, per token)", [["kl", "KL"]]],
  ["entropy (per token)", [["entropy", "entropy"]]],
  ["clip fraction", [["clip_frac", "clip fraction"]]],
  [
    "gradient norm (before clipping)",
    [
      ["grad_norm", "policy"],
      ["critic_grad_norm", "critic"],
    ],
  ],
  ["response length (tokens)", [["response_len", "tokens"]]],
  ["throughput (tokens/s)", [["tokens_per_s", "tokens/s"]]],
  [
    "time per step (s)",
    [
      ["time_s.rollout", "rollout"],
      ["time_s.reward", "reward"],
      ["time_s.loss", "compiled loss"],
      ["time_s.model", "model"],
    ],
  ],
];

function field(line: MetricLine, key: string): number | null {
  const dot = key.indexOf(".");
  const v = dot > 0 ? (line[key.slice(0, dot)] as Record<string, unknown> | undefined)?.[key.slice(dot + 1)] : line[key];
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

export async function renderReport(input: ReportInput): Promise<string> {
  const steps = input.lines.filter((l) => l.event === undefined);
  const evals = input.lines.filter((l) => l.event === "eval");
  const x = steps.map((l) => l.step);
  const extra = Object.keys((steps[0]?.["metrics"] as Record<string, unknown> | undefined) ?? {}).filter(
    (k) => k !== "clip_frac",
  );
  const losses = Object.keys((steps[0]?.["losses"] as Record<string, unknown> | undefined) ?? {});
  const lossChart: [string, [string, string][]][] = losses.length > 1 ? [["losses", losses.map((k) => [`losses.${k}`, k])]] : [];
  const charts = [
    ...CHARTS.slice(0, 2),
    ...lossChart,
    ...CHARTS.slice(2),
    ...extra.map((k): [string, [string, string][]] => [`metric ${k}`, [[`metrics.${k}`, k]]]),
  ]
    .map(([title, series]) => ({
      title,
      labels: series.map((s) => s[1]),
      data: [x, ...series.map(([k]) => steps.map((l) => field(l, k)))],
    }))
    .filter((c) => c.data.slice(1).some((s) => s.some((v) => v !== null)));
  if (evals.length > 0)
    charts.unshift({
      title: "held-out accuracy (greedy)",
      labels: ["accuracy"],
      data: [evals.map((e) => e.step), evals.map((e) => e.accuracy ?? null)],
    });
  let graph = "";
  if (input.program) {
    try {
      const { renderGraph } = await import("../graph/index.ts");
      const opts: Parameters<typeof renderGraph>[1] = { format: "svg" };
      if (input.sources) opts.sources = input.sources;
      if (input.file) opts.file = input.file;
      graph = await renderGraph(input.program, opts);
    } catch (e) {
      graph = `<p>(the graph could not be drawn: ${esc(e instanceof Error ? e.message : String(e))})</p>`;
    }
  }
  const before = evals.find((e) => e.step === 0)?.accuracy;
  const after = evals.length > 1 ? evals[evals.length - 1]!.accuracy : undefined;
  const pct = (v: number | undefined): string => (v === undefined ? "–" : `${(100 * v).toFixed(1)}%`);
  const { js, css } = uplotAssets();
  const settings = Object.entries(input.settings)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(String(v))}</td></tr>`)
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(input.title)}</title>
<style>${css}
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:28px}
.charts{display:flex;flex-wrap:wrap;gap:16px}.chart{border:1px solid #ddd;padding:8px}table{border-collapse:collapse}
th,td{text-align:left;padding:2px 10px;border-bottom:1px solid #eee}.big{font-size:18px}.graph svg{max-width:100%;height:auto}</style>
</head><body>
<h1>${esc(input.title)}</h1>
<p class="big">held-out accuracy: before ${pct(before)} → after ${pct(after)}</p>
<h2>Learning curves</h2><div class="charts" id="charts"></div>
<h2>Settings</h2><table>${settings}</table>
${graph ? `<h2>Pipeline</h2><div class="graph">${graph}</div>` : ""}
<script>${scriptSafe(js)}</script>
<script>
const CHARTS = ${scriptSafe(JSON.stringify(charts))};
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
for (const c of CHARTS) {
  const el = document.createElement("div"); el.className = "chart"; document.getElementById("charts").appendChild(el);
  new uPlot({ title: c.title, width: 460, height: 240, scales: { x: { time: false } },
    series: [{ label: "step" }, ...c.labels.map((l, i) => ({ label: l, stroke: COLORS[i % COLORS.length], width: 1.5, points: { show: c.data[0].length < 40 } }))],
    axes: [{ label: "step" }, {}] }, c.data, el);
}
</script>
</body></html>
`;
}

export async function writeReport(path: string, input: ReportInput): Promise<void> {
  writeFileAtomic(path, await renderReport(input));
}

export function readMetrics(path: string): MetricLine[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as MetricLine);
}
