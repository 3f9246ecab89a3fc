/**
 * The regular expressions of filter patterns, `%…%`: a subset AWS lists, refused beyond it, and
 * matched anywhere in the text (`%AUTHORIZED%` matches "UNAUTHORIZED REQUEST").
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html#regex-expressions
 */
import { invalidPattern } from "./filter-pattern-conditions.js";

/**
 * Letters, digits, the supported symbols (`:` `_` `#` `=` `@` `/` `;` `,` `-`) and operators
 * (`^` `$` `?` `[` `]` `{` `}` `|` `\` `*` `+` `.`), and the space the page's own
 * `%^starting|^initializing|^shutting down%` uses. No `(` `)`, no other symbol, nothing multi-byte.
 */
const ALLOWED = /[A-Za-z0-9 :_#=@/;,\-^$?[\]{}|\\*+.]/;
/** What may follow `\`: the classes `\d \D \s \S \w \W`, `\xhh`, or a symbol or operator taken literally. */
const ESCAPE = /^\\([dDsSwW]|x[0-9A-Fa-f]{2}|[:_#=@/;,\-^$?[\]{}|\\*+. ])/;
/** `{m,n}` with either bound left out. */
const BOUNDS = /^\{(\d+|\d*,\d*)\}/;

/** Compiles the text between the `%`s; anything outside AWS's subset is an invalid pattern. */
export function compileRegex(body: string): RegExp {
  if (body === "") throw invalidPattern();
  let source = "";
  for (let i = 0; i < body.length; ) {
    const rest = body.slice(i);
    const escape = ESCAPE.exec(rest);
    const bounds = BOUNDS.exec(rest);
    if (escape) {
      source += escape[0];
      i += escape[0].length;
    } else if (bounds) {
      // `{,n}` is JavaScript's `{0,n}`; `{,}` bounds nothing.
      if (bounds[1] === ",") throw invalidPattern();
      source += bounds[0].replace("{,", "{0,");
      i += bounds[0].length;
    } else if (body[i] === "\\" || body[i] === "{" || body[i] === "}" || !ALLOWED.test(body[i]!)) {
      throw invalidPattern();
    } else {
      source += body[i];
      i++;
    }
  }
  try {
    return new RegExp(source);
  } catch {
    throw invalidPattern();
  }
}
