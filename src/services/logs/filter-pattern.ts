/**
 * CloudWatch Logs filter patterns (FilterLogEvents, StartLiveTail), compiled once per request into
 * a matcher and the substrings the store can check in SQL before asking it.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 *
 * The pattern's first character picks its kind: `{` a JSON pattern, `[` a space-delimited one,
 * `%…%` a regular expression, anything else terms and quoted phrases. All matching is case-sensitive.
 */
import { compileRegex, invalidPattern, readQuoted } from "./filter-pattern-conditions.js";
import { compileDelimitedPattern } from "./filter-pattern-delimited.js";
import { compileJsonPattern } from "./filter-pattern-json.js";

export interface CompiledFilterPattern {
  /** True for the empty pattern (and `" "`): every event matches; the store need not call `match`. */
  readonly matchesAll: boolean;
  /**
   * Substrings every matching message contains, for the store's prefilter (`FilterQuery.mustContain`):
   * an AND of ORs. Only a prefilter: `match` decides.
   */
  readonly mustContain: string[][];
  match(message: string): boolean;
}

/** Compiles `pattern`; an invalid one throws InvalidParameterException "Invalid filter pattern". */
export function compileFilterPattern(pattern: string): CompiledFilterPattern {
  const p = pattern.trim();
  if (p.startsWith("{")) {
    if (!p.endsWith("}")) throw invalidPattern();
    return compileJsonPattern(p.slice(1, -1));
  }
  if (p.startsWith("[")) {
    if (!p.endsWith("]")) throw invalidPattern();
    return compileDelimitedPattern(p.slice(1, -1));
  }
  if (p.length >= 2 && p.startsWith("%") && p.endsWith("%")) {
    const re = compileRegex(p.slice(1, -1));
    return { matchesAll: false, mustContain: [], match: (m) => re.test(m) };
  }
  return compileTermPattern(p);
}

/** A term: a phrase that must (or, with `-`, must not) appear in the message. */
type Term = { text: string; exclude: boolean };

/** Unquoted terms are letters, digits and `_`; anything else must be in double quotes. */
const BARE_TERM = /^[A-Za-z0-9_]+$/;

/**
 * Terms: `ERROR Exception` needs both, `ERROR -Exiting` excludes, `"Failed to process"` is one phrase.
 * `?` starts an alternative: `?ERROR ?WARN` matches either, and `?"ERROR" "MainThread" ?"WARN" "Deadlock"`
 * (how the AWS CDK writes a group of alternatives) matches either pair. A phrase of only spaces
 * (`" "`) matches everything.
 */
function compileTermPattern(p: string): CompiledFilterPattern {
  const clauses: Term[][] = [[]];
  let i = 0;
  while (i < p.length) {
    if (/\s/.test(p[i]!)) {
      i++;
      continue;
    }
    let prefix = "";
    if (p[i] === "?" || p[i] === "-") {
      prefix = p[i]!;
      i++;
      while (i < p.length && /\s/.test(p[i]!)) i++;
    }
    let text: string;
    if (p[i] === '"') {
      [text, i] = readQuoted(p, i);
      if (text === "") throw invalidPattern();
    } else {
      let j = i;
      while (j < p.length && !/\s/.test(p[j]!)) j++;
      text = p.slice(i, j);
      if (!BARE_TERM.test(text)) throw invalidPattern();
      i = j;
    }
    if (prefix === "?" && clauses[clauses.length - 1]!.length > 0) clauses.push([]);
    if (text.trim() !== "") clauses[clauses.length - 1]!.push({ text, exclude: prefix === "-" });
  }
  if (clauses.every((c) => c.length === 0)) return { matchesAll: true, mustContain: [], match: () => true };
  const live = clauses.filter((c) => c.length > 0);
  const positive = live.map((c) => c.filter((t) => !t.exclude).map((t) => t.text));
  const mustContain = live.length === 1 ? positive[0]!.map((t) => [t]) : positive.every((c) => c.length > 0) ? [positive.map((c) => c[0]!)] : [];
  return {
    matchesAll: false,
    mustContain,
    match: (m) => live.some((c) => c.every((t) => m.includes(t.text) !== t.exclude)),
  };
}
