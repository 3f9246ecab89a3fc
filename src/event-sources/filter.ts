/**
 * Lambda event filtering: the `FilterCriteria` of an event source mapping, checked where the mapping
 * is created or updated and then asked, record by record, whether the function should see it. Up to
 * five filters, ORed; each is an EventBridge pattern over the record as the source gives it, whose
 * leaf rules are the ones EventBridge Pipes supports (no `cidr`, no `wildcard`, `anything-but` of
 * values only). https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 *
 * The payload (`body` of an SQS message, `data` of a Kinesis record) is filtered as JSON when it is a
 * JSON object or array, and as its text otherwise. A pattern that looks inside the payload (an object
 * under `body`) drops a record whose payload is text, and a pattern of rules for the payload itself
 * (a list under `body`) drops a record whose payload is JSON, as Lambda's tables have it:
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs-filtering.html
 */
import { awsError } from "../errors.js";
import { compileRule, type Field, fieldAt, isObject, type Rule, type RuleDialect } from "../lib/content-filter.js";

export interface RecordFilter {
  /** Whether any filter matches a record's filterable view (`sqsFilterView`, `kinesisFilterView`). */
  matches(record: Record<string, unknown>): boolean;
}

/** Lambda's default quota (an account can have it raised to 10). */
const MAX_FILTERS = 5;
/** The model's bound on `Filters[].Pattern`. */
const MAX_PATTERN_LENGTH = 4096;
/** The keys whose values are a record's payload, filtered as JSON or as text. */
const PAYLOAD_KEYS = new Set(["body", "data"]);

/** AWS gives the same answer for every refused pattern, whatever is wrong with it (recorded). */
const invalid = (): never => {
  throw awsError("InvalidParameterValueException", "Invalid filter pattern definition.");
};
const LAMBDA_RULES: RuleDialect = { fail: invalid, cidr: false, anythingButPatterns: false, anythingButStringsOrNumbers: true, ignoreCaseAffixes: true };

/** Keys whose rules must all match (any one rule of a key), `$or`s, and the payload forms a pattern expects. */
interface Conjunction {
  keys: { path: string[]; id: string; rules: Rule[] }[];
  ors: Conjunction[][];
  /** `json`: the pattern looks inside the payload; otherwise its rules test the payload's text. */
  payloads: { key: string; json: boolean }[];
}

/**
 * Checks `FilterCriteria` as CreateEventSourceMapping and UpdateEventSourceMapping receive it.
 * Undefined when there is nothing to filter (no criteria, or an empty `Filters` list).
 */
export function compileFilters(criteria: unknown): RecordFilter | undefined {
  if (criteria === undefined || criteria === null) return undefined;
  if (!isObject(criteria)) return invalid();
  const filters = criteria.Filters;
  if (filters === undefined || filters === null) return undefined;
  if (!Array.isArray(filters)) return invalid();
  if (filters.length === 0) return undefined;
  if (filters.length > MAX_FILTERS) invalid();
  const roots = filters.map((f) => compilePattern(isObject(f) ? f.Pattern : undefined));
  return {
    matches(record) {
      const field = once(record);
      return roots.some((root) => conjunctionMatches(root, record, field));
    },
  };
}

function compilePattern(text: unknown): Conjunction {
  if (typeof text !== "string" || text.length > MAX_PATTERN_LENGTH) return invalid();
  let pattern: unknown;
  try {
    pattern = JSON.parse(text);
  } catch {
    return invalid();
  }
  if (!isObject(pattern)) return invalid();
  return conjunction(pattern, [], true);
}

/** One object of the pattern as a conjunction, keys outside the payload first: a record they reject is never decoded nor parsed. */
function conjunction(node: Record<string, unknown>, prefix: string[], top: boolean): Conjunction {
  const c: Conjunction = { keys: [], ors: [], payloads: [] };
  walk(node, prefix, top, c);
  const inPayload = (path: string[]) => (PAYLOAD_KEYS.has(path[0]!) ? 1 : 0);
  c.keys.sort((a, b) => inPayload(a.path) - inPayload(b.path));
  return c;
}

/**
 * Check one object of the pattern and add its keys and `$or`s to `into`. `top`: the object is the
 * pattern itself or an alternative of an `$or` there, where `body` and `data` name the payload.
 * The 4096-character bound keeps the recursion shallow.
 */
