/**
 * Subscription filter policies: AWS's validation and matching, on message attributes or on the
 * message body (FilterPolicyScope). A policy is a set of keys, each with a list of rules; a message
 * matches when every key matches at least one rule (`$or` makes alternatives of whole key sets).
 * Rules: exact strings, numbers, booleans and null; `prefix`, `suffix`, `equals-ignore-case`,
 * `anything-but` (values or a prefix/suffix), `numeric` (=, <, <=, >, >= and ranges), `exists`, `cidr`.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
 */
import { BlockList, isIP } from "node:net";
import type { MessageAttributeValue } from "./model.js";

export type FilterScope = "MessageAttributes" | "MessageBody";

/** Why a policy is refused, in AWS's words (`FilterPolicy: …`); the caller adds the parameter's prefix. */
export class FilterPolicyError extends Error {}

/**
 * A validated policy as a tree: key paths whose rules must all match (any one rule of a key), and
 * `$or`s, each satisfied by one of its alternatives. It is evaluated as it stands: `$or`s are never
 * multiplied out into alternatives of whole key sets, so a policy costs memory and time in proportion
 * to its text, whatever its combination count.
 */
export interface FilterPolicy {
  scope: FilterScope;
  root: Conjunction;
}

interface Conjunction {
  keys: { path: string; rules: Rule[] }[];
  ors: Conjunction[][];
}

/** One rule of a key, checked and made into a test of what the message has there. */
type Rule = (field: Field) => boolean;

/** A policy no message passes (an `$or` without alternatives), for a stored policy that is refused today. */
export const MATCHES_NOTHING: FilterPolicy = { scope: "MessageAttributes", root: { keys: [], ors: [[]] } };

/** What a message has under one key: whether it is there, and its values (an array gives several). */
interface Field {
  present: boolean;
  values: unknown[];
}

const MAX_KEYS = 5;
const MAX_COMBINATIONS = 150;
/**
 * Nesting (objects and `$or`s together) deeper than this is refused as too complex before it is
 * walked further: a key that deep weighs more than 150 combinations by AWS's count, so only a policy
 * without keys down there could otherwise pass, and no input may recurse without bound.
 */
const MAX_NESTING = MAX_COMBINATIONS;
const NUMERIC_OPS = ["<", "<=", "=", ">", ">="];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const fail = (reason: string): never => {
  throw new FilterPolicyError(`FilterPolicy: ${reason}`);
};
const tooComplex = () => fail("Filter policy is too complex");

export function parseFilterPolicy(text: string, scope: FilterScope): FilterPolicy {
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    return fail("failed to parse JSON.");
  }
  if (!isObject(policy)) return fail("Filter policy must be a JSON object");
  if (Object.keys(policy).length > MAX_KEYS) fail(`Filter policy can not have more than ${MAX_KEYS} keys`);
  const root: Conjunction = { keys: [], ors: [] };
  walk(policy, { scope, prefix: "", depth: 1, nesting: 0 }, 1, root);
  return { scope, root };
}

interface Place {
  scope: FilterScope;
  /** The dotted path of the object being walked. */
  prefix: string;
  /** AWS's nesting level of the keys here: 1 at the top, one more inside each object. */
  depth: number;
  /** Objects and `$or`s above this one. */
  nesting: number;
}

/**
 * Check one object of the policy and add its keys and `$or`s to `into`, counting combinations as AWS
 * does: a key weighs the number of its values times its nesting level (four values three levels deep
 * and three values two levels deep: 3 x 4 x 2 x 3 = 72), keys multiply, and the alternatives of an
 * `$or` add up (AWS refuses `source` with 4 values and an `$or` of `metricName` with 6 and of
 * `metricType` with 4 and an `$or` of two keys with 4 each: 4 x 6 + 4 x 4 x 4 + 4 x 4 x 4 = 152).
 * `combinations` is the count so far and comes back with this object's keys in it; it only grows as
 * the walk goes on, so the walk stops as soon as it passes 150.
 * https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html
 */
