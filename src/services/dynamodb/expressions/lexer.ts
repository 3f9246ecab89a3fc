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
  /** A bad token's whole lexeme ends here (`_abc` is refused at its `_`, and quoted whole). */
  lexemeEnd?: number;
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
    if (c === "_") {
      // An attribute name must start with a letter.
      while (i < text.length && WORD.test(text[i])) i++;
      tokens.push({ kind: "bad", text: "_", start, end: start + 1, lexemeEnd: i });
      continue;
    } else if (/[A-Za-z]/.test(c)) {
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
      i += String.fromCodePoint(text.codePointAt(i)!).length;
      kind = "bad";
    }
    tokens.push({ kind, text: text.slice(start, i), start, end: i });
  }
  tokens.push({ kind: "eof", text: "<EOF>", start: text.length, end: text.length });
  return tokens;
}
