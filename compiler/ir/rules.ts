// The type rule and the grad-mark rule of every IR primitive, in one place: the autodiff builder infers the types of
// the nodes it appends with them, and the verifier (compiler/ir/verify.ts) checks every node of a program against them.
// Rules follow what the elaborator emits (compiler/elaborate) and what the reference evaluator accepts.
import type { CustomCall, CustomLayout, DType, IRNode, IRProgram, IRType, Op } from "./ir.ts";
import { BINARY_FNS, isBoolBinary, REDUCE_FNS, SEGMENT_FNS, tensorArgs, UNARY_FNS } from "./ops.ts";

/** What the type and mark rules read of a program: its dim table and inputs (also while it is being built). */
export type RuleEnv = Pick<IRProgram, "dims" | "inputs" | "marks">;

/** The canonical dim order of a program. */
export function dimOrder(program: Pick<IRProgram, "dims">): string[] {
  return program.dims.map((d) => d.name);
}

/**
 * The union of dim lists in canonical order. Dims the order does not have yet (a program being built meets a dim
 * first) come last, in the order the lists name them.
 */
export function canonical(order: readonly string[], ...lists: readonly (readonly string[])[]): string[] {
  const set = new Set(lists.flat());
  const known = order.filter((d) => set.has(d));
  return known.length === set.size ? known : [...known, ...[...set].filter((d) => !order.includes(d))];
}

export { arity, isBoolBinary, tensorArgs } from "./ops.ts";

/** The dims a custom node's layout covers (rows first when it has them), as a set. */
function layoutDims(call: CustomCall, l: CustomLayout): string[] {
  return [...(l.rows ? call.rows : []), ...l.dims];
}

const isNum = (t: DType): boolean => t === "f32" || t === "i32";

function plain(dtype: DType, dims: string[]): IRType {
  return { dtype, dims };
}

function staticSize(program: Pick<IRProgram, "dims">, dim: string): number | undefined {
  const info = program.dims.find((d) => d.name === dim);
  return info?.size ?? info?.labels?.length;
}

/**
 * The type a node of this op must have, given its args' types; a string says why no type fits. `declared` is the
 * node's own type: sources (input, const, index, uniform, ...) take their type from it, after a check.
 */
