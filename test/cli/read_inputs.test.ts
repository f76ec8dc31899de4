import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSetFlags, readInputs, readJsonInputs, type InputError } from "../../runtime/library/io/read_inputs.ts";
import { inputsSchema } from "../../runtime/library/io/schema.ts";
import { encodeSafetensors } from "../../runtime/library/io/safetensors.ts";
import { grpo, grpoInputs, input, program, span, tempDir, writeJson } from "./helpers.ts";

function read(doc: unknown, prog = grpo(), set?: Record<string, string>) {
  return readJsonInputs(doc, prog, "in.json", set ? { set } : {});
}

function only(errors: InputError[]): InputError {
  expect(errors, JSON.stringify(errors)).toHaveLength(1);
  return errors[0]!;
}

describe("readInputs: valid files", () => {
  it("reads nested data in declared order and fills defaults", () => {
    const r = read(grpoInputs());
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.tensors.logp).toMatchObject({ dtype: "f32", dims: ["P", "G", "T"], shape: [1, 2, 3] });
    expect([...r.tensors.logp!.data]).toEqual([-1, -2, -3, -4, -5, -6]);
    expect([...r.tensors.mask!.data]).toEqual([1, 1, 0, 1, 0, 0]);
    expect(r.tensors.beta).toMatchObject({ dims: [], shape: [], data: Float64Array.of(0.1) });
  });

  it("flat data with shape equals nested data", () => {
    const flat = { ...grpoInputs(), logp: { shape: [1, 2, 3], data: [-1, -2, -3, -4, -5, -6] } };
    const a = read(grpoInputs());
    const b = read(flat);
    expect(b.errors).toEqual([]);
    expect(b.tensors.logp).toEqual(a.tensors.logp);
  });

  it("accepts the bare-data shorthand and a scalar as x or [x]", () => {
    const doc = { ...grpoInputs(), reward: [[1, 0]], beta: 0.5 };
    expect(read(doc).tensors.beta!.data[0]).toBe(0.5);
    expect(read({ ...doc, beta: { data: [0.25] } }).tensors.beta).toMatchObject({ shape: [], data: Float64Array.of(0.25) });
    expect(read(doc).tensors.reward!.shape).toEqual([1, 2]);
  });

  it("transposes a permutation of the declared dims", () => {
    // stored as [T, G, P]: element (t, g, p) = 10*g + t
    const data = [0, 1, 2].map((t) => [0, 1].map((g) => [10 * g + t]));
    const r = read({ ...grpoInputs(), logp: { dims: ["T", "G", "P"], data } });
    expect(r.errors).toEqual([]);
    expect(r.tensors.logp).toMatchObject({ dims: ["P", "G", "T"], shape: [1, 2, 3] });
    expect([...r.tensors.logp!.data]).toEqual([0, 1, 2, 10, 11, 12]);
  });

  it("accepts bools as true/false and as 0/1", () => {
    const a = read({
      ...grpoInputs(),
      mask: {
        data: [
          [
            [true, false, true],
            [false, false, true],
          ],
        ],
      },
    });
    const b = read({ ...grpoInputs(), mask: { shape: [1, 2, 3], data: [1, 0, 1, 0, 0, 1] } });
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
    expect(a.tensors.mask).toEqual(b.tensors.mask);
  });

  it("warns (not errors) about unknown inputs and fields", () => {
    const r = read({ ...grpoInputs(), rewrd: [1], logp: { ...(grpoInputs().logp as object), note: "x" } });
    expect(r.errors).toEqual([]);
    expect(r.warnings.join("\n")).toMatch(/unknown input 'rewrd'.*did you mean 'reward'/);
    expect(r.warnings.join("\n")).toMatch(/input 'logp': unknown field 'note'/);
  });

  it("derives a draft-07 schema with defaulted inputs optional", () => {
    const s = inputsSchema(grpo()) as { $schema: string; required: string[] };
    expect(s.$schema).toContain("draft-07");
    expect(s.required).toEqual(["logp", "mask", "reward", "prompt_id"]);
  });
});

