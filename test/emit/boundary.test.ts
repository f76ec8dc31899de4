// The emitted module's boundary: bad inputs throw InputValidationError with the codes and one-line messages that
// `rlp eval` prints for the same data in an inputs file; typed-array inputs give the same results as JSON ones; run-time
// params behave like `rlp eval --set`, and params fixed at compile time are refused; threads give the same results.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main, type CliIO } from "../../cli/main.ts";
import { InputValidationError } from "../../runtime/library/emitted/validate.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";
import { expectClose } from "./compare.ts";
import { emitExample, exampleInputs, exampleProgram, importModule, reference, REPO, userProject } from "./helpers.ts";

type Result = Record<string, number | Tensor>;

interface GrpoModule {
  evaluate(inputs: unknown, params?: unknown, options?: unknown): Promise<Result>;
  evaluateWithGrad(inputs: unknown, params?: unknown, options?: unknown): Promise<Result>;
  close(): Promise<void>;
}

const dir = userProject("boundary");
const good = JSON.parse(readFileSync(join(REPO, "examples/data/grpo.json"), "utf8")) as Record<
  string,
  { dims?: string[]; data: unknown }
>;
let mod: GrpoModule;

beforeAll(async () => {
  const m = emitExample("grpo");
  writeFileSync(join(dir, m.moduleFile), m.module);
  mod = await importModule<GrpoModule>(dir, "grpo");
}, 60_000);

function variant(
  edit: (d: Record<string, { dims?: string[]; shape?: number[]; data: unknown }>) => void,
): Record<string, unknown> {
  const d = structuredClone(good);
  edit(d);
  return d;
}

/** The `error[CODE]: message` lines `rlp eval` prints for `doc` as an inputs file (prefix `rlp eval: ` removed). */
async function evalErrors(doc: unknown, name: string): Promise<string[]> {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(doc));
  let err = "";
  const io: CliIO = { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) }, env: {} };
  const code = await main(["eval", "examples/grpo.rlp", "--inputs", path], io);
  expect(code).toBe(2);
  return err
    .trim()
    .split("\n")
    .map((l) => l.replace(/^rlp eval: /, ""));
}

async function thrown(p: Promise<unknown>): Promise<InputValidationError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(InputValidationError);
    return e as InputValidationError;
  }
  throw new Error("expected InputValidationError");
}

const BAD: { name: string; code: string; doc: Record<string, unknown> }[] = [
  { name: "missing", code: "RLP501", doc: variant((d) => delete d.mask) },
  {
    name: "rank",
    code: "RLP502",
    doc: variant((d) => {
      d.reward = { data: [1, 0, 0, 0] };
    }),
  },
  {
    name: "ragged",
    code: "RLP502",
    doc: variant((d) => {
      d.reward = { data: [[1, 0], [0]] };
    }),
  },
  {
    name: "size",
    code: "RLP503",
    doc: variant((d) => {
      d.mask = {
        dims: ["P", "G", "T"],
        data: [
          [
            [1, 1],
            [1, 1],
            [1, 1],
            [1, 0],
          ],
        ],
      };
    }),
  },
  {
    name: "nonfinite",
    code: "RLP504",
    doc: variant((d) => {
      (d.logp!.data as unknown[][][])[0]![1]![2] = "NaN";
    }),
  },
  {
    name: "dtype",
    code: "RLP505",
    doc: variant((d) => {
      (d.mask!.data as number[][][])[0]![0]![1] = 0.5;
    }),
  },
  {
    name: "dims",
    code: "RLP506",
    doc: variant((d) => {
      d.logp!.dims = ["P", "G", "X"];
    }),
  },
  {
    name: "two",
    code: "RLP501",
    doc: variant((d) => {
      delete d.reward;
      (d.mask!.data as number[][][])[0]![0]![1] = 2;
    }),
  },
];

describe("bad inputs: InputValidationError with rlp eval's codes and messages", () => {
  for (const c of BAD) {
    it(`${c.code}: ${c.name}`, async () => {
      const e = await thrown(mod.evaluateWithGrad(c.doc));
      const want = await evalErrors(c.doc, c.name);
      expect(e.code).toBe(c.code);
      expect(e.errors.map((x) => `error[${x.code}]: ${x.message}`)).toEqual(want);
      expect(e.message.split("\n")).toEqual(want);
    });
  }

  it("not an object; a typed array without a shape; a NaN in a typed array (RLP504, as in JSON)", async () => {
    expect((await thrown(mod.evaluate([1, 2]))).errors).toEqual([
      { code: "RLP507", message: "inputs: expected a JSON object mapping input names to values, got an array" },
    ]);
    const noShape = (await thrown(mod.evaluate({ ...good, logp: { data: new Float32Array(12) } }))).errors;
    expect(noShape).toEqual([
      { code: "RLP502", message: "input 'logp': typed-array data needs a 'shape' (the declaration has 3 dims)" },
    ]);
    const data = Float32Array.from((good.logp!.data as number[][][]).flat(2));
    data[5] = NaN;
    const typed = (await thrown(mod.evaluate({ ...good, logp: { dims: ["P", "G", "T"], shape: [1, 4, 3], data } }))).errors;
    const json = (
      await thrown(
        mod.evaluate(
          variant((d) => {
            (d.logp!.data as unknown[][][])[0]![1]![2] = "NaN";
          }),
        ),
      )
    ).errors;
    expect(typed).toEqual(json);
  });

  it("warnings (an unknown input) go to onWarning, as rlp eval prints them", async () => {
    const warnings: string[] = [];
    await mod.evaluate({ ...good, rewrd: [[1, 0, 0, 0]] }, {}, { onWarning: (m: string) => warnings.push(m) });
    expect(warnings).toEqual(["unknown input 'rewrd' is ignored; did you mean 'reward'?"]);
  });
});

