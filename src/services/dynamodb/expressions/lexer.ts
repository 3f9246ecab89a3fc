/**
 * The tokens of DynamoDB's expression language. Whitespace separates tokens and is dropped; each
 * token keeps its place in the text, because AWS's syntax errors quote the text around the offending
 * token (`Syntax error; token: "c", near: "b c"`).
 */
export type TokenKind =
  | "word" // attribute name, keyword or function name
  | "name" // #placeholder
  | "value" // :placeholder
  | "number" // digits (list indexes)
  | "punct" // ( ) , . [ ] + - = <> < <= > >=
  | "bad" // a character the language has no use for
  | "eof";

export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
}

const WORD = /[A-Za-z0-9_]/;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    const start = i;
    let kind: TokenKind;
    if (/[A-Za-z_]/.test(c)) {
      while (i < text.length && WORD.test(text[i])) i++;
      kind = "word";
    } else if (/[0-9]/.test(c)) {
      while (i < text.length && /[0-9]/.test(text[i])) i++;
      kind = "number";
    } else if (c === "#" || c === ":") {
      i++;
      while (i < text.length && WORD.test(text[i])) i++;
      kind = i - start > 1 ? (c === "#" ? "name" : "value") : "bad";
    } else if ((c === "<" && (text[i + 1] === ">" || text[i + 1] === "=")) || (c === ">" && text[i + 1] === "=")) {
      i += 2;
      kind = "punct";
    } else if ("(),.[]+-=<>".includes(c)) {
      i++;
      kind = "punct";
    } else {
      i += c.length;
      kind = "bad";
    }
    tokens.push({ kind, text: text.slice(start, i), start, end: i });
  }
  tokens.push({ kind: "eof", text: "<EOF>", start: text.length, end: text.length });
  return tokens;
}
