// Built-in verifiable tasks: small-number arithmetic (the default), sorting digits, reversing a string. Each problem
// is drawn from a finite space by index; a fixed 1 in 8 of the indices (by a hash) is the held-out split, never seen
// in training. Training batches are a pure function of (seed, step): the counter-based hash of the language's
// `uniform` (runtime/library/ops/select.ts), so a resumed run sees exactly the prompts of an uninterrupted one.
import { uniformAt } from "../../library/ops/select.ts";
import { charVocabulary, type Prompt, type Task, type Vocabulary } from "./types.ts";

/** A task over a finite, indexable problem space (also the easy way to write a task plugin: `problemTask({...})`). */
export interface ProblemSpace {
  name: string;
  description: string;
  chars: string;
  count: number;
  /** The prompt text and the reference answer of problem `i`. */
  problem(i: number): { prompt: string; answer: string };
  maxPromptChars: number;
  maxAnswerChars: number;
  /** Partial credit for a wrong answer (default 0). */
  partial?(answer: string, response: string): number;
  /** An imperfect demonstrator: the demonstration of problem `i` for the draw `u` (default: the answer). */
  demonstration?(i: number, u: number): string;
}

const HELD_OUT_SEED = 0x5eed;

function isHeldOut(i: number): boolean {
  return uniformAt(HELD_OUT_SEED, 0, i) < 0.125;
}

/** A Task from a problem space: a fixed 1/8 held-out split, seeded training batches, exact-answer verification. */
export function problemTask(space: ProblemSpace): Task {
  const vocab: Vocabulary = charVocabulary(space.chars);
  const train: number[] = [];
  const held: number[] = [];
  for (let i = 0; i < space.count; i++) (isHeldOut(i) ? held : train).push(i);
  // The held-out list in a fixed shuffled order, so that heldOut(n) for a small n is a fair sample.
  const heldOrder = held
    .map((i) => ({ i, k: uniformAt(HELD_OUT_SEED, 1, i) }))
    .sort((a, b) => a.k - b.k || a.i - b.i)
    .map((x) => x.i);
  const prompt = (i: number): Prompt => {
    const p = space.problem(i);
    return { id: i, text: p.prompt, tokens: [vocab.bos, ...vocab.encode(p.prompt)] };
  };
  return {
    name: space.name,
    description: space.description,
    vocab,
    maxPromptTokens: space.maxPromptChars + 1,
    maxAnswerTokens: space.maxAnswerChars + 1,
    trainBatch(seed: number, step: number, size: number): Prompt[] {
      const out: Prompt[] = [];
      for (let j = 0; j < size; j++) {
        const u = uniformAt(seed, step, j);
        out.push(prompt(train[Math.min(train.length - 1, Math.floor(u * train.length))]!));
      }
      return out;
    },
    heldOut(size: number): Prompt[] {
      return heldOrder.slice(0, size).map(prompt);
    },
    demonstrate(p: Prompt, u: number): string {
      return space.demonstration ? space.demonstration(p.id, u) : space.problem(p.id).answer;
    },
    score(p: Prompt, response: string): number {
      const answer = space.problem(p.id).answer;
      if (response === answer) return 1;
      return space.partial ? space.partial(answer, response) : 0;
    },
    correct(p: Prompt, response: string): boolean {
      return response === space.problem(p.id).answer;
    },
  };
}

/**
 * `a+b=` with a, b in 0..N-1; the answer is the sum in decimal. The demonstrator is imperfect: when the units
 * carry, it forgets the carry half of the time (a fresh draw each time), as a student who has not learnt carrying —
 * so the SFT warm start is right on every problem without a carry and on about half of the others, and RL with the
 * exact-answer verifier has a systematic error to fix.
 */
function arithmetic(n: number): ProblemSpace {
  const digits = String(n - 1).length;
  return {
    name: "arith",
    description: `small-number addition: "12+7=" -> "19" (operands 0..${n - 1}; exact answer: reward 1, else 0; the warm start's demonstrator forgets half of its carries)`,
    chars: "0123456789+=",
    count: n * n,
    problem(i: number) {
      const a = Math.floor(i / n),
        b = i % n;
      return { prompt: `${a}+${b}=`, answer: String(a + b) };
    },
    demonstration(i: number, u: number) {
      const a = Math.floor(i / n),
        b = i % n;
      const carry = (a % 10) + (b % 10) >= 10;
      return String(carry && u < 0.5 ? a + b - 10 : a + b);
    },
    maxPromptChars: 2 * digits + 2,
    maxAnswerChars: String(2 * (n - 1)).length,
  };
}

/** `sort:3142=` -> `1234`: sort 4 digits. */
function sorting(len: number): ProblemSpace {
  return {
    name: "sort",
    description: `sort ${len} digits ascending: "sort:3142=" -> "1234" (reward: exact 1, else the fraction of right positions / 2)`,
    chars: "0123456789sort:=",
    count: 10 ** len,
    problem(i: number) {
      const s = String(i).padStart(len, "0");
      return { prompt: `sort:${s}=`, answer: [...s].sort().join("") };
    },
    maxPromptChars: len + 6,
    maxAnswerChars: len,
    partial: positional,
  };
}

/** `rev:abcd=` -> `dcba`: reverse a string of 3-5 letters from a-f. */
function reversing(): ProblemSpace {
  const letters = "abcdef";
  const lengths = [3, 4, 5];
  const counts = lengths.map((l) => letters.length ** l);
  return {
    name: "reverse",
    description: `reverse a string of 3-5 letters a-f: "rev:abcd=" -> "dcba" (reward: exact 1, else the fraction of right positions / 2)`,
    chars: "abcdefrv:=",
    count: counts.reduce((a, b) => a + b, 0),
    problem(i: number) {
      let k = i,
        li = 0;
      while (k >= counts[li]!) k -= counts[li++]!;
      let s = "";
      for (let j = 0; j < lengths[li]!; j++) {
        s += letters[k % letters.length];
        k = Math.floor(k / letters.length);
      }
      return { prompt: `rev:${s}=`, answer: [...s].reverse().join("") };
    },
    maxPromptChars: 5 + 5,
    maxAnswerChars: 5,
    partial: positional,
  };
}

function positional(answer: string, response: string): number {
  if (response.length !== answer.length) return 0;
  let same = 0;
  for (let i = 0; i < answer.length; i++) if (answer[i] === response[i]) same++;
  return (0.5 * same) / answer.length;
}

const FACTORIES: Record<string, () => ProblemSpace> = {
  arith: () => arithmetic(50),
  sort: () => sorting(4),
  reverse: () => reversing(),
};

export const DEFAULT_TASK = "arith";

/** The built-in task names. */
export function taskNames(): string[] {
  return Object.keys(FACTORIES);
}

/** A built-in task by name; undefined when there is none. */
export function builtinTask(name: string): Task | undefined {
  const f = FACTORIES[name];
  return f ? problemTask(f()) : undefined;
}
