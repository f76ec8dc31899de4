// `--task NAME|PATH`: a built-in task by name, or a task plugin — a TypeScript (or JavaScript) module that exports
// `task` (a Task, runtime/tools/tasks/types.ts; `problemTask({...})` from "rlpc/tasks" makes one from a problem space).
// The module is checked when it loads, and its verifier and demonstrator are wrapped so that a plugin that throws or
// returns a bad value stops training with a message naming the file and the method, never a stack trace.
import { importUserModule } from "../../library/plugin/user_module.ts";
import { builtinTask, taskNames } from "./builtin.ts";
import type { Prompt, Task } from "./types.ts";

/** A task that cannot be loaded, or a task plugin that misbehaves while training. */
export class TaskError extends Error {}

const METHODS = ["trainBatch", "heldOut", "demonstrate", "score", "correct"] as const;

/** A path (has a slash or a module extension) rather than a built-in task's name. */
function isPath(spec: string): boolean {
  return /[\\/]/.test(spec) || /\.(m?ts|m?js)$/.test(spec);
}

export async function resolveTask(spec: string): Promise<Task> {
  if (!isPath(spec)) {
    const t = builtinTask(spec);
    if (!t)
      throw new TaskError(
        `unknown task '${spec}' (built-in tasks: ${taskNames().join(", ")}; or the path of a task plugin, e.g. ./my_task.ts)`,
      );
    return t;
  }
  const { module: mod } = await importUserModule(spec, "task plugin", (m) => new TaskError(m));
  const task = mod["task"];
  if (task === undefined)
    throw new TaskError(
      `task plugin ${spec} has no export 'task' (export const task = problemTask({...}) or an object implementing Task)`,
    );
  return checked(spec, task);
}

function checked(spec: string, t: unknown): Task {
  const bad = (what: string): never => {
    throw new TaskError(`task plugin ${spec}: 'task' ${what} (see Task in runtime/tools/tasks/types.ts)`);
  };
  if (t === null || typeof t !== "object") return bad("is not an object");
  const task = t as Record<string, unknown>;
  if (typeof task["name"] !== "string" || task["name"] === "") bad("has no 'name' (a non-empty string)");
  for (const m of METHODS) if (typeof task[m] !== "function") bad(`has no method '${m}'`);
  for (const k of ["maxPromptTokens", "maxAnswerTokens"])
    if (!Number.isInteger(task[k]) || (task[k] as number) < 1) bad(`has no '${k}' (a positive integer)`);
  const vocab = task["vocab"] as Record<string, unknown> | undefined;
  if (!vocab || !Array.isArray(vocab["tokens"]) || typeof vocab["encode"] !== "function" || typeof vocab["decode"] !== "function")
    bad("has no 'vocab' (charVocabulary(...) makes one)");
  return guard(spec, t as Task);
}

/** The task with its user code guarded: exceptions and bad values become TaskErrors naming the plugin and method. */
function guard(spec: string, t: Task): Task {
  const call = <R>(method: string, run: () => R, ok: (r: R) => boolean, want: string): R => {
    let r: R;
    try {
      r = run();
    } catch (e) {
      throw new TaskError(`task plugin ${spec}: ${method} threw: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!ok(r)) throw new TaskError(`task plugin ${spec}: ${method} returned ${JSON.stringify(r)}, expected ${want}`);
    return r;
  };
  const prompts = (r: Prompt[]) =>
    Array.isArray(r) && r.every((p) => Number.isInteger(p.id) && Array.isArray(p.tokens) && p.tokens.length <= t.maxPromptTokens);
  const want = `prompts ({ id, text, tokens } with at most maxPromptTokens = ${t.maxPromptTokens} tokens)`;
  return {
    name: t.name,
    description: t.description ?? t.name,
    vocab: t.vocab,
    maxPromptTokens: t.maxPromptTokens,
    maxAnswerTokens: t.maxAnswerTokens,
    trainBatch: (seed, step, size) =>
      call(
        "trainBatch",
        () => t.trainBatch(seed, step, size),
        (r) => prompts(r) && r.length === size,
        `${size} ${want}`,
      ),
    heldOut: (size) =>
      call(
        "heldOut",
        () => t.heldOut(size),
        (r) => prompts(r) && r.length <= size,
        `at most ${size} ${want}`,
      ),
    demonstrate: (p, u) =>
      call(
        "demonstrate",
        () => t.demonstrate(p, u),
        (r) => typeof r === "string",
        "a string",
      ),
    score: (p, response) =>
      call(
        "score",
        () => t.score(p, response),
        (r) => typeof r === "number" && Number.isFinite(r),
        "a finite number",
      ),
    correct: (p, response) =>
      call(
        "correct",
        () => t.correct(p, response),
        (r) => typeof r === "boolean",
        "true or false",
      ),
  };
}
