/**
 * JSON filter patterns, `{ $.level = "ERROR" && ($.latency > 100 || $.user.id IS NULL) }`: each
 * condition reads one value of the event parsed as a JSON object. Events that are not JSON objects
 * never match. https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
import {
  type Expr, type Operator, type Value, Tokens, checkComparison, compare, conditionsOf, evaluate, invalidPattern, mustContainOf, parseExpr, parseValue, tokenize,
} from "./filter-pattern-conditions.js";
import type { CompiledFilterPattern } from "./filter-pattern.js";

/** One step of a selector: a member name, an array index, or the wildcard (any member or element). */
type Step = { name: string } | { index: number } | { any: true };

type Condition =
  | { path: Step[]; op: Operator; value: Value }
  | { path: Step[]; is: null | true | false }
  | { path: Step[]; notExists: true };

/** Selector steps: `.name` (letters, digits, `-`, `_`), `.['name.with.periods']`, `[index]`, `.*`, `[*]`. */
const STEP = /^(?:\.([A-Za-z0-9_-]+)|\.?\['([^']*)'\]|\[(\d+)\]|\.\*|\[\*\])/;

/**
 * `$` then steps, the first a property: `$.eventId`, `$.users[0].id`, `$.coordinates[0][1]`,
 * `$.['cluster.name']`, `$.arrayKey[*]`, `$.*`. At most one wildcard in a selector.
 */
function parseSelector(word: string | undefined): Step[] {
  if (!word?.startsWith("$")) throw invalidPattern();
  const steps: Step[] = [];
  for (let rest = word.slice(1); rest !== ""; ) {
    const m = STEP.exec(rest);
    if (!m) throw invalidPattern();
    if (m[1] !== undefined) steps.push({ name: m[1] });
    else if (m[2] !== undefined) steps.push({ name: m[2] });
    else if (m[3] !== undefined) steps.push({ index: Number(m[3]) });
    else steps.push({ any: true });
    if (steps.length === 1 && (m[3] !== undefined || m[0] === "[*]")) throw invalidPattern();
    rest = rest.slice(m[0].length);
  }
  if (steps.length === 0 || steps.filter((s) => "any" in s).length > 1) throw invalidPattern();
  return steps;
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

/** Every value `path` leads to in `doc` (several through a wildcard, none when a step has nothing to follow). */
function resolve(doc: unknown, path: Step[]): unknown[] {
  let at: unknown[] = [doc];
  for (const step of path) {
    const next: unknown[] = [];
    for (const v of at) {
      const isObject = v !== null && typeof v === "object" && !Array.isArray(v);
      if ("any" in step) {
        if (Array.isArray(v)) next.push(...v);
        else if (isObject) next.push(...Object.values(v));
      } else if ("index" in step) {
        if (Array.isArray(v) && step.index < v.length) next.push(v[step.index]);
      } else if (isObject && Object.hasOwn(v, step.name)) {
        next.push((v as Record<string, unknown>)[step.name]);
      }
    }
    at = next;
  }
  return at;
}

/**
 * A condition on one event. A comparison needs a value node (string or number) at the selector:
 * both `$.users = 1` and `$.users != 1` are false when `users` is an array, an object, null or absent.
 * Through a wildcard, one of the values the selector reaches must satisfy it.
 */
function test(doc: unknown, c: Condition): boolean {
  const values = resolve(doc, c.path);
  if ("notExists" in c) return values.length === 0;
  if ("is" in c) return values.includes(c.is);
  return values.some((v) => (typeof v === "string" || typeof v === "number") && compare(v, c.op, c.value));
}

/**
 * Characters no JSON writer escapes (some write `/` as `\/`, and `+`, `<`, `&`, `'` or anything
 * non-ASCII as `\uXXXX`; a letter could be too, but none we know of does): text made only of them
 * appears verbatim in the raw event.
 */
const NEVER_ESCAPED = /^[A-Za-z0-9_ -]+$/;

/**
 * Substrings every event satisfying `c` contains: the quoted name of the last plainly spelled
 * property on its path (each named step must be a key of the event), and the text of an exact
 * string equality. `!=`, `IS NULL` and `NOT EXISTS` give none: they may hold where the property
 * is absent. A text that is a number's spelling gives none either: `$.code = "123"` also matches
 * `{"code": 1.23e2}`, whose raw text lacks `123`.
 */
function literalsOf(c: Condition): string[] {
  if ("notExists" in c || ("is" in c && c.is === null) || ("op" in c && c.op === "!=")) return [];
  const literals: string[] = [];
  const text = "op" in c && c.op === "=" && c.value.kind === "text" ? c.value.literal : undefined;
  if (text && NEVER_ESCAPED.test(text) && String(Number(text)) !== text) literals.push(text);
  const names = c.path.flatMap((s) => ("name" in s && NEVER_ESCAPED.test(s.name) ? [s.name] : []));
  if (names.length) literals.push(`"${names[names.length - 1]}"`);
  return literals;
}

/** Compiles the text between `{` and `}`. */
export function compileJsonPattern(body: string): CompiledFilterPattern {
  const toks = tokenize(body);
  if (toks.filter((t) => t.t === "regex").length > 2) throw invalidPattern();
  const ts = new Tokens(toks);
  const expr: Expr<Condition> = parseExpr(ts, parseCondition, true);
  if (!ts.done()) throw invalidPattern();
  // At most three wildcard selectors in a pattern.
  if (conditionsOf(expr).filter((c) => c.path.some((s) => "any" in s)).length > 3) throw invalidPattern();
  return {
    matchesAll: false,
    mustContain: mustContainOf(expr, literalsOf),
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
