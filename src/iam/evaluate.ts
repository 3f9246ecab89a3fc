/**
 * AWS's single-account policy evaluation, with no HTTP, store or service in it.
 *
 * The root caller may do anything a resource policy does not explicitly deny. Otherwise an explicit
 * Deny in any applicable policy wins; then the request is allowed when an identity policy allows it
 * (within the permissions boundary and the session policies, when there are such) or when the
 * resource's policy allows this caller. A resource policy naming the caller's account delegates to
 * the account's own policies and allows nothing by itself; one naming a role applies to its sessions
 * within their boundary and session policies, one naming a user or a session directly does not.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
 */
import { BlockList, isIP } from "node:net";
import { type Condition, globMatcher, MalformedPolicy, type Matcher, type Pattern, parsePolicy, type Policy, type PrincipalSpec, type Statement } from "./policy.js";
import type { AuthzRequest, Caller, Decision, NamedPolicy, PolicyKind, PolicySet } from "./types.js";

export { MalformedPolicy, parsePolicy };

/** Condition keys by lower-cased name; each value a list (a single-valued key has one). */
type Context = Map<string, readonly string[]>;

const PRINCIPAL_TYPE: Record<Caller["kind"], string | undefined> = { root: "Account", user: "User", "assumed-role": "AssumedRole", anonymous: "Anonymous", service: undefined };

/** The condition keys a caller brings, by lower-cased name, worked out once per caller object. */
const callerKeys = new WeakMap<Caller, [string, readonly string[]][]>();
function keysOf(c: Caller): [string, readonly string[]][] {
  let keys = callerKeys.get(c);
  if (!keys) {
    const list: [string, readonly string[]][] = [];
    const set = (key: string, value: string | undefined) => {
      if (value !== undefined) list.push([key.toLowerCase(), [value]]);
    };
    if (c.kind !== "service" && c.kind !== "anonymous") set("aws:PrincipalArn", c.principalArn ?? c.arn);
    set("aws:PrincipalAccount", c.account);
    set("aws:PrincipalType", PRINCIPAL_TYPE[c.kind]);
    set("aws:userid", c.userid);
    set("aws:username", c.username);
    for (const [k, v] of Object.entries(c.tags ?? {})) set(`aws:PrincipalTag/${k}`, v);
    callerKeys.set(c, (keys = list));
  }
  return keys;
}

function contextOf(req: AuthzRequest): Context {
  const ctx: Context = new Map(keysOf(req.caller));
  for (const k in req.context) {
    const v = req.context[k]!;
    ctx.set(k.toLowerCase(), typeof v === "string" ? [v] : v);
  }
  return ctx;
}

/** Stand-ins for a `*` or `?` that is text, not a wildcard (from `${*}`, `${?}` or a variable's value). */
const STAR = "\uE000";
const QUESTION = "\uE001";

/**
 * A pattern's text with its policy variables replaced by the context's values. What they bring, and
 * `${*}`, `${?}`, `${$}`, is text: its `*` and `?` become stand-ins. Undefined when a variable has no
 * value (and no default): such a pattern matches nothing.
 */
function substitute(text: string, ctx: Context): string | undefined {
  if (!text.includes("${")) return text;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== "$" || text[i + 1] !== "{") {
      out += c;
      continue;
    }
    const end = text.indexOf("}", i);
    if (end < 0) return undefined;
    const inner = text.slice(i + 2, end);
    i = end;
    const m = inner === "*" || inner === "?" || inner === "$" ? undefined : /^\s*([^,\s]+)\s*(?:,\s*'([^']*)'\s*)?$/.exec(inner);
    const value = inner === "*" || inner === "?" || inner === "$" ? inner : m ? (ctx.get(m[1]!.toLowerCase())?.[0] ?? m[2]) : undefined;
    if (value === undefined) return undefined;
    out += value.replace(/\*/g, STAR).replace(/\?/g, QUESTION);
  }
  return out;
}

/** A substituted text as a whole-string regex; `wildcards`: its `*` and `?` match (StringEquals: they are text). */
function regexOf(text: string, wildcards: boolean, flags = ""): RegExp {
  let source = "";
  for (const c of text) {
    if (wildcards && c === "*") source += ".*";
    else if (wildcards && c === "?") source += ".";
    else source += (c === STAR ? "*" : c === QUESTION ? "?" : c).replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, `s${flags}`);
}

/** Matchers of texts that hold no variable, by text and form: conditions are compiled once. */
const compiled = new Map<string, Matcher>();

