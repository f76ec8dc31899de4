// The gradient-side primitives (argfirst, scan_grad, embed) on tfjs against the reference, and tfjsCustomGrad: a
// compiled loss whose tfjs gradient comes from the symbolic gradient program (hand-built here, and the output of
// compiler/autodiff's differentiate on every example).
import { existsSync, readdirSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { differentiate } from "../../compiler/autodiff/index.ts";
import { compileFile } from "../../compiler/index.ts";
import { isDifferentiable, type IRProgram } from "../../compiler/ir/ir.ts";
import { readInputs } from "../../runtime/library/io/read_inputs.ts";
import { evaluate } from "../../runtime/backends/reference/index.ts";
import { gradients } from "../oracle/reverse_mode.ts";
import { tensor, type Tensor } from "../../runtime/library/tensor.ts";
import { tfjsCustomGrad } from "../../runtime/backends/tfjs/grad.ts";
import type { TF } from "../../runtime/backends/tfjs/types.ts";
import { IRBuilder, bool, f32, ints, rand } from "../helpers/ir_builder.ts";
import { expectAgree, everyNodeOutput, expectForwardAgrees, useBackend } from "./helpers.ts";

function gradOpsProgram(): IRProgram {
  const b = new IRBuilder(["P", { name: "Y", labels: ["w", "l"] }, "T"], "gradient_ops");
  const x = b.input("x", "f32", ["P", "T"]);
  const key = b.input("key", "i32", ["T"]);
  const m = b.input("m", "bool", ["P", "T"]);
  const g = b.input("g", "f32", ["P", "T"]);
  const mx = b.reduce("max", x, ["T"]);
  const dims = ["P", "T"];
  b.node({ op: "argfirst", over: ["T"], hasKey: false, hasWhere: false }, [x, mx], "bool", dims);
  b.node(
    { op: "argfirst", over: ["T"], hasKey: false, hasWhere: true },
    [x, b.reduce("min", x, ["T"], { where: m }), m],
    "bool",
    dims,
  );
  b.node({ op: "argfirst", over: ["P", "T"], hasKey: false, hasWhere: false }, [x, b.reduce("max", x, ["P", "T"])], "bool", dims);
  b.node(
    { op: "argfirst", over: ["T"], hasKey: true, hasWhere: true },
    [x, b.segment("max", x, key, ["T"], m), key, m],
    "bool",
    dims,
  );
  for (const reverse of [false, true]) {
    for (const fn of ["cummax", "cummin"] as const) b.node({ op: "scan_grad", fn, along: "T", reverse }, [x, g], "f32", dims);
  }
  b.node({ op: "embed", dim: "Y", position: 1 }, [g], "f32", ["P", "Y", "T"]);
  b.node({ op: "embed", dim: "Y", position: 0 }, [mx], "f32", ["P", "Y"]);
  return b.build();
}

function gradOpsInputs(): Record<string, Tensor> {
  return {
    x: f32(["P", "T"], [3, 5], [1, 3, 3, 0, 3, -1, -1, -2, -1, 0, 2, NaN, 5, NaN, 2]), // ties and NaN
    key: ints("i32", ["T"], [5], [0, 1, 0, 1, 1]),
    m: bool(["P", "T"], [3, 5], [1, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]),
    g: f32(["P", "T"], [3, 5], rand(15, 9)),
  };
}

/** loss L = Σ w·x² + Σ_P (Σ_T x)·c with its gradient dL/dx = 2·w·x + c appended by hand. */
function handGradPrograms(): { program: IRProgram; grad: IRProgram } {
  const b = new IRBuilder(["B", "T"], "hand");
  const x = b.input("x", "f32", ["B", "T"], { mark: "policy" });
  const w = b.input("w", "f32", ["B", "T"]);
  const c = b.input("c", "f32", ["B"]);
  const loss = b.add(
    b.reduce("sum", b.mul(w, b.mul(x, x)), ["B", "T"]),
    b.reduce("sum", b.mul(b.reduce("sum", x, ["T"]), c), ["B"]),
  );
  b.result("L", "loss", loss);
  const program = b.build();
  const dx = b.add(b.mul(b.mul(b.const(2), w), x), c);
  b.results.push({ name: "dL/dx", kind: "grad", node: dx, of: "L", wrt: "x" });
  return { program, grad: b.build() };
}

const EXAMPLES = readdirSync("examples")
  .filter((f) => f.endsWith(".rlp") && existsSync(`examples/data/${f.slice(0, -4)}.json`))
  .map((f) => f.slice(0, -4))
  .sort();

for (const backend of ["cpu", "wasm"] as const) {
  describe(`gradient primitives and custom gradients on tfjs-${backend}`, () => {
    let tf: TF;
    beforeAll(async () => {
      tf = await useBackend(backend);
    });

    it("argfirst (ties, NaN, key, where), scan_grad and embed agree with the reference", () => {
      expectForwardAgrees(tf, everyNodeOutput(gradOpsProgram()), gradOpsInputs());
    });

    it("tfjsCustomGrad: the loss value, and gradients from the (hand-built) gradient program through tf.grads", () => {
      const { program, grad } = handGradPrograms();
      const fn = tfjsCustomGrad(tf, program, grad);
      expect(fn.loss).toBe("L");
      expect(fn.wrt).toEqual(["x"]);
      const xs = rand(6, 1);
      const host = { w: f32(["B", "T"], [2, 3], rand(6, 2)), c: f32(["B"], [2], [0.5, -2]) };
      const ref = evaluate(program, { ...host, x: f32(["B", "T"], [2, 3], xs) });
      const x = tf.tensor(xs, [2, 3]);
      const value = fn({ x }, host);
      expectAgree(tensor("f32", [], [], value.dataSync()), ref.results["L"], "L");
      // chained into a tfjs "model": x = theta·s, so dL/dtheta = s·dL/dx, scaled by 3 through the outer op
      const s = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
      const [gTheta] = tf.grads((theta: typeof x) => tf.mul(fn({ x: tf.mul(theta, s) }, host), 3))([x]);
      const w = host.w.data;
      const want = xs.map((v, i) => 3 * (i + 1) * (2 * w[i]! * v * (i + 1) + host.c.data[Math.floor(i / 3)]!));
      expectAgree(tensor("f32", ["B", "T"], [2, 3], gTheta!.dataSync()), tensor("f32", ["B", "T"], [2, 3], want), "dL/dtheta");
      tf.dispose([x, s, value, gTheta!]);
    });

    for (const name of EXAMPLES) {
      it(`tfjsCustomGrad with differentiate(program) on ${name} matches the reference gradients`, () => {
        const program = compileFile(`examples/${name}.rlp`).programs[0]!;
        const inputs = readInputs(`examples/data/${name}.json`, program).tensors;
        const gp = differentiate(program);
        const ev = evaluate(program, inputs);
        const marked = program.inputs.filter((i) => isDifferentiable(program, i)).map((i) => i.name);
        const live = tf.memory().numTensors;
        for (const loss of program.results.filter((r) => r.kind === "loss" && ev.values[r.node]!.dims.length === 0)) {
          const fn = tfjsCustomGrad(tf, program, gp, { loss: loss.name });
          const others = Object.fromEntries(Object.entries(inputs).filter(([k]) => !fn.wrt.includes(k)));
          const xs = fn.wrt.map((k) => {
            const decl = program.inputs.find((i) => i.name === k)!;
            const t = inputs[k]!;
            const canon = decl.type.dims.map((d) => t.dims.indexOf(d));
            return tf.tidy(() => tf.transpose(tf.tensor(Float32Array.from(t.data), t.shape), canon));
          });
          const grads = tf.grads((...ts: typeof xs) => fn(Object.fromEntries(fn.wrt.map((k, i) => [k, ts[i]!])), others))(xs);
          const ref = gradients(program, ev, loss.node);
          for (const x of marked) {
            const i = fn.wrt.indexOf(x);
            expect(i, `${name}: d${loss.name}/d${x} is a grad result`).toBeGreaterThanOrEqual(0);
            expectAgree(tensor("f32", ref[x]!.dims, ref[x]!.shape, grads[i]!.dataSync()), ref[x], `${name}: d${loss.name}/d${x}`);
          }
          tf.dispose([...xs, ...grads]);
        }
        expect(tf.memory().numTensors, `${name}: no tensors left behind`).toBe(live);
      });
    }
  });
}
