// Policies: the plugin interface (types.ts), the built-in causal transformer (trunk.ts: the body; transformer.ts: the
// policy; critic.ts: the value model), save/load (io.ts).
export type { NamedParameter, Policy, Responses, SampleOptions, TokenStats } from "./types.ts";
export { POLICY_SIZES, TransformerPolicy, type TransformerConfig } from "./transformer.ts";
export { TransformerCritic } from "./critic.ts";
export { loadPolicy, packWeights, readWeights, savePolicy, unpackWeights, type WeightIndex } from "./io.ts";
