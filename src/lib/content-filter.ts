/**
 * The leaf rules of AWS's content filters, shared by SNS subscription filter policies and Lambda
 * event filters (both descend from EventBridge's event-ruler): a rule is checked once, where the
 * filter is created, and becomes a test of the values a message has under one key. The dialects
 * differ in which operators they take, so each passes a `RuleDialect`.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */
import { BlockList, isIP } from "node:net";

/** What a message has under one key: whether it is there, and its values (an array gives several). */
export interface Field {
  present: boolean;
  values: unknown[];
}

/** One rule of a key, checked and made into a test of what the message has there. */
export type Rule = (field: Field) => boolean;

export interface RuleDialect {
  /** Refuses a rule; `reason` is event-ruler's wording, which SNS shows and Lambda replaces with its own. */
  fail(reason: string): never;
  /** `cidr` (SNS); Lambda's filters have no IP matching. */
  cidr: boolean;
  /** `anything-but` of a `prefix`, `suffix` or `equals-ignore-case` (SNS); EventBridge Pipes and Lambda take values only. */
  anythingButPatterns: boolean;
  /** `anything-but` values only strings or numbers, as event-ruler has them (Lambda); SNS also takes null and booleans. */
  anythingButStringsOrNumbers: boolean;
  /** `prefix` and `suffix` of `{"equals-ignore-case": …}` (Lambda). */
  ignoreCaseAffixes: boolean;
}

const NUMERIC_OPS = ["<", "<=", "=", ">", ">="];

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Check a rule as AWS does and make it the test a message's values go through. */
export function compileRule(r: unknown, dialect: RuleDialect): Rule {
  const { fail } = dialect;
  if (r === null || typeof r === "string" || typeof r === "boolean" || typeof r === "number") return (f) => f.values.some((v) => v === r);
  if (!isObject(r)) return fail("Match value must be String, number, true, false, or null");
  const entries = Object.entries(r);
  if (entries.length !== 1) fail("Only one key allowed in match expression");
  const [op, arg] = entries[0]!;
  switch (op) {
    case "prefix":
    case "suffix":
    case "equals-ignore-case":
      if (op !== "equals-ignore-case" && dialect.ignoreCaseAffixes && isObject(arg)) return ignoreCaseAffix(op, arg, fail);
      if (typeof arg !== "string") fail(`${op} match pattern must be a string`);
      return (f) => f.values.some((v) => patternMatches(op, arg as string, v));
    case "exists":
      if (typeof arg !== "boolean") fail("exists match pattern must be either true or false.");
      return (f) => f.present === arg;
    case "anything-but": {
      const excluded = exclusion(arg, dialect);
      return (f) => f.values.some((v) => !excluded(v));
    }
    case "numeric":
      checkNumeric(arg, fail);
      return (f) => f.values.some((v) => typeof v === "number" && numericMatches(arg as unknown[], v));
    case "cidr": {
      if (!dialect.cidr) break;
      const list = cidrList(arg, fail);
      return (f) => f.values.some((v) => typeof v === "string" && isIP(v) !== 0 && list.check(v, isIP(v) === 4 ? "ipv4" : "ipv6"));
    }
  }
  return fail(`Unrecognized match type ${op}`);
}

/** `{"prefix": {"equals-ignore-case": "eventb"}}`, and the same for `suffix`. */
function ignoreCaseAffix(op: "prefix" | "suffix", arg: Record<string, unknown>, fail: RuleDialect["fail"]): Rule {
  const entries = Object.entries(arg);
  if (entries.length !== 1) fail("Only one key allowed in match expression");
  const [inner, pattern] = entries[0]!;
  if (inner !== "equals-ignore-case") fail(`Unsupported ${op} pattern: ${inner}`);
  if (typeof pattern !== "string") fail("equals-ignore-case match pattern must be a string");
  const folded = (pattern as string).toLowerCase();
  return (f) => f.values.some((v) => typeof v === "string" && (op === "prefix" ? v.toLowerCase().startsWith(folded) : v.toLowerCase().endsWith(folded)));
}

/** What `anything-but` excludes: listed values (a set, so a long list costs nothing per value), a pattern, or one value. */
function exclusion(arg: unknown, dialect: RuleDialect): (v: unknown) => boolean {
  const { fail } = dialect;
  const stringOrNumber = (v: unknown) => typeof v === "string" || typeof v === "number";
  if (Array.isArray(arg)) {
    if (arg.some((v) => isObject(v) || Array.isArray(v))) fail("Match value must be String, number, true, false, or null");
    if (dialect.anythingButStringsOrNumbers && !arg.every(stringOrNumber)) fail("Inside anything but list, start|null|boolean is not supported.");
    const listed = new Set(arg);
    return (v) => listed.has(v);
  }
  if (isObject(arg)) {
    const [inner, pattern] = Object.entries(arg)[0] ?? [];
    if (!dialect.anythingButPatterns || Object.keys(arg).length !== 1 || !["prefix", "suffix", "equals-ignore-case"].includes(inner!)) fail(`Unsupported anything-but pattern: ${inner}`);
    if (typeof pattern !== "string") fail(`${inner} match pattern must be a string`);
    return (v) => patternMatches(inner!, pattern as string, v);
  }
  if (dialect.anythingButStringsOrNumbers && !stringOrNumber(arg)) fail("Value of anything-but must be an array or single string/number value.");
  return (v) => v === arg;
}

function checkNumeric(arg: unknown, fail: RuleDialect["fail"]): void {
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

function cidrList(arg: unknown, fail: RuleDialect["fail"]): BlockList {
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

/**
 * Leaf values under a path of a JSON document; arrays on the way contribute each element, and an
 * object where the path ends is no value (rules apply to leaves only), nor is `undefined`, which
 * JSON cannot hold but a record view may.
 */
export function fieldAt(doc: unknown, parts: readonly string[]): Field {
  const values: unknown[] = [];
  // A stack, not recursion: a document may nest arrays deeper than the call stack goes.
  const pending: [node: unknown, depth: number][] = [[doc, 0]];
  while (pending.length) {
    const [node, depth] = pending.pop()!;
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) pending.push([node[i], depth]);
    } else if (depth === parts.length) {
      if (node !== undefined && !isObject(node)) values.push(node);
    } else if (isObject(node) && Object.hasOwn(node, parts[depth]!)) pending.push([node[parts[depth]!], depth + 1]);
  }
  return { present: values.length > 0, values };
}
