// The value of a literal written in a plugin's source (a JSON Schema in `params: {...}`), read without running it.
import type { Node, NumericLiteral } from "ts-morph";
import { morph } from "./morph.ts";

export class NotLiteral extends Error {
  constructor(
    readonly node: Node,
    what: string,
  ) {
    super(`${what} is not a literal`);
  }
}

/** Objects, arrays, strings, numbers (with a sign), true, false and null; anything else throws NotLiteral. */
export function literalValue(n: Node): unknown {
  const { Node } = morph();
  if (Node.isParenthesizedExpression(n) || Node.isAsExpression(n) || Node.isSatisfiesExpression(n))
    return literalValue(n.getExpression());
  if (Node.isStringLiteral(n) || Node.isNoSubstitutionTemplateLiteral(n)) return n.getLiteralText();
  if (Node.isNumericLiteral(n)) return n.getLiteralValue();
  if (Node.isTrueLiteral(n)) return true;
  if (Node.isFalseLiteral(n)) return false;
  if (Node.isNullLiteral(n)) return null;
  if (Node.isPrefixUnaryExpression(n) && Node.isNumericLiteral(n.getOperand())) {
    const v = (n.getOperand() as NumericLiteral).getLiteralValue();
    const op = n.getText().trim()[0];
    if (op === "-") return -v;
    if (op === "+") return v;
  }
  if (Node.isArrayLiteralExpression(n)) return n.getElements().map(literalValue);
  if (Node.isObjectLiteralExpression(n)) {
    const out: Record<string, unknown> = {};
    for (const p of n.getProperties()) {
      if (!Node.isPropertyAssignment(p)) throw new NotLiteral(p, `'${p.getText()}'`);
      const nameNode = p.getNameNode();
      const key =
        Node.isStringLiteral(nameNode) || Node.isNumericLiteral(nameNode)
          ? String(nameNode.getLiteralValue())
          : nameNode.getText();
      out[key] = literalValue(p.getInitializerOrThrow());
    }
    return out;
  }
  throw new NotLiteral(n, `'${n.getText()}'`);
}