function walk(node: Record<string, unknown>, at: Place, combinations: number, into: Conjunction): number {
  if (at.nesting > MAX_NESTING) tooComplex();
  for (const [key, value] of Object.entries(node)) {
    if (key === "$or") {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isObject)) fail("$or must be an array of at least two objects");
      const alternatives: Conjunction[] = [];
      let sum = 0;
      for (const alternative of value as Record<string, unknown>[]) {
        const conjunction: Conjunction = { keys: [], ors: [] };
        sum += walk(alternative, { ...at, nesting: at.nesting + 1 }, combinations, conjunction);
        if (sum > MAX_COMBINATIONS) tooComplex();
        alternatives.push(conjunction);
      }
      into.ors.push(alternatives);
      combinations = sum;
      continue;
    }
    const path = at.prefix ? `${at.prefix}.${key}` : key;
    if (Array.isArray(value)) {
      if (value.length === 0) fail("Empty arrays are not allowed");
      into.keys.push({ path, rules: value.map(rule) });
      combinations *= value.length * at.depth;
    } else if (isObject(value)) {
      if (at.scope === "MessageAttributes") throw new FilterPolicyError("Filter policy scope MessageAttributes does not support nested filter policy");
      combinations = walk(value, { ...at, prefix: path, depth: at.depth + 1, nesting: at.nesting + 1 }, combinations, into);
    } else fail(`"${key}" must be an object or an array`);
    if (combinations > MAX_COMBINATIONS) tooComplex();
  }
  return combinations;
}

/** Check a rule as AWS does and make it the test a message's values go through. */
function rule(r: unknown): Rule {
  if (r === null || typeof r === "string" || typeof r === "boolean" || typeof r === "number") return (f) => f.values.some((v) => v === r);
  if (!isObject(r)) return fail("Match value must be String, number, true, false, or null");
  const entries = Object.entries(r);
  if (entries.length !== 1) fail("Only one key allowed in match expression");
  const [op, arg] = entries[0]!;
  switch (op) {
    case "prefix":
    case "suffix":
    case "equals-ignore-case":
      if (typeof arg !== "string") fail(`${op} match pattern must be a string`);
      return (f) => f.values.some((v) => patternMatches(op, arg as string, v));
    case "exists":
      if (typeof arg !== "boolean") fail("exists match pattern must be either true or false.");
      return (f) => f.present === arg;
    case "anything-but": {
      const excluded = exclusion(arg);
      return (f) => f.values.some((v) => !excluded(v));
    }
    case "numeric":
      checkNumeric(arg);
      return (f) => f.values.some((v) => typeof v === "number" && numericMatches(arg as unknown[], v));
    case "cidr": {
      const list = cidrList(arg);
      return (f) => f.values.some((v) => typeof v === "string" && isIP(v) !== 0 && list.check(v, isIP(v) === 4 ? "ipv4" : "ipv6"));
    }
    default:
      return fail(`Unrecognized match type ${op}`);
  }
}

/** What `anything-but` excludes: listed values (a set, so a long list costs nothing per value), a pattern, or one value. */
function exclusion(arg: unknown): (v: unknown) => boolean {
  if (Array.isArray(arg)) {
    if (arg.some((v) => isObject(v) || Array.isArray(v))) fail("Match value must be String, number, true, false, or null");
    const listed = new Set(arg);
    return (v) => listed.has(v);
  }
  if (isObject(arg)) {
    const [inner, pattern] = Object.entries(arg)[0] ?? [];
    if (Object.keys(arg).length !== 1 || !["prefix", "suffix", "equals-ignore-case"].includes(inner!)) fail(`Unsupported anything-but pattern: ${inner}`);
    if (typeof pattern !== "string") fail(`${inner} match pattern must be a string`);
    return (v) => patternMatches(inner!, pattern as string, v);
  }
  return (v) => v === arg;
}

function checkNumeric(arg: unknown): void {
  if (!Array.isArray(arg) || arg.length === 0) return fail("Invalid member in numeric match: ]");
  const [op1, v1, op2, v2, ...rest] = arg as unknown[];
  if (typeof op1 !== "string") fail(`Invalid member in numeric match: ${String(op1)}`);
  if (!NUMERIC_OPS.includes(op1 as string)) fail(`Unrecognized numeric range operator: ${String(op1)}`);
  if (typeof v1 !== "number") fail(`Value of ${op1 === "=" ? "equals" : op1} must be numeric`);
  if (arg.length <= 2) return;
  if (op1 !== ">" && op1 !== ">=") fail("Too many elements in numeric expression");
  if (typeof op2 !== "string") fail(`Bad value in numeric range: ${String(op2)}`);
  if (op2 !== "<" && op2 !== "<=") fail(`Bad numeric range operator: ${String(op2)}`);
  if (typeof v2 !== "number") fail(`Value of ${op2} must be numeric`);
  if ((v2 as number) <= (v1 as number)) fail("Bottom must be less than top");
  if (rest.length) fail("Too many terms in numeric range expression");
}