/** `text` (a pattern, or with `wildcards` false a literal) after substitution, compiled; undefined if it cannot resolve. */
function resolve(text: string, ctx: Context, variables: boolean, wildcards = true, flags = ""): Matcher | undefined {
  if (variables && text.includes("${")) {
    const substituted = substitute(text, ctx);
    return substituted === undefined ? undefined : regexOf(substituted, wildcards, flags);
  }
  const key = `${wildcards ? "w" : "l"}${flags}:${text}`;
  let matcher = compiled.get(key);
  if (!matcher) {
    if (compiled.size > 10_000) compiled.clear();
    // Stand-ins (a variable's `*` taken as text) need the regex form, which turns them back into text.
    const standIns = text.includes(STAR) || text.includes(QUESTION);
    compiled.set(key, (matcher = wildcards && !standIns ? globMatcher(text, flags) : regexOf(text, wildcards, flags)));
  }
  return matcher;
}

function matchesAny(list: readonly Pattern[], value: string, ctx: Context): boolean {
  for (const p of list) {
    const regex = p.regex ?? resolve(p.text, ctx, true);
    if (regex?.test(value)) return true;
  }
  return false;
}

/** How a resource policy's principal names this caller. */
type PrincipalMatch = "none" | "direct" | "role" | "account";

function principalMatch(spec: PrincipalSpec, caller: Caller): PrincipalMatch {
  if (spec === "*") return "direct";
  let best: PrincipalMatch = "none";
  for (const value of spec.AWS ?? []) {
    if (value === "*") return "direct";
    const account = /^\d{12}$/.test(value) ? value : /^arn:aws:iam::(\d{12}):root$/.exec(value)?.[1];
    if (account !== undefined) {
      if (caller.account === account) {
        if (caller.kind === "root") return "direct";
        best = best === "none" ? "account" : best;
      }
      continue;
    }
    if (value === caller.arn) return "direct";
    if (caller.kind === "assumed-role" && value === caller.principalArn) best = "role";
  }
  if (caller.kind === "service") {
    for (const value of spec.Service ?? []) if (value.toLowerCase() === caller.arn.toLowerCase()) return "direct";
  }
  return best;
}

/** Dates by text: a policy's few, and the request's aws:CurrentTime, parsed once each. */
const dates = new Map<string, number>();
function date(text: string): number {
  let at = dates.get(text);
  if (at === undefined) {
    at = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text);
    if (dates.size > 1000) dates.clear();
    dates.set(text, at);
  }
  return at;
}

/**
 * CIDR blocks by text, each with the addresses already checked against it: `BlockList.check` builds
 * a native SocketAddress for every address it is given (~5 µs and garbage, where a statement may
 * hold several such conditions and a request try dozens of statements), and a server's callers come
 * from few addresses.
 */
const cidrs = new Map<string, { list: BlockList | null; checked: Map<string, boolean> }>();
/** Addresses remembered across all blocks; past 10,000 everything is forgotten. */
let remembered = 0;
function inCidr(ip: string, cidr: string): boolean {
  let block = cidrs.get(cidr);
  if (block === undefined) {
    const [addr, bits] = cidr.split("/");
    const family = isIP(addr ?? "");
    let list: BlockList | null = null;
    if (family !== 0) {
      list = new BlockList();
      const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
      if (Number.isInteger(prefix) && prefix >= 0 && prefix <= (family === 4 ? 32 : 128)) list.addSubnet(addr!, prefix, family === 4 ? "ipv4" : "ipv6");
      else list = null;
    }
    if (cidrs.size > 10_000) cidrs.clear();
    cidrs.set(cidr, (block = { list, checked: new Map() }));
  }
  let inside = block.checked.get(ip);
  if (inside === undefined) {
    const family = isIP(ip);
    inside = block.list !== null && family !== 0 && block.list.check(ip, family === 4 ? "ipv4" : "ipv6");
    if (++remembered > 10_000) {
      for (const b of cidrs.values()) b.checked.clear();
      remembered = 1;
    }
    block.checked.set(ip, inside);
  }
  return inside;
}

/** An ARN's six components (the sixth keeps its colons), or null for text that is not an ARN. */
function arnParts(text: string): string[] | null {
  const parts = text.split(":");
  return parts.length < 6 ? null : [...parts.slice(0, 5), parts.slice(5).join(":")];
}

