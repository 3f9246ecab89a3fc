import type { JsonStyle } from "./logs-message";

/** A log group view's filter as the URL holds it (pattern, time range, stream, request id, JSON style), and the pattern it asks with. */
export const RANGES: { id: string; label: string; ms?: number }[] = [
  { id: "5m", label: "Last 5 minutes", ms: 5 * 60_000 },
  { id: "1h", label: "Last hour", ms: 3_600_000 },
  { id: "1d", label: "Last day", ms: 86_400_000 },
  { id: "all", label: "All time" },
  { id: "custom", label: "Between…" },
];

export interface Filter {
  pattern: string;
  range: string;
  /** datetime-local values (the browser's time zone), for range "custom". */
  start: string;
  end: string;
  stream: string;
  requestId: string;
  json: JsonStyle;
}

export function filterOf(query: URLSearchParams): Filter {
  const range = query.get("range") ?? "1h";
  return {
    pattern: query.get("pattern") ?? "",
    range: RANGES.some((r) => r.id === range) ? range : "1h",
    start: query.get("start") ?? "",
    end: query.get("end") ?? "",
    stream: query.get("stream") ?? "",
    requestId: query.get("requestId") ?? "",
    json: query.get("json") === "line" ? "line" : "pretty",
  };
}

/** The pattern FilterLogEvents and the live tail are asked with: an invocation's request id as one quoted term, or the user's pattern. */
export const patternOf = (f: Filter) => (f.requestId ? `"${f.requestId.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"` : f.pattern);