export function inferType(program: RuleEnv, op: Op, args: readonly IRType[], declared?: IRType): IRType | string {
  const order = dimOrder(program);
  const u = (...ts: IRType[]): string[] => canonical(order, ...ts.map((t) => t.dims));
  const [a, b, c, d] = args as [IRType, IRType, IRType, IRType];
  const need = (ok: boolean, why: string): string | undefined => (ok ? undefined : why);
  switch (op.op) {
    case "input": {
      // while a program is being built, an input's node is made before the program lists it: its declared type then
      const decl = program.inputs.find((i) => i.name === op.name)?.type ?? declared;
      return decl ? { ...decl, dims: canonical(order, decl.dims) } : `no input named ${op.name}`;
    }
    case "param":
    case "table_read":
      return declared && declared.dims.length === 0
        ? plain(op.op === "param" ? declared.dtype : "f32", [])
        : `${op.op} must be a scalar`;
    case "const":
      return declared ? plain(declared.dtype, canonical(order, declared.dims)) : "a const needs a declared type";
    case "index":
      return declared?.dims.includes(op.dim)
        ? { dtype: "i32", dims: canonical(order, declared.dims), ...(declared.indexOf ? { indexOf: op.dim } : {}) }
        : `index(${op.dim}) must have the dim ${op.dim}`;
    case "size":
      return plain("i32", []);
    case "uniform":
      return declared && a.dims.every((x) => declared.dims.includes(x))
        ? plain("f32", canonical(order, declared.dims))
        : "uniform's step must have a subset of its dims";
    case "table_get":
      return plain("f32", a.dims);
    case "unary": {
      const operand = UNARY_FNS[op.fn].operand;
      if (operand === "bool") return need(a.dtype === "bool", `${op.fn} needs a bool`) ?? plain("bool", a.dims);
      return need(operand === "float" ? a.dtype === "f32" : isNum(a.dtype), `${op.fn} of ${a.dtype}`) ?? plain(a.dtype, a.dims);
    }
    case "binary": {
      const dims = u(a, b);
      const kind = BINARY_FNS[op.fn].kind;
      if (kind === "logic") return need(a.dtype === "bool" && b.dtype === "bool", `${op.fn} needs bools`) ?? plain("bool", dims);
      if (op.fn === "eq" || op.fn === "ne")
        return need(a.dtype === b.dtype, `${op.fn} of ${a.dtype} and ${b.dtype}`) ?? plain("bool", dims);
      if (kind === "compare")
        return need(a.dtype === b.dtype && a.dtype !== "id", `${op.fn} of ${a.dtype} and ${b.dtype}`) ?? plain("bool", dims);
      if (op.fn === "idiv") return need(a.dtype === "i32" && b.dtype === "i32", "idiv needs i32") ?? plain("i32", dims);
      const ok = a.dtype === b.dtype && isNum(a.dtype) && (op.fn !== "div" || a.dtype === "f32");
      return need(ok, `${op.fn} of ${a.dtype} and ${b.dtype}`) ?? plain(a.dtype, dims);
    }
    case "cast":
      return (
        need(op.indexOf === undefined || op.to === "i32", "only an i32 cast addresses a dim") ?? {
          dtype: op.to,
          dims: [...a.dims],
          ...(op.indexOf ? { indexOf: op.indexOf } : {}),
        }
      );
    case "where":
      return (
        need(a.dtype === "bool" && b.dtype === c.dtype, "where needs a bool condition and branches of one dtype") ??
        plain(b.dtype, u(a, b, c))
      );
    case "clamp":
      return (
        need(
          [a, b, c].every((t) => t.dtype === "f32"),
          "clamp needs f32",
        ) ?? plain("f32", u(a, b, c))
      );
    case "safe_div":
      return (
        need(
          a.dtype === "f32" && b.dtype === "f32" && c.dtype === "bool" && d.dtype === "f32",
          "safe_div(f32, f32, bool, f32)",
        ) ?? plain("f32", u(a, b, c, d))
      );
    case "detach":
      return plain(a.dtype, a.dims);
    case "reduce": {
      const operand = op.hasWhere ? u(a, b) : [...a.dims];
      const bad =
        need(!op.hasWhere || b.dtype === "bool", "where= must be bool") ??
        need(REDUCE_FNS[op.fn].counts ? a.dtype !== "id" : isNum(a.dtype), `${op.fn} of ${a.dtype}`) ??
        need(
          op.over.every((x) => operand.includes(x)) && new Set(op.over).size === op.over.length,
          `over [${op.over.join(", ")}] must be distinct dims of the operand or mask`,
        );
      const dtype: DType = REDUCE_FNS[op.fn].floatResult ? "f32" : a.dtype;
      return (
        bad ??
        plain(
          dtype,
          operand.filter((x) => !op.over.includes(x)),
        )
      );
    }
    case "scan":
      return (
        need(isNum(a.dtype) && a.dims.includes(op.along), `scan along ${op.along} of ${a.dtype}[${a.dims.join(", ")}]`) ??
        plain(a.dtype, a.dims)
      );
    case "linrec": {
      const dims = u(...args);
      return (
        need(
          args.every((t) => t.dtype === "f32"),
          "linrec needs f32",
        ) ??
        need(dims.includes(op.along), `linrec along ${op.along}, which no operand has`) ??
        need(!op.hasInit || !c.dims.includes(op.along), `linrec's init cannot have ${op.along}`) ??
        plain("f32", dims)
      );
    }
    case "shift": {
      const bad =
        need(a.dtype === b.dtype, "shift's fill must have the value's dtype") ??
        need(
          a.dims.includes(op.along) && !b.dims.includes(op.along),
          `shift along ${op.along}: the value must have it and the fill not`,
        );
      return bad ?? { dtype: a.dtype, dims: u(a, b), ...(a.indexOf ? { indexOf: a.indexOf } : {}) };
    }
    case "segment":
    case "argfirst": {
      const keyAt = op.op === "argfirst" ? (op.hasKey ? 2 : -1) : 1;
      const whereAt = op.hasWhere ? args.length - 1 : -1;
      const dims = u(...args);
      const key = args[keyAt];
      const valuesOk =
        op.op === "argfirst"
          ? a.dtype === b.dtype && isNum(a.dtype)
          : SEGMENT_FNS[op.fn].counts
            ? a.dtype !== "id"
            : a.dtype === "f32";
      const bad =
        need(valuesOk, `${op.op} of ${a.dtype}`) ??
        need(key === undefined || key.dtype === "id" || key.dtype === "i32", "keys must be id or i32") ??
        need(whereAt < 0 || args[whereAt]!.dtype === "bool", "where= must be bool") ??
        need(
          op.over.every((x) => dims.includes(x)),
          `over [${op.over.join(", ")}] must be dims of the operands`,
        );
      return bad ?? plain(op.op === "argfirst" ? "bool" : "f32", dims);
    }
    case "topk_mask": {
      const dims = op.hasWhere ? u(a, c) : [...a.dims];
      const bad =
        need(isNum(a.dtype) && b.dtype === "i32", "topk_mask(number, i32 k)") ??
        need(!op.hasWhere || c.dtype === "bool", "where= must be bool") ??
        need(
          op.over.every((x) => dims.includes(x)) && b.dims.every((x) => dims.includes(x) && !op.over.includes(x)),
          "k may only have the dims the result keeps outside over",
        );
      return bad ?? plain("bool", dims);
    }
    case "take": {
      const bad =
        need(a.dims.includes(op.along), `take along ${op.along}, which x lacks`) ??
        need(b.dtype === "i32" && (b.indexOf === undefined || b.indexOf === op.along), `the index must be i32<${op.along}>`) ??
        need(c.dtype === a.dtype, "take's fill must have x's dtype");
      return (
        bad ??
        plain(
          a.dtype,
          canonical(
            order,
            a.dims.filter((x) => x !== op.along),
            b.dims,
            c.dims,
          ),
        )
      );
    }
    case "put": {
      const full = u(a, b);
      const bad =
        need(
          a.dtype === "f32" && b.dtype === "i32" && (b.indexOf === undefined || b.indexOf === op.into),
          `put(f32, i32<${op.into}>)`,
        ) ?? need(op.into === op.over || !full.includes(op.into), `put into ${op.into}, which the operands already have`);
      return (
        bad ??
        plain(
          "f32",
          canonical(
            order,
            full.filter((x) => x !== op.over),
            [op.into],
          ),
        )
      );
    }
    case "log_softmax":
      return need(a.dtype === "f32" && a.dims.includes(op.over), `log_softmax over ${op.over}`) ?? plain("f32", a.dims);
    case "select": {
      const size = staticSize(program, op.dim);
      const bad =
        need(a.dims.includes(op.dim), `select along ${op.dim}, which x lacks`) ??
        need(
          Number.isInteger(op.position) && op.position >= 0 && (size === undefined || op.position < size),
          `position ${op.position} is outside ${op.dim}`,
        );
      return bad ?? { dtype: a.dtype, dims: a.dims.filter((x) => x !== op.dim), ...(a.indexOf ? { indexOf: a.indexOf } : {}) };
    }
    case "embed": {
      const size = staticSize(program, op.dim);
      const bad =
        need(!a.dims.includes(op.dim), `embed along ${op.dim}, which g already has`) ??
        need(
          Number.isInteger(op.position) && op.position >= 0 && (size === undefined || op.position < size),
          `position ${op.position} is outside ${op.dim}`,
        );
      return bad ?? plain(a.dtype, canonical(order, a.dims, [op.dim]));
    }
    case "stack":
      return (
        need(
          args.every((t) => t.dtype === a.dtype && !t.dims.includes(op.dim)),
          `stack parts must share a dtype and lack ${op.dim}`,
        ) ?? plain(a.dtype, canonical(order, ...args.map((t) => t.dims), [op.dim]))
      );
    case "rename": {
      const bad = need(
        a.dims.includes(op.from) && !a.dims.includes(op.to),
        `rename ${op.from} to ${op.to} of [${a.dims.join(", ")}]`,
      );
      return (
        bad ?? {
          dtype: a.dtype,
          dims: canonical(
            order,
            a.dims.map((x) => (x === op.from ? op.to : x)),
          ),
          ...(a.indexOf ? { indexOf: a.indexOf } : {}),
        }
      );
    }
    case "scan_grad":
      return (
        need(a.dtype === "f32" && b.dtype === "f32" && u(a, b).includes(op.along), `scan_grad along ${op.along}`) ??
        plain("f32", u(a, b))
      );
    case "custom": {
      const bad = customArgsBad(op.call, args);
      const r = op.call.results[op.output];
      return (
        bad ?? (r ? plain(r.dtype, canonical(order, layoutDims(op.call, r))) : `${op.call.node} has no result ${op.output + 1}`)
      );
    }
    case "custom_vjp": {
      const t = tensorArgs(op.call)[op.wrt];
      const g = args[args.length - 1]!;
      const r = op.call.results[op.output];
      const bad =
        customArgsBad(op.call, args.slice(0, -1)) ??
        need(t?.grad === true, `argument ${op.wrt + 1} of ${op.call.node} is not differentiable`) ??
        need(
          r !== undefined && g.dtype === "f32" && g.dims.every((x) => layoutDims(op.call, r).includes(x)),
          `the cotangent of ${op.call.node}'s result ${op.output + 1} has the wrong type`,
        );
      return bad ?? plain("f32", [...args[t!.index]!.dims]);
    }
  }
}

