/**
 * The one listener. Picks the service (Flint's own `/_flint/` endpoints, or an AWS service by its
 * route), bounds and buffers the body, verifies SigV4, then hands a typed request to the protocol
 * handler. It only parses and renders.
 */
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { awsError } from "../errors.js";
import { type ApiRequest, parseQuery, type ScopedService, sendJson } from "./http.js";
import { newRequestId } from "../lib/request-id.js";
import { ClientGone, type Exchange, type HttpResponse, HttpServer } from "../lib/http-server.js";
import { matchLambdaRoute, tooLarge, type LambdaApiDeps } from "./lambda/routes.js";
import { renderRestJsonError } from "./render-error.js";
import { claimedScope, SigV4Verifier } from "./sigv4.js";
import type { TimelineEntry } from "../store/async-store.js";

export interface HealthReport {
  status: "ok";
  [key: string]: unknown;
}

export interface ApiServerDeps extends LambdaApiDeps {
  verifier: SigV4Verifier;
  health(): Promise<HealthReport>;
  /** AWS services that own their wire format, by the service name of the SigV4 credential scope (`sqs`). */
  scoped: Record<string, ScopedService>;
  /** Prometheus exposition for `GET /_flint/metrics`. */
  metrics: { contentType(): string; render(): Promise<string> };
  /** Asynchronous events' timelines for `GET /_flint/events/<request-id>`. */
  events: { timeline(requestId: string): Promise<TimelineEntry[]> };
}

const CODE_PATH = /^\/_flint\/code\/([0-9a-f]{64})\.zip$/;
const EVENTS_PATH = /^\/_flint\/events\/([0-9a-f-]{36})$/;

export class ApiServer {
  private readonly server: HttpServer;

  constructor(private readonly deps: ApiServerDeps) {
    this.server = new HttpServer((exchange) => {
      this.handle(exchange).catch((err) => {
        if (err instanceof ClientGone) return;
        console.error("flint: request failed:", err);
        if (!exchange.response.headersSent) renderRestJsonError(exchange.response, newRequestId(), err);
        else exchange.response.destroy();
      });
    });
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    return (await this.server.listen({ host, port })) as AddressInfo;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private async handle(exchange: Exchange): Promise<void> {
    const { head: req, response: res } = exchange;
    const url = req.url;
    const qi = url.indexOf("?");
    const rawPath = qi < 0 ? url : url.slice(0, qi);
    const rawQuery = qi < 0 ? "" : url.slice(qi + 1);
    const requestId = newRequestId();
    const method = req.method;

    if (rawPath.startsWith("/_flint/")) return this.internal(req.headers, res, method, rawPath, rawQuery, requestId);

    const query = parseQuery(rawQuery);
    const head = { method, rawPath, rawQuery, query, requestId };
    // A service that shares paths with others (SQS's query and JSON protocols post to `/`) is picked
    // by the service its request is signed for.
    // An unsigned request goes to the service that takes it unsigned, if any (SNS's links).
    const claimed = claimedScope({ headers: req.headers, query })?.service;
    const scoped = claimed !== undefined ? this.deps.scoped[claimed] : Object.values(this.deps.scoped).find((s) => s.unsigned?.(head));
    if (scoped) {
      const fail = (err: unknown) => scoped.renderError({ headers: req.headers, requestId }, res, err);
      return this.serve(exchange, head, scoped.maxBody, () => scoped.tooLarge(), (apiReq) => scoped.handle(apiReq, res), fail, claimed === undefined);
    }
    let matched;
    try {
      matched = matchLambdaRoute(method, rawPath);
    } catch (err) {
      return renderRestJsonError(res, requestId, err);
    }
    if (!matched) {
      return renderRestJsonError(res, requestId, awsError("UnknownOperationException", `No operation matches ${method} ${rawPath}`));
    }
    const { route, params } = matched;
    const fail = (err: unknown) => renderRestJsonError(res, requestId, err);
    return this.serve(exchange, head, route.maxBody, () => tooLarge(route.operation, route.maxBody), (apiReq) => route.handler(this.deps, apiReq, res, params), fail);
  }

  /** Check the signature's head, read the body within its limit, verify (unless `unsigned`), handle; errors rendered by `fail`. */
  private async serve(
    { head: req, response: res, body: readBody }: Exchange,
    head: Omit<ApiRequest, "headers" | "body">,
    maxBody: number,
    tooLargeError: () => unknown,
    handler: (apiReq: ApiRequest) => Promise<void> | void,
    fail: (err: unknown) => void,
    unsigned = false,
  ): Promise<void> {
    try {
      if (!unsigned) this.deps.verifier.precheck({ headers: req.headers, query: head.query });
    } catch (err) {
      // Refused on its head: the body is never read, so the connection cannot be reused.
      res.closeAfterResponse();
      return fail(err);
    }
    const body = await readBody(maxBody);
    if (!body.ok) return fail(tooLargeError());
    const apiReq: ApiRequest = { ...head, headers: req.headers, body: body.body };
    try {
      if (!unsigned) apiReq.principal = (await this.deps.verifier.verify(apiReq, req.headers.host ?? "")).principal;
      await handler(apiReq);
    } catch (err) {
      if (res.headersSent) throw err;
      fail(err);
    }
  }

  private async internal(headers: ApiRequest["headers"], res: HttpResponse, method: string, rawPath: string, rawQuery: string, requestId: string): Promise<void> {
    if (method === "GET" && rawPath === "/_flint/health") return sendJson(res, requestId, 200, await this.deps.health());
    if (method === "GET" && rawPath === "/_flint/metrics") {
      return res.send(200, { "Content-Type": this.deps.metrics.contentType() }, await this.deps.metrics.render());
    }
    const event = EVENTS_PATH.exec(rawPath);
    if (method === "GET" && event) {
      try {
        await this.deps.verifier.verify({ method, rawPath, query: parseQuery(rawQuery), headers, body: Buffer.alloc(0) }, headers.host ?? "");
        const timeline = await this.deps.events.timeline(event[1]!);
        if (timeline.length === 0) throw awsError("ResourceNotFoundException", `No asynchronous event with request id ${event[1]}`);
        const ended = timeline.at(-1)!.kind === "ended";
        return sendJson(res, requestId, 200, { RequestId: event[1], State: ended ? "ended" : "pending", ...(ended ? { Outcome: timeline.at(-1)!.detail.outcome } : {}), Timeline: timeline.map((e) => ({ At: new Date(e.at).toISOString(), Kind: e.kind, ...e.detail })) });
      } catch (err) {
        return renderRestJsonError(res, requestId, err);
      }
    }
    const code = CODE_PATH.exec(rawPath);
    if (method === "GET" && code) {
      try {
        const query = parseQuery(rawQuery);
        await this.deps.verifier.verify({ method, rawPath, query, headers, body: Buffer.alloc(0) }, headers.host ?? "");
        const file = await this.deps.lambda.codeZipPath(code[1]!);
        const zip = file && (await readFile(file).catch(() => undefined));
        if (!zip) throw awsError("ResourceNotFoundException", "The code package no longer exists.");
        res.send(200, { "Content-Type": "application/zip", "x-amzn-RequestId": requestId }, zip);
      } catch (err) {
        renderRestJsonError(res, requestId, err);
      }
      return;
    }
    res.send(404, { "Content-Type": "application/json" }, JSON.stringify({ message: `No Flint endpoint at ${method} ${rawPath}` }));
  }
}
