// A policy plugin (`rlp train examples/train_grpo.rlp --policy examples/policies/bigram.ts`): a bigram model whose
// next-token logits depend only on the previous token, W[prev] + b. Extending AutoregressivePolicy leaves only the
// forward pass to write; sampling, token statistics and the differentiable log-probs the trainer needs come with it.
// It is far weaker than the built-in transformer (it cannot add), which makes it a clear baseline.
import { AutoregressivePolicy, type NamedParameter, type Policy, type TF, type TfTensor } from "rlpc/policy";
import type { Task } from "rlpc/tasks";

let nextId = 0;

class BigramPolicy extends AutoregressivePolicy {
  readonly kind = "bigram";
  readonly vocabSize: number;
  readonly maxLength: number;
  private readonly params: NamedParameter[];

  constructor(
    readonly tf: TF,
    vocabSize: number,
    maxLength: number,
    private readonly seed: number,
    from?: BigramPolicy,
    trainable = true,
  ) {
    super();
    this.vocabSize = vocabSize;
    this.maxLength = maxLength;
    const V = vocabSize;
    const init = (name: string, make: () => TfTensor) => {
      const value = from ? from.params.find((p) => p.name === name)!.variable : make();
      // tf variable names must be unique in the process: a copy (the frozen reference) gets a name of its own
      return { name, variable: tf.variable(value, trainable, `${name}#${nextId++}`) as NamedParameter["variable"] };
    };
    this.params = [
      init("bigram.w", () => tf.randomNormal([V, V], 0, 0.02, "float32", seed)),
      init("bigram.b", () => tf.zeros([V])),
    ];
  }

  parameters(): NamedParameter[] {
    return [...this.params];
  }

  config(): Record<string, number | string> {
    return { kind: this.kind, vocabSize: this.vocabSize, maxLength: this.maxLength, seed: this.seed };
  }

  frozenCopy(): Policy {
    return new BigramPolicy(this.tf, this.vocabSize, this.maxLength, this.seed, this, false);
  }

  dispose(): void {
    for (const p of this.params) p.variable.dispose();
  }

  /** Logits [N, L, V]: row W[token] + b at every position (padding positions are never read). */
  protected forward(tokens: Int32Array, n: number, L: number): TfTensor {
    const tf = this.tf;
    const [w, b] = [this.params[0]!.variable, this.params[1]!.variable];
    return tf.reshape(tf.add(tf.gather(w, tf.tensor1d(tokens, "int32")), b), [n, L, this.vocabSize]);
  }
}

export function createPolicy(tf: TF, task: Task, options: { seed: number }): Policy {
  return new BigramPolicy(tf, task.vocab.tokens.length, task.maxPromptTokens + 32, options.seed);
}
