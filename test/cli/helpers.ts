// Hand-built IR programs for the CLI/io tests: only `inputs`, `dims` (and `params`) matter to the readers.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Span } from "../../grammar/ast.ts";
import type { DType, DimInfo, IRInput, IRProgram } from "../../compiler/ir/ir.ts";

export function span(line: number, col: number, file = "grpo.rlp"): Span {
  return { file, start: 0, end: 0, line, col };
}

export function input(name: string, dtype: DType, dims: string[], extra: Partial<IRInput> = {}): IRInput {
  return { name, node: 0, type: { dtype, dims }, ...extra };
}

export function program(
  inputs: IRInput[],
  dims: DimInfo[] = ["P", "G", "T"].map((name) => ({ name })),
  params: IRProgram["params"] = [],
): IRProgram {
  return {
    pipeline: "grpo",
    dims,
    inputs: inputs.map((i, k) => ({ ...i, node: k })),
    params,
    nodes: [],
    results: [],
    states: [],
    requires: [],
    marks: [],
  };
}

/** logp f32[P,G,T] @policy, mask bool[P,G,T], reward f32[P,G], prompt_id id[P], beta f32 = 0.1. */
export function grpo(): IRProgram {
  return program([
    input("logp", "f32", ["P", "G", "T"], { mark: "policy", span: span(7, 3) }),
    input("mask", "bool", ["P", "G", "T"], { span: span(9, 3) }),
    input("reward", "f32", ["P", "G"], { span: span(10, 3) }),
    input("prompt_id", "id", ["P"], { span: span(11, 3) }),
    input("beta", "f32", [], { default: 0.1, span: span(12, 3) }),
  ]);
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "rlp-cli-test-"));
}

export function writeJson(dir: string, name: string, doc: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(doc));
  return p;
}

/** A P=1, G=2, T=3 set of valid grpo inputs. */
export function grpoInputs(): Record<string, unknown> {
  return {
    logp: {
      data: [
        [
          [-1, -2, -3],
          [-4, -5, -6],
        ],
      ],
    },
    mask: {
      data: [
        [
          [true, true, false],
          [1, 0, 0],
        ],
      ],
    },
    reward: { data: [[1, 0]] },
    prompt_id: { data: [7] },
  };
}
