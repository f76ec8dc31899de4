// The text of `rlp --help` and `rlp help COMMAND`.

export const USAGE = `usage: rlp <command> [options]

commands:
  check FILE...          type-check pipelines and report diagnostics
  eval FILE --inputs F   run a pipeline on inputs with the reference evaluator
  compile FILE -o DIR    emit a TypeScript module per pipeline (or --dump kernels|js)
  test [DIR]             run golden-output tests (--update records them)
  graph FILE -o OUT      draw the dataflow graph (svg, dot or html)
  train FILE             train a policy on a task (rollout, reward, compiled loss, Adam)
  list                   the standard library's methods
  explain NAME           a method, std node or builtin: signature, definition, source
  help [COMMAND]         show help

options:
  -h, --help             show help
  --version              print the version

Run 'rlp help COMMAND' for a command's options.`;

export const COMMAND_HELP: Record<string, string> = {
  check: `usage: rlp check FILE... [--format text|json] [--set name=value]... [--allow CODE]...

Compiles each FILE and reports every diagnostic (on stderr; with --format json, a JSON array on stdout).
Exit status: 0 when there are no errors (warnings allowed), 1 otherwise.

options:
  --format text|json     how to report diagnostics (default text)
  --set name=value       override a param (repeatable)
  --allow CODE           switch a lint off, e.g. --allow RLP404 (repeatable; lints only, see docs/diagnostics.md)`,
  eval: `usage: rlp eval FILE --inputs F.json|F.safetensors [--set name=value]... [--grad] [--out F] [--pipeline NAME]

Compiles FILE, reads its inputs, runs the reference (float64) evaluator and prints every loss, output, metric and
advantage as JSON {name: {dims, shape, data}} (data flat, row-major). The value of a rollout, reward or
advantage stage may be given in the inputs file under the stage's name: then it is used instead of computed.
Exit status: 0 ok, 1 compile errors, 2 bad inputs or a run-time error (a failed require), 74 cannot write --out.

options:
  --inputs FILE          the inputs: JSON {name: {dims?, shape?, data}} or safetensors
  --set name=value       override a param, or set an input to a scalar broadcast to its dims (repeatable)
  --grad                 also print dL/dx for each loss L and each differentiable input x
  --out FILE             write the results to FILE (.safetensors: F64 tensors; otherwise JSON), atomically;
                         '-' is stdout
  --pipeline NAME        the pipeline to run when FILE declares several`,
  help: `usage: rlp help [COMMAND]

Shows the general help, or the help of COMMAND.`,
};
