// ts-morph, loaded on first use: only programs that import a TypeScript plugin pay for it (~0.4 s at start-up).
import { createRequire } from "node:module";
import type * as TsMorph from "ts-morph";

const require = createRequire(import.meta.url);
let loaded: typeof TsMorph | undefined;

export function morph(): typeof TsMorph {
  return (loaded ??= require("ts-morph") as typeof TsMorph);
}