/** Each tensor argument has the dtype and (within) the dims its layout says. */
function customArgsBad(call: CustomCall, args: readonly IRType[]): string | undefined {
  for (const t of tensorArgs(call)) {
    const a = args[t.index];
    if (!a) return `${call.node}: argument '${t.name}' is missing`;
    const allowed = layoutDims(call, t.layout);
    if (
      a.dtype !== t.layout.dtype ||
      !t.layout.dims.every((d) => a.dims.includes(d)) ||
      !a.dims.every((d) => allowed.includes(d))
    ) {
      return `${call.node}: argument '${t.name}' is ${a.dtype}[${a.dims.join(", ")}], its layout says ${t.layout.dtype}[${allowed.join(", ")}]`;
    }
  }
  return undefined;
}

/**
 * The args whose grad marks a node inherits (its marks are the union of theirs). Const by construction (no arg):
 * literals, params, positions, randomness, state, detach, comparisons and logic, casts to a non-f32 dtype or from
 * a non-f32 value, counts, top-k masks and argfirst. Masks, keys and indices never pass marks.
 */
export function markArgs(node: IRNode, args: readonly IRType[]): number[] {
  const op = node.op;
  switch (op.op) {
    case "input":
    case "param":
    case "const":
    case "index":
    case "size":
    case "uniform":
    case "table_get":
    case "table_read":
    case "detach":
    case "topk_mask":
    case "argfirst":
      return [];
    case "unary":
      return UNARY_FNS[op.fn].operand === "bool" ? [] : [0];
    case "binary":
      return isBoolBinary(op.fn) || op.fn === "idiv" ? [] : [0, 1];
    case "cast":
      return op.to === "f32" && args[0]?.dtype === "f32" ? [0] : [];
    case "where":
      return [1, 2];
    case "clamp":
      return [0, 1, 2];
    case "safe_div":
      return [0, 1, 3];
    case "reduce":
      return REDUCE_FNS[op.fn].counts ? [] : [0];
    case "segment":
      return SEGMENT_FNS[op.fn].counts ? [] : [0];
    case "take":
      return [0, 2];
    case "shift":
      return [0, 1];
    case "scan_grad":
      return [0, 1];
    case "linrec":
    case "stack":
      return args.map((_, i) => i);
    case "scan":
    case "put":
    case "log_softmax":
    case "select":
    case "rename":
    case "embed":
      return [0];
    case "custom":
      return op.call.differentiable
        ? tensorArgs(op.call)
            .filter((t) => t.grad)
            .map((t) => t.index)
        : [];
    case "custom_vjp":
      return [
        ...tensorArgs(op.call)
          .filter((t) => t.grad)
          .map((t) => t.index),
        args.length - 1,
      ];
  }
}

/** The marks a node must carry: an input's trained mark, else the sorted union of its mark-passing args' marks. */
export function expectedMarks(program: RuleEnv, node: IRNode, argNodes: readonly IRNode[]): string[] {
  if (node.op.op === "input") {
    const name = node.op.name;
    const mark = program.inputs.find((i) => i.name === name)?.mark;
    return mark !== undefined && program.marks.includes(mark) ? [mark] : [];
  }
  const set = new Set<string>();
  for (const i of markArgs(
    node,
    argNodes.map((a) => a.type),
  ))
    for (const m of argNodes[i]?.grad ?? []) set.add(m);
  return [...set].sort();
}
