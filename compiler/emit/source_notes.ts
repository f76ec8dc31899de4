// SourceNotes: where a declaration is in the .rlp source (`grpo.rlp:10`) and its trailing `//` comment, for TSDoc.
import type { Span } from "../../grammar/ast.ts";

export class SourceNotes {
  constructor(
    private readonly sources: ReadonlyMap<string, string> | undefined,
    private readonly display: string,
  ) {}

  /** `grpo.rlp:10` for a span. */
  where(span: Span | undefined): string {
    return span ? `${this.display}:${span.line}` : this.display;
  }

  /** The `//` comment that ends the line where a declaration ends, if any. */
  comment(span: Span | undefined): string | undefined {
    const text = span ? this.sources?.get(span.file) : undefined;
    if (!text || !span) return undefined;
    const eol = text.indexOf("\n", span.end);
    const rest = text.slice(span.end, eol < 0 ? undefined : eol);
    const m = /\/\/\s?(.*?)\s*$/.exec(rest);
    return m && m[1] ? m[1] : undefined;
  }

  /**
   * A declaration the IR keeps no span for (`state NAME ...`), found in the pipeline's body in `file`: where it is
   * (`dcpo.rlp:23`) and its trailing comment.
   */
  find(file: string | undefined, pipeline: string, keyword: string, name: string): { where: string; comment?: string } {
    const text = file === undefined ? undefined : this.sources?.get(file);
    const from = text?.search(new RegExp(`\\bpipeline\\s+${pipeline}\\b`)) ?? -1;
    if (!text || from < 0) return { where: this.display };
    const re = new RegExp(`^[ \\t]*${keyword}[ \\t]+${name}\\b[^\\n]*`, "m");
    const m = re.exec(text.slice(from));
    if (!m) return { where: this.display };
    const at = from + m.index;
    const line = text.slice(0, at).split("\n").length;
    const comment = /\/\/\s?(.*?)\s*$/.exec(m[0])?.[1];
    return { where: `${this.display}:${line}`, ...(comment ? { comment } : {}) };
  }
}
