/**
 * What JSON and space-delimited filter patterns share: their tokens, the values a condition compares
 * with (numbers, strings with `*` wildcards, `%regex%`), the comparison operators, and the boolean
 * expressions (`&&` binds tighter than `||`, parentheses) conditions are combined into.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
import { awsError, type AwsError } from "../../errors.js";
import { compileRegex, type TextMatcher } from "./filter-pattern-regex.js";

/** AWS's answer to every pattern it cannot parse (FilterLogEvents, StartLiveTail, metric and subscription filters). */
export function invalidPattern(): AwsError {
  return awsError("InvalidParameterException", "Invalid filter pattern");
}

export type Token =
  | { t: "(" | ")" | "," | "&&" | "||" | "..." }
  | { t: "op"; op: Operator }
  | { t: "word"; v: string }
  | { t: "string"; v: string }
  | { t: "regex"; v: string };

export type Operator = "=" | "!=" | "<" | "<=" | ">" | ">=";

/** Characters that end an unquoted word (a selector, a field name, a value, IS/NULL/NOT/EXISTS). */
const WORD_END = /[\s(),"=!<>&|%]/;

/** Splits the inside of `{…}` or `[…]` into tokens; anything it cannot read is an invalid pattern. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")" || c === ",") {
      out.push({ t: c });
      i++;
    } else if (src.startsWith("&&", i) || src.startsWith("||", i)) {
      out.push({ t: src.slice(i, i + 2) as "&&" | "||" });
      i += 2;
    } else if (src.startsWith("...", i)) {
      out.push({ t: "..." });
      i += 3;
    } else if (/[=!<>]/.test(c)) {
      const two = src.slice(i, i + 2);
      const op = (["!=", "<=", ">="] as const).find((o) => o === two) ?? (c === "!" ? undefined : (c as Operator));
      if (!op) throw invalidPattern();
      out.push({ t: "op", op });
      i += op.length;
    } else if (c === '"') {
      const [v, end] = readQuoted(src, i);
      out.push({ t: "string", v });
      i = end;
    } else if (c === "%") {
      const end = src.indexOf("%", i + 1);
      if (end < 0) throw invalidPattern();
      out.push({ t: "regex", v: src.slice(i + 1, end) });
      i = end + 1;
    } else {
      let j = i;
      while (j < src.length && !WORD_END.test(src[j]!)) {
        // A JSON selector's `['cluster.name']` may hold any character but `'`.
        const close = src.startsWith("['", j) ? src.indexOf("']", j + 2) : -1;
        j = close >= 0 ? close + 2 : j + 1;
      }
      out.push({ t: "word", v: src.slice(i, j) });
      i = j;
    }
  }
  return out;
}

/** A double-quoted string starting at `start`: its text (`\"` and `\\` unescaped) and the index after it. */
export function readQuoted(src: string, start: number): [string, number] {
  let v = "";
  for (let i = start + 1; i < src.length; i++) {
    const c = src[i]!;
    if (c === "\\" && i + 1 < src.length) v += src[++i];
    else if (c === '"') return [v, i + 1];
    else v += c;
  }
  throw invalidPattern();
}

/** The number grammar of AWS's numeric comparisons: optional sign, integer or decimal, optional exponent. */
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** Unquoted strings: AWS wants `@`, `$`, `\` and other symbols quoted. */
const BARE_STRING = /^[A-Za-z0-9_.*:/+-]+$/;

/** The right-hand side of a comparison. */
export type Value =
  | { kind: "number"; n: number }
  | { kind: "text"; test: (s: string) => boolean; literal?: string }
  | { kind: "regex"; re: TextMatcher };

/**
 * A text value. `*` is a wildcard at the start or end ("*Event" matches "PutEvent", "Event*" matches
 * "EventId"); in the middle it is itself ("Ev*ent" matches only "Ev*ent").
 */
function textValue(s: string): Value {
  const lead = s.startsWith("*");
  const trail = s.length > 1 && s.endsWith("*");
  const core = s.slice(lead ? 1 : 0, trail ? -1 : undefined);
  if (lead && trail) return { kind: "text", test: (x) => x.includes(core) };
  if (lead) return { kind: "text", test: (x) => x.endsWith(core) };
  if (trail) return { kind: "text", test: (x) => x.startsWith(core) };
  return { kind: "text", test: (x) => x === core, literal: core };
}

export function parseValue(tok: Token | undefined): Value {
  if (!tok) throw invalidPattern();
  if (tok.t === "string") return textValue(tok.v);
  if (tok.t === "regex") return { kind: "regex", re: compileRegex(tok.v) };
  if (tok.t !== "word") throw invalidPattern();
  if (NUMBER.test(tok.v)) return { kind: "number", n: Number(tok.v) };
  if (!BARE_STRING.test(tok.v)) throw invalidPattern();
  return textValue(tok.v);
}

/** Whether a comparison operator and value fit: `<`, `>`, `<=`, `>=` compare numbers only. */
export function checkComparison(op: Operator, value: Value): void {
  if (op !== "=" && op !== "!=" && value.kind !== "number") throw invalidPattern();
}

/**
 * A field's value against a condition. `field` is a JSON string or number, or a space-delimited
 * field's text. Numbers compare numerically (a text field that is not a number never satisfies a
 * numeric condition); text values and regexes see a number as its JSON text, as `{ $.latency = * }`
 * matches a numeric latency.
 */
export function compare(field: string | number, op: Operator, value: Value): boolean {
  if (value.kind === "number") {
    const n = typeof field === "number" ? field : NUMBER.test(field) ? Number(field) : undefined;
    if (n === undefined) return false;
    switch (op) {
      case "=": return n === value.n;
      case "!=": return n !== value.n;
      case "<": return n < value.n;
      case "<=": return n <= value.n;
      case ">": return n > value.n;
      case ">=": return n >= value.n;
    }
  }
  const s = String(field);
  const hit = value.kind === "regex" ? value.re.test(s) : value.test(s);
  return op === "=" ? hit : !hit;
}

/** A boolean combination of conditions of type `C`. */
export type Expr<C> = { and: Expr<C>[] } | { or: Expr<C>[] } | { cond: C };

/** A cursor over tokens, for the recursive-descent parsers. */
export class Tokens {
  private i = 0;
  constructor(private readonly toks: Token[]) {}
  peek(): Token | undefined {
    return this.toks[this.i];
  }
  next(): Token | undefined {
    return this.toks[this.i++];
  }
  done(): boolean {
    return this.i >= this.toks.length;
  }
}

/**
 * `a || b && (c || d)`: `&&` binds tighter than `||`, as AWS's JSON compound conditions do.
 * `atom` parses one condition; `parens` says whether `(…)` groups are allowed.
 */
export function parseExpr<C>(ts: Tokens, atom: (ts: Tokens) => C, parens: boolean): Expr<C> {
  const ors: Expr<C>[] = [parseAnd(ts, atom, parens)];
  while (ts.peek()?.t === "||") {
    ts.next();
    ors.push(parseAnd(ts, atom, parens));
  }
  return ors.length === 1 ? ors[0]! : { or: ors };
}

function parseAnd<C>(ts: Tokens, atom: (ts: Tokens) => C, parens: boolean): Expr<C> {
  const ands: Expr<C>[] = [parseUnit(ts, atom, parens)];
  while (ts.peek()?.t === "&&") {
    ts.next();
    ands.push(parseUnit(ts, atom, parens));
  }
  return ands.length === 1 ? ands[0]! : { and: ands };
}

function parseUnit<C>(ts: Tokens, atom: (ts: Tokens) => C, parens: boolean): Expr<C> {
  if (parens && ts.peek()?.t === "(") {
    ts.next();
    const e = parseExpr(ts, atom, parens);
    if (ts.next()?.t !== ")") throw invalidPattern();
    return e;
  }
  return { cond: atom(ts) };
}

export function evaluate<C>(e: Expr<C>, test: (c: C) => boolean): boolean {
  if ("and" in e) return e.and.every((x) => evaluate(x, test));
  if ("or" in e) return e.or.some((x) => evaluate(x, test));
  return test(e.cond);
}

export function conditionsOf<C>(e: Expr<C>): C[] {
  if ("and" in e) return e.and.flatMap(conditionsOf);
  if ("or" in e) return e.or.flatMap(conditionsOf);
  return [e.cond];
}

/**
 * Substrings any message satisfying `e` contains, as an AND of ORs: an AND keeps every side's
 * groups; an OR keeps one group made of one group from each side (when every side has one).
 * `literals` names the substrings a condition itself requires (all of them), first the one an OR
 * should take.
 */
export function mustContainOf<C>(e: Expr<C>, literals: (c: C) => readonly string[]): string[][] {
  if ("and" in e) return e.and.flatMap((x) => mustContainOf(x, literals));
  if ("or" in e) {
    const sides = e.or.map((x) => mustContainOf(x, literals));
    return sides.every((s) => s.length > 0) ? [[...new Set(sides.flatMap((s) => s[0]!))]] : [];
  }
  return literals(e.cond).map((s) => [s]);
}
