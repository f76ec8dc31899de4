// A task plugin (`rlp train examples/train_grpo.rlp --task examples/tasks/max_digit.ts`): the largest of four digits,
// "max:3941=" -> "9". problemTask (from "rlpc/tasks") turns a finite, indexable problem space into a Task with a
// fixed held-out split, seeded training batches and exact-answer rewards. docs/training.md section 2 explains tasks.
import { problemTask } from "rlpc/tasks";

export const task = problemTask({
  name: "max_digit",
  description: 'the largest of four digits: "max:3941=" -> "9" (exact answer: reward 1, else 0)',
  chars: "0123456789max:=",
  count: 10_000,
  problem(i: number) {
    const digits = String(i).padStart(4, "0");
    return { prompt: `max:${digits}=`, answer: String(Math.max(...[...digits].map(Number))) };
  },
  // An imperfect demonstrator (for the SFT warm start): a quarter of the time it answers the last digit.
  demonstration(i: number, u: number) {
    const digits = String(i).padStart(4, "0");
    return u < 0.25 ? digits[3]! : String(Math.max(...[...digits].map(Number)));
  },
  maxPromptChars: 9,
  maxAnswerChars: 1,
});
