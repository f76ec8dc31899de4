// The task plugin interface: what `rlp train --task NAME` trains on. A task gives prompts (seeded training batches and
// a fixed held-out split), a verifier (the reward of a response), reference answers (demonstrations, for the SFT warm
// start) and its vocabulary. Built-in tasks (runtime/tools/tasks/builtin.ts) need no download.

/** A character-level vocabulary with three special tokens. */
export interface Vocabulary {
  /** Token id -> its text; ids 0, 1, 2 are the specials. */
  readonly tokens: readonly string[];
  readonly pad: number;
  readonly bos: number;
  readonly eos: number;
  /** Text -> ids (no specials added). Throws on a character outside the vocabulary. */
  encode(text: string): number[];
  /** Ids -> text, stopping at end-of-sequence and skipping padding. */
  decode(ids: ArrayLike<number>): string;
}

export interface Prompt {
  /** A stable key of the prompt (the same prompt always has the same id): `r.prompt_id`. */
  id: number;
  text: string;
  /** The prompt's tokens, beginning-of-sequence first. */
  tokens: number[];
}

export interface Task {
  readonly name: string;
  readonly description: string;
  readonly vocab: Vocabulary;
  /** The longest prompt, in tokens (beginning-of-sequence included). */
  readonly maxPromptTokens: number;
  /** The longest reference answer, in tokens (end-of-sequence included): a sensible max_tokens. */
  readonly maxAnswerTokens: number;
  /** `size` training prompts for training step `step`: a pure function of (seed, step), never a held-out prompt. */
  trainBatch(seed: number, step: number, size: number): Prompt[];
  /** The held-out prompts (the first `size` of a fixed list, disjoint from every training batch). */
  heldOut(size: number): Prompt[];
  /**
   * A demonstration for the SFT warm start, as text. `u` in [0, 1) is a random draw (the trainer's counter-based
   * hash): a task may model an imperfect demonstrator with it (the built-in arith task drops the carry in half of its
   * carry demonstrations), so that imitation alone leaves room for RL with the verifier.
   */
  demonstrate(prompt: Prompt, u: number): string;
  /** The verifier: the reward of a response (its decoded text), in [0, 1]. */
  score(prompt: Prompt, response: string): number;
  /** Whether a response is exactly right (accuracy). */
  correct(prompt: Prompt, response: string): boolean;
}

export const SPECIAL_TOKENS = ["<pad>", "<bos>", "<eos>"] as const;

/** A vocabulary of single characters after the three specials. */
export function charVocabulary(chars: string): Vocabulary {
  const list = [...new Set(chars)];
  const tokens = [...SPECIAL_TOKENS, ...list];
  const index = new Map(list.map((c, i) => [c, i + SPECIAL_TOKENS.length]));
  return {
    tokens,
    pad: 0,
    bos: 1,
    eos: 2,
    encode(text: string): number[] {
      return [...text].map((c) => {
        const id = index.get(c);
        if (id === undefined) throw new Error(`character '${c}' is not in the vocabulary (${list.join("")})`);
        return id;
      });
    },
    decode(ids: ArrayLike<number>): string {
      let s = "";
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!;
        if (id === 2) break;
        if (id < SPECIAL_TOKENS.length) continue;
        s += tokens[id] ?? "";
      }
      return s;
    },
  };
}
