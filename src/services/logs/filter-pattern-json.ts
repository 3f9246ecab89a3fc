/**
 * JSON filter patterns, `{ $.level = "ERROR" && ($.latency > 100 || $.user.id IS NULL) }`: each
 * condition reads one value of the event parsed as a JSON object. Events that are not JSON objects
 * never match. https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
import {
  type Expr, type Operator, type Value, Tokens, checkComparison, compare, evaluate, invalidPattern, mustContainOf, parseExpr, parseValue, tokenize,
} from "./filter-pattern-conditions.js";
import type { CompiledFilterPattern } from "./filter-pattern.js";

/** One step of a selector: a member name or an array index. */
type Step = string | number;

type Condition =
  | { path: Step[]; op: Operator; value: Value }
  | { path: Step[]; is: null | true | false }
  | { path: Step[]; notExists: true };

/**
 * `$` then `.name` (letters, digits, `-`, `_`) and `[index]` steps, an index only after a property:
 * `$.eventId`, `$.users[0].id`, `$.coordinates[0][1]`.
 */
const SELECTOR = /^\$((\.[A-Za-z0-9_-]+)(\.[A-Za-z0-9_-]+|\[\d+\])*)$/;

function parseSelector(word: string | undefined): Step[] {
  const m = word === undefined ? null : SELECTOR.exec(word);
  if (!m) throw invalidPattern();
  return [...m[1]!.matchAll(/\.([A-Za-z0-9_-]+)|\[(\d+)\]/g)].map((s) => (s[1] !== undefined ? s[1] : Number(s[2])));
}

function parseCondition(ts: Tokens): Condition {
  const sel = ts.next();
  const path = parseSelector(sel?.t === "word" ? sel.v : undefined);
  const t = ts.next();
  if (t?.t === "op") {
    const value = parseValue(ts.next());
    checkComparison(t.op, value);
    return { path, op: t.op, value };
  }
  const word = ts.next();
  if (t?.t === "word" && word?.t === "word") {
    if (t.v === "IS" && word.v === "NULL") return { path, is: null };
    if (t.v === "IS" && word.v === "TRUE") return { path, is: true };
    if (t.v === "IS" && word.v === "FALSE") return { path, is: false };
    if (t.v === "NOT" && word.v === "EXISTS") return { path, notExists: true };
  }
  throw invalidPattern();
}

/** Where `path` leads in `doc`, or `missing` when a step has nothing to follow. */
const missing = Symbol("missing");
function resolve(doc: unknown, path: Step[]): unknown {
  let v = doc;
  for (const step of path) {
    if (typeof step === "number") {
      if (!Array.isArray(v) || step >= v.length) return missing;
      v = v[step];
    } else {
      if (v === null || typeof v !== "object" || Array.isArray(v) || !Object.hasOwn(v, step)) return missing;
      v = (v as Record<string, unknown>)[step];
    }
  }
  return v;
}

/**
 * A condition on one event. A comparison needs a value node (string or number) at the selector:
 * both `$.users = 1` and `$.users != 1` are false when `users` is an array, an object, null or absent.
 */
function test(doc: unknown, c: Condition): boolean {
  const v = resolve(doc, c.path);
  if ("notExists" in c) return v === missing;
  if ("is" in c) return v === c.is;
  if (typeof v !== "string" && typeof v !== "number") return false;
  return compare(v, c.op, c.value);
}

/**
 * A string equality's text appears verbatim in the raw JSON when it has no character a JSON writer
 * escapes (a writer may still spell a letter as `\uXXXX`; none we know of does).
 */
const RAW_SAFE = /^[A-Za-z0-9_ .:,;#=@+-]+$/;
const literalOf = (c: Condition): string | undefined =>
  "op" in c && c.op === "=" && c.value.kind === "text" && c.value.literal && RAW_SAFE.test(c.value.literal) ? c.value.literal : undefined;

/** Compiles the text between `{` and `}`. */
export function compileJsonPattern(body: string): CompiledFilterPattern {
  const toks = tokenize(body);
  if (toks.filter((t) => t.t === "regex").length > 2) throw invalidPattern();
  const ts = new Tokens(toks);
  const expr: Expr<Condition> = parseExpr(ts, parseCondition, true);
  if (!ts.done()) throw invalidPattern();
  return {
    matchesAll: false,
    mustContain: mustContainOf(expr, literalOf),
    match(message) {
      const doc = parseObject(message);
      return doc !== undefined && evaluate(expr, (c) => test(doc, c));
    },
  };
}

function parseObject(message: string): object | undefined {
  if (!message.trimStart().startsWith("{")) return undefined;
  try {
    const doc: unknown = JSON.parse(message);
    return doc !== null && typeof doc === "object" && !Array.isArray(doc) ? doc : undefined;
  } catch {
    return undefined;
  }
}