describe("typed arrays, params and threads", () => {
  const { program } = exampleProgram("grpo");
  const { tensors } = exampleInputs("grpo", program);

  it("typed-array inputs (any dim order, Tensors too) give the same results as JSON inputs", async () => {
    const json = await mod.evaluateWithGrad(good);
    const logp = tensors.logp!;
    const [P, G, T] = logp.shape as [number, number, number];
    const transposed = new Float64Array(logp.data.length);
    for (let p = 0; p < P; p++)
      for (let g = 0; g < G; g++) for (let t = 0; t < T; t++) transposed[(t * P + p) * G + g] = logp.data[(p * G + g) * T + t]!;
    const typed = await mod.evaluateWithGrad({
      logp: { dims: ["T", "P", "G"], shape: [T, P, G], data: Float32Array.from(transposed) },
      old_logp: { ...tensors.old_logp!, data: Float32Array.from(tensors.old_logp!.data) },
      ref_logp: tensors.ref_logp, // a Tensor
      mask: { shape: tensors.mask!.shape, data: Uint8Array.from(tensors.mask!.data) },
      reward: good.reward,
    });
    expect(typed).toEqual(json);
  });

  it("a run-time param overrides its default like rlp eval --set; an unknown or non-numeric param is RLP509", async () => {
    const want = reference(exampleProgram("grpo", { beta: "0.5" }).program, tensors).values;
    const got = await mod.evaluateWithGrad(good, { beta: 0.5 });
    for (const [k, t] of Object.entries(want)) expectClose(got[k], t, `beta=0.5: ${k}`);
    // clip_eps reaches the kernels through arithmetic (1 - eps, 1 + eps): a run-time override changes every use
    const wantClip = reference(exampleProgram("grpo", { clip_eps: "0.3" }).program, tensors).values;
    const gotClip = await mod.evaluateWithGrad(good, { clip_eps: 0.3 });
    for (const [k, t] of Object.entries(wantClip)) expectClose(gotClip[k], t, `clip_eps=0.3: ${k}`);
    expect((await thrown(mod.evaluate(good, { bta: 0.3 }))).errors).toEqual([
      { code: "RLP509", message: "param 'bta': pipeline 'grpo' has no param named 'bta'; did you mean 'beta'?" },
    ]);
    expect((await thrown(mod.evaluate(good, { beta: "0.3" }))).errors).toEqual([
      { code: "RLP509", message: "param 'beta': expected a finite number, got \"0.3\"" },
    ]);
  });

  it("2 threads give the same results as 1 (a kernel split over a worker from the module's own source text)", async () => {
    const big = { P: 6, G: 4, T: 40 };
    const n = big.P * big.G * big.T;
    const rnd = (i: number): number => Math.sin(i * 12.9898) * 0.5 - 1;
    const inputs = {
      logp: { shape: [big.P, big.G, big.T], data: Float32Array.from({ length: n }, (_, i) => rnd(i)) },
      old_logp: { shape: [big.P, big.G, big.T], data: Float32Array.from({ length: n }, (_, i) => rnd(i + 7)) },
      ref_logp: { shape: [big.P, big.G, big.T], data: Float32Array.from({ length: n }, (_, i) => rnd(i + 3)) },
      mask: { shape: [big.P, big.G, big.T], data: Uint8Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : 1)) },
      reward: { shape: [big.P, big.G], data: Float32Array.from({ length: big.P * big.G }, (_, i) => i % 3) },
    };
    const one = await mod.evaluateWithGrad(inputs);
    const two = await mod.evaluateWithGrad(inputs, {}, { threads: 2, minParallelWork: 1 });
    try {
      for (const [k, v] of Object.entries(one)) {
        if (typeof v === "number") expect(Math.abs((two[k] as number) - v)).toBeLessThanOrEqual(1e-6 * Math.abs(v) + 1e-7);
        else expectClose(two[k], v, `2 threads: ${k}`, 1e-6, 1e-7);
      }
    } finally {
      await mod.close();
    }
  });
});
