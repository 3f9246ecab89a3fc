/**
 * AWS-style request validation: model constraints become ValidationException with AWS's
 * "N validation error(s) detected: …" text; wrong JSON types become InvalidRequestContentException.
 */
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../../lib/json-depth.js";
import { awsError } from "../../errors.js";

/** Collects model-constraint violations and throws them together, as AWS does. */
export class Violations {
  private readonly list: string[] = [];

  add(message: string): void {
    this.list.push(message);
  }

  pattern(field: string, value: string, pattern: string): void {
    this.add(`Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern}`);
  }

  maxLength(field: string, value: string, max: number): void {
    this.add(`Value '${value}' at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  }

  range(field: string, value: number, min: number, max: number): void {
    if (value < min) this.add(`Value '${value}' at '${field}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`);
    else if (value > max) this.add(`Value '${value}' at '${field}' failed to satisfy constraint: Member must have value less than or equal to ${max}`);
  }

  get count(): number {
    return this.list.length;
  }

  message(): string {
    const n = this.list.length;
    return `${n} validation error${n === 1 ? "" : "s"} detected: ${this.list.join("; ")}`;
  }

  throwIfAny(code: "ValidationException" | "InvalidParameterValueException" = "ValidationException"): void {
    if (this.list.length) throw awsError(code, this.message());
  }
}

export function fullMatch(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

type Kind = "string" | "integer" | "boolean" | "object" | "stringArray" | "stringMap";

export function badContent(detail: string): never {
  throw awsError("InvalidRequestContentException", `Could not parse request body into json: ${detail}`);
}

/** Parse a JSON request body; an empty body is an empty object. */
/** Bodies already parsed: authorization reads a body's members (Role, FunctionName) before its handler does. */
const parsedBodies = new WeakMap<Buffer, Record<string, unknown>>();

export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  const known = parsedBodies.get(body);
  if (known) return known;
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch (err) {
    badContent(`Could not parse payload into json: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) badContent("Request body must be a JSON object");
  if (nestsDeeperThan(value)) badContent(`nesting depth exceeds ${MAX_JSON_DEPTH}`);
  parsedBodies.set(body, value as Record<string, unknown>);
  return value as Record<string, unknown>;
}

/**
 * The first 64 characters of a value as JSON, for a message. JSON.stringify recurses and throws on a
 * value nested deeper than the call stack (which JSON.parse accepts): such a value shows as its
 * opening brackets.
 */
export function jsonStart(v: unknown): string {
  try {
    return (JSON.stringify(v) ?? String(v)).slice(0, 64);
  } catch {
    let start = "";
    for (let x = v; start.length < 64 && typeof x === "object" && x !== null; x = Array.isArray(x) ? x[0] : Object.values(x)[0]) start += Array.isArray(x) ? "[" : "{";
    return start;
  }
}

/** Read a member of a decoded body, checking its JSON type (null counts as absent, as AWS's deserialiser does). */
export function member<K extends Kind>(
  body: Record<string, unknown>,
  name: string,
  kind: K,
): (K extends "string" ? string : K extends "integer" ? number : K extends "boolean" ? boolean : K extends "stringArray" ? string[] : K extends "stringMap" ? Record<string, string> : Record<string, unknown>) | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  const wrong = (want: string) => badContent(`Cannot deserialize value of type \`${want}\` from ${jsonStart(v)} at '${name}'`);
  switch (kind) {
    case "string":
      if (typeof v !== "string") wrong("java.lang.String");
      break;
    case "integer":
      if (typeof v !== "number" || !Number.isInteger(v)) wrong("java.lang.Integer");
      break;
    case "boolean":
      if (typeof v !== "boolean") wrong("java.lang.Boolean");
      break;
    case "object":
      if (typeof v !== "object" || Array.isArray(v)) wrong("structure");
      break;
    case "stringArray":
      if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) wrong("java.util.List<java.lang.String>");
      break;
    case "stringMap":
      if (typeof v !== "object" || Array.isArray(v) || Object.values(v as object).some((x) => typeof x !== "string")) {
        wrong("java.util.Map<java.lang.String,java.lang.String>");
      }
      break;
  }
  return v as never;
}

/** Lambda's rules for a resource's tags (a function's, a mapping's): key and value lengths, no `aws:` keys. */
export function checkTagValues(tags: Record<string, string>): void {
  const v = new Violations();
  for (const [k, val] of Object.entries(tags)) {
    if (k.length < 1 || k.length > 128) v.add(`Value '${k}' at 'tags' failed to satisfy constraint: Map keys must have length between 1 and 128`);
    if (val.length > 256) v.add(`Value '${val}' at 'tags' failed to satisfy constraint: Map values must have length less than or equal to 256`);
  }
  v.throwIfAny();
  if (Object.keys(tags).some((k) => k.toLowerCase().startsWith("aws:"))) {
    throw awsError("InvalidParameterValueException", "Tag keys starting with 'aws:' are reserved for AWS use.");
  }
}
