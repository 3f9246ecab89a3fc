/**
 * AWS's event stream framing (`application/vnd.amazon.eventstream`), the encoder side: each message
 * is a prelude (total and header lengths, their CRC32), string headers, the payload and a CRC32 of
 * the whole. Node's native CRC32 keeps a 64 KB chunk's framing cheap next to the bytes it carries.
 * https://docs.aws.amazon.com/transcribe/latest/dg/streaming-setting-up.html#streaming-event-stream
 */
import { crc32 } from "node:zlib";

const STRING = 7;

/** One message with string headers (`:event-type`, `:message-type`, `:content-type`, …) around `payload`. */
export function eventMessage(headers: Record<string, string>, payload: Buffer): Buffer {
  const parts: Buffer[] = [];
  let headersLength = 0;
  for (const name in headers) {
    const n = Buffer.from(name, "utf8");
    const v = Buffer.from(headers[name]!, "utf8");
    const h = Buffer.allocUnsafe(1 + n.length + 3 + v.length);
    h.writeUInt8(n.length, 0);
    n.copy(h, 1);
    h.writeUInt8(STRING, 1 + n.length);
    h.writeUInt16BE(v.length, 2 + n.length);
    v.copy(h, 4 + n.length);
    parts.push(h);
    headersLength += h.length;
  }
  const total = 12 + headersLength + payload.length + 4;
  const out = Buffer.allocUnsafe(total);
  out.writeUInt32BE(total, 0);
  out.writeUInt32BE(headersLength, 4);
  out.writeUInt32BE(crc32(out.subarray(0, 8)), 8);
  let at = 12;
  for (const h of parts) at += h.copy(out, at);
  at += payload.copy(out, at);
  out.writeUInt32BE(crc32(out.subarray(0, at)), at);
  return out;
}

/** An `event` message of type `eventType`. */
export function event(eventType: string, contentType: string, payload: Buffer): Buffer {
  return eventMessage({ ":event-type": eventType, ":content-type": contentType, ":message-type": "event" }, payload);
}
