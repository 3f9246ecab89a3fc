/**
 * CloudWatch Logs filter patterns (FilterLogEvents, StartLiveTail), compiled once per request into
 * a matcher and the substrings the store can check in SQL before asking it.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 *
 * The pattern's first character picks its kind: `{` a JSON pattern, `[` a space-delimited one,
 * `%…%` a regular expression, anything else terms and quoted phrases. All matching is case-sensitive.
 */
import { invalidPattern, readQuoted } from "./filter-pattern-conditions.js";
import { compileDelimitedPattern } from "./filter-pattern-delimited.js";
import { compileJsonPattern } from "./filter-pattern-json.js";
import { compileRegex } from "./filter-pattern-regex.js";

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
    return { matchesAll: false, mustContain: re.someOf.length > 0 ? [re.someOf] : [], match: (m) => re.test(m) };
  }
  return compileTermPattern(p);
}

/** A term: a phrase the message must contain, may contain (`?`), or must not contain (`-`). */
type Term = { text: string; kind: "required" | "optional" | "excluded" };

/** Unquoted terms are letters, digits and `_`; anything else must be in double quotes. */
const BARE_TERM = /^[A-Za-z0-9_]+$/;

/**
 * Terms: `ERROR ARGUMENTS` needs both, `ERROR -ARGUMENTS` excludes, `"INTERNAL SERVER ERROR"` is one
 * phrase, `?ERROR ?ARGUMENTS` needs either. `?` terms next to any other term are ignored, as the
 * page says (`?ERROR ?ARGUMENTS REQUEST` is `REQUEST`). A phrase of only spaces (`" "`) matches everything.
 */
function compileTermPattern(p: string): CompiledFilterPattern {
  const terms: Term[] = [];
  let i = 0;
  while (i < p.length) {
    if (/\s/.test(p[i]!)) {
      i++;
      continue;
    }
    let kind: Term["kind"] = "required";
    if (p[i] === "?" || p[i] === "-") {
      kind = p[i] === "?" ? "optional" : "excluded";
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
    if (text.trim() !== "") terms.push({ text, kind });
  }
  const definite = terms.filter((t) => t.kind !== "optional");
  if (definite.length === 0 && terms.length > 0) {
    const any = terms.map((t) => t.text);
    return { matchesAll: false, mustContain: [any], match: (m) => any.some((t) => m.includes(t)) };
  }
  if (definite.length === 0) return { matchesAll: true, mustContain: [], match: () => true };
  return {
    matchesAll: false,
    mustContain: definite.filter((t) => t.kind === "required").map((t) => [t.text]),
    match: (m) => definite.every((t) => m.includes(t.text) === (t.kind === "required")),
  };
}
