// The diagnostics catalog: one small broken program per problem, with where the compiler must point, what it must
// say, and how to fix it. test/diagnostics/diagnostics.test.ts checks every case against the compiler, and
// test/diagnostics/render_docs.ts renders docs/diagnostics.md from this table (so the docs cannot go stale).
import type { DiagnosticCode } from "../../grammar/diagnostic_codes.ts";
import type { InputErrorCode } from "../../runtime/library/io/errors.ts";
import { pluginCases } from "./plugin_cases.ts";
import { rlp } from "./program_text.ts";

export interface ExpectedDiagnostic {
  code: DiagnosticCode;
  /** 1-based position of the diagnostic's span start. */
  line: number;
  col: number;
  /** A substring of the exact message, or a regex it must match. */
  message: string | RegExp;
  /** The file the diagnostic points into: a key of `files`; default the case's own file. */
  file?: string;
}

export interface DiagnosticCase extends ExpectedDiagnostic {
  /** A short name of the problem. */
  title: string;
  /** A small complete .rlp program that has the problem. */
  source: string;
  /** One sentence: how to fix it. */
  fix: string;
  /** The corrected program: it must compile with no errors. */
  fixed?: string;
  /** Other in-memory files (name relative to the case's file -> text), e.g. for imports. */
  files?: Record<string, string>;
  /** Corrected versions of some of `files` (with `fixed`, or alone when the fix is in those files only). */
  fixedFiles?: Record<string, string>;
  /** `--set name=value` overrides passed to the compiler. */
  set?: Record<string, string>;
  /** `--pipeline NAME`. */
  pipeline?: string;
  /** Further diagnostics that must be reported too (e.g. a second syntax error found after recovery). */
  also?: ExpectedDiagnostic[];
  /** The program silences the lint `code` with `// rlp-allow`: the test asserts it is NOT reported. */
  silenced?: boolean;
}

