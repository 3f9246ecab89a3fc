/**
 * Subscription filter policies: AWS's validation and matching, on message attributes or on the
 * message body (FilterPolicyScope). A policy is a set of keys, each with a list of rules; a message
 * matches when every key matches at least one rule (`$or` makes alternatives of whole key sets).
 * Rules: exact strings, numbers, booleans and null; `prefix`, `suffix`, `equals-ignore-case`,
 * `anything-but` (values or a prefix/suffix), `numeric` (=, <, <=, >, >= and ranges), `exists`, `cidr`.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
 */
import { compileRule, type Field, fieldAt, isObject, type Rule, type RuleDialect } from "../../lib/content-filter.js";
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

/** A policy no message passes (an `$or` without alternatives), for a stored policy that is refused today. */
export const MATCHES_NOTHING: FilterPolicy = { scope: "MessageAttributes", root: { keys: [], ors: [[]] } };

const MAX_KEYS = 5;
const MAX_COMBINATIONS = 150;
/**
 * Nesting (objects and `$or`s together) deeper than this is refused as too complex before it is
 * walked further: a key that deep weighs more than 150 combinations by AWS's count, so only a policy
 * without keys down there could otherwise pass, and no input may recurse without bound.
 */
const MAX_NESTING = MAX_COMBINATIONS;
const fail = (reason: string): never => {
  throw new FilterPolicyError(`FilterPolicy: ${reason}`);
};
const tooComplex = () => fail("Filter policy is too complex");
/** The operators SNS filter policies take: `cidr` and `anything-but` patterns, no ignore-case `prefix`/`suffix`. */
const SNS_RULES: RuleDialect = { fail, cidr: true, anythingButPatterns: true, anythingButStringsOrNumbers: false, ignoreCaseAffixes: false };
const rule = (r: unknown): Rule => compileRule(r, SNS_RULES);

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

/** Leaf values at a dotted path of a JSON document. */
const bodyField = (doc: unknown, path: string): Field => fieldAt(doc, path.split("."));

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