/** ARNs and ARN patterns already split (and patterns compiled), by text: a server meets the same few. */
const arnTexts = new Map<string, string[] | null>();
const arnPatterns = new Map<string, Matcher[] | null>();
function cached<T>(map: Map<string, T>, key: string, make: () => T): T {
  let value = map.get(key);
  if (value === undefined && !map.has(key)) {
    if (map.size > 1000) map.clear();
    map.set(key, (value = make()));
  }
  return value as T;
}

/** ARNs compared component by component: wildcards do not reach across the first five colons. */
function arnMatches(pattern: string, arn: string, ctx: Context, variables: boolean): boolean {
  const a = cached(arnTexts, arn, () => arnParts(arn));
  if (!a) return false;
  const substituted = variables ? substitute(pattern, ctx) : pattern;
  if (substituted === undefined) return false;
  const p = cached(arnPatterns, substituted, () => arnParts(substituted)?.map((part) => resolve(part, ctx, false)!) ?? null);
  if (!p) return false;
  for (let i = 0; i < 6; i++) if (!p[i]!.test(a[i]!)) return false;
  return true;
}

/** One context value against one policy value under a positive operator. */
function compare(op: string, actual: string, expected: string, ctx: Context, variables: boolean): boolean {
  switch (op) {
    case "StringEquals":
      if (!variables || !expected.includes("${")) return actual === expected;
      return resolve(expected, ctx, variables, false)?.test(actual) ?? false;
    case "StringEqualsIgnoreCase":
      return resolve(expected, ctx, variables, false, "i")?.test(actual) ?? false;
    case "StringLike":
      return resolve(expected, ctx, variables)?.test(actual) ?? false;
    case "NumericEquals":
    case "NumericLessThan":
    case "NumericLessThanEquals":
    case "NumericGreaterThan":
    case "NumericGreaterThanEquals":
      return compareNumbers(op.slice("Numeric".length), Number(actual), Number(expected));
    case "DateEquals":
    case "DateLessThan":
    case "DateLessThanEquals":
    case "DateGreaterThan":
    case "DateGreaterThanEquals":
      return compareNumbers(op.slice("Date".length), date(actual), date(expected));
    case "Bool":
      return actual.toLowerCase() === expected.toLowerCase();
    case "BinaryEquals":
      return actual === expected;
    case "IpAddress":
      return inCidr(actual, expected);
    case "ArnEquals":
    case "ArnLike":
      return arnMatches(expected, actual, ctx, variables);
    default:
      return false;
  }
}

function compareNumbers(how: string, a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  switch (how) {
    case "Equals":
      return a === b;
    case "LessThan":
      return a < b;
    case "LessThanEquals":
      return a <= b;
    case "GreaterThan":
      return a > b;
    default:
      return a >= b;
  }
}

/** A value passes when it matches one of the policy's values (or, negated, none of them). */
function passes(c: Condition, value: string, ctx: Context): boolean {
  for (const expected of c.values) if (compare(c.positive, value, expected, ctx, c.variables)) return !c.negated;
  return c.negated;
}

function conditionHolds(c: Condition, ctx: Context): boolean {
  const actual = ctx.get(c.key);
  if (c.op === "Null") {
    const absent = actual === undefined || actual.length === 0;
    return c.values.some((v) => (v.toLowerCase() === "true") === absent);
  }
  if (actual === undefined) {
    if (c.set === "ForAllValues") return true;
    if (c.set === "ForAnyValue") return false;
    return c.ifExists || c.negated;
  }
  // A single-valued operator on a key holding several values: a positive one holds when any value
  // matches, a negated one when none does.
  const every = c.set === "ForAllValues" || (c.set === undefined && c.negated);
  for (const value of actual) {
    const ok = passes(c, value, ctx);
    if (every && !ok) return false;
    if (!every && ok) return true;
  }
  return every;
}

/**
 * The statements of a policy whose Action (or NotAction) lets this action through, memoised per
 * policy and action: a request then looks only at the few statements about its action.
 */
const byAction = new WeakMap<Policy, Map<string, Statement[]>>();
function candidates(policy: Policy, action: string): Statement[] {
  let memo = byAction.get(policy);
  if (!memo) byAction.set(policy, (memo = new Map()));
  let list = memo.get(action);
  if (!list) {
    list = policy.statements.filter((s) => (s.action ? s.action.some((p) => p.regex!.test(action)) : !s.notAction!.some((p) => p.regex!.test(action))));
    if (memo.size > 1000) memo.clear();
    memo.set(action, list);
  }
  return list;
}

