// Tasks: the plugin interface (types.ts) and the built-in tasks (builtin.ts).
export { charVocabulary, SPECIAL_TOKENS, type Prompt, type Task, type Vocabulary } from "./types.ts";
export { builtinTask, DEFAULT_TASK, problemTask, taskNames, type ProblemSpace } from "./builtin.ts";
export { resolveTask, TaskError } from "./load.ts";
