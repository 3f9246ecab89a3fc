/**
 * Message attributes, for SQS messages and SNS publishes alike (both take `{ DataType, StringValue |
 * BinaryValue }`): rows to type them in (name, type, value; binary values as base64), and a table
 * showing a received message's.
 */
import { useMemo } from "preact/hooks";
import { fromBase64, toBase64 } from "./base64";

export interface AttributeRow {
  name: string;
  type: "String" | "Number" | "Binary";
  value: string;
}

export interface AttributeValue {
  DataType: string | undefined;
  StringValue?: string;
  BinaryValue?: Uint8Array;
}

const TYPES: AttributeRow["type"][] = ["String", "Number", "Binary"];

export const emptyRow = (): AttributeRow => ({ name: "", type: "String", value: "" });

/** A Binary row's value: base64 as typed, as bytes (the SDK sends bytes); what is not base64 is refused here, naming the row. */
function binaryOf(text: string, name: string): Uint8Array {
  try {
    return fromBase64(text);
  } catch {
    throw new Error(`Message attribute “${name}”: a Binary value is typed as base64, and this is not base64.`);
  }
}

/**
 * The rows as the API takes them; rows with neither name nor value are left out. What the API
 * checks (names, sizes, numbers) is left to it, so its own error is what the user sees; only base64
 * is checked here, since the SDK needs bytes.
 */
export function attributesOf(rows: AttributeRow[]): Record<string, AttributeValue> | undefined {
  const out: Record<string, AttributeValue> = {};
  for (const r of rows) {
    if (r.name.trim() === "" && r.value === "") continue;
    out[r.name.trim()] = r.type === "Binary" ? { DataType: r.type, BinaryValue: binaryOf(r.value, r.name) } : { DataType: r.type, StringValue: r.value };
  }
  return Object.keys(out).length ? out : undefined;
}

/** Name / type / value rows with Add and Remove; every control labelled with its row's number. */
export function AttributeRows({ rows, onChange, idPrefix }: { rows: AttributeRow[]; onChange: (rows: AttributeRow[]) => void; idPrefix: string }) {
  const set = (i: number, patch: Partial<AttributeRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset class="queue-attrs">
      <legend>Message attributes</legend>
      {rows.length === 0 && <p class="hint">None. Add one for consumers (or subscription filter policies) that read attributes.</p>}
      {rows.map((r, i) => (
        <div class="row queue-attr-row" key={i}>
          <div class="field">
            <label for={`${idPrefix}-name-${i}`}>Attribute {i + 1} name</label>
            <input id={`${idPrefix}-name-${i}`} value={r.name} onInput={(e) => set(i, { name: (e.target as HTMLInputElement).value })} />
          </div>
          <div class="field">
            <label for={`${idPrefix}-type-${i}`}>Attribute {i + 1} type</label>
            <select id={`${idPrefix}-type-${i}`} value={r.type} onChange={(e) => set(i, { type: (e.target as HTMLSelectElement).value as AttributeRow["type"] })}>
              {TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </div>
          <div class="field queue-attr-value">
            <label for={`${idPrefix}-value-${i}`}>Attribute {i + 1} value{r.type === "Binary" ? " (base64)" : ""}</label>
            <input id={`${idPrefix}-value-${i}`} value={r.value} onInput={(e) => set(i, { value: (e.target as HTMLInputElement).value })} />
          </div>
          <div class="field">
            <button type="button" onClick={() => onChange(rows.filter((_, j) => j !== i))} aria-label={`Remove attribute ${i + 1}${r.name ? ` (${r.name})` : ""}`}>
              Remove
            </button>
          </div>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...rows, emptyRow()])}>
        Add attribute
      </button>
    </fieldset>
  );
}

/** A received message's attributes as a table (binary values base64). */
export function AttributeTable({ attributes, caption }: { attributes: Record<string, AttributeValue> | undefined; caption: string }) {
  const entries = useMemo(() => Object.entries(attributes ?? {}).sort(([a], [b]) => a.localeCompare(b)), [attributes]);
  if (entries.length === 0) return <p class="hint">No message attributes.</p>;
  return (
    <div class="table-scroll">
      <table class="queue-attr-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {entries.map(([name, v]) => (
            <tr key={name}>
              <td>{name}</td>
              <td>{v.DataType}</td>
              <td class="mono">{v.StringValue ?? (v.BinaryValue ? toBase64(v.BinaryValue) : "")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
