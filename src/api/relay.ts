/**
 * A streamed invocation's bytes passed on to the client as the function writes them, each framed as
 * the caller's protocol wants (raw for a URL, an event-stream message for InvokeWithResponseStream),
 * waiting for the client when it reads slower than the function writes.
 */
import { once } from "node:events";
import type { Writable } from "node:stream";
import type { StreamedInvocation } from "../invoke/environment.js";

/**
 * Relay `stream` into `out` (not ended here). False: the client went, and the function's stream was
 * abandoned. `chunks`: what is left of the stream's body when its first bytes were read already.
 */
export async function relay(stream: StreamedInvocation, out: Writable, frame: (chunk: Buffer) => Buffer = (chunk) => chunk, chunks: AsyncIterable<Buffer> = stream.body): Promise<boolean> {
  // A client that goes destroys `out` with an error: seen here, never unhandled.
  out.on("error", () => {});
  try {
    for await (const chunk of chunks) {
      if (out.destroyed) throw new Error("the client went");
      if (!out.write(frame(chunk))) await once(out, "drain");
    }
    return !out.destroyed;
  } catch {
    stream.abandon();
    return false;
  }
}
