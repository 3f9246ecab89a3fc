/**
 * A source's bytes passed on to a client as they come (a function's streamed answer: raw for a URL,
 * event-stream messages for InvokeWithResponseStream), waiting for the client when it reads slower
 * than the source writes.
 *
 * Chunks are taken as they are pushed ('data' events, paused while the client is full): an async
 * iterator's `read()` would join whatever is buffered into a new buffer, a copy of every byte.
 */
import type { Readable, Writable } from "node:stream";

/** What is relayed: its bytes, and how to tell it nobody reads them any more. */
export interface Source {
  body: Readable;
  abandon(): void;
}

/**
 * Relay `stream` into `out` (not ended here), each chunk as the buffers `frame` makes of it. False:
 * the client went, and the function's stream was abandoned.
 */
export function relay(stream: Source, out: Writable, frame?: (chunk: Buffer) => Buffer[]): Promise<boolean> {
  const body = stream.body;
  return new Promise((resolve) => {
    let settled = false;
    const write = (chunk: Buffer): boolean => {
      if (!frame) return out.write(chunk);
      // A frame's parts leave together (one writev).
      out.cork();
      let ok = true;
      for (const part of frame(chunk)) ok = out.write(part);
      out.uncork();
      return ok;
    };
    const onData = (chunk: Buffer) => {
      if (!write(chunk)) body.pause();
    };
    const onDrain = () => body.resume();
    const finish = (ok: boolean) => {
      if (settled) return;
      settled = true;
      body.off("data", onData);
      body.off("end", ended);
      out.off("drain", onDrain);
      out.off("close", gone);
      if (!ok) stream.abandon();
      resolve(ok);
    };
    const ended = () => finish(!out.destroyed);
    const gone = () => finish(false);
    if (out.destroyed) return finish(false);
    // Ended already (nothing, or nothing more, was written): there is no 'end' left to wait for.
    if (body.readableEnded) return finish(true);
    out.on("close", gone);
    out.on("drain", onDrain);
    body.on("data", onData);
    body.once("end", ended);
    body.resume();
  });
}

/**
 * The first bytes of `body`, taken until `enough` says so or the body ends, the body then paused
 * for `relay` to go on from there.
 */
export function firstBytes(body: Readable, enough: (bytes: Buffer) => boolean): Promise<{ bytes: Buffer; ended: boolean }> {
  return new Promise((resolve) => {
    let bytes: Buffer = Buffer.alloc(0);
    const done = (ended: boolean) => {
      body.off("data", onData);
      body.off("end", onEnd);
      body.pause();
      resolve({ bytes, ended });
    };
    const onData = (chunk: Buffer) => {
      bytes = bytes.length ? Buffer.concat([bytes, chunk]) : chunk;
      if (enough(bytes)) done(false);
    };
    const onEnd = () => done(true);
    body.on("data", onData);
    body.once("end", onEnd);
    if (body.readableEnded) done(true);
  });
}
