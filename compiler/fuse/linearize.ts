// Stage 4b of fusion: the statements of a loop kernel. Walks the loop tree and resolves every value a statement needs
// into a local: inline nodes become `let`s placed (hoisted) in the outermost block where their operands exist; values of
// stages of this kernel are the accumulators/scan states; everything else is loaded from a buffer at an offset built
// one dim at a time (o_P_G = i_P * n_G + i_G, shared by every buffer whose layout starts with P, G).
// shift / select / rename / take substitute the index of one dim while their operand is resolved.
// Local names (distinct prefixes): v<node> values, a<node> accumulators, c<node> scan states, o_<dims> / o<k> offsets,
// j<k> / ok<k> / at<k> shifted, checked and clamped positions, p<node> params, i_<dim> loop indices, n_<dim> sizes.
import type { IRNode, IRProgram } from "../ir/ir.ts";
import { unreachable, type ReduceOpName } from "../ir/ops.ts";
import type { KernelTree, TItem } from "./tree.ts";
import type { Stage } from "./stages.ts";
import type { AccFn, AccSlot, AccTarget, Expr, Operand, ScratchInfo, Stmt } from "./types.ts";

interface Local {
  name: Operand;
  depth: number;
}

interface Block {
  items: Stmt[];
  memo: Map<string, Local>;
  insertAt: number;
}

export interface KernelEnv {
  program: IRProgram;
  stages: readonly Stage[];
  stageOf: Map<number, number>;
  nest: string[];
  members: Set<number>;
  /** node -> buffer holding its value, readable by this kernel (inputs, earlier kernels, spills) */
  bufferOf: (node: number) => number | undefined;
  /** stage -> buffer it must write (results, values read by later kernels or spilled) */
  storeTo: (stage: number) => number | undefined;
  slots: AccSlot[];
  scratch: ScratchInfo[];
}

export interface Linearized {
  body: Stmt[];
  epilogue: Stmt[];
  reads: Set<number>;
  writes: Set<number>;
  nodes: number[];
}

type Env = ReadonlyMap<string, Local>;

export function literal(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  if (Object.is(v, -0)) return "-0";
  return String(v);
}

