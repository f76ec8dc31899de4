import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readInputs } from "../../runtime/library/io/read_inputs.ts";
import { decodeSafetensors, encodeSafetensors } from "../../runtime/library/io/safetensors.ts";
import {
  formatOutputsJson,
  outputsToSafetensors,
  writeFileAtomic,
  writeOutputs,
} from "../../runtime/library/io/write_outputs.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";
import { grpo, input, program, tempDir } from "./helpers.ts";

function t(dtype: Tensor["dtype"], dims: string[], shape: number[], data: number[]): Tensor {
  return { dtype, dims, shape, data: Float64Array.from(data) };
}

/** A hand-written safetensors file with tensors of the given dtypes (little-endian). */
function rawSafetensors(entries: { name: string; dtype: string; shape: number[]; bytes: Uint8Array }[]): Uint8Array {
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [off, off + e.bytes.length] };
    off += e.bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let p = 8 + json.length;
  for (const e of entries) {
    out.set(e.bytes, p);
    p += e.bytes.length;
  }
  return out;
}

describe("safetensors", () => {
  it("round-trips outputs written as F64 through readInputs", () => {
    const dir = tempDir();
    const path = join(dir, "in.safetensors");
    const outputs = {
      logp: t("f32", ["P", "G", "T"], [1, 2, 3], [-1.5, -2.25, 0.1 + 0.2, -4, -5, 1e-300]),
      mask: t("bool", ["P", "G", "T"], [1, 2, 3], [1, 0, 1, 1, 1, 0]),
      reward: t("f32", ["P", "G"], [1, 2], [0.5, -0.5]),
      prompt_id: t("id", ["P"], [1], [2 ** 40]),
    };
    writeOutputs(path, outputs);
    const r = readInputs(path, grpo());
    expect(r.errors).toEqual([]);
    for (const [k, v] of Object.entries(outputs)) expect(r.tensors[k]).toEqual(v);
    expect(r.tensors.beta!.data[0]).toBe(0.1); // default
  });

  it("reads F32, I32, I64, U8 and BOOL tensors and aligns dims from metadata", () => {
    const f32 = new Uint8Array(new Float32Array([1.5, -2, 3, 4, 5, 6]).buffer);
    const i64 = new Uint8Array(new BigInt64Array([7n]).buffer);
    const u8 = Uint8Array.of(1, 0, 1, 0, 0, 1);
    const i32 = new Uint8Array(new Int32Array([3, 4]).buffer);
    const bytes = rawSafetensors([
      { name: "logp", dtype: "F32", shape: [1, 2, 3], bytes: f32 },
      { name: "mask", dtype: "BOOL", shape: [1, 2, 3], bytes: u8 },
      { name: "reward", dtype: "I32", shape: [1, 2], bytes: i32 },
      { name: "prompt_id", dtype: "I64", shape: [1], bytes: i64 },
    ]);
    const dir = tempDir();
    writeFileSync(join(dir, "a.safetensors"), bytes);
    const r = readInputs(join(dir, "a.safetensors"), grpo());
    expect(r.errors).toEqual([]);
    expect([...r.tensors.logp!.data]).toEqual([1.5, -2, 3, 4, 5, 6]);
    expect([...r.tensors.mask!.data]).toEqual([1, 0, 1, 0, 0, 1]);
    expect([...r.tensors.prompt_id!.data]).toEqual([7]);
  });

  it("checks safetensors values like JSON ones (bool from U8, rank, missing)", () => {
    const prog = program([input("mask", "bool", ["T"]), input("x", "f32", ["T"])], [{ name: "T" }]);
    const bytes = rawSafetensors([{ name: "mask", dtype: "U8", shape: [3], bytes: Uint8Array.of(1, 2, 0) }]);
    const dir = tempDir();
    writeFileSync(join(dir, "b.safetensors"), bytes);
    const r = readInputs(join(dir, "b.safetensors"), prog);
    expect(r.errors.map((e) => e.code).sort()).toEqual(["RLP501", "RLP505"]);
    expect(r.errors.find((e) => e.code === "RLP505")!.message).toBe(
      "input 'mask': expected bool (true/false or 0/1), got 2 at [1]",
    );
  });

  it("transposes when the metadata lists a permutation of the declared dims", () => {
    const bytes = encodeSafetensors({ x: { shape: [3, 2], data: [0, 10, 1, 11, 2, 12] } }, { "dims:x": "T,G" });
    const dir = tempDir();
    writeFileSync(join(dir, "c.safetensors"), bytes);
    const r = readInputs(join(dir, "c.safetensors"), program([input("x", "f32", ["G", "T"])], [{ name: "G" }, { name: "T" }]));
    expect(r.errors).toEqual([]);
    expect(r.tensors.x).toEqual(t("f32", ["G", "T"], [2, 3], [0, 1, 2, 10, 11, 12]));
  });

  it("aligns the data to 8 bytes and rejects bad headers", () => {
    const bytes = outputsToSafetensors({ a: t("f32", [], [], [1]) });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    expect(decodeSafetensors(bytes).tensors.get("a")!.values[0]).toBe(1);
    expect(() => decodeSafetensors(Uint8Array.of(1, 2, 3))).toThrow(/truncated/);
    const bad = new Uint8Array(16);
    new DataView(bad.buffer).setBigUint64(0, 8n, true);
    bad.set(new TextEncoder().encode("not json"), 8);
    expect(() => decodeSafetensors(bad)).toThrow(/not valid JSON/);
  });
});

describe("write_outputs", () => {
  it("formats JSON: flat row-major data, scalars, bools, non-finite as strings, full precision", () => {
    const text = formatOutputsJson({
      loss: t("f32", [], [], [0.1 + 0.2]),
      ok: t("bool", ["G"], [2], [1, 0]),
      adv: t("f32", ["P", "G"], [1, 2], [NaN, -Infinity]),
    });
    const doc = JSON.parse(text);
    expect(doc.loss).toEqual({ dims: [], shape: [], data: [0.30000000000000004] });
    expect(doc.ok.data).toEqual([true, false]);
    expect(doc.adv).toEqual({ dims: ["P", "G"], shape: [1, 2], data: ["NaN", "-Infinity"] });
    expect(text.endsWith("}\n")).toBe(true);
  });

  it("writes atomically and leaves no temp file", () => {
    const dir = tempDir();
    const path = join(dir, "out.json");
    writeFileSync(path, "old");
    writeOutputs(path, { loss: t("f32", [], [], [1]) });
    expect(JSON.parse(readFileSync(path, "utf8")).loss.data).toEqual([1]);
    expect(readdirSync(dir)).toEqual(["out.json"]);
  });

  it("cleans up its temp file when the rename fails", () => {
    const dir = tempDir();
    const target = join(dir, "adir");
    mkdirSync(target);
    writeFileSync(join(target, "x"), "keep"); // renaming a file over a non-empty directory fails
    expect(() => writeFileAtomic(target, "data")).toThrow();
    expect(readdirSync(dir)).toEqual(["adir"]);
  });

  it("fails cleanly when the directory is not writable", () => {
    if (process.getuid?.() === 0) return; // root writes anywhere
    const dir = tempDir();
    chmodSync(dir, 0o500);
    try {
      expect(() => writeFileAtomic(join(dir, "o.json"), "x")).toThrow();
    } finally {
      chmodSync(dir, 0o700);
    }
    expect(readdirSync(dir)).toEqual([]);
  });
});
