/**
 * The regular expressions of filter patterns, `%…%`: the subset AWS lists, refused beyond it, and
 * matched anywhere in the text (`%AUTHORIZED%` matches "UNAUTHORIZED REQUEST").
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html#regex-expressions
 *
 * The subset has no groups, so an expression is alternatives of quantified atoms: it compiles to a
 * small NFA run over the text in one pass, in time proportional to the text's length times the NFA's
 * states (hence their bound). JavaScript's backtracking RegExp is not used: `%a*a*b%` on 2,000
 * characters of `a` took it 6 s, blocking the server.
 */
import { invalidPattern } from "./filter-pattern-conditions.js";

export interface TextMatcher {
  test(text: string): boolean;
  /** Substrings of which every matching text contains one (one per alternative), or none when some alternative has none. */
  readonly someOf: string[];
}

/**
 * Letters, digits, the supported symbols (`:` `_` `#` `=` `@` `/` `;` `,` `-`), the operators
 * (`^` `$` `?` `[` `]` `{` `}` `|` `\` `*` `+` `.`), and the space the page's own
 * `%^starting|^initializing|^shutting down%` uses. No `(` `)`, no other symbol, nothing multi-byte.
 */
const ALLOWED = /^[A-Za-z0-9 :_#=@/;,\-^$?[\]{}|\\*+.]$/;
/**
 * Most NFA states one expression may take (`a{100}` is a hundred). AWS documents no number; the
 * expressions its pages show take a few dozen. Each state that stays active is another pass over the
 * text: with 10,000, `%\w{5000}\d%` took 3.8 s on one 50 KB message; `%\w{98}\d%` takes 35-40 ms
 * (130 ms on a loaded host).
 */
const MAX_STATES = 100;

type CharTest = (c: number) => boolean;
/** One NFA state: consume a character (`skip`: may be passed over; `loop`: may repeat), or assert or accept. */
type State = { kind: "char"; test: CharTest; code?: number; skip: boolean; loop: boolean } | { kind: "bol" } | { kind: "eol" } | { kind: "end" };

const inRange = (lo: number, hi: number): CharTest => (c) => c >= lo && c <= hi;
const not = (t: CharTest): CharTest => (c) => !t(c);
const DIGIT = inRange(48, 57);
const SPACE: CharTest = (c) => c === 32 || (c >= 9 && c <= 13);
const WORD: CharTest = (c) => DIGIT(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const CLASSES: Record<string, CharTest> = { d: DIGIT, D: not(DIGIT), s: SPACE, S: not(SPACE), w: WORD, W: not(WORD) };

/** Reads an escape at `src[i]` (after the `\`): a class, `\xhh`, or a symbol taken literally. */
function readEscape(src: string, i: number): { test: CharTest; code?: number; end: number } {
  const c = src[i];
  if (c === undefined) throw invalidPattern();
  const cls = CLASSES[c];
  if (cls) return { test: cls, end: i + 1 };
  if (c === "x" && /^[0-9A-Fa-f]{2}$/.test(src.slice(i + 1, i + 3))) {
    const code = parseInt(src.slice(i + 1, i + 3), 16);
    return { test: (x) => x === code, code, end: i + 3 };
  }
  if (/[A-Za-z0-9]/.test(c) || !ALLOWED.test(c)) throw invalidPattern();
  const code = c.charCodeAt(0);
  return { test: (x) => x === code, code, end: i + 1 };
}

/** Reads `[…]` starting after the `[`: its test and the index after `]`. */
function readClass(src: string, start: number): { test: CharTest; end: number } {
  let i = start;
  const negate = src[i] === "^";
  if (negate) i++;
  const parts: CharTest[] = [];
  for (let first = true; ; first = false) {
    const c = src[i];
    if (c === undefined) throw invalidPattern();
    if (c === "]" && !first) break;
    let lo: { test: CharTest; code?: number; end: number };
    if (c === "\\") lo = readEscape(src, i + 1);
    else if (ALLOWED.test(c)) lo = { test: ((k) => (x: number) => x === k)(c.charCodeAt(0)), code: c.charCodeAt(0), end: i + 1 };
    else throw invalidPattern();
    i = lo.end;
    if (src[i] === "-" && src[i + 1] !== undefined && src[i + 1] !== "]" && lo.code !== undefined) {
      const hi = src[i + 1] === "\\" ? readEscape(src, i + 2) : { code: src.charCodeAt(i + 1), end: i + 2 };
      if (hi.code === undefined || (src[i + 1] !== "\\" && !ALLOWED.test(src[i + 1]!)) || hi.code < lo.code) throw invalidPattern();
      parts.push(inRange(lo.code, hi.code));
      i = hi.end;
    } else {
      parts.push(lo.test);
    }
  }
  const any: CharTest = (x) => parts.some((p) => p(x));
  return { test: negate ? not(any) : any, end: i + 1 };
}

/** A quantifier at `src[i]`, if any: `?`, `*`, `+`, `{m}`, `{m,}`, `{,n}`, `{m,n}` (a lazy `?` after it changes nothing here). */
function readQuantifier(src: string, i: number): { min: number; max: number; end: number } | undefined {
  let q: { min: number; max: number; end: number } | undefined;
  const c = src[i];
  if (c === "?") q = { min: 0, max: 1, end: i + 1 };
  else if (c === "*") q = { min: 0, max: Infinity, end: i + 1 };
  else if (c === "+") q = { min: 1, max: Infinity, end: i + 1 };
  else if (c === "{") {
    const m = /^\{(\d*)(,?)(\d*)\}/.exec(src.slice(i));
    if (!m || (m[1] === "" && m[3] === "") || (m[1] === "" && m[2] === "")) throw invalidPattern();
    const min = m[1] === "" ? 0 : Number(m[1]);
    const max = m[2] === "" ? min : m[3] === "" ? Infinity : Number(m[3]);
    if (min > max || min > MAX_STATES || (max !== Infinity && max > MAX_STATES)) throw invalidPattern();
    q = { min, max, end: i + m[0].length };
  }
  if (q && src[q.end] === "?") q.end++;
  return q;
}

/** Compiles the text between the `%`s; anything outside AWS's subset is an invalid pattern. */
export function compileRegex(body: string): TextMatcher {
  if (body === "") throw invalidPattern();
  const states: State[] = [];
  const starts: number[] = [0];
  for (let i = 0; i < body.length; ) {
    const c = body[i]!;
    if (c === "|") {
      states.push({ kind: "end" });
      starts.push(states.length);
      i++;
      continue;
    }
    if (c === "^" || c === "$") {
      states.push({ kind: c === "^" ? "bol" : "eol" });
      i++;
      if (readQuantifier(body, i)) throw invalidPattern();
      continue;
    }
    let atom: { test: CharTest; code?: number; end: number };
    if (c === "\\") atom = readEscape(body, i + 1);
    else if (c === "[") atom = readClass(body, i + 1);
    else if (c === ".") atom = { test: (x) => x !== 10, end: i + 1 };
    else if ("?*+{}]".includes(c) || !ALLOWED.test(c)) throw invalidPattern();
    else atom = { test: ((k) => (x: number) => x === k)(c.charCodeAt(0)), code: c.charCodeAt(0), end: i + 1 };
    i = atom.end;
    const q = readQuantifier(body, i) ?? { min: 1, max: 1, end: i };
    i = q.end;
    for (let k = 0; k < q.min; k++) states.push({ kind: "char", test: atom.test, code: atom.code, skip: false, loop: false });
    if (q.max === Infinity) states.push({ kind: "char", test: atom.test, skip: true, loop: true });
    else for (let k = q.min; k < q.max; k++) states.push({ kind: "char", test: atom.test, skip: true, loop: false });
    if (states.length > MAX_STATES) throw invalidPattern();
  }
  states.push({ kind: "end" });
  const someOf = requiredLiterals(states, starts);
  const nfa = new Nfa(states, starts);
  return {
    someOf,
    // The literal check rejects most texts before the NFA runs.
    test: (text) => (someOf.length === 0 || someOf.some((l) => text.includes(l))) && nfa.test(text),
  };
}

/**
 * Each alternative's longest run of characters every match of it contains (consecutive states that
 * match one character exactly once); none at all when some alternative has no such run.
 */
function requiredLiterals(states: State[], starts: number[]): string[] {
  const out: string[] = [];
  for (const start of starts) {
    let best = "";
    let run = "";
    for (let j = start; states[j]!.kind !== "end"; j++) {
      const st = states[j]!;
      run = st.kind === "char" && st.code !== undefined && !st.skip ? run + String.fromCharCode(st.code) : "";
      if (run.length > best.length) best = run;
    }
    if (best === "") return [];
    out.push(best);
  }
  return [...new Set(out)];
}

/**
 * The NFA in arrays: per state its kind, whether it may be passed over or repeat, and which characters
 * it takes (a table for ASCII; every expression treats all other characters alike).
 */
class Nfa {
  private readonly kind: Uint8Array;
  private readonly skip: Uint8Array;
  private readonly loop: Uint8Array;
  private readonly ascii: Uint8Array;
  private readonly high: Uint8Array;
  private readonly mark: Int32Array;
  private readonly stack: Int32Array;
  private cur: Int32Array;
  private next: Int32Array;
  private stamp = 0;

  constructor(states: State[], private readonly starts: number[]) {
    const n = states.length;
    this.kind = new Uint8Array(n);
    this.skip = new Uint8Array(n);
    this.loop = new Uint8Array(n);
    this.ascii = new Uint8Array(n * 128);
    this.high = new Uint8Array(n);
    states.forEach((st, j) => {
      this.kind[j] = st.kind === "char" ? CHAR : st.kind === "bol" ? BOL : st.kind === "eol" ? EOL : END;
      if (st.kind !== "char") return;
      this.skip[j] = st.skip ? 1 : 0;
      this.loop[j] = st.loop ? 1 : 0;
      for (let c = 0; c < 128; c++) this.ascii[j * 128 + c] = st.test(c) ? 1 : 0;
      this.high[j] = st.test(0x100) ? 1 : 0;
    });
    this.mark = new Int32Array(n);
    // Each state enters the stack at most once per position, after its predecessor.
    this.stack = new Int32Array(n + 1);
    this.cur = new Int32Array(n);
    this.next = new Int32Array(n);
  }

  /** Whether some match starts anywhere in `text`. */
  test(text: string): boolean {
    const n = text.length;
    this.mark.fill(0);
    this.stamp = 1;
    let curLen = 0;
    for (const s of this.starts) {
      const r = this.add(s, 0, n, this.cur, curLen);
      if (r < 0) return true;
      curLen = r;
    }
    for (let p = 0; p < n; p++) {
      const c = text.charCodeAt(p);
      this.stamp++;
      let nextLen = 0;
      for (let k = 0; k < curLen; k++) {
        const j = this.cur[k]!;
        if ((c < 128 ? this.ascii[j * 128 + c] : this.high[j]) !== 1) continue;
        const r = this.add(this.loop[j] ? j : j + 1, p + 1, n, this.next, nextLen);
        if (r < 0) return true;
        nextLen = r;
      }
      for (const s of this.starts) {
        const r = this.add(s, p + 1, n, this.next, nextLen);
        if (r < 0) return true;
        nextLen = r;
      }
      const t = this.cur;
      this.cur = this.next;
      this.next = t;
      curLen = nextLen;
    }
    return false;
  }

  /**
   * Adds state `s`, and what it reaches at position `p` without consuming, to `into` (holding `len`
   * states): the new length, or -1 once an end is reached.
   */
  private add(s: number, p: number, n: number, into: Int32Array, len: number): number {
    let top = 0;
    this.stack[top++] = s;
    while (top > 0) {
      const j = this.stack[--top]!;
      if (this.mark[j] === this.stamp) continue;
      this.mark[j] = this.stamp;
      const kind = this.kind[j];
      if (kind === END) return -1;
      if (kind === CHAR) {
        into[len++] = j;
        if (this.skip[j]) this.stack[top++] = j + 1;
      } else if ((kind === BOL && p === 0) || (kind === EOL && p === n)) {
        this.stack[top++] = j + 1;
      }
    }
    return len;
  }
}

const CHAR = 0;
const BOL = 1;
const EOL = 2;
const END = 3;
