/**
 * An HTTP endpoint an SNS subscription can deliver to: it records every request and answers with
 * the status `respond` picks (200 unless told otherwise), the way a user's webhook would.
 */
import http, { type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { PATIENCE_MS, eventually } from "./processes.js";

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, when it is. */
  json?: any;
  status: number;
}

export class HttpSubscriber {
  readonly received: Received[] = [];
  /** The status to answer a request with. */
  respond: (r: Omit<Received, "status">) => number = () => 200;

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(): Promise<HttpSubscriber> {
    let self: HttpSubscriber | undefined;
    const server = http.createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => (body += c));
      req.on("end", () => {
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          // a raw message
        }
        const request = { path: req.url ?? "/", headers: req.headers, body, json };
        const status = self!.respond(request);
        self!.received.push({ ...request, status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    self = new HttpSubscriber(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }

  /** Requests to `path`, optionally of one SNS message type. */
  to(path: string, type?: string): Received[] {
    return this.received.filter((r) => r.path === path && (type === undefined || r.headers["x-amz-sns-message-type"] === type));
  }

  /** Wait until `count` requests of the type reached `path`; resolves them. */
  async wait(path: string, type: string, count = 1, ms = PATIENCE_MS): Promise<Received[]> {
    await eventually(() => this.to(path, type).length >= count, ms, `${count} ${type} request(s) at ${path}`);
    return this.to(path, type);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
