// Types shared by the tfjs backend's files.
import type * as tfjs from "@tensorflow/tfjs";
import type { IRNode, IRProgram } from "../../../compiler/ir/ir.ts";
import type { StateValue } from "../../library/ops/state.ts";

/** The tfjs module (any backend: the native packages re-export the same API). */
export type TF = typeof tfjs;
export type TfTensor = tfjs.Tensor;

/** A node's value on the device: a tf tensor laid out with exactly `dims` (canonical order). */
export interface Val {
  t: TfTensor;
  dims: string[];
}

/**
 * Ids are stored as int32 on the device. Values that are not int32 integers (large hashes, say) get codes counted
 * up from -2^31 (so they do not meet ids made by `id(i32)` in practice); `decode` maps codes back.
 */
export class IdCodec {
  private readonly enc = new Map<number, number>();
  private readonly dec = new Map<number, number>();
  private next = -2147483648;

  encode(v: number): number {
    if (Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) return v;
    let c = this.enc.get(v);
    if (c === undefined) {
      c = this.next++;
      this.enc.set(v, c);
      this.dec.set(c, v);
    }
    return c;
  }

  decode(c: number): number {
    return this.dec.get(c) ?? c;
  }
}

/** What a node's lowering receives. */
export interface LowerCtx {
  tf: TF;
  program: IRProgram;
  node: IRNode;
  /** The evaluated arguments (each in its node's canonical dims). */
  args: Val[];
  dimSizes: Record<string, number>;
  /** node.type.dims and their sizes. */
  dims: string[];
  shape: number[];
  /** Runs `fn` off the gradient tape: what it makes is a constant to tf.grads (masks, indices, detach). */
  untaped<T>(fn: () => T): T;
  state: Record<string, StateValue>;
  ids: IdCodec;
}