/**
 * The statements about this action that may apply to this resource: those whose fixed resource
 * patterns match it, and those whose patterns hold variables (matched per request). Memoised per
 * policy, action and resource: a server asks about the same few resources again and again.
 */
const byResource = new WeakMap<Statement[], Map<string, Statement[]>>();
function candidatesFor(policy: Policy, action: string, resource: string): Statement[] {
  const about = candidates(policy, action);
  let memo = byResource.get(about);
  if (!memo) byResource.set(about, (memo = new Map()));
  let list = memo.get(resource);
  if (!list) {
    list = about.filter((s) => !s.fixedResource || resourceMatches(s, resource, EMPTY));
    if (memo.size > 1000) memo.clear();
    memo.set(resource, list);
  }
  return list;
}
const EMPTY: Context = new Map();

function resourceMatches(s: Statement, resource: string, ctx: Context): boolean {
  if (s.resource && !matchesAny(s.resource, resource, ctx)) return false;
  if (s.notResource && matchesAny(s.notResource, resource, ctx)) return false;
  return true;
}

/**
 * Whether a statement from `candidatesFor` applies to this request, leaving out its Principal.
 * Every part must hold, so the cheapest are tried first: conditions decided by a lookup, then the
 * resource patterns that hold variables (fixed ones were matched by `candidatesFor`), then the
 * other conditions.
 */
function statementApplies(s: Statement, req: AuthzRequest, ctx: Context): boolean {
  for (const c of s.cheapConditions) if (!conditionHolds(c, ctx)) return false;
  if (!s.fixedResource && !resourceMatches(s, req.resource, ctx)) return false;
  for (const c of s.costlyConditions) if (!conditionHolds(c, ctx)) return false;
  return true;
}

/**
 * Each policy's candidates for this action and resource (`candidatesFor`), for a whole list of
 * policies at once. `keep`: the list is one IAM keeps while the caller is unchanged (its identity
 * policies), so the answer is remembered with it and a request finds all of them with
 * one lookup instead of several per policy.
 */
const byList = new WeakMap<readonly NamedPolicy[], Map<string, [NamedPolicy, Statement[]][]>>();
function candidateLists(policies: readonly NamedPolicy[], action: string, resource: string, keep: boolean): [NamedPolicy, Statement[]][] {
  if (!keep) return policies.map((policy) => [policy, candidatesFor(parsePolicy(policy.document, policy.kind), action, resource)]);
  let memo = byList.get(policies);
  if (!memo) byList.set(policies, (memo = new Map()));
  const key = `${action} ${resource}`;
  let lists = memo.get(key);
  if (!lists) {
    lists = [];
    for (const policy of policies) {
      const statements = candidatesFor(parsePolicy(policy.document, policy.kind), action, resource);
      if (statements.length) lists.push([policy, statements]);
    }
    if (memo.size > 1000) memo.clear();
    memo.set(key, lists);
  }
  return lists;
}

interface Found {
  policy: NamedPolicy;
  statement: Statement;
  /** For a resource policy: how its principal names the caller. */
  match?: PrincipalMatch;
}

/**
 * The first Deny and the first Allow of `policies` that apply to the request (resource policies: to
 * this caller), and whether a resource policy's Allow delegates to the caller's account.
 */
function scan(policies: readonly NamedPolicy[], req: AuthzRequest, ctx: Context, keep = false): { deny?: Found; allow?: Found; delegates?: boolean } {
  const out: { deny?: Found; allow?: Found; delegates?: boolean } = {};
  for (const [policy, statements] of candidateLists(policies, req.action, req.resource, keep)) {
    for (const s of statements) {
      if (s.effect === "Deny" ? out.deny : out.allow) continue;
      let match: PrincipalMatch | undefined;
      if (policy.kind === "resource") {
        match = s.principal ? principalMatch(s.principal, req.caller) : principalMatch(s.notPrincipal!, req.caller) === "none" ? "direct" : "none";
        if (match === "none") continue;
      }
      if (!statementApplies(s, req, ctx)) continue;
      // A Deny naming the account applies to everyone in it; an Allow naming it only delegates.
      if (match === "account" && s.effect === "Allow") {
        out.delegates = true;
        continue;
      }
      const found: Found = { policy, statement: s, ...(match ? { match } : {}) };
      if (s.effect === "Deny") out.deny = found;
      else out.allow = found;
      if (out.deny) return out;
    }
  }
  return out;
}

