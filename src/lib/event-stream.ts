/**
 * AWS's event stream framing (`application/vnd.amazon.eventstream`), the encoder side: each message
 * is a prelude (total and header lengths, their CRC32), string headers, the payload and a CRC32 of
 * the whole. Node's native CRC32 keeps a 64 KB chunk's framing cheap next to the bytes it carries.
 * https://docs.aws.amazon.com/transcribe/latest/dg/streaming-setting-up.html#streaming-event-stream
 */
import { crc32 } from "node:zlib";

const STRING = 7;

/**
 * One message with string headers (`:event-type`, `:message-type`, `:content-type`, …) around
 * `payload`, as three buffers (prelude and headers, the payload itself, the CRC), so that a large
 * payload is not copied.
 */
export function eventMessageParts(headers: Record<string, string>, payload: Buffer): [Buffer, Buffer, Buffer] {
  let headersLength = 0;
  const encoded: [Buffer, Buffer][] = [];
  for (const name in headers) {
    const pair: [Buffer, Buffer] = [Buffer.from(name, "utf8"), Buffer.from(headers[name]!, "utf8")];
    encoded.push(pair);
    headersLength += 1 + pair[0].length + 3 + pair[1].length;
  }
  const head = Buffer.allocUnsafe(12 + headersLength);
  const total = head.length + payload.length + 4;
  head.writeUInt32BE(total, 0);
  head.writeUInt32BE(headersLength, 4);
  head.writeUInt32BE(crc32(head.subarray(0, 8)), 8);
  let at = 12;
  for (const [n, v] of encoded) {
    at = head.writeUInt8(n.length, at);
    at += n.copy(head, at);
    at = head.writeUInt8(STRING, at);
    at = head.writeUInt16BE(v.length, at);
    at += v.copy(head, at);
  }
  const tail = Buffer.allocUnsafe(4);
  tail.writeUInt32BE(crc32(payload, crc32(head)), 0);
  return [head, payload, tail];
}

/** The same message in one buffer. */
export function eventMessage(headers: Record<string, string>, payload: Buffer): Buffer {
  return Buffer.concat(eventMessageParts(headers, payload));
}

const eventHeaders = (eventType: string, contentType: string) => ({ ":event-type": eventType, ":content-type": contentType, ":message-type": "event" });

/** An `event` message of type `eventType`. */
export function event(eventType: string, contentType: string, payload: Buffer): Buffer {
  return eventMessage(eventHeaders(eventType, contentType), payload);
}

/** The same, as parts (see eventMessageParts). */
export function eventParts(eventType: string, contentType: string, payload: Buffer): [Buffer, Buffer, Buffer] {
  return eventMessageParts(eventHeaders(eventType, contentType), payload);
}
