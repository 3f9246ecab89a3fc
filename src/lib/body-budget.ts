/**
 * A bound on the request bytes held before their signature is known to be good. A body's signature
 * can only be checked once the whole body has arrived (unless its hash was signed), so a client with
 * a known key id and a bad signature could otherwise make the server hold a route's largest body
 * (70 MB for CreateFunction) on every connection it opens. Bodies reserve their size (declared, or
 * the route's limit when chunked) before they are read; past the budget they wait their turn, in
 * order, and TCP holds the rest of their bytes in the client. Small bodies (every invoke, every
 * queue message) never wait: they take no part.
 */
import type { Exchange } from "./http-server.js";

/** What reading this request's body within `limit` may hold: its declared length, or the limit. */
export function heldBytes(exchange: Exchange, limit: number): number {
  if (!exchange.hasBody) return 0;
  const declared = exchange.head.headers["content-length"];
  return declared !== undefined ? Math.min(Number(declared), limit) : limit;
}

export class BodyBudget {
  private used = 0;
  private readonly waiting: { bytes: number; start: () => void }[] = [];

  constructor(
    /** Bytes that may be held at once. */
    readonly capacity: number,
    /** Bodies up to this size are not counted. */
    readonly small = 256 * 1024,
  ) {}

  /**
   * Wait until `bytes` may be held; the returned function gives them back (once). `cancelled`, when
   * it resolves before the turn comes (the client left), takes the request out of the line: it then
   * holds nothing and its release does nothing.
   */
  async reserve(bytes: number, cancelled?: Promise<void>): Promise<() => void> {
    if (!Number.isFinite(bytes) || bytes < 0) throw new RangeError(`not a size in bytes: ${bytes}`);
    if (bytes <= this.small) return () => {};
    // A body larger than the whole budget waits for an empty one, then goes alone.
    const need = Math.min(bytes, this.capacity);
    if (this.waiting.length > 0 || this.used + need > this.capacity) {
      const admitted = await new Promise<boolean>((resolve) => {
        const entry = { bytes: need, start: () => resolve(true) };
        this.waiting.push(entry);
        void cancelled?.then(() => {
          const i = this.waiting.indexOf(entry);
          if (i < 0) return;
          this.waiting.splice(i, 1);
          resolve(false);
          // The head of the line may have been what held the others back.
          this.admit();
        });
      });
      if (!admitted) return () => {};
    } else this.used += need;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= need;
      this.admit();
    };
  }

  /** A place for `exchange`'s body read within `limit`; a client that leaves while waiting leaves the line. */
  async reserveBody(exchange: Exchange, limit: number): Promise<() => void> {
    const held = heldBytes(exchange, limit);
    if (held <= this.small) return () => {};
    return this.reserve(held, new Promise<void>((left) => exchange.response.once("close", left)));
  }

  /** Bytes reserved now, and bodies waiting (for tests and health). */
  get state(): { used: number; waiting: number } {
    return { used: this.used, waiting: this.waiting.length };
  }

  private admit(): void {
    while (this.waiting.length > 0 && this.used + this.waiting[0]!.bytes <= this.capacity) {
      const next = this.waiting.shift()!;
      this.used += next.bytes;
      next.start();
    }
  }
}
