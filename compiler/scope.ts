// The global namespace: every node, enum and top-level dim of the std library, the root file and the
// files it imports. A user declaration may not silently shadow a std one (`override node` says it is meant).
import type { DimDecl, EnumDecl, NodeDecl, PipelineDecl, Span } from "../grammar/ast.ts";
import { diag, type Diagnostic } from "../grammar/diagnostic.ts";
import type { LoadResult } from "./load.ts";
import type { PluginNode } from "./plugin/read.ts";

export interface GlobalScope {
  nodes: Map<string, { decl: NodeDecl; isStd: boolean }>;
  /** Custom nodes written in TypeScript (imported plugins). They share the nodes' namespace. */
  customNodes: Map<string, PluginNode>;
  /** Custom nodes whose definition could not be read (already reported): calls of them are not reported again. */
  unreadableNodes: ReadonlySet<string>;
  enums: Map<string, { decl: EnumDecl; labels: string[] }>;
  /** Top-level `dim Y = {w, l}` declarations. */
  dims: Map<string, DimDecl>;
  /** Pipelines of the root file, in source order. */
  pipelines: PipelineDecl[];
}

export function buildGlobalScope(load: LoadResult): { scope: GlobalScope; diagnostics: Diagnostic[] } {
  const scope: GlobalScope = {
    nodes: new Map(),
    customNodes: new Map(),
    unreadableNodes: load.unreadableNodes,
    enums: new Map(),
    dims: new Map(),
    pipelines: [],
  };
  const diagnostics: Diagnostic[] = [];
  const firstSeen = new Map<string, { span: Span; isStd: boolean }>();

  /** `advice`: how to override on purpose (a TS node says it differently from a .rlp one). */
  const claim = (
    name: string,
    span: Span,
    isStd: boolean,
    isOverride: boolean,
    what: string,
    advice = `write 'override node ${name}'`,
  ): boolean => {
    const prev = firstSeen.get(name);
    if (!prev) {
      firstSeen.set(name, { span, isStd });
      return true;
    }
    if (prev.isStd && !isStd) {
      if (isOverride) {
        firstSeen.set(name, { span, isStd });
        return true;
      }
      diagnostics.push(
        diag(
          "RLP106",
          `${what} '${name}' has the same name as a std ${what}; rename it, or ${advice} to replace the std one on purpose`,
          span,
          [{ message: `the std '${name}' is declared here`, span: prev.span }],
        ),
      );
      return false;
    }
    diagnostics.push(diag("RLP103", `'${name}' is declared twice`, span, [{ message: "first declared here", span: prev.span }]));
    return false;
  };

  // Std first, so user files are the ones that may override.
  const ordered = [...load.files.values()].sort((a, b) => Number(b.isStd) - Number(a.isStd));
  for (const file of ordered) {
    for (const d of file.ast.decls) {
      switch (d.kind) {
        case "node":
          if (d.override && file.isStd) break;
          if (d.override && !scope.nodes.get(d.name.name)?.isStd) {
            diagnostics.push(
              diag("RLP107", `'override node ${d.name.name}' overrides nothing: there is no std node of that name`, d.name.span),
            );
          }
          if (claim(d.name.name, d.name.span, file.isStd, d.override, "node"))
            scope.nodes.set(d.name.name, { decl: d, isStd: file.isStd });
          break;
        case "enum":
          if (claim(d.name.name, d.name.span, file.isStd, false, "enum")) {
            scope.enums.set(d.name.name, { decl: d, labels: d.labels.map((l) => l.name) });
          }
          break;
        case "dimdecl":
          if (claim(d.name.name, d.name.span, file.isStd, false, "dim")) scope.dims.set(d.name.name, d);
          break;
        case "pipeline":
          if (file.path === load.root) scope.pipelines.push(d);
          break;
        case "import":
          break;
      }
    }
  }
  for (const nodes of load.plugins.values()) {
    for (const n of nodes) {
      const std = scope.nodes.get(n.name)?.isStd === true;
      if (n.override && !std) {
        diagnostics.push(
          diag("RLP107", `'override: true' on node '${n.name}' overrides nothing: there is no std node of that name`, n.span),
        );
      }
      const advice = `add 'override: true' to its defineNode({...})`;
      if (!claim(n.name, n.span, false, n.override, "node", advice)) continue;
      scope.customNodes.set(n.name, n);
      // Calls resolve .rlp nodes first: the replaced std node must go.
      if (std) scope.nodes.delete(n.name);
    }
  }
  return { scope, diagnostics };
}
