// The graph model of `rlp graph` as data: boxes, edges, clusters, and the kernel plan it may be drawn with.
import type { Span } from "../../../grammar/ast.ts";
import type { IRProgram, IRType } from "../../../compiler/ir/ir.ts";

/** The stages a box can belong to, in pipeline order. */
export const STAGES = ["rollout", "reward", "advantage", "loss", "metric", "output", "update"] as const;
export type StageName = (typeof STAGES)[number];

export type GraphNodeKind = "input" | "param" | "state" | "call" | "expr" | "result";

export interface GraphNode {
  /** Unique, usable as an XML id and a DOT identifier. */
  id: string;
  kind: GraphNodeKind;
  /** The box's first line: the input or param name, the node called, the operator or builtin, `loss L`. */
  title: string;
  /**
   * The second line: the type of a source, the statement a box computes (`advantage A`, `let pg, clipped`), or the
   * source text.
   */
  detail: string;
  /** Computing boxes and sinks: the stage they belong to. Absent for sources and for values no result uses. */
  stage?: StageName;
  /** The IR nodes the box stands for. */
  irNodes: number[];
  /** Where the user wrote it (the call, the expression, the declaration). */
  span?: Span;
  /** With a kernel plan: the kernel cluster holding this box. */
  kernel?: string;
}

export interface GraphEdge {
  id: string;
  from: string;
  to: string;
  /** The value's type as text: `f32[P,G,T] ∇policy`, `bool[P,G,T]`, `f32[]`; `... static` for a param folded at compile time. */
  label: string;
  /** The name of the value when it has one (an input, a param, a result, a single-name `let`). */
  name?: string;
  /** The IR node whose value flows (absent for a static param reference). */
  value?: number;
  type?: IRType;
  grad: string[];
  /** A compile-time param reference (drawn dashed): the value was folded into the box. */
  static: boolean;
}

export interface GraphCluster {
  id: string;
  kind: "stage" | "kernel";
  title: string;
  detail?: string;
  stage?: StageName;
  /** Ids of the boxes inside. */
  nodes: string[];
}

export interface GraphModel {
  pipeline: string;
  /** The pipeline's source file. */
  file?: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  clusters: GraphCluster[];
  /** True when the clusters are fused kernels (and stages are shown by colour only). */
  kernels: boolean;
}

/** One kernel of a plan, as much as the picture needs (compiler/fuse's Kernel fits). */
export interface KernelLike {
  /** The kernel's name (`k0`, ...); else `id`, else `index`, else its position in the plan. */
  name?: string;
  id?: string | number;
  index?: number;
  /** `loop`, `scan`, `library`, ... */
  kind: string;
  /** The loop nest's dims (or `space`). */
  nest?: readonly string[];
  space?: unknown;
  /** The IR nodes the kernel computes. */
  nodes: readonly number[];
}

/** The part of compiler/fuse's KernelPlan that the picture needs. */
export interface KernelPlanLike {
  /** The program whose node ids the kernels use (fusion lowers the program first); absent: the program drawn. */
  program?: IRProgram;
  kernels: readonly KernelLike[];
}

export interface GraphModelOptions {
  /** Source texts by path (CompileResult.sources): labels and let names come from the pipeline's source. */
  sources?: ReadonlyMap<string, string>;
  /**
   * Draw these kernels as clusters around the boxes they compute. Node ids refer to `kernels.program` when the plan
   * has one (then that program is the one drawn), else to `program`.
   */
  kernels?: KernelPlanLike;
}
