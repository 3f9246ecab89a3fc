/**
 * CloudWatch's three wire formats for one set of members: AWS JSON 1.0 (timestamps as epoch
 * seconds), Smithy RPC v2 CBOR (timestamps as tag 1, epoch seconds) and the query protocol's XML
 * (`<member>` per list item, `<entry><key/><value/></entry>` per map entry, ISO 8601 timestamps).
 * https://smithy.io/2.0/additional-specs/protocols/smithy-rpc-v2.html
 */
import { dateToTag } from "@smithy/core/cbor";
import { element, textElement } from "../xml.js";

type Members = Record<string, unknown>;

export const CLOUDWATCH_XMLNS = "http://monitoring.amazonaws.com/doc/2010-08-01/";
/** The result members that are maps (DatapointValueMap). */
const MAPS = new Set(["ExtendedStatistics"]);

/** `value` with every Date replaced by `date(d)`. */
function mapDates(value: unknown, date: (d: Date) => unknown): unknown {
  if (value instanceof Date) return date(value);
  if (Array.isArray(value)) return value.map((v) => mapDates(v, date));
  if (typeof value === "object" && value !== null) {
    const out: Members = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = mapDates(v, date);
    return out;
  }
  return value;
}

export const jsonResult = (result: Members): unknown => mapDates(result, (d) => d.getTime() / 1000);
export const cborResult = (result: Members): unknown => mapDates(result, (d) => dateToTag(d));

/** CBOR's tag 1 (epoch seconds) in a request becomes a Date, as the JSON and query decoders expect none other. */
export function cborDates(value: unknown): unknown {
  if (typeof value === "object" && value !== null && (value as { tag?: unknown }).tag === 1 && "value" in value) return new Date(Number((value as { value: unknown }).value) * 1000);
  if (Array.isArray(value)) return value.map(cborDates);
  if (typeof value === "object" && value !== null) {
    const out: Members = {};
    for (const [k, v] of Object.entries(value)) if (k !== "__proto__") out[k] = cborDates(v);
    return out;
  }
  return value;
}

function xmlValue(name: string, value: unknown): string {
  if (value === undefined || value === null) return "";
  if (value instanceof Date) return textElement(name, value.toISOString());
  if (Array.isArray(value)) return element(name, value.map((v) => xmlValue("member", v)).join(""));
  if (typeof value === "object") {
    if (MAPS.has(name)) return element(name, Object.entries(value).map(([k, v]) => element("entry", textElement("key", k) + xmlValue("value", v))).join(""));
    return element(name, Object.entries(value).map(([k, v]) => xmlValue(k, v)).join(""));
  }
  return textElement(name, value as string | number | boolean);
}

/** The query protocol's response document; PutMetricData carries only its metadata. */
export function xmlResponse(operation: string, result: Members | undefined, requestId: string): string {
  const body = result === undefined ? "" : xmlValue(`${operation}Result`, result);
  return `<?xml version="1.0"?><${operation}Response xmlns="${CLOUDWATCH_XMLNS}">${body}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
}
