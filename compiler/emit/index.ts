// `rlp compile -o`: a checked pipeline as a readable TypeScript module that runs on rlpc/runtime (module.ts).
export { emitModule, typeName, type EmitOptions, type EmittedModule } from "./module.ts";
export type * from "../ir/module_spec.ts";
