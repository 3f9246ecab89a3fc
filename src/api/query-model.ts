/**
 * The query protocol's shapes for the services whose models do not flatten (SNS, IAM): parameters
 * reshaped into the operation's members (`Tags.member.1.Key`, `Attributes.entry.1.key`,
 * `MessageAttributes.entry.1.Name` / `.Value.DataType`), and results written as those query models'
 * XML (`<member>` per list item, `<entry><key/><value/></entry>` per map entry).
 */
import type { ParamNode, ParamTree } from "./query.js";
import { element, textElement } from "./xml.js";

type Members = Record<string, unknown>;

/** Members that are lists or maps: an empty one is sent as `Name=` (botocore). */
const LISTS = new Set(["Tags", "TagKeys", "PublishBatchRequestEntries"]);
const MAPS = new Set(["Attributes", "MessageAttributes"]);

const asList = (node: ParamNode): ParamNode[] => (Array.isArray(node) ? node : [node]);
const isTree = (node: ParamNode | undefined): node is ParamTree => typeof node === "object" && node !== null && !Array.isArray(node);

function member(name: string, node: ParamNode): unknown {
  if (typeof node === "string") return node === "" && LISTS.has(name) ? [] : node === "" && MAPS.has(name) ? {} : node;
  if (Array.isArray(node)) return node.map((n) => member(name, n));
  const keys = Object.keys(node);
  if (keys.length === 1 && keys[0] === "member") return asList(node.member!).map((n) => member(`${name}.member`, n));
  if (keys.length === 1 && keys[0] === "entry") {
    const map: Members = {};
    for (const entry of asList(node.entry!)) {
      if (!isTree(entry)) continue;
      const key = entry.key ?? entry.Name;
      const value = entry.value ?? entry.Value;
      if (typeof key === "string" && value !== undefined) {
        Object.defineProperty(map, key, { value: member(`${name}.value`, value), enumerable: true, writable: true, configurable: true });
      }
    }
    return map;
  }
  const out: Members = {};
  for (const [k, v] of Object.entries(node)) if (k !== "__proto__") out[k] = member(k, v);
  return out;
}

/** Reshape a query request's parameter tree into the operation's members. */
export function membersFromQuery(tree: ParamTree): Members {
  const out: Members = {};
  for (const [name, node] of Object.entries(tree)) {
    if (name === "Action" || name === "Version" || name === "__proto__") continue;
    out[name] = member(name, node);
  }
  return out;
}

/** Result maps (entry/key/value); every other object is a structure. */
const RESULT_MAPS = new Set(["Attributes"]);

function xmlValue(name: string, value: unknown): string {
  if (value === undefined) return "";
  if (Array.isArray(value)) return element(name, value.map((v) => (typeof v === "object" && v !== null ? element("member", xmlMembers(v as Members)) : textElement("member", v as string))).join(""));
  if (typeof value === "object" && value !== null) {
    if (RESULT_MAPS.has(name)) return element(name, Object.entries(value).map(([k, v]) => element("entry", textElement("key", k) + textElement("value", v as string))).join(""));
    return element(name, xmlMembers(value as Members));
  }
  return textElement(name, value as string | number | boolean);
}

function xmlMembers(members: Members): string {
  return Object.entries(members)
    .map(([name, value]) => xmlValue(name, value))
    .join("");
}

/** The query protocol's response document; operations without output carry only their metadata. */
export function xmlResponse(operation: string, result: Members | undefined, requestId: string, xmlns: string): string {
  const body = result === undefined ? "" : element(`${operation}Result`, xmlMembers(result));
  return `<?xml version="1.0"?><${operation}Response xmlns="${xmlns}">${body}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
}