function walk(node: Record<string, unknown>, prefix: string[], top: boolean, into: Conjunction): void {
  const entries = Object.entries(node);
  if (entries.length === 0) invalid();
  for (const [key, value] of entries) {
    if (key === "$or") {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isObject)) invalid();
      into.ors.push((value as Record<string, unknown>[]).map((alternative) => conjunction(alternative, prefix, top)));
      continue;
    }
    const path = [...prefix, key];
    if (top && PAYLOAD_KEYS.has(key)) into.payloads.push({ key, json: isObject(value) });
    if (Array.isArray(value)) {
      if (value.length === 0) invalid();
      into.keys.push({ path, id: JSON.stringify(path), rules: value.map((r) => compileRule(r, LAMBDA_RULES)) });
    } else if (isObject(value)) walk(value, path, false, into);
    else invalid();
  }
}

/** Every key matches one of its rules, the payload has the form the pattern expects, and every `$or` has an alternative that matches. */
function conjunctionMatches(c: Conjunction, record: Record<string, unknown>, field: (key: Conjunction["keys"][number]) => Field): boolean {
  return (
    c.keys.every((key) => key.rules.some((test) => test(field(key)))) &&
    c.payloads.every(({ key, json }) => {
      const payload = record[key];
      return payload === undefined || (typeof payload !== "string") === json;
    }) &&
    c.ors.every((alternatives) => alternatives.some((a) => conjunctionMatches(a, record, field)))
  );
}

/** A record's fields, each looked up once however many rules, alternatives and filters ask for it. */
function once(record: Record<string, unknown>): (key: Conjunction["keys"][number]) => Field {
  const known = new Map<string, Field>();
  return ({ path, id }) => {
    let f = known.get(id);
    if (!f) known.set(id, (f = fieldAt(record, path)));
    return f;
  };
}

/** An SQS message as an event record carries it (AWS's shape, before the mapping adds eventSource, eventSourceARN and awsRegion). */
export interface SqsMessageRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, unknown>;
  md5OfBody: string;
  md5OfMessageAttributes?: string | null;
}

/**
 * What a filter sees of an SQS message: the record's own fields, with `body` parsed when it is a JSON
 * object or array. The body is parsed the first time a pattern asks for it, so filters on metadata
 * alone cost no parsing. eventSource, eventSourceARN and awsRegion are added after filtering and
 * cannot be filtered on.
 */
export function sqsFilterView(record: SqsMessageRecord): Record<string, unknown> {
  const text = record.body;
  let body: unknown;
  return {
    messageId: record.messageId,
    receiptHandle: record.receiptHandle,
    get body() {
      return (body ??= payload(text));
    },
    attributes: record.attributes,
    messageAttributes: record.messageAttributes,
    md5OfBody: record.md5OfBody,
    md5OfMessageAttributes: record.md5OfMessageAttributes,
  };
}

/** The `kinesis` member of a Kinesis event record. */
export interface KinesisRecordData {
  kinesisSchemaVersion: string;
  partitionKey: string;
  sequenceNumber: string;
  /** Base64. */
  data: string;
  approximateArrivalTimestamp: number;
}

/**
 * What a filter sees of a Kinesis record: the `kinesis` member's fields (`partitionKey`,
 * `sequenceNumber` …), with `data` decoded from base64 and parsed when it is a JSON object or array,
 * both the first time a pattern asks for it. The record itself keeps its original bytes.
 */
export function kinesisFilterView(kinesis: KinesisRecordData): Record<string, unknown> {
  const encoded = kinesis.data;
  let data: unknown;
  return {
    kinesisSchemaVersion: kinesis.kinesisSchemaVersion,
    partitionKey: kinesis.partitionKey,
    sequenceNumber: kinesis.sequenceNumber,
    get data() {
      return (data ??= payload(Buffer.from(encoded, "base64").toString("utf8")));
    },
    approximateArrivalTimestamp: kinesis.approximateArrivalTimestamp,
  };
}

/** A payload as filters see it: a JSON object or array parsed, anything else (JSON scalars too) its text. */
function payload(text: string): unknown {
  const first = text.trimStart()[0];
  if (first !== "{" && first !== "[") return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
