// Policies (exported as `rlpc/policy`): the plugin interface (types.ts; autoregressive.ts: a base class that needs
// only a forward pass; load.ts: `--policy PATH`), the built-in causal transformer (trunk.ts: the body;
// transformer.ts: the policy; critic.ts: the value model), save/load (io.ts).
export type { NamedParameter, Policy, Responses, SampleOptions, TokenStats } from "./types.ts";
export type { TF, TfTensor } from "../../backends/tfjs/index.ts";
export { AutoregressivePolicy } from "./autoregressive.ts";
export { builtinPolicy, PolicyError, resolvePolicy, type PolicyFactory } from "./load.ts";
export { POLICY_SIZES, TransformerPolicy, type TransformerConfig } from "./transformer.ts";
export { TransformerCritic } from "./critic.ts";
export { loadPolicy, packWeights, readWeights, savePolicy, unpackWeights, type WeightIndex } from "./io.ts";
