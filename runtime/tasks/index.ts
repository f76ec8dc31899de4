// Tasks: the plugin interface (types.ts) and the built-in tasks (builtin.ts).
export { charVocabulary, SPECIAL_TOKENS, type Prompt, type Task, type Vocabulary } from "./types.ts";
export { builtinTask, DEFAULT_TASK, taskNames } from "./builtin.ts";
