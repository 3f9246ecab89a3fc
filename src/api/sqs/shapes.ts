/**
 * SQS's query protocol in terms of its JSON protocol: query parameters are reshaped into the members
 * the JSON protocol sends, and results (in JSON form) are written as the query protocol's XML, using
 * the flattened names of the sqs-2012-11-05 query model (`Attribute.N.Name`, `<QueueUrl>` per list
 * item, `<SendMessageBatchResultEntry>`, …). One set of operations then serves both protocols.
 */
import { awsError } from "../../errors.js";
import type { ParamNode, ParamTree } from "../query.js";
import { element, escapeXml, textElement } from "../xml.js";

export const SQS_XMLNS = "http://queue.amazonaws.com/doc/2012-11-05/";

type Members = Record<string, unknown>;

/** Flattened query lists: parameter prefix → JSON member. */
const LISTS: Record<string, string> = {
  AttributeName: "AttributeNames",
  MessageAttributeName: "MessageAttributeNames",
  MessageSystemAttributeName: "MessageSystemAttributeNames",
  TagKey: "TagKeys",
};

/** Flattened query maps: parameter prefix → [JSON member, key name, value name]. */
const MAPS: Record<string, [string, string, string]> = {
  Attribute: ["Attributes", "Name", "Value"],
  MessageAttribute: ["MessageAttributes", "Name", "Value"],
  MessageSystemAttribute: ["MessageSystemAttributes", "Name", "Value"],
  Tag: ["Tags", "Key", "Value"],
};

const INTEGERS = new Set(["DelaySeconds", "MaxNumberOfMessages", "VisibilityTimeout", "WaitTimeSeconds", "MaxResults", "MaxNumberOfMessagesPerSecond"]);

const asList = (node: ParamNode): ParamNode[] => (Array.isArray(node) ? node : [node]);

function integer(name: string, node: ParamNode): number {
  if (typeof node !== "string") throw awsError("InvalidParameterValue", `Value for parameter ${name} is invalid. Reason: must be an integer, not a structure or list.`);
  const n = typeof node === "string" && /^\s*-?\d+\s*$/.test(node) ? Number(node) : NaN;
  if (!Number.isSafeInteger(n)) throw awsError("InvalidParameterValue", `Value ${String(node)} for parameter ${name} is invalid. Reason: must be an integer.`);
  return n;
}

/** An ordinary-object copy of a parameter subtree (the tree's levels have no prototype). */
function plain(node: ParamNode): unknown {
  if (typeof node === "string") return node;
  if (Array.isArray(node)) return node.map(plain);
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, plain(v)]));
}

/** Reshape a query request's parameter tree into the operation's JSON members. */
export function membersFromQuery(operation: string, tree: ParamTree): Members {
  const out: Members = {};
  for (const [name, node] of Object.entries(tree)) {
    if (name === "Action" || name === "Version" || name === "__proto__") continue;
    if (name in LISTS) out[LISTS[name]!] = asList(node);
    else if (name in MAPS) {
      const [member, key, value] = MAPS[name]!;
      const map: Members = {};
      for (const entry of asList(node)) {
        if (typeof entry === "object" && !Array.isArray(entry) && typeof entry[key] === "string" && entry[value] !== undefined) {
          Object.defineProperty(map, entry[key] as string, { value: plain(entry[value]!), enumerable: true, writable: true, configurable: true });
        }
      }
      // CreateQueue's member is `tags`, TagQueue's `Tags` (the query name is Tag for both).
      out[member === "Tags" && operation === "CreateQueue" ? "tags" : member] = map;
    } else if (name === `${operation}RequestEntry`) {
      out.Entries = asList(node).map((e) => (typeof e === "object" && !Array.isArray(e) ? membersFromQuery(operation, e) : {}));
    } else if (INTEGERS.has(name)) out[name] = integer(name, node);
    else out[name] = plain(node);
  }
  return out;
}

/** Binary values are base64 on both wires. */
export function wireValue(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(wireValue);
  if (typeof value === "object" && value !== null) {
    const out: Members = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = wireValue(v);
    return out;
  }
  return value;
}

/** Result maps: JSON member → [entry element, key element, value element]. */
const RESULT_MAPS: Record<string, [string, string, string]> = Object.fromEntries(Object.entries(MAPS).map(([entry, [member, k, v]]) => [member, [entry, k, v]]));
/** Result lists and their item element names. */
const RESULT_LISTS: Record<string, string> = {
  QueueUrls: "QueueUrl",
  queueUrls: "QueueUrl",
  Messages: "Message",
  Failed: "BatchResultErrorEntry",
  Results: "ListMessageMoveTasksResultEntry",
};

function xmlMembers(operation: string, members: Members): string {
  let xml = "";
  for (const [name, value] of Object.entries(members)) {
    if (value === undefined) continue;
    const map = RESULT_MAPS[name];
    if (map) {
      const [entry, key, val] = map;
      for (const [k, v] of Object.entries(value as Members)) {
        const inner = typeof v === "object" && v !== null ? xmlMembers(operation, v as Members) : escapeXml(String(v));
        xml += element(entry, textElement(key, k) + element(val, inner));
      }
    } else if (Array.isArray(value)) {
      const item = name === "Successful" ? `${operation}ResultEntry` : (RESULT_LISTS[name] ?? name);
      for (const v of value) xml += typeof v === "object" && v !== null ? element(item, xmlMembers(operation, v as Members)) : textElement(item, v as string);
    } else if (typeof value === "object" && value !== null) xml += element(name, xmlMembers(operation, value as Members));
    else xml += textElement(name, value as string | number | boolean);
  }
  return xml;
}

/** The query protocol's response document; operations without output carry only their metadata. */
export function xmlResponse(operation: string, result: Members | undefined, requestId: string): string {
  const body = result === undefined ? "" : element(`${operation}Result`, xmlMembers(operation, wireValue(result) as Members));
  return `<?xml version="1.0"?><${operation}Response xmlns="${SQS_XMLNS}">${body}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
}