describe("readInputs: one test per error class", () => {
  it("RLP501 missing input names the input and its declaration", () => {
    const { mask: _mask, ...doc } = grpoInputs();
    const e = only(read(doc).errors);
    expect(e.code).toBe("RLP501");
    expect(e.message).toBe("missing input 'mask' (declared bool[P,G,T] at grpo.rlp:9:3)");
  });

  it("RLP502 wrong rank", () => {
    const e = only(
      read({
        ...grpoInputs(),
        reward: {
          data: [
            [
              [1, 2, 3],
              [4, 5, 6],
              [7, 8, 9],
              [1, 2, 3],
            ],
          ],
        },
      }).errors,
    );
    expect(e.code).toBe("RLP502");
    expect(e.message).toBe("input 'reward': expected 2 dims [P,G], got 3 (shape [1,4,3])");
  });

  it("RLP502 ragged data and a shape the data does not fill name the input and dim", () => {
    const e = only(
      read({
        ...grpoInputs(),
        logp: {
          data: [
            [
              [1, 2, 3],
              [4, 5],
            ],
          ],
        },
      }).errors,
    );
    expect(e.code).toBe("RLP502");
    expect(e.message).toMatch(/^input 'logp': ragged nested data: \[0,1\] has 2 entries along dim T/);
    const f = only(read({ ...grpoInputs(), logp: { shape: [1, 2, 3], data: [1, 2, 3, 4, 5] } }).errors);
    expect(f.message).toBe("input 'logp': 'shape' [1,2,3] needs 6 values, got 5");
  });

  it("RLP503 size conflict across inputs names both inputs and the dim", () => {
    const e = only(
      read({
        ...grpoInputs(),
        mask: {
          data: [
            [
              [1, 1, 0, 0],
              [1, 0, 0, 0],
            ],
          ],
        },
      }).errors,
    );
    expect(e.code).toBe("RLP503");
    expect(e.message).toBe("input 'mask': dim T has size 4, but input 'logp' gave T = 3");
  });

  it("RLP503 an alias dim must have its target's size", () => {
    const prog = program([input("a", "f32", ["G"]), input("b", "f32", ["G2"])], [{ name: "G" }, { name: "G2", aliasOf: "G" }]);
    const e = only(read({ a: [1, 2, 3], b: [1, 2] }, prog).errors);
    expect(e.code).toBe("RLP503");
    expect(e.message).toBe("input 'b': dim G2 has size 2, but input 'a' gave G = 3 (G2 is an alias of G)");
  });

  it("RLP504 non-finite values (strings and overflow) with the element index", () => {
    const e = only(
      read({
        ...grpoInputs(),
        logp: {
          data: [
            [
              [0, 0, 0],
              [0, "NaN", 0],
            ],
          ],
        },
      }).errors,
    );
    expect(e.code).toBe("RLP504");
    expect(e.message).toBe("input 'logp': element [0,1,1] is NaN (inputs must be finite)");
    const f = only(read({ ...grpoInputs(), logp: { shape: [1, 2, 3], data: [0, "-Infinity", 0, 0, "Infinity", 0] } }).errors);
    expect(f.message).toBe("input 'logp': element [0,0,1] is -Infinity (inputs must be finite) (and 1 more)");
    const g = only(readJsonInputs(JSON.parse('{"x": [1e400]}'), program([input("x", "f32", ["T"])]), "in.json").errors);
    expect(g.message).toBe("input 'x': element [0] is Infinity (inputs must be finite)");
  });

  it("RLP505 wrong dtype: bool and integer inputs", () => {
    const e = only(
      read({
        ...grpoInputs(),
        mask: {
          data: [
            [
              [1, 1, 0],
              [1, 0, 0.5],
            ],
          ],
        },
      }).errors,
    );
    expect(e.code).toBe("RLP505");
    expect(e.message).toBe("input 'mask': expected bool (true/false or 0/1), got 0.5 at [0,1,2]");
    const prog = program([input("prompt_id", "id", ["P"])], [{ name: "P" }]);
    const f = only(read({ prompt_id: [1, 2, 1.5] }, prog).errors);
    expect(f.code).toBe("RLP505");
    expect(f.message).toBe("input 'prompt_id': expected integers (id), got 1.5 at [2]");
    const g = only(read({ ...grpoInputs(), logp: { shape: [1, 2, 3], data: [0, 0, 0, 0, "x", 0] } }).errors);
    expect(g.message).toBe("input 'logp': expected numbers (f32), got \"x\" at [0,1,1]");
  });

  it("RLP506 bad dims field: not a permutation, unknown dim, malformed", () => {
    const logp = grpoInputs().logp as { data: unknown };
    const e = only(read({ ...grpoInputs(), logp: { dims: ["P", "T"], data: logp.data } }).errors);
    expect(e.code).toBe("RLP506");
    expect(e.message).toBe("input 'logp': 'dims' lists [P,T] but the declaration is f32[P,G,T]");
    const f = only(read({ ...grpoInputs(), logp: { dims: ["P", "X", "T"], data: logp.data } }).errors);
    expect(f.code).toBe("RLP506");
    expect(f.message).toMatch(/^input 'logp': 'dims' lists \[P,X,T\]: unknown dim X/);
    const g = only(read({ ...grpoInputs(), logp: { dims: "P,G,T", data: logp.data } }).errors);
    expect(g.code).toBe("RLP506");
    expect(g.message).toMatch(/^input 'logp': 'dims' must be a list of dim names/);
  });

  it("RLP507 unreadable files name the file", () => {
    const dir = tempDir();
    const missing = readInputs(join(dir, "nope.json"), grpo());
    expect(only(missing.errors)).toEqual({
      code: "RLP507",
      message: `cannot read inputs file '${join(dir, "nope.json")}': no such file`,
    });
    const bad = join(dir, "bad.json");
    writeFileSync(bad, '{"logp": [1, 2,, 3]}');
    const e = only(readInputs(bad, grpo()).errors);
    expect(e.code).toBe("RLP507");
    expect(e.message).toMatch(/^inputs file '.*bad\.json' is not valid JSON: .*\(line 1, col \d+\)$/);
    const trunc = join(dir, "t.safetensors");
    const bytes = encodeSafetensors({ logp: { shape: [1, 2, 3], data: [1, 2, 3, 4, 5, 6] } });
    writeFileSync(trunc, bytes.subarray(0, bytes.length - 5));
    const t = only(readInputs(trunc, grpo()).errors);
    expect(t.code).toBe("RLP507");
    expect(t.message).toMatch(/^inputs file '.*t\.safetensors' is not a valid safetensors file: truncated/);
    expect(t.message).not.toContain("\n");
    expect(only(read([1, 2]).errors).code).toBe("RLP507");
  });

  it("RLP508 labelled and sized dims must match their static size", () => {
    const prog = program(
      [input("pref", "f32", ["P", "Y"]), input("count", "i32", ["M"])],
      [{ name: "P" }, { name: "Y", labels: ["w", "l"] }, { name: "M", size: 4 }],
    );
    const e = only(read({ pref: [[1, 2, 3]], count: [1, 2, 3, 4] }, prog).errors);
    expect(e.code).toBe("RLP508");
    expect(e.message).toBe("input 'pref': dim Y has size 3, but Y is labelled {w, l} (size 2)");
    const f = only(read({ pref: [[1, 2]], count: [1, 2] }, prog).errors);
    expect(f.code).toBe("RLP508");
    expect(f.message).toBe("input 'count': dim M has size 2, but M is declared with size 4");
  });

  it("RLP509 bad --set values", () => {
    expect(only(parseSetFlags(["beta"]).errors).code).toBe("RLP509");
    expect(parseSetFlags(["beta=0.5", "eps=1e-3"]).set).toEqual({ beta: "0.5", eps: "1e-3" });
    const e = only(read(grpoInputs(), grpo(), { beta: "abc" }).errors);
    expect(e.code).toBe("RLP509");
    expect(e.message).toMatch(/^--set beta=abc: input 'beta' expects a finite number/);
    const f = only(read(grpoInputs(), grpo(), { nosuch: "1" }).errors);
    expect(f.code).toBe("RLP509");
    expect(f.message).toContain("'nosuch'");
  });

  it("--set supplies or overrides an input as a broadcast scalar", () => {
    const { reward: _r, ...doc } = grpoInputs();
    const r = read(doc, grpo(), { reward: "2", beta: "0.5" });
    expect(r.errors).toEqual([]);
    expect(r.tensors.reward).toMatchObject({ dims: ["P", "G"], shape: [1, 2], data: Float64Array.of(2, 2) });
    expect(r.tensors.beta!.data[0]).toBe(0.5);
  });

  it("a defaulted input whose dims nobody binds is reported", () => {
    const prog = program([input("x", "f32", ["P"]), input("w", "f32", ["T"], { default: 1, span: span(3, 3) })]);
    const e = only(read({ x: [1, 2] }, prog).errors);
    expect(e.code).toBe("RLP501");
    expect(e.message).toMatch(/^input 'w' was omitted \(default 1\), but dim T has no size/);
  });

  it("reports every problem of a file, one line each", () => {
    const { prompt_id: _p, ...doc } = grpoInputs();
    const r = read({
      ...doc,
      reward: [[1, 2, 3]],
      mask: {
        data: [
          [
            [2, 0, 0],
            [0, 0, 0],
          ],
        ],
      },
    });
    expect(r.errors.map((e) => e.code).sort()).toEqual(["RLP501", "RLP503", "RLP505"]);
    for (const e of r.errors) expect(e.message).not.toContain("\n");
  });
});

describe("readInputs: files on disk", () => {
  it("reads .json by path", () => {
    const dir = tempDir();
    const r = readInputs(writeJson(dir, "in.json", grpoInputs()), grpo());
    expect(r.errors).toEqual([]);
    expect(Object.keys(r.tensors).sort()).toEqual(["beta", "logp", "mask", "prompt_id", "reward"]);
  });
});