const KIND_TEXT: Record<PolicyKind, { deny: string; none: string }> = {
  identity: { deny: "with an explicit deny in an identity-based policy", none: "because no identity-based policy allows the" },
  resource: { deny: "with an explicit deny in a resource-based policy", none: "because no resource-based policy allows the" },
  boundary: { deny: "with an explicit deny in a permissions boundary", none: "because no permissions boundary allows the" },
  session: { deny: "with an explicit deny in a session policy", none: "because no session policy allows the" },
};

const deciding = (f: Found) => ({ policy: f.policy.name, kind: f.policy.kind, ...(f.statement.sid !== undefined ? { sid: f.statement.sid } : {}), index: f.statement.index });

function denied(req: AuthzRequest, reason: "explicit-deny" | "implicit-deny", kind: PolicyKind, found?: Found): Decision {
  const text = reason === "explicit-deny" ? KIND_TEXT[kind].deny : `${KIND_TEXT[kind].none} ${req.action} action`;
  return {
    allowed: false,
    reason,
    ...(found ? { statement: deciding(found) } : {}),
    message: `User: ${req.caller.arn} is not authorized to perform: ${req.action} on resource: ${req.resource} ${text}`,
  };
}

/**
 * The condition keys that the statements about this action read and the request's context lacks,
 * as their policies write them: the policy simulator's MissingContextValues.
 */
export function missingContextKeys(req: AuthzRequest, policies: PolicySet): string[] {
  const ctx = contextOf(req);
  const missing = new Map<string, string>();
  const all = [...(policies.resource ? [policies.resource] : []), ...policies.identity, ...(policies.boundary ? [policies.boundary] : []), ...(policies.session ?? [])];
  for (const policy of all) {
    for (const s of candidates(parsePolicy(policy.document, policy.kind), req.action)) {
      for (const c of s.conditions) if (!ctx.has(c.key) && !missing.has(c.key)) missing.set(c.key, c.name);
    }
  }
  return [...missing.values()];
}

/** Decide a request against the policies that apply to it. Throws MalformedPolicy for a malformed document. */
export function evaluate(req: AuthzRequest, policies: PolicySet): Decision {
  const ctx = contextOf(req);
  const resource = policies.resource ? scan([policies.resource], req, ctx) : {};
  if (resource.deny) return denied(req, "explicit-deny", "resource", resource.deny);
  if (req.caller.kind === "root") return { allowed: true, reason: "root" };
  // A trust policy that neither allows the caller nor delegates to its account refuses, whatever else allows.
  if (policies.resource?.trust && !resource.allow && !resource.delegates) return denied(req, "implicit-deny", "resource");
  const identity = scan(policies.identity, req, ctx, true);
  if (identity.deny) return denied(req, "explicit-deny", "identity", identity.deny);
  const boundary = policies.boundary ? scan([policies.boundary], req, ctx) : undefined;
  if (boundary?.deny) return denied(req, "explicit-deny", "boundary", boundary.deny);
  const session = policies.session?.length ? scan(policies.session, req, ctx) : undefined;
  if (session?.deny) return denied(req, "explicit-deny", "session", session.deny);

  const crossAccount = req.resourceAccount !== undefined && req.caller.account !== undefined && req.resourceAccount !== req.caller.account;
  const withinLimits = (!boundary || boundary.allow !== undefined) && (!session || session.allow !== undefined);
  const byIdentity = identity.allow !== undefined && withinLimits;
  const byResource = resource.allow !== undefined && (resource.allow.match === "direct" || withinLimits);
  if (crossAccount) {
    // Across accounts both sides must allow.
    if (byIdentity && resource.allow) return { allowed: true, reason: "allow", statement: deciding(identity.allow!) };
    return byIdentity ? denied(req, "implicit-deny", "resource") : denied(req, "implicit-deny", "identity");
  }
  if (resource.allow && resource.allow.match === "direct") return { allowed: true, reason: "allow", statement: deciding(resource.allow) };
  if (byIdentity) return { allowed: true, reason: "allow", statement: deciding(identity.allow!) };
  if (byResource) return { allowed: true, reason: "allow", statement: deciding(resource.allow!) };
  // Say what was missing: the boundary or session policy when something else allowed.
  if (identity.allow || resource.allow) {
    if (boundary && !boundary.allow) return denied(req, "implicit-deny", "boundary");
    return denied(req, "implicit-deny", "session");
  }
  return denied(req, "implicit-deny", "identity");
}
