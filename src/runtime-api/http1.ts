/**
 * The Runtime API's HTTP/1.1: `lib/http-server.ts` (keep-alive, pipelining, chunked bodies,
 * `Expect: 100-continue`, which curl sends for larger bodies), shaped for this protocol: the body
 * is read in full before the handler runs (or reported as too large), the 202 for a pipelined
 * answer leaves with the next response, and there are no timeouts, for heads, bodies, idle
 * connections or drains (a frozen runtime may be in the middle of anything). It sits on the warm
 * invoke path twice per invocation.
 */
import type net from "node:net";
import { type BodyStream, HttpServer, type HttpResponse } from "../lib/http-server.js";

export interface RuntimeRequest {
  method: string;
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** undefined when the body exceeded the limit (it was read and discarded). */
  body: Buffer | undefined;
  bodySize: number;
  /** A streaming response's body (`Lambda-Runtime-Function-Response-Mode: streaming`), read as it arrives; `body` is then empty. */
  stream?: BodyStream;
}

/** How a Runtime API request is answered: the shared server's response (`once("close")`: the runtime went away first). */
export type Reply = Pick<HttpResponse, "send" | "sendWhenNext" | "destroy" | "once">;

export type RuntimeHandler = (req: RuntimeRequest, reply: Reply) => void;

const EMPTY = Buffer.alloc(0);

/** One handler behind any number of listeners (a TCP port and a unix socket, say). */
export class RuntimeHttpServer {
  private readonly http: HttpServer;

  constructor(handler: RuntimeHandler, maxBody: number) {
    this.http = new HttpServer(
      ({ head, hasBody, body, bodyStream, response }) => {
        const dispatch = (payload: Buffer | undefined, size: number) => handler({ method: head.method, path: head.url, headers: head.headers, body: payload, bodySize: size }, response);
        if (bodyStream && hasBody && head.headers["lambda-runtime-function-response-mode"] === "streaming" && head.url.endsWith("/response")) {
          return handler({ method: head.method, path: head.url, headers: head.headers, body: EMPTY, bodySize: 0, stream: bodyStream() }, response);
        }
        if (!hasBody) return dispatch(EMPTY, 0);
        // A runtime that goes away mid-body has nobody left to answer.
        body(maxBody).then((r) => (r.ok ? dispatch(r.body, r.body.length) : dispatch(undefined, r.size)), () => undefined);
      },
      { headTimeoutMs: 0, keepAliveMs: 0, bodyTimeoutMs: 0, drainTimeoutMs: 0, maxHeadBytes: 64 * 1024 },
    );
  }

  /** `authorize`, when given, decides from the raw socket whether a connection may speak at all. */
  async listen(target: { host: string; port: number } | { path: string }, authorize?: (socket: net.Socket) => boolean): Promise<string> {
    const addr = await this.http.listen(target, authorize);
    return typeof addr === "string" ? addr : `${addr.address}:${addr.port}`;
  }

  close(): void {
    void this.http.close();
  }
}
