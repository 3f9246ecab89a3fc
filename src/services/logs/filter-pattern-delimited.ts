/**
 * Space-delimited filter patterns, `[ip, user, ..., status_code = 4* && status_code != 403, bytes > 1000]`:
 * the event splits into fields at spaces, where text in `"…"` or `[…]` is one field; the pattern
 * names the fields in order (`...` stands for any number of them) and puts conditions on them.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
import {
  type Expr, type Operator, type Token, type Value, Tokens, checkComparison, compare, conditionsOf, evaluate, invalidPattern, mustContainOf, parseExpr, parseValue, tokenize,
} from "./filter-pattern-conditions.js";
import type { CompiledFilterPattern } from "./filter-pattern.js";

type Condition = { name: string; op: Operator; value: Value };
type Slot = { ellipsis: true } | { name: string; expr?: Expr<Condition> };

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
  if (first?.t === "..." && toks.length === 1) return { ellipsis: true };
  if (first?.t !== "word" || !NAME.test(first.v)) throw invalidPattern();
  if (toks.length === 1) return { name: first.v };
  const ts = new Tokens(toks);
  const expr = parseExpr(ts, parseCondition, false);
  if (!ts.done()) throw invalidPattern();
  // A slot's conditions are on its own field: AWS refuses `status_code = 4* && bytes > 1000`.
  if (conditionsOf(expr).some((c) => c.name !== first.v)) throw invalidPattern();
  return { name: first.v, expr };
}

/**
 * The pattern's slots, split at commas; one trailing comma is allowed (`[..., status_code=4*,]`), and
 * `...` at most once (as the AWS CDK enforces).
 */
function parseSlots(toks: Token[]): Slot[] {
  const groups: Token[][] = [[]];
  for (const t of toks) {
    if (t.t === ",") groups.push([]);
    else groups[groups.length - 1]!.push(t);
  }
  if (groups.length > 1 && groups[groups.length - 1]!.length === 0) groups.pop();
  const slots = groups.map(parseSlot);
  if (slots.filter((s) => "ellipsis" in s).length > 1) throw invalidPattern();
  return slots;
}

/** An event's fields: runs of non-space characters, or the text inside `"…"` (where `\"` is `"`) or `[…]`. */
export function splitFields(message: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i < message.length) {
    const c = message[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const close = c === '"' ? '"' : c === "[" ? "]" : undefined;
    if (close) {
      let end = message.indexOf(close, i + 1);
      if (close === '"') while (end > 0 && message[end - 1] === "\\") end = message.indexOf(close, end + 1);
      if (end < 0) end = message.length;
      const field = message.slice(i + 1, end);
      fields.push(close === '"' ? field.replaceAll('\\"', '"') : field);
      i = end + 1;
    } else {
      let j = i;
      while (j < message.length && !/\s/.test(message[j]!)) j++;
      fields.push(message.slice(i, j));
      i = j;
    }
  }
  return fields;
}

/** A condition's text appears verbatim in the event when it is an exact string without quoting characters. */
const literalOf = (c: Condition): string | undefined =>
  c.op === "=" && c.value.kind === "text" && c.value.literal && !/["\\[\]]/.test(c.value.literal) ? c.value.literal : undefined;

/** Compiles the text between `[` and `]`. */
export function compileDelimitedPattern(body: string): CompiledFilterPattern {
  const toks = tokenize(body);
  if (toks.filter((t) => t.t === "regex").length > 2) throw invalidPattern();
  const slots = parseSlots(toks);
  const conds = slots.flatMap((s) => ("expr" in s && s.expr ? [s.expr] : []));
  return {
    matchesAll: false,
    mustContain: conds.flatMap((e) => mustContainOf(e, literalOf)),
    match(message) {
      const fields = splitFields(message);
      // `...` stands for whichever run of fields lets every later slot match.
      const bind = (s: number, f: number): boolean => {
        if (s === slots.length) return f === fields.length;
        const slot = slots[s]!;
        if ("ellipsis" in slot) {
          for (let k = f; k <= fields.length; k++) if (bind(s + 1, k)) return true;
          return false;
        }
        if (f >= fields.length) return false;
        if (slot.expr && !evaluate(slot.expr, (c) => compare(fields[f]!, c.op, c.value))) return false;
        return bind(s + 1, f + 1);
      };
      return bind(0, 0);
    },
  };
}
