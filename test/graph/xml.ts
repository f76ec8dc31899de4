// Strict XML parsing for the tests (a real parser: @xmldom/xmldom), and small DOM helpers.
import { DOMParser, type Document, type Element } from "@xmldom/xmldom";

/** Parses XML; any warning or error of the parser fails the test. */
export function parseXml(text: string, mime: "image/svg+xml" | "text/xml" = "text/xml"): Document {
  const parser = new DOMParser({
    onError: (level, message) => {
      throw new Error(`XML ${level}: ${message}`);
    },
  });
  return parser.parseFromString(text, mime);
}

export function elements(root: Document | Element, tag: string): Element[] {
  return Array.from(root.getElementsByTagName(tag));
}

export function classOf(e: Element): string[] {
  return (e.getAttribute("class") ?? "").split(/\s+/).filter((c) => c !== "");
}

/** The text of the first child element `tag` with class `cls` (or any class when undefined). */
export function childText(e: Element, tag: string, cls?: string): string | undefined {
  for (const c of elements(e, tag)) if (cls === undefined || classOf(c).includes(cls)) return c.textContent ?? "";
  return undefined;
}

export function num(e: Element, attr: string): number {
  const v = Number(e.getAttribute(attr));
  if (!Number.isFinite(v)) throw new Error(`attribute ${attr} of <${e.tagName}> is not a number: ${e.getAttribute(attr)}`);
  return v;
}
