// The IR verifier: the structural invariants every program must keep through every pass (elaboration, autodiff,
// simplification, fusion). `verifyProgram` returns one message per violation; an empty list means the program is
// well formed. The per-op type and mark rules live in compiler/ir/rules.ts.
import { isDifferentiable, type IRNode, type IRProgram, type IRType } from "./ir.ts";
import { arity, canonical, dimOrder, expectedMarks, inferType } from "./rules.ts";

export function verifyProgram(program: IRProgram): string[] {
  const errors: string[] = [];
  const order = dimOrder(program);
  if (new Set(order).size !== order.length) errors.push(`the dim table repeats a dim: [${order.join(", ")}]`);
  program.nodes.forEach((node, k) => errors.push(...verifyNode(program, node, k)));
  errors.push(...verifyInputs(program), ...verifyResults(program), ...verifyRequires(program));
  return errors;
}

function describe(node: IRNode): string {
  return `node %${node.id} (${node.op.op})`;
}

function showType(t: IRType): string {
  return `${t.dtype}${t.indexOf ? `<${t.indexOf}>` : ""}[${t.dims.join(", ")}]`;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function sameType(a: IRType, b: IRType): boolean {
  return a.dtype === b.dtype && sameList(a.dims, b.dims) && a.indexOf === b.indexOf;
}

function verifyNode(program: IRProgram, node: IRNode, position: number): string[] {
  const errors: string[] = [];
  const at = describe(node);
  const order = dimOrder(program);
  if (node.id !== position) errors.push(`${at}: it sits at position ${position}: ids must be dense and in order`);
  const badArgs = node.args.filter((a) => !(Number.isInteger(a) && a >= 0 && a < position));
  if (badArgs.length > 0)
    return [...errors, `${at}: args ${badArgs.map((a) => `%${a}`).join(", ")} do not precede it (SSA order)`];
  const n = arity(program, node.op);
  if (n !== undefined && node.args.length !== n) return [...errors, `${at}: takes ${n} args, has ${node.args.length}`];

  const dims = node.type.dims;
  const unknown = dims.filter((d) => !order.includes(d));
  if (unknown.length > 0) errors.push(`${at}: dims ${unknown.join(", ")} are not in the program's dim table`);
  else if (!sameList(dims, canonical(order, dims)) || new Set(dims).size !== dims.length)
    errors.push(`${at}: dims [${dims.join(", ")}] are not in canonical order (or repeat)`);
  if (node.type.indexOf !== undefined && (node.type.dtype !== "i32" || !order.includes(node.type.indexOf))) {
    errors.push(`${at}: indexOf ${node.type.indexOf} on ${showType(node.type)}: only i32 values address a declared dim`);
  }

  const argNodes = node.args.map((a) => program.nodes[a]!);
  const expected = inferType(
    program,
    node.op,
    argNodes.map((a) => a.type),
    node.type,
  );
  if (typeof expected === "string") errors.push(`${at}: ${expected} (args ${argNodes.map((a) => showType(a.type)).join(", ")})`);
  else if (!sameType(expected, node.type))
    errors.push(`${at}: has type ${showType(node.type)}, its op's type rule gives ${showType(expected)}`);

  const marks = expectedMarks(program, node, argNodes);
  const have = [...new Set(node.grad)].sort();
  if (have.length !== node.grad.length || !sameList(have, marks))
    errors.push(`${at}: grad marks [${node.grad.join(", ")}], expected [${marks.join(", ")}]`);
  return errors;
}

function nodeAt(program: IRProgram, id: number): IRNode | undefined {
  const n = program.nodes[id];
  return n !== undefined && n.id === id ? n : undefined;
}

function verifyInputs(program: IRProgram): string[] {
  const errors: string[] = [];
  const names = new Set<string>();
  for (const inp of program.inputs) {
    if (names.has(inp.name)) errors.push(`input ${inp.name} is declared twice`);
    names.add(inp.name);
    const node = nodeAt(program, inp.node);
    if (node === undefined) errors.push(`input ${inp.name}: node %${inp.node} does not exist`);
    else if (node.op.op !== "input" || node.op.name !== inp.name)
      errors.push(`input ${inp.name}: node %${inp.node} is ${node.op.op}, not that input`);
    else if (!sameType(node.type, inp.type))
      errors.push(`input ${inp.name}: declared ${showType(inp.type)}, node %${inp.node} has ${showType(node.type)}`);
  }
  for (const node of program.nodes) {
    if (node.op.op !== "input") continue;
    const name = node.op.name;
    if (!program.inputs.some((i) => i.name === name && i.node === node.id))
      errors.push(`${describe(node)}: input ${name} is not listed (or lists another node)`);
  }
  return errors;
}

function verifyResults(program: IRProgram): string[] {
  const errors: string[] = [];
  const names = new Set<string>();
  for (const r of program.results) {
    const at = `result ${r.name} (${r.kind})`;
    if (names.has(r.name) && r.kind !== "update") errors.push(`${at}: the name is used twice`);
    names.add(r.name);
    const node = nodeAt(program, r.node);
    if (node === undefined) {
      errors.push(`${at}: node %${r.node} does not exist`);
      continue;
    }
    if (r.key !== undefined && nodeAt(program, r.key) === undefined) errors.push(`${at}: key node %${r.key} does not exist`);
    if (r.kind === "loss" && (node.type.dtype !== "f32" || node.type.dims.length !== 0))
      errors.push(`${at}: a loss must be an f32 scalar, node %${r.node} is ${showType(node.type)}`);
    if (r.kind !== "grad") continue;
    const loss = program.results.find((x) => x.kind === "loss" && x.name === r.of);
    const wrt = program.inputs.find((i) => i.name === r.wrt);
    if (loss === undefined) errors.push(`${at}: 'of' names no loss (${r.of})`);
    if (wrt === undefined || !isDifferentiable(program, wrt))
      errors.push(`${at}: 'wrt' names no differentiable input (${r.wrt})`);
    else if (node.type.dtype !== "f32" || !sameList(node.type.dims, wrt.type.dims))
      errors.push(`${at}: node %${r.node} is ${showType(node.type)}, the input is ${showType(wrt.type)}`);
    if (r.name !== `d${r.of}/d${r.wrt}`) errors.push(`${at}: a gradient is named d${r.of}/d${r.wrt}`);
  }
  return errors;
}

function verifyRequires(program: IRProgram): string[] {
  const errors: string[] = [];
  for (const req of program.requires) {
    const node = nodeAt(program, req.cond);
    if (node === undefined) errors.push(`require "${req.message}": node %${req.cond} does not exist`);
    else if (node.type.dtype !== "bool")
      errors.push(`require "${req.message}": node %${req.cond} is ${showType(node.type)}, not bool`);
  }
  return errors;
}
