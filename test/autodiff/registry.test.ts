// The op registry's "carries gradient" trait (compiler/ir/ops.ts) is the one list every reverse mode reads: the
// reference oracle, tfjs autograd, and compiler/autodiff, whose rule table must agree with it.
import { describe, expect, it } from "vitest";
import { GRAD_RULES } from "../../compiler/autodiff/rules/index.ts";
import type { OpName } from "../../compiler/ir/ir.ts";
import { OPS } from "../../compiler/ir/ops.ts";

describe("op registry: carriesGradient", () => {
  it("is false exactly where the autodiff has no rule (inputs are sources: they carry gradient when marked)", () => {
    const kinds = Object.keys(OPS) as OpName[];
    const disagree = kinds.filter((k) => k !== "input" && OPS[k].carriesGradient !== (GRAD_RULES[k] !== null));
    expect(disagree).toEqual([]);
    expect(kinds.filter((k) => !OPS[k].carriesGradient).sort()).toEqual([
      "argfirst",
      "const",
      "custom_vjp",
      "detach",
      "index",
      "param",
      "size",
      "table_get",
      "table_read",
      "topk_mask",
      "uniform",
    ]);
  });
});
