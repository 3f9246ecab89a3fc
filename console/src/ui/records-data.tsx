/**
 * What records hold, made readable: a Kinesis record's bytes (UTF-8 text, pretty JSON when it is
 * JSON, else base64) and DynamoDB's typed attribute values (`{"S": "x"}`, `{"NS": ["1"]}`, ...) as
 * plain values with the type noted where the plain value would hide it (sets, binary, null).
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { toBase64 } from "./base64";

export interface Decoded {
  kind: "JSON" | "text" | "base64";
  text: string;
}

/** A record's data: pretty JSON if it is a JSON object or array, UTF-8 text if it decodes, else base64. */
export function decodeData(bytes: Uint8Array | undefined): Decoded {
  if (!bytes || bytes.length === 0) return { kind: "text", text: "" };
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { kind: "base64", text: toBase64(bytes) };
  }
  const t = text.trim();
  if ((t.startsWith("{") && t.endsWith("}")) || (t.startsWith("[") && t.endsWith("]"))) {
    try {
      return { kind: "JSON", text: JSON.stringify(JSON.parse(t), null, 2) };
    } catch {
      // Text that looks like JSON but is not: shown as text.
    }
  }
  return { kind: "text", text };
}

/** A record's data, decoded, with what it was decoded as. */
export function DataView({ bytes, label }: { bytes: Uint8Array | undefined; label: string }) {
  const d = decodeData(bytes);
  return (
    <div class="records-data">
      <span class="badge" title={`Shown as ${d.kind}`}>
        {d.kind}
      </span>
      <pre class="records-pre" tabIndex={0} aria-label={`${label} (${d.kind})`}>
        {d.text}
      </pre>
    </div>
  );
}

/** One DynamoDB attribute value as a plain JS value (numbers kept as their exact text). */
export function plain(v: AttributeValue | undefined): unknown {
  if (!v) return undefined;
  if (v.S !== undefined) return v.S;
  if (v.N !== undefined) return Number.isSafeInteger(Number(v.N)) || !/^-?\d+$/.test(v.N) ? Number(v.N) : v.N;
  if (v.BOOL !== undefined) return v.BOOL;
  if (v.NULL !== undefined) return null;
  if (v.B !== undefined) return `<binary ${toBase64(v.B)}>`;
  if (v.SS !== undefined) return v.SS;
  if (v.NS !== undefined) return v.NS.map(Number);
  if (v.BS !== undefined) return v.BS.map((b) => `<binary ${toBase64(b)}>`);
  if (v.L !== undefined) return v.L.map(plain);
  if (v.M !== undefined) return plainItem(v.M);
  return undefined;
}

export function plainItem(item: Record<string, AttributeValue> | undefined): Record<string, unknown> | undefined {
  if (!item) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) out[k] = plain(v);
  return out;
}

/** The type worth noting next to a value (a plain rendering would hide it): sets, binary, null, maps, lists. */
export function typeNote(v: AttributeValue): string | undefined {
  if (v.SS !== undefined) return "string set";
  if (v.NS !== undefined) return "number set";
  if (v.BS !== undefined) return "binary set";
  if (v.B !== undefined) return "binary";
  if (v.NULL !== undefined) return "null";
  if (v.M !== undefined) return "map";
  if (v.L !== undefined) return "list";
  return undefined;
}

/** One attribute value as text for a table cell. */
export function attrText(v: AttributeValue | undefined): string {
  if (!v) return "";
  if (v.S !== undefined) return v.S;
  if (v.N !== undefined) return v.N;
  if (v.BOOL !== undefined) return String(v.BOOL);
  if (v.NULL !== undefined) return "null";
  if (v.B !== undefined) return toBase64(v.B);
  if (v.SS !== undefined) return `{${v.SS.map((s) => JSON.stringify(s)).join(", ")}}`;
  if (v.NS !== undefined) return `{${v.NS.join(", ")}}`;
  if (v.BS !== undefined) return `{${v.BS.map(toBase64).join(", ")}}`;
  return JSON.stringify(plain(v));
}

/** A table cell's value, with its type noted when it is not a plain string, number or boolean. */
export function AttrCell({ value }: { value: AttributeValue | undefined }) {
  if (!value) return <span class="records-absent" aria-label="(absent)">—</span>;
  const note = typeNote(value);
  return (
    <>
      <span class="records-value">{attrText(value)}</span>
      {note && <span class="records-type"> ({note})</span>}
    </>
  );
}

/** An item (or a stream record's keys or image) as readable JSON, DynamoDB's types unwrapped. */
export function itemText(item: Record<string, AttributeValue> | undefined): string {
  return item ? JSON.stringify(plainItem(item), null, 2) : "";
}
