/**
 * Policy documents: validated once and compiled into matchers (actions and resources as patterns,
 * conditions as operator, key and values), cached by their text, so that evaluating a request is
 * only matching.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 */
import type { PolicyKind } from "./types.js";

/** A document AWS would refuse with MalformedPolicyDocument; the message says why, as AWS's does. */
export class MalformedPolicy extends Error {
  override name = "MalformedPolicy";
}

export type PrincipalSpec = "*" | { AWS?: string[]; Service?: string[]; Federated?: string[]; CanonicalUser?: string[] };

export interface Condition {
  /** Policy variables are substituted in its values (Version 2012-10-17 only). */
  variables: boolean;
  /** The operator without its set prefix and IfExists suffix (`StringLike`). */
  op: string;
  set?: "ForAllValues" | "ForAnyValue";
  ifExists: boolean;
  /** Lower-cased: key names are case-insensitive. */
  key: string;
  /** The key as the policy writes it (the simulator's MissingContextValues name it so). */
  name: string;
  values: string[];
  /** A negated operator (`StringNotLike`), and the positive one it is the opposite of (`StringLike`); else `op` itself. */
  negated: boolean;
  positive: string;
}

export interface Statement {
  sid?: string;
  index: number;
  effect: "Allow" | "Deny";
  /** Exactly one of action / notAction. */
  action?: Pattern[];
  notAction?: Pattern[];
  /** Neither: every resource (trust policies have none). */
  resource?: Pattern[];
  notResource?: Pattern[];
  principal?: PrincipalSpec;
  notPrincipal?: PrincipalSpec;
  conditions: Condition[];
  /**
   * How evaluation orders the statement's parts, cheapest first: the conditions decided by a lookup
   * and a compare, the others; and whether its resource patterns hold no variable (then they are
   * matched once per resource and remembered).
   */
  cheapConditions: Condition[];
  costlyConditions: Condition[];
  fixedResource: boolean;
}

export interface Policy {
  version?: string;
  statements: Statement[];
}

/** A pattern with `*` and `?` (and, in resources and condition values, policy variables). */
export interface Pattern {
  text: string;
  /** Compiled unless the text holds policy variables to substitute per request. */
  regex?: Matcher;
}

export type DocumentKind = PolicyKind | "trust";

const OPERATORS = new Set([
  "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
  "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals",
  "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
  "Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike", "Null",
]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const bad = (why: string): never => {
  throw new MalformedPolicy(why);
};

/** A scalar or list of scalars as a list of strings (AWS takes numbers and booleans as their text). */
function strings(v: unknown, what: string): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) bad(`${what} must not be empty`);
  return list.map((x) => (typeof x === "string" || typeof x === "number" || typeof x === "boolean" ? String(x) : bad(`${what} must be a string or a list of strings`)));
}

/** What a compiled pattern offers: a whole-string test. */
export interface Matcher {
  test(value: string): boolean;
}

/**
 * A glob of literal runs and `*` (no `?`), matched by position and `indexOf` rather than by a
 * backtracking regex: `arn:aws:lambda:*:*:function:bench-*` is tested in a few string compares.
 * Taking each run at its first place after the previous one is exact for `*`-only globs.
 */
class StarGlob implements Matcher {
  private readonly first: string;
  private readonly last: string;
  private readonly middle: string[];
  private readonly minLength: number;

  constructor(glob: string) {
    const runs = glob.split("*");
    this.first = runs[0]!;
    this.last = runs.at(-1)!;
    this.middle = runs.slice(1, -1).filter(Boolean);
    this.minLength = runs.reduce((n, r) => n + r.length, 0);
  }

  test(value: string): boolean {
    if (value.length < this.minLength || !value.startsWith(this.first) || !value.endsWith(this.last)) return false;
    let at = this.first.length;
    const end = value.length - this.last.length;
    for (const run of this.middle) {
      const found = value.indexOf(run, at);
      if (found < 0 || found + run.length > end) return false;
      at = found + run.length;
    }
    return true;
  }
}