export const cases: DiagnosticCase[] = [
  // ------------------------------------------------------------------ RLP0xx: syntax
  {
    code: "RLP001",
    title: "unknown character",
    source: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        loss L = mean(logp, over=[B,T]) # average
      }
    `,
    line: 4,
    col: 35,
    message: "unknown character '#': this is not part of the rlp language",
    fix: "Remove the character; comments start with `//`.",
    fixed: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        loss L = mean(logp, over=[B,T]) // average
      }
    `,
  },
  {
    code: "RLP001",
    title: "unknown escape in a string",
    source: rlp`
      pipeline p {
        param beta: f32 = 0.1
        require beta > 0.0, "beta must be \> 0"
      }
    `,
    line: 3,
    col: 37,
    message: "unknown escape '\\>' in a string",
    fix: 'Use only the escapes `\\"`, `\\\\`, `\\n` and `\\t`; write other characters as they are.',
    fixed: rlp`
      pipeline p {
        param beta: f32 = 0.1
        require beta > 0.0, "beta must be > 0"
      }
    `,
  },
  {
    code: "RLP002",
    title: "syntax error (recovery reports each broken statement)",
    source: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        let a = logp *
        let b = (logp + 1.0
        loss L = mean(logp, over=[B,T])
      }
    `,
    line: 5,
    col: 3,
    message: "expected an expression after '*' in a let statement, found 'let'",
    also: [{ code: "RLP002", line: 6, col: 3, message: "expected ')' after '1.0' in a let statement, found 'loss'" }],
    fix: "Complete the expression and close the parenthesis: the parser resumes at the next statement, so every broken statement is reported at once.",
    fixed: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        let a = logp * 2.0
        let b = (logp + 1.0)
        loss L = mean(logp, over=[B,T])
      }
    `,
  },
  {
    code: "RLP002",
    title: "chained comparison",
    source: rlp`
      pipeline p {
        param lo: f32 = 0.1
        require 0.0 < lo < 1.0, "lo must be in (0, 1)"
      }
    `,
    line: 3,
    col: 20,
    message: "comparisons cannot be chained",
    fix: "Write `a < b and b < c`.",
    fixed: rlp`
      pipeline p {
        param lo: f32 = 0.1
        require 0.0 < lo and lo < 1.0, "lo must be in (0, 1)"
      }
    `,
  },
  {
    code: "RLP003",
    title: "unterminated string",
    source: rlp`
      pipeline p {
        param beta: f32 = 0.1
        require beta > 0.0, "beta must be positive
      }
    `,
    line: 3,
    col: 23,
    message: "unterminated string: add a closing '\"' before the end of the line",
    fix: 'Close the string with `"` on the same line.',
    fixed: rlp`
      pipeline p {
        param beta: f32 = 0.1
        require beta > 0.0, "beta must be positive"
      }
    `,
  },
  {
    code: "RLP004",
    title: "unterminated block comment",
    source: rlp`
      pipeline p {
        dims B
        input x: f32[B] @policy
        /* the loss
        loss L = mean(x, over=B)
      }
    `,
    line: 4,
    col: 3,
    message: "unterminated block comment: '/*' is never closed by '*/'",
    fix: "Close the comment with `*/`.",
    fixed: rlp`
      pipeline p {
        dims B
        input x: f32[B] @policy
        /* the loss */
        loss L = mean(x, over=B)
      }
    `,
  },
  {
    code: "RLP005",
    title: "malformed number",
    source: rlp`
      pipeline p {
        param eps: f32 = 1e
      }
    `,
    line: 2,
    col: 20,
    message: "malformed number '1e': write numbers like 1, 0.5, .5, 2. or 1e-6",
    fix: "Give the exponent its digits (`1e-6`) or drop it.",
    fixed: rlp`
      pipeline p {
        param eps: f32 = 1e-6
      }
    `,
  },
  {
    code: "RLP006",
    title: "unclosed bracket",
    source: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        loss L = mean(logp, over=[B,T])

      pipeline q {
        dims B
      }
    `,
    line: 1,
    col: 12,
    message: "'{' opened here is never closed",
    fix: "Add the matching closing bracket before the next declaration.",
    fixed: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        loss L = mean(logp, over=[B,T])
      }
      pipeline q {
        dims B
      }
    `,
  },

  // ------------------------------------------------------------------ RLP1xx: names
  {
    code: "RLP100",
    title: "unknown name",
    source: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input mask: bool[B,T]
        loss L = token_mean(lgp, mask)
      }
    `,
    line: 5,
    col: 23,
    message: "unknown name 'lgp'; did you mean 'logp'?",
    fix: "Use a name that is declared (an input, param, let or stage result), as suggested.",
    fixed: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input mask: bool[B,T]
        loss L = token_mean(logp, mask)
      }
    `,
  },
  {
    code: "RLP100",
    title: "a node used as a value",
    source: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input mask: bool[B,T]
        loss L = token_mean * logp
      }
    `,
    line: 5,
    col: 12,
    message: "'token_mean' is a node; call it: token_mean(...)",
    fix: "Call the node with its arguments.",
    fixed: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input mask: bool[B,T]
        loss L = token_mean(logp, mask)
      }
    `,
  },
  {
    code: "RLP101",
    title: "unknown node",
    source: rlp`
      pipeline p {
        dims P, G
        input reward: f32[P,G]
        advantage A = grop_norm(reward, over=G)
      }
    `,
    line: 4,
    col: 17,
    message: "unknown node 'grop_norm'; did you mean 'group_norm'?",
    fix: "Call a builtin, a std node (`rlp list`) or a node you declared, as suggested.",
    fixed: rlp`
      pipeline p {
        dims P, G
        input reward: f32[P,G]
        advantage A = group_norm(reward, over=G)
      }
    `,
  },
  {
    code: "RLP101",
    title: "calling a value",
    source: rlp`
      pipeline p {
        dims B
        input x: f32[B]
        let scale = 2.0
        metric m = scale(x)
      }
    `,
    line: 5,
    col: 14,
    message: "'scale' is a let, not a node; it cannot be called",
    fix: "Only nodes and builtins can be called; multiply by the value instead.",
    fixed: rlp`
      pipeline p {
        dims B
        input x: f32[B]
        let scale = 2.0
        metric m = scale * x
      }
    `,
  },
  {
    code: "RLP102",
    title: "unknown dim in a type",
    source: rlp`
      pipeline p {
        dims P, G, T
        input logp: f32[P,G,T] @policy
        input mask: bool[P,G,t]
        loss L = token_mean(logp, mask)
      }
    `,
    line: 4,
    col: 24,
    message: "unknown dim 't'; did you mean 'T'?",
    fix: "Spell the dim as declared (dims are case-sensitive), or declare it with `dims`.",
    fixed: rlp`
      pipeline p {
        dims P, G, T
        input logp: f32[P,G,T] @policy
        input mask: bool[P,G,T]
        loss L = token_mean(logp, mask)
      }
    `,
  },
  {
    code: "RLP102",
    title: "a node signature names a pipeline dim",
    source: rlp`
      node seq_sum(x: f32[..., T]) -> f32[...] {
        return sum(x, over=T)
      }
      pipeline p {
        dims B, T
        input x: f32[B,T]
        metric m = seq_sum(x)
      }
    `,
    line: 1,
    col: 26,
    message: "unknown dim 'T' in the signature of seq_sum: a node's types may name only its dim parameters",
    fix: "Make the dim a parameter of the node: `node seq_sum(x: f32[..., along], along: dim = T)`.",
    fixed: rlp`
      node seq_sum(x: f32[..., along], along: dim = T) -> f32[...] {
        return sum(x, over=along)
      }
      pipeline p {
        dims B, T
        input x: f32[B,T]
        metric m = seq_sum(x)
      }
    `,
  },
  {
    code: "RLP103",
    title: "name defined twice",
    source: rlp`
      pipeline p {
        dims B
        input x: f32[B]
        let y = x * 2.0
        let y = x + 1.0
        metric m = mean(y, over=B)
      }
    `,
    line: 5,
    col: 7,
    message: "'y' is already defined (as a let)",
    fix: "Give the second value its own name; names are defined once (there is no reassignment).",
    fixed: rlp`
      pipeline p {
        dims B
        input x: f32[B]
        let y = x * 2.0
        let z = y + 1.0
        metric m = mean(z, over=B)
      }
    `,
  },
  {
    code: "RLP103",
    title: "node declared twice",
    source: rlp`
      node twice(x: f32[...]) -> f32[...] {
        return 2.0 * x
      }
      node twice(x: f32[...]) -> f32[...] {
        return x + x
      }
    `,
    line: 4,
    col: 6,
    message: "'twice' is declared twice",
    fix: "Delete one declaration or rename it.",
    fixed: rlp`
      node twice(x: f32[...]) -> f32[...] {
        return 2.0 * x
      }
    `,
  },
  {
    code: "RLP104",
    title: "imported file not found",
    source: rlp`
      import "helper.rlp"
      pipeline p {
        dims B
        input x: f32[B]
        metric m = mean(x, over=B)
      }
    `,
    line: 1,
    col: 1,
    message: "cannot import 'helper.rlp': no such file",
    fix: "Fix the path: imports are relative to the importing file.",
    fixed: rlp`
      import "helpers.rlp"
      pipeline p {
        dims B
        input x: f32[B]
        metric m = mean(x, over=B)
      }
    `,
    files: {
      "helpers.rlp": rlp`
        node double(x: f32[...]) -> f32[...] {
          return 2.0 * x
        }
      `,
    },
  },
  {
    code: "RLP105",
    title: "import cycle",
    source: rlp`
      import "b.rlp"
      pipeline p {
        dims B
        input x: f32[B]
        metric m = mean(double(x), over=B)
      }
    `,
    files: {
      "b.rlp": rlp`
        import "main.rlp"
        node double(x: f32[...]) -> f32[...] {
          return 2.0 * x
        }
      `,
    },
    file: "b.rlp",
    line: 1,
    col: 1,
    message: /^import cycle: \S*\/main\.rlp -> \S*\/b\.rlp -> \S*\/main\.rlp$/,
    fix: "Remove one of the imports: move what both files need into a third file that both import.",
  },
  {
    code: "RLP106",
    title: "shadowing a std node",
    source: rlp`
      node group_norm(x: f32[..., over], over: dim) -> f32[..., over] {
        return x - mean(x, over=over)
      }
    `,
    line: 1,
    col: 6,
    message: "node 'group_norm' has the same name as a std node; rename it, or write 'override node group_norm'",
    fix: "Rename the node, or write `override node group_norm` to replace the std one on purpose.",
    fixed: rlp`
      override node group_norm(x: f32[..., over], over: dim) -> f32[..., over] {
        return x - mean(x, over=over)
      }
    `,
  },
  {
    code: "RLP107",
    title: "unknown keyword argument",
    source: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input old_logp: f32[B,T]
        input A: f32[B]
        input mask: bool[B,T]
        let l, clipped = ppo_clip(logp, old_logp, A, eps_hi=0.28)
        loss L = token_mean(l, mask)
      }
    `,
    line: 7,
    col: 48,
    message: "ppo_clip has no parameter 'eps_hi'; did you mean 'eps_high'?",
    fix: "Use one of the parameter names the message lists.",
    fixed: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input old_logp: f32[B,T]
        input A: f32[B]
        input mask: bool[B,T]
        let l, clipped = ppo_clip(logp, old_logp, A, eps_high=0.28)
        loss L = token_mean(l, mask)
      }
    `,
  },
  {
    code: "RLP107",
    title: "override of a node that does not exist",
    source: rlp`
      override node grpo_norm(x: f32[...]) -> f32[...] {
        return x
      }
    `,
    line: 1,
    col: 15,
    message: "'override node grpo_norm' overrides nothing: there is no std node of that name",
    fix: "Drop `override`, or spell the std node's name correctly.",
    fixed: rlp`
      node grpo_norm(x: f32[...]) -> f32[...] {
        return x
      }
    `,
  },
  {
    code: "RLP108",
    title: "too many positional arguments",
    source: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input mask: bool[B,T]
        loss L = token_mean(logp, mask, T)
      }
    `,
    line: 5,
    col: 35,
    message: "token_mean takes at most 2 arguments (x, mask), but this call passes more",
    fix: "Remove the extra argument, or pass it by keyword if the node has such a parameter.",
    fixed: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input mask: bool[B,T]
        loss L = token_mean(logp, mask)
      }
    `,
  },
  {
    code: "RLP108",
    title: "missing required argument",
    source: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input old_logp: f32[B,T]
        input mask: bool[B,T]
        let l, clipped = ppo_clip(logp, old_logp)
        loss L = token_mean(l, mask)
      }
    `,
    line: 6,
    col: 20,
    message: "ppo_clip needs the argument 'A'",
    fix: "Pass every parameter that has no default (the message lists them in order).",
    fixed: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input old_logp: f32[B,T]
        input A: f32[B]
        input mask: bool[B,T]
        let l, clipped = ppo_clip(logp, old_logp, A)
        loss L = token_mean(l, mask)
      }
    `,
  },
  {
    code: "RLP108",
    title: "reduction without over=",
    source: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        loss L = mean(logp)
      }
    `,
    line: 4,
    col: 12,
    message: "mean needs over=: the dim(s) to reduce",
    fix: "Name the dims to reduce: `over=T`, `over=[B,T]`, or `over=...` for all of them.",
    fixed: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        loss L = mean(logp, over=...)
      }
    `,
  },
  {
    code: "RLP109",
    title: "keyword argument given twice",
    source: rlp`
      pipeline p {
        dims P, G
        input reward: f32[P,G]
        advantage A = group_norm(reward, eps=1e-6, eps=1e-4)
      }
    `,
    line: 4,
    col: 46,
    message: "the argument 'eps' is given twice in the call to group_norm",
    fix: "Keep one of the two.",
    fixed: rlp`
      pipeline p {
        dims P, G
        input reward: f32[P,G]
        advantage A = group_norm(reward, eps=1e-4)
      }
    `,
  },
  {
    code: "RLP110",
    title: "not a label of the enum",
    source: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input mask: bool[B,T]
        loss L = agg(logp, mask, mode=token_man)
      }
    `,
    line: 5,
    col: 33,
    message:
      "'token_man' is not a label of agg_mode (its labels are token_mean, seq_mean_token_sum, seq_mean_token_mean, seq_mean_token_sum_norm); did you mean 'token_mean'?",
    fix: "Use one of the enum's labels, as suggested.",
    fixed: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input mask: bool[B,T]
        loss L = agg(logp, mask, mode=token_mean)
      }
    `,
  },
  {
    code: "RLP110",
    title: "match arm that is not a label",
    source: rlp`
      pipeline p {
        dims B, T
        param est: kl_estimator = k3
        input logp: f32[B,T] @policy
        input ref_logp: f32[B,T]
        input mask: bool[B,T]
        loss L = token_mean(match est { k1 => kl_k1(logp, ref_logp), k2 => kl_k2(logp, ref_logp),
                                        k3 => kl_k3(logp, ref_logp), abs => kl_abs(logp, ref_logp) }, mask)
      }
    `,
    line: 8,
    col: 64,
    message: "'abs' is not a label of kl_estimator (its labels are k1, k2, k3, absolute)",
    fix: "Name the arms after the enum's labels.",
    fixed: rlp`
      pipeline p {
        dims B, T
        param est: kl_estimator = k3
        input logp: f32[B,T] @policy
        input ref_logp: f32[B,T]
        input mask: bool[B,T]
        loss L = token_mean(match est { k1 => kl_k1(logp, ref_logp), k2 => kl_k2(logp, ref_logp),
                                        k3 => kl_k3(logp, ref_logp), absolute => kl_abs(logp, ref_logp) }, mask)
      }
    `,
  },
  {
    code: "RLP111",
    title: "unknown model mark",
    source: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @polcy
        loss L = mean(logp, over=[B,T])
      }
    `,
    line: 3,
    col: 25,
    message: "unknown model '@polcy'; did you mean 'policy'?",
    fix: "Mark with `@policy`, `@critic` or a model declared with `model NAME`.",
    fixed: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        loss L = mean(logp, over=[B,T])
      }
    `,
  },
  {
    code: "RLP111",
    title: "loss for a model that does not exist",
    source: rlp`
      pipeline p {
        dims B
        input v: f32[B] @critic
        input ret: f32[B]
        loss L for critc = mean((v - ret) ** 2, over=B)
      }
    `,
    line: 5,
    col: 14,
    message: "loss 'L' for critc: there is no trained model 'critc'",
    fix: "Name a trained model: `policy`, `critic` or one declared with `model NAME`.",
    fixed: rlp`
      pipeline p {
        dims B
        input v: f32[B] @critic
        input ret: f32[B]
        loss L for critic = mean((v - ret) ** 2, over=B)
      }
    `,
  },
  {
    code: "RLP111",
    title: "a derived model's option out of range",
    source: rlp`
      pipeline p {
        dims P, G, T
        model avg = ema(policy, decay=1.5)
        rollout r = sample(policy, task, group=4, max_tokens=8)
        loss L = token_mean(-r.logp + 0.04 * kl_k3(r.logp, logprob(avg, r)), r.mask)
      }
    `,
    line: 3,
    col: 33,
    message: "decay= of ema(...) must be a number in (0, 1), e.g. 0.99, but it is 1.5",
    fix: "Give `ema` a decay strictly between 0 and 1 (0.99: the average moves 1% of the way to the policy per optimizer step) and `snapshot` an integer `every >= 1`.",
    fixed: rlp`
      pipeline p {
        dims P, G, T
        model avg = ema(policy, decay=0.99)
        rollout r = sample(policy, task, group=4, max_tokens=8)
        loss L = token_mean(-r.logp + 0.04 * kl_k3(r.logp, logprob(avg, r)), r.mask)
      }
    `,
  },
  {
    code: "RLP111",
    title: "logprob of a model that is not the sampled one or derived from it",
    source: rlp`
      pipeline p {
        dims P, G, T
        rollout r = sample(policy, task, group=4, max_tokens=8)
        loss L = token_mean(-r.logp + 0.04 * kl_k3(r.logp, logprob(critic, r)), r.mask)
      }
    `,
    line: 4,
    col: 62,
    message:
      "logprob(critic, r): the critic is a value model: it has no log-probs; logprob reads policy (= r.old_logp) or a model derived from it (model ref = frozen(policy))",
    fix: "Declare the model to read as one derived from the sampled policy (`model ref = frozen(policy)`, `ema(policy, decay=...)`, `snapshot(policy, every=...)`) and pass its name.",
    fixed: rlp`
      pipeline p {
        dims P, G, T
        model ref = frozen(policy)
        rollout r = sample(policy, task, group=4, max_tokens=8)
        loss L = token_mean(-r.logp + 0.04 * kl_k3(r.logp, logprob(ref, r)), r.mask)
      }
    `,
  },
  {
    code: "RLP112",
    title: "record field in an eval pipeline",
    source: rlp`
      pipeline p {
        dims B
        input r: f32[B]
        metric m = r.score
      }
    `,
    line: 4,
    col: 14,
    message: "'.score': record fields (rollouts, models) are evaluated by 'rlp train'",
    fix: "In `rlp eval`, supply the value as an input of its own.",
    fixed: rlp`
      pipeline p {
        dims B
        input score: f32[B]
        metric m = score
      }
    `,
  },
  {
    code: "RLP113",
    title: "unknown type",
    source: rlp`
      pipeline p {
        dims B, T
        param mode: aggmode = token_mean
        input logp: f32[B,T] @policy
        input mask: bool[B,T]
        loss L = agg(logp, mask, mode=mode)
      }
    `,
    line: 3,
    col: 15,
    message: "unknown type 'aggmode'; did you mean 'agg_mode'?",
    fix: "Use f32, i32, bool, id (with dims in `[...]`), an enum name, `dim` or `dims`.",
    fixed: rlp`
      pipeline p {
        dims B, T
        param mode: agg_mode = token_mean
        input logp: f32[B,T] @policy
        input mask: bool[B,T]
        loss L = agg(logp, mask, mode=mode)
      }
    `,
  },
  {
    code: "RLP113",
    title: "tensor-valued param",
    source: rlp`
      pipeline p {
        dims B
        param w: f32[B] = 1.0
        input x: f32[B]
        metric m = mean(w * x, over=B)
      }
    `,
    line: 3,
    col: 12,
    message: "a param is a single f32, i32 or bool value (or an enum); 'w' is declared f32[B]; use an input for tensors",
    fix: "Declare tensors as inputs (an input may have a default: `input w: f32[B] = 1.0`).",
    fixed: rlp`
      pipeline p {
        dims B
        input w: f32[B] = 1.0
        input x: f32[B]
        metric m = mean(w * x, over=B)
      }
    `,
  },
  {
    code: "RLP115",
    title: "recursive node",
    source: rlp`
      node countdown(x: f32[...]) -> f32[...] {
        return countdown(x - 1.0)
      }
    `,
    line: 2,
    col: 10,
    message: "node 'countdown' calls itself; nodes are inlined, so recursion is not supported",
    fix: "Write the iteration as a scan along a dim (cumsum, linrec) instead of recursion.",
    fixed: rlp`
      node countdown(x: f32[..., along], along: dim = T) -> f32[..., along] {
        return cumsum(x - 1.0, along=along, reverse=true)
      }
    `,
  },
  {
    code: "RLP116",
    title: "return in a pipeline",
    source: rlp`
      pipeline p {
        dims B
        input x: f32[B] @policy
        return mean(x, over=B)
      }
    `,
    line: 4,
    col: 3,
    message: "'return' belongs in a node body; a pipeline names its results with loss/metric/output statements",
    fix: "Name the result with a stage statement: `loss L = ...`, `metric m = ...` or `output o = ...`.",
    fixed: rlp`
      pipeline p {
        dims B
        input x: f32[B] @policy
        loss L = mean(x, over=B)
      }
    `,
  },
  {
    code: "RLP116",
    title: "node without return",
    source: rlp`
      node half(x: f32[...]) -> f32[...] {
        let y = 0.5 * x
      }
    `,
    line: 1,
    col: 6,
    message: "node 'half' has no return statement",
    fix: "End the node body with `return ...`.",
    fixed: rlp`
      node half(x: f32[...]) -> f32[...] {
        let y = 0.5 * x
        return y
      }
    `,
  },
  {
    code: "RLP117",
    title: "param without a default",
    source: rlp`
      pipeline p {
        dims B
        param beta: f32
        input x: f32[B]
        metric m = beta * mean(x, over=B)
      }
    `,
    line: 3,
    col: 9,
    message: "param 'beta' has no default value; give it one ('= 0.2') or pass --set beta=VALUE",
    fix: "Give the param a default, or pass `--set beta=VALUE`.",
    fixed: rlp`
      pipeline p {
        dims B
        param beta: f32 = 0.04
        input x: f32[B]
        metric m = beta * mean(x, over=B)
      }
    `,
  },
  {
    code: "RLP118",
    title: "bad --set value",
    source: rlp`
      pipeline p {
        dims B
        param beta: f32 = 0.04
        input x: f32[B]
        metric m = beta * mean(x, over=B)
      }
    `,
    set: { beta: "high" },
    line: 3,
    col: 9,
    message: "--set beta=high: not a valid f32 value",
    fix: "Pass a value of the param's type (a number here, a label for an enum param).",
  },
  {
    code: "RLP119",
    title: "no pipeline of that name",
    source: rlp`
      pipeline grpo {
        dims B
        input x: f32[B]
        metric m = mean(x, over=B)
      }
    `,
    pipeline: "gpro",
    line: 1,
    col: 1,
    message: "no pipeline named 'gpro' in this file (its pipelines: grpo)",
    fix: "Pass the name of one of the file's pipelines (the message lists them).",
  },

  // ------------------------------------------------------------------ RLP2xx: types
  {
    code: "RLP201",
    title: "broadcast conflict",
    source: rlp`
      pipeline p {
        dims B, T, S
        input x: f32[B,T]
        input y: f32[B,S]
        output z = x + y
      }
    `,
    line: 5,
    col: 14,
    message:
      "cannot broadcast f32[B,T] with f32[B,S] in '+': each has a dim the other lacks (T vs S), which would build an outer product [B,T,S]",
    fix: "Reduce one side first (e.g. `mean(y, over=S)`), or, if the outer product is intended, rename one side to an alias dim.",
    fixed: rlp`
      pipeline p {
        dims B, T, S
        input x: f32[B,T]
        input y: f32[B,S]
        output z = x + mean(y, over=S)
      }
    `,
  },
  {
    code: "RLP202",
    title: "bool used as a number",
    source: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input mask: bool[B,T]
        loss L = sum(logp + mask, over=[B,T])
      }
    `,
    line: 5,
    col: 21,
    message: "a bool is used as a number in '+'; bools never silently become numbers: write f32(...) to use it as 0/1",
    fix: "Select with `where=mask` (or `where(mask, x, 0.0)`); where a 0/1 number is really meant, convert with `f32(mask)`.",
    fixed: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input mask: bool[B,T]
        loss L = sum(logp, over=[B,T], where=mask)
      }
    `,
  },
  {
    code: "RLP202",
    title: "number used as a mask",
    source: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input weight: f32[B,T]
        loss L = mean(logp, over=[B,T], where=weight)
      }
    `,
    line: 5,
    col: 41,
    message: "the argument 'where' of mean must be a bool mask, but it is f32[B,T]; compare it (x > 0) to make one",
    fix: "Pass a bool (e.g. `where=weight > 0.0`), or multiply by the weights instead.",
    fixed: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input weight: f32[B,T]
        loss L = mean(logp, over=[B,T], where=weight > 0.0)
      }
    `,
  },
  {
    code: "RLP203",
    title: "i32 and f32 mixed",
    source: rlp`
      pipeline p {
        dims B
        input reward: f32[B]
        input length: i32[B]
        output r = reward / length
      }
    `,
    line: 5,
    col: 21,
    message: "'/' mixes f32[B] and i32[B]; there is no implicit conversion: write f32(...) on the right side",
    fix: "Convert the integer side with `f32(...)`.",
    fixed: rlp`
      pipeline p {
        dims B
        input reward: f32[B]
        input length: i32[B]
        output r = reward / f32(length)
      }
    `,
  },
  {
    code: "RLP203",
    title: "gradient mark on a non-f32 input",
    source: rlp`
      pipeline p {
        dims B, T
        input tokens: i32[B,T] @policy
      }
    `,
    line: 3,
    col: 27,
    message: "only f32 inputs can carry gradient, but 'tokens' is i32; remove @policy",
    fix: "Mark the policy's f32 log-probabilities, not token ids.",
    fixed: rlp`
      pipeline p {
        dims B, T
        input tokens: i32[B,T]
      }
    `,
  },
  {
    code: "RLP204",
    title: "reduction over a dim the value does not have",
    source: rlp`
      pipeline p {
        dims B, T
        input reward: f32[B]
        input done: bool[B]
        metric m = mean(reward, over=T, where=done)
      }
    `,
    line: 5,
    col: 32,
    message: "cannot reduce over T: neither the value f32[B] nor its where= mask bool[B] has the dim T",
    fix: "Reduce over a dim the value or its mask has (here `over=B`).",
    fixed: rlp`
      pipeline p {
        dims B, T
        input reward: f32[B]
        input done: bool[B]
        metric m = mean(reward, over=B, where=done)
      }
    `,
  },
  {
    code: "RLP205",
    title: "not a label of the dim",
    source: rlp`
      pipeline p {
        dim Y = {w, l}
        dims P
        input x: f32[P,Y]
        output z = x[Y=z]
      }
    `,
    line: 5,
    col: 18,
    message: "'z' is not a label of Y (its labels are w, l)",
    fix: "Select one of the dim's labels.",
    fixed: rlp`
      pipeline p {
        dim Y = {w, l}
        dims P
        input x: f32[P,Y]
        output z = x[Y=w]
      }
    `,
  },
  {
    code: "RLP205",
    title: "labelled literal missing a label",
    source: rlp`
      pipeline p {
        dim Y = {w, l}
        dims P
        input a: f32[P]
        output z = Y{w: a}
      }
    `,
    line: 5,
    col: 14,
    message: "Y{...} must give every label once; missing: l",
    fix: "Give a value for every label of the dim.",
    fixed: rlp`
      pipeline p {
        dim Y = {w, l}
        dims P
        input a: f32[P]
        output z = Y{w: a, l: -a}
      }
    `,
  },
  {
    code: "RLP206",
    title: "wrong number of results bound",
    source: rlp`
      pipeline p {
        dims P, G
        input reward: f32[P,G]
        let A, B = group_norm(reward)
      }
    `,
    line: 4,
    col: 3,
    message: "group_norm(...) gives 1 result, but 2 names are bound",
    fix: "Bind as many names as the node has results.",
    fixed: rlp`
      pipeline p {
        dims P, G
        input reward: f32[P,G]
        let A = group_norm(reward)
      }
    `,
  },
  {
    code: "RLP206",
    title: "a dim where a value is expected",
    source: rlp`
      pipeline p {
        dims B
        input x: f32[B]
        metric m = B
      }
    `,
    line: 4,
    col: 14,
    message: "metric 'm' must be a tensor value, but it is the dim B",
    fix: "Use a tensor: `size(B)` gives the size of a dim, `index(B)` its positions.",
    fixed: rlp`
      pipeline p {
        dims B
        input x: f32[B]
        metric m = f32(size(B))
      }
    `,
  },
  {
    code: "RLP207",
    title: "run-time condition in a static if",
    source: rlp`
      pipeline p {
        dims P, G
        input reward: f32[P,G]
        advantage A = if mean(reward, over=...) > 0.5 then group_norm(reward) else group_center(reward)
      }
    `,
    line: 4,
    col: 20,
    message:
      "the condition of 'if' is computed from data at run time, but 'if' is decided when the pipeline is compiled; use where(cond, a, b) to choose per element",
    fix: "Use `where(cond, a, b)` for a data-dependent choice; keep `if`/`match` for params.",
    fixed: rlp`
      pipeline p {
        dims P, G
        input reward: f32[P,G]
        advantage A = where(mean(reward, over=...) > 0.5, group_norm(reward), group_center(reward))
      }
    `,
  },
  {
    code: "RLP207",
    title: "run-time value in a static argument",
    source: rlp`
      pipeline p {
        dims B, T
        input x: f32[B,T]
        input valid: bool[B,T]
        input fill: f32[B]
        metric m = max(x, over=T, where=valid, empty=fill)
      }
    `,
    line: 6,
    col: 48,
    message:
      "the argument 'empty' of max must be known when the pipeline is compiled (a literal or a param), but it is computed from data",
    fix: "Pass a literal or a param; for a data-dependent fallback use `where(any(valid, over=T), max(...), fill)`.",
    fixed: rlp`
      pipeline p {
        dims B, T
        input x: f32[B,T]
        input valid: bool[B,T]
        input fill: f32[B]
        metric m = where(any(valid, over=T), max(x, over=T, where=valid, empty=0.0), fill)
      }
    `,
  },
  {
    code: "RLP207",
    title: "a derived model's option computed at run time",
    source: rlp`
      pipeline p {
        dims P, G, T
        input d: f32[P]
        model avg = ema(policy, decay=mean(d, over=P))
        rollout r = sample(policy, task, group=4, max_tokens=8)
        loss L = token_mean(-r.logp + 0.04 * kl_k3(r.logp, logprob(avg, r)), r.mask)
      }
    `,
    line: 4,
    col: 33,
    message:
      "decay= of ema(...) must be a number known when the pipeline is compiled (a literal or a param), but this is computed at run time",
    fix: "The trainer updates the model with a fixed rule: pass a literal or a param (`param ema_decay: f32 = 0.99`).",
    fixed: rlp`
      pipeline p {
        dims P, G, T
        param ema_decay: f32 = 0.99
        model avg = ema(policy, decay=ema_decay)
        rollout r = sample(policy, task, group=4, max_tokens=8)
        loss L = token_mean(-r.logp + 0.04 * kl_k3(r.logp, logprob(avg, r)), r.mask)
      }
    `,
  },
  {
    code: "RLP208",
    title: "match does not cover every label",
    source: rlp`
      pipeline p {
        dims B, T
        param est: kl_estimator = k3
        input logp: f32[B,T] @policy
        input ref_logp: f32[B,T]
        input mask: bool[B,T]
        loss L = token_mean(match est { k1 => kl_k1(logp, ref_logp), k3 => kl_k3(logp, ref_logp) }, mask)
      }
    `,
    line: 7,
    col: 23,
    message: "this match does not cover every label of kl_estimator: missing k2, absolute",
    fix: "Add an arm for every label (the message lists the missing ones).",
    fixed: rlp`
      pipeline p {
        dims B, T
        param est: kl_estimator = k3
        input logp: f32[B,T] @policy
        input ref_logp: f32[B,T]
        input mask: bool[B,T]
        loss L = token_mean(kl_penalty(logp, ref_logp, kind=est), mask)
      }
    `,
  },
  {
    code: "RLP209",
    title: "node argument without a required dim",
    source: rlp`
      pipeline p {
        dims P, G
        input reward: f32[P]
        advantage A = group_norm(reward, over=G)
      }
    `,
    line: 4,
    col: 28,
    message: "the argument 'x' of group_norm must have the dim G, but it is f32[P]",
    fix: "Pass a value that has the dim (here the rewards of every response, f32[P,G]), or normalise over a dim it has.",
    fixed: rlp`
      pipeline p {
        dims P, G
        input reward: f32[P,G]
        advantage A = group_norm(reward, over=G)
      }
    `,
  },
  {
    code: "RLP210",
    title: "arithmetic on an id",
    source: rlp`
      pipeline p {
        dims P
        input prompt_id: id[P]
        output next_id = prompt_id + 1
      }
    `,
    line: 4,
    col: 30,
    message: "'+' on an id: ids support only == and != and use as keys",
    fix: "Keep ids as keys; if the values are numbers, declare the input as i32.",
    fixed: rlp`
      pipeline p {
        dims P
        input prompt_id: i32[P]
        output next_id = prompt_id + 1
      }
    `,
  },
  {
    code: "RLP211",
    title: "take with an index of the wrong dim",
    source: rlp`
      pipeline p {
        dims B, T, V
        input logits: f32[B,T,V] @policy
        input tokens: i32[B,T]
        output lp = take(log_softmax(logits, over=V), tokens, along=V)
      }
    `,
    line: 5,
    col: 49,
    message: "the index must be i32<V> (positions along V), but it is a plain i32[B,T]",
    fix: "Declare the index with the dim it addresses (`i32<V>[B,T]`) or convert it with `as_index(tokens, V)`.",
    fixed: rlp`
      pipeline p {
        dims B, T, V
        input logits: f32[B,T,V] @policy
        input tokens: i32<V>[B,T]
        output lp = take(log_softmax(logits, over=V), tokens, along=V)
      }
    `,
  },
  {
    code: "RLP212",
    title: "rename to a dim that is not an alias",
    source: rlp`
      pipeline p {
        dims P, G, H
        input r: f32[P,G]
        output d = r - r[G as H]
      }
    `,
    line: 4,
    col: 25,
    message: "cannot rename G to H: H is not an alias of G; declare it with 'dims H = G'",
    fix: "Declare the target as an alias of the dim (`dims H = G`).",
    fixed: rlp`
      pipeline p {
        dims P, G
        dims H = G
        input r: f32[P,G]
        output d = r - r[G as H]
      }
    `,
  },
  {
    code: "RLP213",
    title: "node result does not match its signature",
    source: rlp`
      node centre(x: f32[..., over], over: dim = G) -> f32[...] {
        return x - mean(x, over=over)
      }
    `,
    line: 1,
    col: 50,
    message: "node 'centre' returns f32[...,over], which does not match its declared result (it has the extra dim over)",
    fix: "Declare the result type the body computes (`-> f32[..., over]`), or reduce the value to the declared one.",
    fixed: rlp`
      node centre(x: f32[..., over], over: dim = G) -> f32[..., over] {
        return x - mean(x, over=over)
      }
    `,
  },
  {
    code: "RLP214",
    title: "max over a selection without empty=",
    source: rlp`
      pipeline p {
        dims B, T
        input x: f32[B,T]
        input valid: bool[B,T]
        metric peak = max(x, over=T, where=valid)
      }
    `,
    line: 5,
    col: 17,
    message: "max over a where= selection can be empty (an all-masked row); say what it gives then with empty=, e.g. empty=0.0",
    fix: "Say what an all-masked row gives with `empty=`.",
    fixed: rlp`
      pipeline p {
        dims B, T
        input x: f32[B,T]
        input valid: bool[B,T]
        metric peak = max(x, over=T, where=valid, empty=0.0)
      }
    `,
  },

  // ------------------------------------------------------------------ RLP3xx: stages and gradients
  {
    code: "RLP301",
    title: "advantage depends on the policy",
    source: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input reward: f32[B]
        input mask: bool[B,T]
        advantage A = reward - sum(logp, over=T, where=mask)
        loss L = token_mean(-A * logp, mask)
      }
    `,
    line: 6,
    col: 17,
    message:
      "advantage 'A' depends on the differentiable input @policy, so gradient would leak through the baseline; wrap the part that should not be differentiated in detach(...)",
    fix: "Wrap the policy-dependent part in `detach(...)`.",
    fixed: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input reward: f32[B]
        input mask: bool[B,T]
        advantage A = reward - detach(sum(logp, over=T, where=mask))
        loss L = token_mean(-A * logp, mask)
      }
    `,
  },
  {
    code: "RLP302",
    title: "reward carries the policy's gradient",
    source: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input ref_logp: f32[B,T]
        input score: f32[B]
        input mask: bool[B,T]
        reward R = score - 0.1 * sum(logp - ref_logp, over=T, where=mask)
      }
    `,
    line: 7,
    col: 14,
    message: "reward 'R' carries the gradient of @policy; a reward must be const",
    fix: "Compute the penalty from the behaviour log-probs, or wrap it in `detach(...)`.",
    fixed: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input ref_logp: f32[B,T]
        input score: f32[B]
        input mask: bool[B,T]
        reward R = score - 0.1 * sum(detach(logp) - ref_logp, over=T, where=mask)
      }
    `,
  },
  {
    code: "RLP303",
    title: "loss is not a scalar",
    source: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input A: f32[B]
        loss L = -A * logp
      }
    `,
    line: 5,
    col: 12,
    message: "loss 'L' must be a scalar, but it is f32[B,T]; aggregate it, e.g. token_mean(l, mask) or mean(l, over=...)",
    fix: "Aggregate the per-token loss to a scalar with `token_mean(l, mask)`, `agg(...)` or `mean(l, over=...)`.",
    fixed: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input A: f32[B]
        input mask: bool[B,T]
        loss L = token_mean(-A * logp, mask)
      }
    `,
  },
  {
    code: "RLP304",
    title: "loss reaches no differentiable input",
    source: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T]
        input A: f32[B]
        input mask: bool[B,T]
        loss L = token_mean(-A * logp, mask)
      }
    `,
    line: 6,
    col: 12,
    message:
      "loss 'L' does not depend on any differentiable input (@policy, @critic or a model), so its gradient is zero everywhere",
    fix: "Mark the input the loss trains, e.g. `input logp: f32[B,T] @policy`.",
    fixed: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input A: f32[B]
        input mask: bool[B,T]
        loss L = token_mean(-A * logp, mask)
      }
    `,
  },
  {
    code: "RLP305",
    title: "loss for a model it does not reach",
    source: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input values: f32[B,T] @critic
        input A: f32[B]
        input mask: bool[B,T]
        loss pg for critic = token_mean(-A * logp, mask)
      }
    `,
    line: 7,
    col: 15,
    message: "loss 'pg' is for critic, but it does not depend on critic (it reaches @policy)",
    fix: "Route the loss to the model it trains (`for policy`), or drop `for`.",
    fixed: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input values: f32[B,T] @critic
        input A: f32[B]
        input mask: bool[B,T]
        loss pg for policy = token_mean(-A * logp, mask)
      }
    `,
  },
  {
    code: "RLP306",
    title: "update of a table without a key",
    source: rlp`
      pipeline p {
        dims P
        input reward: f32[P]
        input prompt_id: id[P]
        state vhat: table f32 = 0.5
        update vhat = mean(reward, over=P)
      }
    `,
    line: 6,
    col: 3,
    message: "'vhat' is a table: write 'update vhat[key] = ...'",
    fix: "Index the table with the ids to update: `update vhat[prompt_id] = ...`.",
    fixed: rlp`
      pipeline p {
        dims P
        input reward: f32[P]
        input prompt_id: id[P]
        state vhat: table f32 = 0.5
        update vhat[prompt_id] = vhat[prompt_id] + 0.1 * (reward - vhat[prompt_id])
      }
    `,
  },
  {
    code: "RLP306",
    title: "state update that carries gradient",
    source: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        state avg_logp: f32 = 0.0
        update avg_logp = 0.9 * avg_logp + 0.1 * mean(logp, over=[B,T])
      }
    `,
    line: 5,
    col: 21,
    message: "a state update must be const, but this value depends on @policy; wrap it in detach(...)",
    fix: "Wrap the new value in `detach(...)`: state is not differentiated.",
    fixed: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        state avg_logp: f32 = 0.0
        update avg_logp = 0.9 * avg_logp + 0.1 * detach(mean(logp, over=[B,T]))
      }
    `,
  },
  {
    code: "RLP307",
    title: "sample(...) outside a rollout stage",
    source: rlp`
      pipeline p {
        dims P, G, T
        let r = sample(policy, task, group=8, max_tokens=24)
      }
    `,
    line: 3,
    col: 11,
    message: "sample(...) makes a rollout: it is the whole value of a rollout stage",
    fix: "Make it a rollout stage (`rollout r = sample(...)`); `rlp train` makes the record, and the pipeline reads its fields (docs/training.md).",
    fixed: rlp`
      pipeline p {
        dims P, G, T
        rollout r = sample(policy, task, group=8, max_tokens=24)
        loss L = -token_mean(r.logp, r.mask)
      }
    `,
  },
  {
    code: "RLP307",
    title: "filter of a dim that is not the rollout's prompts",
    source: rlp`
      pipeline p {
        dims P, G, T
        rollout r = sample(policy, task, group=8, max_tokens=24)
        reward S = task.score(r)
        filter G by S > 0.0
        advantage A = grpo_advantage(S, over=G)
        loss L = token_mean(-A * r.logp, r.mask)
      }
    `,
    line: 5,
    col: 10,
    message: "'filter' keeps or drops whole prompts: filter P (the prompts dim of rollout 'r'), not G",
    fix: "Filter the prompts with one bool per prompt; `dapo_keep(S, over=G)` keeps the groups whose scores differ (DAPO's dynamic sampling, docs/training.md).",
    fixed: rlp`
      pipeline p {
        dims P, G, T
        rollout r = sample(policy, task, group=8, max_tokens=24)
        reward S = task.score(r)
        filter P by dapo_keep(S, over=G)
        advantage A = grpo_advantage(S, over=G)
        loss L = token_mean(-A * r.logp, r.mask)
      }
    `,
  },
  {
    code: "RLP307",
    title: "a second rollout not on the first's prompts",
    source: rlp`
      pipeline p {
        dims P, G, T
        rollout r = sample(policy, task, group=8, max_tokens=4)
        rollout g = sample(policy, task, group=1, max_tokens=4, temperature=0.0)
        advantage A = task.score(r) - mean(task.score(g), over=G_g)
        loss L = token_mean(-A * r.logp, r.mask)
      }
    `,
    line: 4,
    col: 15,
    message: "a pipeline's second rollout samples on the first's prompts: write prompts=r",
    fix: "Name the first rollout with `prompts=r` (ReMax's greedy baseline); the second rollout shares its prompts dim and binds a group and a tokens dim of its own (`dims=[Gg, Tg]`, or `G_g`, `T_g`), and a pipeline has at most two rollouts (docs/training.md section 1c).",
    fixed: rlp`
      pipeline p {
        dims P, G, T
        rollout r = sample(policy, task, group=8, max_tokens=4)
        rollout g = sample(policy, task, prompts=r, group=1, max_tokens=4, temperature=0.0)
        advantage A = task.score(r) - mean(task.score(g), over=G_g)
        loss L = token_mean(-A * r.logp, r.mask)
      }
    `,
  },
  {
    code: "RLP310",
    title: "static requirement fails",
    source: rlp`
      pipeline p {
        param beta: f32 = -0.1
        require beta >= 0.0, "beta must be >= 0"
      }
    `,
    line: 3,
    col: 11,
    message: "requirement failed: beta must be >= 0",
    fix: "Change the param (or its `--set` value) so the requirement holds.",
    fixed: rlp`
      pipeline p {
        param beta: f32 = 0.1
        require beta >= 0.0, "beta must be >= 0"
      }
    `,
  },
  {
    code: "RLP310",
    title: "std node requirement fails",
    source: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input old_logp: f32[B,T]
        input A: f32[B]
        input mask: bool[B,T]
        let l, clipped = ppo_clip(logp, old_logp, A, dual_clip=0.5)
        loss L = token_mean(l, mask)
      }
    `,
    line: 7,
    col: 20,
    message: "in 'ppo_clip': requirement failed: dual_clip must be 0 (off) or a constant c > 1",
    fix: "Pass arguments the node accepts (its doc comment says which).",
    fixed: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input old_logp: f32[B,T]
        input A: f32[B]
        input mask: bool[B,T]
        let l, clipped = ppo_clip(logp, old_logp, A, dual_clip=3.0)
        loss L = token_mean(l, mask)
      }
    `,
  },

  // ------------------------------------------------------------------ RLP4xx: lints
  {
    code: "RLP401",
    title: "mean over a padded dim without a mask",
    source: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input A: f32[B]
        input mask: bool[B,T]
        loss L = mean(-A * logp, over=[B,T])
      }
    `,
    line: 6,
    col: 12,
    message: "mean over B,T without a mask also counts padding positions; pass where=mask (or declare the mask with 'masks T')",
    fix: "Pass `where=mask` (or declare the mask once with `input mask: bool[B,T] masks T`).",
    fixed: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input A: f32[B]
        input mask: bool[B,T]
        loss L = mean(-A * logp, over=[B,T], where=mask)
      }
    `,
  },
  {
    code: "RLP401",
    title: "a lint silenced with rlp-allow",
    source: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input A: f32[B]
        input mask: bool[B,T]
        // rlp-allow RLP401
        loss L = mean(-A * logp, over=[B,T])
      }
    `,
    silenced: true,
    line: 7,
    col: 12,
    message: "without a mask",
    fix: "`// rlp-allow CODE` on the line, or alone on the line above, silences a lint there.",
  },
  {
    code: "RLP402",
    title: "division by a std without an epsilon",
    source: rlp`
      pipeline p {
        dims P, G
        input reward: f32[P,G]
        advantage A = (reward - mean(reward, over=G)) / std(reward, over=G)
      }
    `,
    line: 4,
    col: 49,
    message: "normalising by a std without an epsilon divides by 0 for a constant group; add one: x / (std(...) + 1e-6)",
    fix: "Add an epsilon to the std, or use `group_norm(reward, over=G)`.",
    fixed: rlp`
      pipeline p {
        dims P, G
        input reward: f32[P,G]
        advantage A = (reward - mean(reward, over=G)) / (std(reward, over=G) + 1e-6)
      }
    `,
  },
  {
    code: "RLP403",
    title: "k1 KL estimate as a loss term",
    source: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input ref_logp: f32[B,T]
        input mask: bool[B,T]
        loss kl = token_mean(kl_k1(logp, ref_logp), mask)
      }
    `,
    line: 6,
    col: 13,
    message: "loss 'kl' uses the k1 KL estimate (logp - ref_logp) as a loss term",
    fix: "Use `kl_k3` (or `kl_k2`) in a loss; keep k1 for a KL penalty in the reward.",
    fixed: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input ref_logp: f32[B,T]
        input mask: bool[B,T]
        loss kl = token_mean(kl_k3(logp, ref_logp), mask)
      }
    `,
  },
  {
    code: "RLP404",
    title: "length-biased aggregation",
    source: rlp`
      pipeline p {
        dims P, G, T
        input logp: f32[P,G,T] @policy
        input old_logp: f32[P,G,T]
        input A: f32[P,G]
        input mask: bool[P,G,T]
        let pg, clipped = ppo_clip(logp, old_logp, A)
        loss L = seq_mean_token_mean(pg, mask)
      }
    `,
    line: 8,
    col: 12,
    message:
      "loss 'L' is aggregated per sequence then per token (seq_mean_token_mean), which weights tokens of short responses more (Dr. GRPO, Liu et al. 2025)",
    fix: "Aggregate with `token_mean` or `seq_mean_token_sum_norm`, or silence the note where the original GRPO aggregation is intended.",
    fixed: rlp`
      pipeline p {
        dims P, G, T
        input logp: f32[P,G,T] @policy
        input old_logp: f32[P,G,T]
        input A: f32[P,G]
        input mask: bool[P,G,T]
        let pg, clipped = ppo_clip(logp, old_logp, A)
        loss L = token_mean(pg, mask)
      }
    `,
  },
  {
    code: "RLP405",
    title: "raw division by a count",
    source: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input mask: bool[B,T]
        loss L = sum(logp, over=[B,T], where=mask) / count(mask, over=[B,T])
      }
    `,
    line: 5,
    col: 46,
    message: "division by a count or sum of a mask can be 0/0 for an all-masked row; use safe_div(a, b, b > 0, 0.0)",
    fix: "Divide with `safe_div(a, n, n > 0, 0.0)`, or use `token_mean(x, mask)`.",
    fixed: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T] @policy
        input mask: bool[B,T]
        loss L = token_mean(logp, mask)
      }
    `,
  },
  {
    code: "RLP406",
    title: "a max over padding",
    source: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T]
        input mask: bool[B,T]
        metric worst = mean(min(logp, over=T), over=B)
      }
    `,
    line: 5,
    col: 23,
    message: "min over T without a mask mixes padding positions into the result",
    fix: "Reduce only the valid positions: `min(logp, over=T, where=mask, empty=0.0)`.",
    fixed: rlp`
      pipeline p {
        dims B, T
        input logp: f32[B,T]
        input mask: bool[B,T]
        metric worst = mean(min(logp, over=T, where=mask, empty=0.0), over=B)
      }
    `,
  },
  {
    code: "RLP407",
    title: "a masked mean of an empty row is 0",
    source: rlp`
      pipeline p {
        dims B, T
        input x: f32[B,T]
        input mask: bool[B,T]
        output row_mean = mean(x, over=T, where=mask)
      }
    `,
    line: 5,
    col: 21,
    message: "a row whose mask is all false has no elements: this mean gives 0 there, never NaN",
    fix: "Nothing to fix when 0 is the right value for an empty response; otherwise select those rows with `where(count(mask, over=T) > 0, ..., fill)`.",
  },
  // Custom nodes in TypeScript (plugins): test/diagnostics/plugin_cases.ts.
  ...pluginCases,
];

/** An input-file problem of `rlp eval` (RLP5xx): a program, an inputs.json that the reader rejects with `code`. */
export interface InputCase {
  code: InputErrorCode;
  /** A short name of the problem. */
  title: string;
  program: string;
  /** The text of inputs.json. */
  inputs: string;
  /** `--set name=value` flags of `rlp eval`. */
  set?: Record<string, string>;
}

const INPUTS_PROGRAM = rlp`
  pipeline p {
    dims B, T
    input logp: f32[B,T] @policy
    input mask: bool[B,T]
    input reward: f32[B]
    loss L = token_mean(-reward * logp, mask)
  }
