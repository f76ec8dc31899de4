// The tfjs backend: backend selection, evaluation of an IRProgram with tfjs ops, and gradients (tfjs autograd, or
// the symbolic gradient program wrapped in tf.customGrad). See lower.ts and grad.ts for the semantics.
export {
  BackendError,
  BACKEND_ORDER,
  selectBackend,
  type BackendName,
  type SelectedBackend,
  type SelectOptions,
} from "./backend.ts";
export {
  disposeFeeds,
  evalTfjs,
  runTfjs,
  uploadInputs,
  type EvalTfjsOptions,
  type RunTfjsOptions,
  type TfFeeds,
  type TfjsRunResult,
} from "./lower.ts";
export {
  reachingInputs,
  tfjsAutogradGradients,
  tfjsCustomGrad,
  tfjsLossAndGrads,
  type CustomGradOptions,
  type TfjsCompiledLoss,
  type TfjsGradOptions,
} from "./grad.ts";
export type { TF, TfTensor } from "./types.ts";
