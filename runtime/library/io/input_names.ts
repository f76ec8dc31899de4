// The tensor names an inputs file holds, read cheaply (JSON keys or the safetensors header), so the CLI can
// tell which stage values the user supplies before the full, validating read.
import { readFileSync } from "node:fs";
import { decodeSafetensors } from "./safetensors.ts";

export function inputNames(path: string): string[] {
  try {
    const bytes = readFileSync(path);
    if (/\.safetensors$/i.test(path)) return [...decodeSafetensors(bytes).tensors.keys()];
    const doc: unknown = JSON.parse(bytes.toString("utf8"));
    return doc !== null && typeof doc === "object" && !Array.isArray(doc) ? Object.keys(doc) : [];
  } catch {
    return []; // the full read reports the problem
  }
}