/** A glob (`*`: any run, `?`: one character) compiled for whole-string tests: case-sensitive ones with `*` alone by position, the rest as a regex. */
export function globMatcher(glob: string, flags = ""): Matcher {
  if (flags === "" && !glob.includes("?")) return glob.includes("*") ? new StarGlob(glob) : { test: (value) => value === glob };
  return globRegex(glob, flags);
}

/** A glob as a regular expression (`*`: any run, `?`: one character), whole-string, with `flags`. */
export function globRegex(glob: string, flags = ""): RegExp {
  let source = "";
  for (const c of glob) source += c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&");
  return new RegExp(`^${source}$`, `s${flags}`);
}

const hasVariable = (text: string) => text.includes("${");

/** `variables`: the document is of Version 2012-10-17, where `${…}` is a policy variable (before, it is text). */
function patterns(v: unknown, what: string, caseInsensitive: boolean, variables: boolean): Pattern[] {
  return strings(v, what).map((text) => ({ text, ...(variables && hasVariable(text) && !caseInsensitive ? {} : { regex: globMatcher(text, caseInsensitive ? "i" : "") }) }));
}

function principal(v: unknown, what: string): PrincipalSpec {
  if (v === "*") return "*";
  if (!isObject(v)) return bad(`Invalid ${what}: must be "*" or an object`);
  const out: Exclude<PrincipalSpec, "*"> = {};
  for (const [type, values] of Object.entries(v)) {
    if (type !== "AWS" && type !== "Service" && type !== "Federated" && type !== "CanonicalUser") bad(`Invalid principal type ${type}`);
    out[type as "AWS"] = strings(values, `${what}.${type}`);
  }
  return out;
}

function conditions(v: unknown, variables: boolean): Condition[] {
  if (v === undefined) return [];
  if (!isObject(v)) return bad("Condition must be an object");
  const out: Condition[] = [];
  for (const [operator, block] of Object.entries(v)) {
    const m = /^(?:(ForAllValues|ForAnyValue):)?(.+?)(IfExists)?$/.exec(operator);
    const op = m?.[2] ?? "";
    if (!OPERATORS.has(op) || (op === "Null" && m?.[3])) bad(`Invalid Condition type : ${operator}.`);
    if (!isObject(block)) bad(`Condition ${operator} must be an object of keys`);
    for (const [key, values] of Object.entries(block as Record<string, unknown>)) {
      const negated = Object.hasOwn(POSITIVE, op);
      out.push({
        variables,
        op,
        ...(m![1] ? { set: m![1] as "ForAllValues" } : {}),
        ifExists: m![3] !== undefined,
        key: key.toLowerCase(),
        name: key,
        values: strings(values, `Condition ${operator} ${key}`),
        negated,
        positive: negated ? POSITIVE[op]! : op,
      });
    }
  }
  return out;
}

