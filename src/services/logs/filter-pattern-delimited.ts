/**
 * Space-delimited filter patterns, `[ip, user, ..., status_code = 404 || status_code = 410, bytes > 1000]`:
 * the event splits into fields at spaces, where text in `"…"` or `[…]` is one field; the pattern
 * names the fields in order and puts conditions on them. `...` stands for as many fields as it takes;
 * without it the last field takes the rest of the event, so `[w1=ERROR, w2]` matches every event whose
 * first word is ERROR, as the page says.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html#matching-term-space-delimited-log-events
 */
import {
  type Expr, type Operator, type Token, type Value, Tokens, checkComparison, compare, conditionsOf, evaluate, invalidPattern, mustContainOf, parseExpr, parseValue, tokenize,
} from "./filter-pattern-conditions.js";
import type { CompiledFilterPattern } from "./filter-pattern.js";

type Condition = { name: string; op: Operator; value: Value };
/** `...`, or one field: named, optionally with conditions, or unnamed (an empty entry, as in `[..., status_code=4*,]`). */
type Slot = { ellipsis: true } | { name?: string; expr?: Expr<Condition> };

/** Field names: letters, digits, `_` and `-` (what the AWS CDK accepts as a column name). */
const NAME = /^[A-Za-z0-9_-]+$/;

function parseCondition(ts: Tokens): Condition {
  const name = ts.next();
  const op = ts.next();
  if (name?.t !== "word" || !NAME.test(name.v) || op?.t !== "op") throw invalidPattern();
  const value = parseValue(ts.next());
  checkComparison(op.op, value);
  return { name: name.v, op: op.op, value };
}

function parseSlot(toks: Token[]): Slot {
  const first = toks[0];
  if (!first) return {};
  if (first.t === "..." && toks.length === 1) return { ellipsis: true };
  if (first.t !== "word" || !NAME.test(first.v)) throw invalidPattern();
  if (toks.length === 1) return { name: first.v };
  const ts = new Tokens(toks);
  const expr = parseExpr(ts, parseCondition, false);
  if (!ts.done()) throw invalidPattern();
  // A field's conditions are on that field: AWS refuses `status_code = 4* && bytes > 1000`.
  if (conditionsOf(expr).some((c) => c.name !== first.v)) throw invalidPattern();
  return { name: first.v, expr };
}

/** The pattern's fields, split at commas; names are distinct, and `...` comes at most once (as the AWS CDK enforces). */
function parseSlots(toks: Token[]): Slot[] {
  if (toks.length === 0) return [];
  const groups: Token[][] = [[]];
  for (const t of toks) {
    if (t.t === ",") groups.push([]);
    else groups[groups.length - 1]!.push(t);
  }
  const slots = groups.map(parseSlot);
  const names = slots.flatMap((s) => ("name" in s && s.name ? [s.name] : []));
  if (new Set(names).size !== names.length || slots.filter((s) => "ellipsis" in s).length > 1) throw invalidPattern();
  return slots;
}

/** One field of an event: its text (quotes and brackets removed, `\"` unescaped) and where it starts. */
interface Field {
  text: string;
  start: number;
}

/** Space, tab, newline, carriage return, vertical tab, form feed: the characters fields are split at. */
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);

/** An event's fields: runs of non-space characters, or the text inside `"…"` or `[…]`. */
export function splitFields(message: string): Field[] {
  const fields: Field[] = [];
  const n = message.length;
  let i = 0;
  while (i < n) {
    const c = message.charCodeAt(i);
    if (isSpace(c)) {
      i++;
    } else if (c === 34 /* " */ || c === 91 /* [ */) {
      const close = c === 34 ? '"' : "]";
      let end = message.indexOf(close, i + 1);
      if (c === 34) while (end > 0 && message.charCodeAt(end - 1) === 92 /* \ */) end = message.indexOf(close, end + 1);
      if (end < 0) end = n;
      const text = message.slice(i + 1, end);
      fields.push({ text: c === 34 && text.includes("\\") ? text.replaceAll('\\"', '"') : text, start: i });
      i = end + 1;
    } else {
      let j = i + 1;
      while (j < n && !isSpace(message.charCodeAt(j))) j++;
      fields.push({ text: message.slice(i, j), start: i });
      i = j;
    }
  }
  return fields;
}

/**
 * Each slot's text in `message`, or undefined when the event has too few fields. With `...`, the
 * fields before it are the first ones and those after it the last ones; without it, the last slot
 * takes the rest of the event as written.
 */
function assign(slots: Slot[], message: string): (string | undefined)[] | undefined {
  const fields = splitFields(message);
  const e = slots.findIndex((s) => "ellipsis" in s);
  if (e >= 0) {
    if (fields.length < slots.length - 1) return undefined;
    return slots.map((_, i) => (i < e ? fields[i]!.text : i > e ? fields[fields.length - (slots.length - i)]!.text : undefined));
  }
  if (fields.length < slots.length) return undefined;
  const last = slots.length - 1;
  return slots.map((_, i) => (i === last && fields.length > slots.length ? message.slice(fields[i]!.start).trimEnd() : fields[i]!.text));
}

/** A condition's text appears verbatim in the event when it is an exact string without quoting characters. */
const literalsOf = (c: Condition): string[] =>
  c.op === "=" && c.value.kind === "text" && c.value.literal && !/["\\[\]]/.test(c.value.literal) ? [c.value.literal] : [];

/** Compiles the text between `[` and `]`. */
export function compileDelimitedPattern(body: string): CompiledFilterPattern {
  const toks = tokenize(body);
  if (toks.filter((t) => t.t === "regex").length > 2) throw invalidPattern();
  const slots = parseSlots(toks);
  const exprs = slots.flatMap((s) => ("expr" in s && s.expr ? [s.expr] : []));
  return {
    matchesAll: false,
    mustContain: exprs.flatMap((e) => mustContainOf(e, literalsOf)),
    match(message) {
      const texts = assign(slots, message);
      return texts !== undefined && slots.every((s, i) => !("expr" in s && s.expr) || evaluate(s.expr, (c) => compare(texts[i]!, c.op, c.value)));
    },
  };
}
