/**
 * The streamed halves of `http-server.ts`'s HTTP/1.1: a request body read as it arrives (with its
 * chunked trailers) and a response body written as it comes, each with backpressure.
 */
import type net from "node:net";
import { Readable, Writable } from "node:stream";

/** Bytes a streamed body or response holds before it stops reading or waits. */
const STREAM_HIGH_WATER = 64 * 1024;

/** A request body read as it arrives; `trailers` (lower-cased names) are complete at its end. */
export type BodyStream = Readable & { trailers: Record<string, string> };

/** A readable for a body read as it arrives, with room for its trailers; `read`: its reader wants more. */
export function bodyStreamOf(read: () => void): BodyStream {
  return Object.assign(new Readable({ highWaterMark: STREAM_HIGH_WATER, read }), { trailers: Object.create(null) as Record<string, string> });
}

/** A trailer field line into `trailers` (lower-cased name; repeats joined as headers are). */
export function addTrailer(trailers: Record<string, string>, line: string): void {
  const colon = line.indexOf(":");
  if (colon <= 0) return;
  const name = line.slice(0, colon).trim().toLowerCase();
  const value = line.slice(colon + 1).trim();
  trailers[name] = trailers[name] === undefined ? value : `${trailers[name]}, ${value}`;
}

/**
 * A response body written to `socket` as it comes, after its head: each write (or the writes made
 * while it was corked, a message's parts) one chunk when `chunked`, raw bytes otherwise (HTTP/1.0,
 * whose body ends with the connection); nothing when `discard` (a HEAD request). A write completes
 * when the socket takes it. Ending it writes the last chunk and calls `ended`; destroying it before
 * its end cuts the connection, so the client cannot take a part for the whole. Its errors (the
 * client went) are for whoever watches: never an unhandled 'error' event.
 */
export function responseBody(socket: net.Socket, o: { chunked: boolean; discard: boolean; ended: () => void }): Writable {
  let finished = false;
  const send = (chunks: Buffer[], done: (err?: Error) => void) => {
    let length = 0;
    for (const c of chunks) length += c.length;
    if (length === 0 || o.discard) return done();
    socket.cork();
    if (o.chunked) socket.write(`${length.toString(16)}\r\n`, "latin1");
    let ok = true;
    for (const c of chunks) ok = socket.write(c);
    if (o.chunked) ok = socket.write("\r\n", "latin1");
    socket.uncork();
    if (ok) done();
    else socket.once("drain", () => done());
  };
  const out = new Writable({
    highWaterMark: STREAM_HIGH_WATER,
    write: (chunk: Buffer, _encoding, done) => send([chunk], done),
    writev: (chunks: { chunk: Buffer }[], done) => send(chunks.map((c) => c.chunk), done),
    final: (done) => {
      finished = true;
      if (o.chunked) socket.write("0\r\n\r\n", "latin1");
      o.ended();
      done();
    },
    destroy: (err, done) => {
      if (!finished) socket.destroy();
      done(err);
    },
  });
  out.on("error", () => {});
  return out;
}
