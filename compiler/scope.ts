// The global namespace: every node, enum and top-level dim of the std library, the root file and the
// files it imports. A user declaration may not silently shadow a std one (`override node` says it is meant).
import type { DimDecl, EnumDecl, NodeDecl, PipelineDecl, Span } from "../grammar/ast.ts";
import { diag, type Diagnostic } from "../grammar/diagnostic.ts";
import type { LoadResult } from "./load.ts";

export interface GlobalScope {
  nodes: Map<string, { decl: NodeDecl; isStd: boolean }>;
  enums: Map<string, { decl: EnumDecl; labels: string[] }>;
  /** Top-level `dim Y = {w, l}` declarations. */
  dims: Map<string, DimDecl>;
  /** Pipelines of the root file, in source order. */
  pipelines: PipelineDecl[];
}

export function buildGlobalScope(load: LoadResult): { scope: GlobalScope; diagnostics: Diagnostic[] } {
  const scope: GlobalScope = { nodes: new Map(), enums: new Map(), dims: new Map(), pipelines: [] };
  const diagnostics: Diagnostic[] = [];
  const firstSeen = new Map<string, { span: Span; isStd: boolean }>();

  const claim = (name: string, span: Span, isStd: boolean, isOverride: boolean, what: string): boolean => {
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
        diag("RLP106", `${what} '${name}' has the same name as a std ${what}; rename it, or write 'override node ${name}' to replace the std one on purpose`, span, [
          { message: `the std '${name}' is declared here`, span: prev.span },
        ]),
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
            diagnostics.push(diag("RLP107", `'override node ${d.name.name}' overrides nothing: there is no std node of that name`, d.name.span));
          }
          if (claim(d.name.name, d.name.span, file.isStd, d.override, "node")) scope.nodes.set(d.name.name, { decl: d, isStd: file.isStd });
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
  return { scope, diagnostics };
}