function statement(raw: unknown, index: number, kind: DocumentKind | undefined, variables: boolean): Statement {
  if (!isObject(raw)) return bad("Statement must be an object or a list of objects");
  const effect = raw.Effect;
  if (effect !== "Allow" && effect !== "Deny") bad(`Invalid effect: ${String(effect)}`);
  if ((raw.Action === undefined) === (raw.NotAction === undefined)) bad("Policy statement must contain actions.");
  if (raw.Resource !== undefined && raw.NotResource !== undefined) bad("Policy statement must not contain both Resource and NotResource.");
  const hasPrincipal = raw.Principal !== undefined || raw.NotPrincipal !== undefined;
  if (kind === "resource" || kind === "trust") {
    if (!hasPrincipal) bad("Policy document should specify a principal.");
  } else if (kind !== undefined) {
    if (hasPrincipal) bad("Policy document should not specify a principal.");
    if (raw.Resource === undefined && raw.NotResource === undefined) bad("Policy statement must contain resources.");
  }
  if (raw.Sid !== undefined && typeof raw.Sid !== "string") bad("Statement IDs (SID) must be strings.");
  const resource = raw.Resource !== undefined ? patterns(raw.Resource, "Resource", false, variables) : undefined;
  const notResource = raw.NotResource !== undefined ? patterns(raw.NotResource, "NotResource", false, variables) : undefined;
  const conds = conditions(raw.Condition, variables);
  return {
    ...(typeof raw.Sid === "string" ? { sid: raw.Sid } : {}),
    index,
    effect: effect as "Allow" | "Deny",
    ...(raw.Action !== undefined ? { action: patterns(raw.Action, "Action", true, false) } : { notAction: patterns(raw.NotAction, "NotAction", true, false) }),
    ...(resource ? { resource } : {}),
    ...(notResource ? { notResource } : {}),
    ...(raw.Principal !== undefined ? { principal: principal(raw.Principal, "Principal") } : {}),
    ...(raw.NotPrincipal !== undefined ? { notPrincipal: principal(raw.NotPrincipal, "NotPrincipal") } : {}),
    conditions: conds,
    cheapConditions: conds.filter(isCheap),
    costlyConditions: conds.filter((c) => !isCheap(c)),
    fixedResource: [...(resource ?? []), ...(notResource ?? [])].every((p) => p.regex !== undefined),
  };
}

/** Operators decided by a lookup and a compare (no pattern, no parsing), when no variable is in their values. */
const CHEAP = new Set(["StringEquals", "StringNotEquals", "Bool", "Null", "BinaryEquals", "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals"]);
const isCheap = (c: Condition) => CHEAP.has(c.op) && !(c.variables && c.values.some(hasVariable));

/** The positive operator each negated one is the opposite of. */
const POSITIVE: Record<string, string> = {
  StringNotEquals: "StringEquals",
  StringNotEqualsIgnoreCase: "StringEqualsIgnoreCase",
  StringNotLike: "StringLike",
  NumericNotEquals: "NumericEquals",
  DateNotEquals: "DateEquals",
  ArnNotEquals: "ArnEquals",
  ArnNotLike: "ArnLike",
  NotIpAddress: "IpAddress",
};

/** Compiled documents by kind and text (a store hands the same string each time: its hash is kept). */
const parsed = new Map<DocumentKind | "any", Map<string, Policy>>();
const parsedObjects = new WeakMap<object, Policy>();

/**
 * Validate and compile a policy document (its JSON text or parsed object); throws MalformedPolicy.
 * With a `kind`, also what that kind requires: a Principal in resource and trust policies and none
 * (but a Resource) in the others.
 */
export function parsePolicy(document: string | object, kind?: DocumentKind): Policy {
  let texts = parsed.get(kind ?? "any");
  if (!texts) parsed.set(kind ?? "any", (texts = new Map()));
  const known = typeof document === "string" ? texts.get(document) : parsedObjects.get(document);
  if (known) return known;
  let raw: unknown = document;
  if (typeof document === "string") {
    try {
      raw = JSON.parse(document);
    } catch {
      bad("Syntax errors in policy.");
    }
  }
  if (!isObject(raw)) return bad("Syntax errors in policy.");
  if (raw.Version !== undefined && raw.Version !== "2012-10-17" && raw.Version !== "2008-10-17") bad(`The policy failed legacy parsing`);
  if (raw.Statement === undefined) bad("Missing required field Statement");
  const list = Array.isArray(raw.Statement) ? raw.Statement : [raw.Statement];
  if (list.length === 0) bad("Missing required field Statement");
  const policy: Policy = { ...(typeof raw.Version === "string" ? { version: raw.Version } : {}), statements: list.map((s, i) => statement(s, i, kind, raw.Version === "2012-10-17")) };
  if (typeof document === "string") {
    if (texts.size > 10_000) texts.clear();
    texts.set(document, policy);
  } else parsedObjects.set(document, policy);
  return policy;
}