export function linearize(k: KernelEnv, tree: KernelTree): Linearized {
  const nodes: IRNode[] = k.program.nodes;
  const reads = new Set<number>();
  const writes = new Set<number>();
  const computed = new Set<number>();
  let counter = 0;
  let stack: Block[] = [];
  const note = (id: number): void => void computed.add(id);
  const newBlock = (): Block => ({ items: [], memo: new Map(), insertAt: 0 });
  const lookup = (key: string): Local | undefined => {
    for (let i = stack.length - 1; i >= 0; i--) if (stack[i]!.memo.has(key)) return stack[i]!.memo.get(key);
    return undefined;
  };
  const remember = (key: string, local: Local): Local => {
    stack[Math.min(local.depth, stack.length - 1)]!.memo.set(key, local);
    return local;
  };
  const emitLet = (key: string, name: string, expr: Expr, depth: number, node?: number): Local => {
    const d = Math.min(depth, stack.length - 1);
    const b = stack[d]!;
    const stmt: Stmt = node === undefined ? { s: "let", name, expr } : { s: "let", name, expr, node };
    b.items.splice(b.insertAt, 0, stmt);
    b.insertAt++;
    if (node !== undefined) note(node);
    return remember(key, { name, depth: d });
  };
  const loopVar = (dim: string): Local => {
    const i = k.nest.indexOf(dim);
    if (i < 0) throw new Error(`fuse: dim ${dim} is not a loop of this kernel [${k.nest.join(", ")}]`);
    return { name: `i_${dim}`, depth: i + 1 };
  };
  const idx = (dim: string, env: Env): Local => env.get(dim) ?? loopVar(dim);
  const envKey = (dims: readonly string[], env: Env): string =>
    dims
      .filter((d) => env.has(d))
      .map((d) => `${d}=${env.get(d)!.name}`)
      .join(",");
  const max = (...ls: Local[]): number => Math.max(0, ...ls.map((l) => l.depth));

  const offset = (dims: readonly string[], env: Env): Local => {
    if (dims.length === 0) return { name: "0", depth: 0 };
    const first = idx(dims[0]!, env);
    if (dims.length === 1) return first;
    const prev = offset(dims.slice(0, -1), env);
    const dim = dims[dims.length - 1]!;
    const i = idx(dim, env);
    const ek = envKey(dims, env);
    const key = `off|${dims.join(",")}|${ek}`;
    return (
      lookup(key) ??
      emitLet(
        key,
        ek === "" ? `o_${dims.join("_")}` : `o${++counter}`,
        { e: "offset", prev: prev.name, dim, index: i.name },
        max(prev, i),
      )
    );
  };

  const load = (node: IRNode, buffer: number, env: Env, key: string): Local => {
    reads.add(buffer);
    const off = offset(node.type.dims, env);
    const ek = envKey(node.type.dims, env);
    return emitLet(
      key,
      ek === "" ? `v${node.id}` : `v${node.id}_${++counter}`,
      { e: "load", buffer, offset: off.name },
      off.depth,
      node.id,
    );
  };

  const resolve = (id: number, env: Env): Local => {
    const n = nodes[id]!;
    const ek = envKey(n.type.dims, env);
    const key = `${id}|${ek}`;
    const hit = lookup(key);
    if (hit) return hit;
    const s = k.stageOf.get(id);
    const isValue = s !== undefined && k.stages[s]!.kind !== "store";
    if (n.op.op === "input" || isValue) {
      const buf = k.bufferOf(id);
      if (buf === undefined) throw new Error(`fuse: value of node %${id} (${n.op.op}) is neither visible nor in a buffer`);
      return load(n, buf, env, key);
    }
    const op = n.op;
    note(id); // computed here, even when it needs no let of its own (size, index, select, ...)
    const name = ek === "" ? `v${id}` : `v${id}_${++counter}`;
    const let1 = (expr: Expr, ...deps: Local[]): Local => emitLet(key, name, expr, max(...deps), id);
    switch (op.op) {
      case "const":
        return { name: n.type.dtype === "bool" ? String(op.value !== 0) : literal(op.value), depth: 0 };
      case "param":
        return lookup(`param|${op.name}`) ?? emitLet(`param|${op.name}`, `p${id}`, { e: "op", node: id, args: [] }, 0, id);
      case "size":
        return { name: `n_${op.dim}`, depth: 0 };
      case "index":
        return idx(op.dim, env);
      case "detach":
        return resolve(n.args[0]!, env);
      case "cast":
        if (nodes[n.args[0]!]!.type.dtype === op.to || (op.to === "f32" && nodes[n.args[0]!]!.type.dtype === "i32"))
          return resolve(n.args[0]!, env);
        break;
      case "select": {
        if (!nodes[n.args[0]!]!.type.dims.includes(op.dim)) return resolve(n.args[0]!, env);
        const e2 = new Map(env);
        e2.set(op.dim, { name: String(op.position), depth: 0 });
        return resolve(n.args[0]!, e2);
      }
      case "rename": {
        const e2 = new Map(env);
        e2.delete(op.to);
        e2.set(op.from, idx(op.to, env));
        return resolve(n.args[0]!, e2);
      }
      case "shift":
      case "take": {
        const along = op.along;
        let ok: Local;
        let pos: Local;
        if (op.op === "shift") {
          const cur = idx(along, env);
          const j =
            lookup(`sub|${cur.name}|${op.by}`) ??
            emitLet(`sub|${cur.name}|${op.by}`, `j${++counter}`, { e: "sub", a: cur.name, by: op.by }, cur.depth);
          ok =
            lookup(`in|${j.name}`) ?? emitLet(`in|${j.name}`, `ok${++counter}`, { e: "inrange", a: j.name, dim: along }, j.depth);
          pos = j;
        } else {
          pos = resolve(n.args[1]!, env);
          ok =
            lookup(`in|${pos.name}`) ??
            emitLet(`in|${pos.name}`, `ok${++counter}`, { e: "inrange", a: pos.name, dim: along }, pos.depth);
        }
        const c =
          lookup(`clamp|${pos.name}`) ??
          emitLet(`clamp|${pos.name}`, `at${++counter}`, { e: "pick", cond: ok.name, a: pos.name, b: "0" }, max(ok, pos));
        const e2 = new Map(env);
        e2.set(along, c);
        const x = resolve(n.args[0]!, e2);
        const fill = resolve(n.args[op.op === "shift" ? 1 : 2]!, env);
        return let1({ e: "pick", cond: ok.name, a: x.name, b: fill.name }, ok, x, fill);
      }
      case "uniform": {
        const step = resolve(n.args[0]!, env);
        const flat = offset(n.type.dims, env);
        return let1({ e: "op", node: id, args: [step.name], index: flat.name }, step, flat);
      }
      case "embed":
      case "stack": {
        const i = idx(op.dim, env);
        const args = n.args.map((a) => resolve(a, env));
        return let1({ e: "op", node: id, args: args.map((a) => a.name), index: i.name }, i, ...args);
      }
      default:
        break;
    }
    const args = n.args.map((a) => resolve(a, env));
    return let1({ e: "op", node: id, args: args.map((a) => a.name) }, ...args);
  };

  const ident: Env = new Map();
  const push = (stmt: Stmt): void => {
    const b = stack[stack.length - 1]!;
    b.items.push(stmt);
    b.insertAt = b.items.length;
  };
  const storeValue = (stage: number, value: Local): void => {
    const buf = k.storeTo(stage);
    if (buf === undefined) return;
    writes.add(buf);
    const off = offset(k.stages[stage]!.result, ident);
    push({ s: "store", buffer: buf, offset: off.name, value: value.name, node: k.stages[stage]!.node });
  };
  const slotOf = (node: number): AccSlot | undefined => k.slots.find((s) => s.node === node);
  // a reduction's or scan's value is used as float32 (as a later kernel reads it from its buffer): every kernel then
  // sees the same value, which exact comparisons of the gradient (argfirst: x == max) rely on. Counts are exact.
  const rounds = (n: IRNode): boolean => n.type.dtype === "f32" && !(n.op.op === "reduce" && n.op.fn === "count");

  const item = (it: TItem, phase: "body" | "epilogue"): void => {
    if (it.t === "loop") {
      const b = stack[stack.length - 1]!;
      const child = newBlock();
      push({ s: "loop", dim: it.dim, reverse: it.reverse, split: it.depth === 1, body: child.items });
      b.insertAt = b.items.length - 1;
      stack.push(child);
      for (const x of it.items) item(x, phase);
      stack.pop();
      b.insertAt = b.items.length;
      return;
    }
    const st = k.stages[it.stage]!;
    const n = nodes[st.node]!;
    const op = n.op;
    note(st.node);
    if (op.op === "reduce") {
      const fn = accFn(op.fn);
      const acc = `a${n.id}`;
      if (it.t === "init") return push({ s: "acc_init", name: acc, fn, node: n.id });
      if (it.t === "final") {
        if (st.result.length === 0) {
          const slot = slotOf(n.id)!;
          if (phase === "body") return push({ s: "slot_out", offset: slot.offset, name: acc });
          const v = emitLet(`${n.id}|`, `v${n.id}`, { e: "slot", offset: slot.offset, round: rounds(n) }, 0);
          return storeValue(it.stage, v);
        }
        const here = stack.length - 1;
        const v = rounds(n)
          ? emitLet(`${n.id}|`, `v${n.id}`, { e: "round", a: acc }, here)
          : remember(`${n.id}|`, { name: acc, depth: here });
        return storeValue(it.stage, v);
      }
      const x = resolve(n.args[0]!, ident);
      const w = op.hasWhere ? resolve(n.args[1]!, ident) : undefined;
      let target: AccTarget = { t: "local", name: acc };
      if (!st.prefix) {
        const at = offset(st.result, ident).name;
        const sc = k.scratch.find((s) => s.node === n.id);
        if (!sc) throw new Error(`fuse: no scratch area for node %${n.id}`);
        target = { t: "scratch", scratch: sc.id, index: at };
      }
      const stmt: Stmt = { s: "acc", node: n.id, fn, target };
      if (op.fn === "count") {
        if (nodes[n.args[0]!]!.type.dtype === "bool") stmt.countIf = x.name;
      } else stmt.value = x.name;
      if (w) stmt.where = w.name;
      return push(stmt);
    }
    if (op.op === "scan" || op.op === "linrec") {
      const name = `c${n.id}`;
      const fn = op.op === "scan" ? op.fn : "linrec";
      if (it.t === "scan_init") {
        const init = op.op === "linrec" && op.hasInit ? resolve(n.args[2]!, ident).name : undefined;
        return push(
          init === undefined ? { s: "scan_init", name, fn, node: n.id } : { s: "scan_init", name, fn, init, node: n.id },
        );
      }
      const stmt: Stmt = { s: "scan_step", name, fn, node: n.id };
      if (op.op === "scan") stmt.x = resolve(n.args[0]!, ident).name;
      else {
        stmt.a = resolve(n.args[0]!, ident).name;
        stmt.b = resolve(n.args[1]!, ident).name;
      }
      push(stmt);
      const here = stack.length - 1;
      const v = rounds(n)
        ? emitLet(`${n.id}|`, `v${n.id}`, { e: "round", a: name }, here)
        : remember(`${n.id}|`, { name, depth: here });
      return storeValue(it.stage, v);
    }
    // a store of an inline value
    storeValue(it.stage, resolve(st.node, ident));
  };

  const body = newBlock();
  stack = [body];
  for (const it of tree.body) item(it, "body");
  const epi = newBlock();
  stack = [epi];
  for (const it of tree.epilogue) item(it, "epilogue");
  for (const st of k.stages.filter((s) => k.members.has(s.id) && s.kind === "reduce" && !s.prefix)) {
    const buf = k.storeTo(st.id)!;
    writes.add(buf);
    const sc = k.scratch.find((s) => s.node === st.node)!;
    push({ s: "flush", buffer: buf, scratch: sc.id, node: st.node });
  }
  return { body: body.items, epilogue: epi.items, reads, writes, nodes: [...computed] };
}

/** The accumulator of a reduction the fused kernels run; mean and logsumexp are rewritten by compiler/lower first. */
function accFn(fn: ReduceOpName): AccFn {
  switch (fn) {
    case "sum":
    case "count":
    case "max":
    case "min":
      return fn;
    case "mean":
    case "logsumexp":
      throw new Error(`fuse: ${fn} must be lowered (compiler/lower) before fusion`);
    default:
      return unreachable(fn, "fuse: reduce function");
  }
}