`;

const PAIRS_PROGRAM = rlp`
  pipeline pairs {
    dims P
    dim Y = {w, l}
    input score: f32[P,Y] @policy
    loss L = mean(score[Y=w] - score[Y=l], over=P)
  }
`;

export const inputCases: InputCase[] = [
  {
    code: "RLP501",
    title: "a declared input is missing",
    program: INPUTS_PROGRAM,
    inputs: `{ "logp": [[-0.5, -1.2]], "mask": [[true, false]] }`,
  },
  {
    code: "RLP502",
    title: "data with the wrong number of dims",
    program: INPUTS_PROGRAM,
    inputs: `{ "logp": [[-0.5, -1.2]], "mask": [[true, false]], "reward": [[1.0]] }`,
  },
  {
    code: "RLP503",
    title: "a dim with two sizes",
    program: INPUTS_PROGRAM,
    inputs: `{ "logp": [[-0.5, -1.2]], "mask": [[true, false]], "reward": [1.0, 0.0] }`,
  },
  {
    code: "RLP504",
    title: "a NaN in the data",
    program: INPUTS_PROGRAM,
    inputs: `{ "logp": [[-0.5, -1.2]], "mask": [[true, false]], "reward": ["NaN"] }`,
  },
  {
    code: "RLP505",
    title: "a value of the wrong kind",
    program: INPUTS_PROGRAM,
    inputs: `{ "logp": [[-0.5, -1.2]], "mask": [[1, 2]], "reward": [1.0] }`,
  },
  {
    code: "RLP506",
    title: "'dims' that do not match the declaration",
    program: INPUTS_PROGRAM,
    inputs: `{ "logp": { "dims": ["B", "S"], "data": [[-0.5, -1.2]] }, "mask": [[true, false]], "reward": [1.0] }`,
  },
  {
    code: "RLP507",
    title: "not an object of inputs",
    program: INPUTS_PROGRAM,
    inputs: `[[-0.5, -1.2], [true, false], [1.0]]`,
  },
  {
    code: "RLP508",
    title: "a labelled dim of the wrong size",
    program: PAIRS_PROGRAM,
    inputs: `{ "score": [[0.9, 0.1, 0.3]] }`,
  },
  {
    code: "RLP509",
    title: "--set of a name the pipeline does not have",
    program: INPUTS_PROGRAM,
    inputs: `{ "logp": [[-0.5, -1.2]], "mask": [[true, false]], "reward": [1.0] }`,
    set: { rewrd: "1.0" },
  },
];