function cidrList(arg: unknown): BlockList {
  if (typeof arg !== "string") return fail("prefix match pattern must be a string");
  const [ip, bits, extra] = arg.split("/");
  if (bits === undefined || extra !== undefined) fail("Malformed CIDR, one '/' required");
  if (!/^\d+$/.test(bits!)) fail("Malformed CIDR, mask bits must be an integer");
  const family = isIP(ip!);
  if (family === 0 || Number(bits) > (family === 4 ? 32 : 128)) fail(`Nonstandard IP address: ${ip}`);
  const list = new BlockList();
  list.addSubnet(ip!, Number(bits), family === 4 ? "ipv4" : "ipv6");
  return list;
}

function numericMatches(arg: unknown[], v: number): boolean {
  for (let i = 0; i < arg.length; i += 2) {
    const bound = arg[i + 1] as number;
    const ok = { "<": v < bound, "<=": v <= bound, "=": v === bound, ">": v > bound, ">=": v >= bound }[arg[i] as string];
    if (!ok) return false;
  }
  return true;
}

/** A single value against a string pattern rule (`prefix`, `suffix`, `equals-ignore-case`). */
function patternMatches(op: string, pattern: string, v: unknown): boolean {
  if (typeof v !== "string") return false;
  if (op === "prefix") return v.startsWith(pattern);
  if (op === "suffix") return v.endsWith(pattern);
  return v.toLowerCase() === pattern.toLowerCase();
}

/** Every key matches one of its rules, and every `$or` has an alternative that matches. */
function conjunctionMatches(c: Conjunction, field: (path: string) => Field): boolean {
  return c.keys.every(({ path, rules }) => rules.some((test) => test(field(path)))) && c.ors.every((alternatives) => alternatives.some((a) => conjunctionMatches(a, field)));
}

/** Whether the policy can be satisfied without any key: only such a policy matches a body that is not a JSON object. */
function needsNoKey(c: Conjunction): boolean {
  return c.keys.length === 0 && c.ors.every((alternatives) => alternatives.some(needsNoKey));
}

/**
 * Attributes as the policy sees them: String → a string, Number → a number, `String.Array` and
 * `Number.Array` → their elements; Binary attributes are ignored.
 */
function attributeField(attribute: Pick<MessageAttributeValue, "DataType" | "StringValue"> | undefined): Field {
  if (!attribute || attribute.StringValue === undefined || attribute.DataType.startsWith("Binary")) return { present: false, values: [] };
  const text = attribute.StringValue;
  if (attribute.DataType.endsWith(".Array")) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return { present: true, values: parsed.filter((v) => !isObject(v) && !Array.isArray(v)) };
    } catch {
      // not an array after all: matched as its text
    }
    return { present: true, values: [text] };
  }
  return { present: true, values: [attribute.DataType.startsWith("Number") ? Number(text) : text] };
}

/** Leaf values at a dotted path of a JSON document; arrays on the way contribute each element. */
function bodyField(doc: unknown, path: string): Field {
  const parts = path.split(".");
  const values: unknown[] = [];
  // A stack, not recursion: a body may nest arrays deeper than the call stack goes.
  const pending: [node: unknown, depth: number][] = [[doc, 0]];
  while (pending.length) {
    const [node, depth] = pending.pop()!;
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) pending.push([node[i], depth]);
    } else if (depth === parts.length) {
      if (!isObject(node)) values.push(node);
    } else if (isObject(node) && Object.hasOwn(node, parts[depth]!)) pending.push([node[parts[depth]!], depth + 1]);
  }
  return { present: values.length > 0, values };
}

/** `field`, computed once per path for one message however many rules and alternatives ask for it. */
function once(field: (path: string) => Field): (path: string) => Field {
  const known = new Map<string, Field>();
  return (path) => {
    let f = known.get(path);
    if (!f) known.set(path, (f = field(path)));
    return f;
  };
}

/** Does a message pass the policy? `attributes` for the MessageAttributes scope, `body` for MessageBody. */
export function filterMatches(policy: FilterPolicy, message: { attributes: Record<string, Pick<MessageAttributeValue, "DataType" | "StringValue">>; body: string }): boolean {
  if (policy.scope === "MessageAttributes") return conjunctionMatches(policy.root, once((name) => attributeField(Object.hasOwn(message.attributes, name) ? message.attributes[name] : undefined)));
  let doc: unknown;
  try {
    doc = JSON.parse(message.body);
  } catch {
    // A body policy expects a JSON object; anything else matches only a policy with no keys.
  }
  if (!isObject(doc)) return needsNoKey(policy.root);
  return conjunctionMatches(policy.root, once((path) => bodyField(doc, path)));
}
