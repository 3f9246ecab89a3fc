/**
 * A log event's message as people read it: JSON messages (a whole message, or the last field of a
 * Lambda runtime's tab-separated line: time, request id, level, JSON) pretty-printed or on one line,
 * anything else as it was written.
 */

export type JsonStyle = "pretty" | "line";

/** The message with its JSON part re-laid out, or as it was if it has none. */
export function formatMessage(message: string, style: JsonStyle): string {
  const text = message.replace(/\n$/, "");
  const whole = asJson(text);
  if (whole !== undefined) return layout(whole, style);
  const tab = text.lastIndexOf("\t");
  if (tab >= 0) {
    const tail = asJson(text.slice(tab + 1));
    if (tail !== undefined) return `${text.slice(0, tab + 1)}${style === "pretty" ? "\n" : ""}${layout(tail, style)}`;
  }
  return text;
}

function asJson(s: string): unknown {
  const t = s.trim();
  if (!(t.startsWith("{") && t.endsWith("}")) && !(t.startsWith("[") && t.endsWith("]"))) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

const layout = (v: unknown, style: JsonStyle) => (style === "pretty" ? JSON.stringify(v, null, 2) : JSON.stringify(v));

/** One log event: its time, its stream and its message. */
export function LogLine({ timestamp, stream, message, style }: { timestamp?: number; stream?: string; message: string; style: JsonStyle }) {
  return (
    <div class="logs-line">
      <span class="logs-time">{timestamp === undefined ? "—" : new Date(timestamp).toISOString()}</span>
      {stream !== undefined && (
        <span class="logs-stream" title={stream}>
          {stream}
        </span>
      )}
      <span class="logs-message">{formatMessage(message, style)}</span>
    </div>
  );
}
