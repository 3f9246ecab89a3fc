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
import { renderProtocolError, renderRestJsonError } from "./render-error.js";
import { claimedScope, hasSignature, SigV4Verifier } from "./sigv4.js";
import { type Destination, destination, notProvided, serviceOfVersion } from "./catalogue.js";
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

/** The services Flint provides, as their clients' signing names. */
const PROVIDED = ["lambda", "sqs", "sns"];
/** SQS's and SNS's query bodies fit in this; a form body is read this far to learn its service. */
const QUERY_MAX_BODY = 4 * 1024 * 1024;
/** Lambda's REST API: every path starts with its API version's date. */
const isLambdaPath = (_method: string, rawPath: string) => /^\/20\d\d-\d\d-\d\d\//.test(rawPath);
/** A form body's `Version`, found without parsing the rest. */
function formVersion(body: Buffer): string | undefined {
  const m = /(?:^|&)Version=([^&]{1,32})(?:&|$)/.exec(body.toString("latin1"));
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
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
    const headers = req.headers;
    const scope = claimedScope({ headers, query });
    // An unsigned request goes to the service that takes it unsigned, if any (SNS's links).
    if (!scope && !hasSignature({ headers, query })) {
      const unsigned = Object.values(this.deps.scoped).find((s) => s.unsigned?.(head));
      if (unsigned) {
        const fail = (err: unknown) => unsigned.renderError({ headers, requestId }, res, err);
        return this.serve(exchange, head, unsigned.maxBody, () => unsigned.tooLarge(), (apiReq) => unsigned.handle(apiReq, res), fail, undefined);
      }
    }
    let to = destination({ method, rawPath, query, headers, scopeService: scope?.service }, isLambdaPath);
    const failAs = (dest: Destination) => (err: unknown) => {
      const scoped = this.deps.scoped[dest.service.signingName];
      if (scoped) scoped.renderError({ headers, requestId }, res, err);
      else renderProtocolError(dest.protocol, dest.service, res, requestId, err);
    };
    if (to.provisional) {
      // A query-protocol form: its body's `Version` names the service. Everything the head can
      // refuse is refused first, against the service the signature claims.
      const fail = failAs(to);
      const claimed = to.service.signingName;
      let prechecked = false;
      try {
        prechecked = await this.deps.verifier.precheck({ method, rawPath, headers, query }, headers.host ?? "", claimed);
      } catch (err) {
        res.closeAfterResponse();
        return fail(err);
      }
      const body = await exchange.body(QUERY_MAX_BODY);
      if (!body.ok) return fail(awsError("InvalidParameterValue", `Request body must be at most ${QUERY_MAX_BODY} bytes.`));
      const named = serviceOfVersion(formVersion(body.body));
      if (named) to = { service: named, protocol: named.protocol === "ec2" ? "ec2" : "query", provisional: false };
      const scoped = this.deps.scoped[to.service.signingName];
      const apiReq: ApiRequest = { ...head, headers, body: body.body };
      const failFinal = failAs(to);
      try {
        apiReq.principal = (await this.deps.verifier.verify(apiReq, headers.host ?? "", to.service.signingName, prechecked && to.service.signingName === claimed)).principal;
        if (!scoped) throw to.service.signingName === "lambda" ? awsError("UnknownOperationException", `No operation matches ${method} ${rawPath}`) : notProvided(to.service, PROVIDED);
        await scoped.handle(apiReq, res);
      } catch (err) {
        if (res.headersSent) throw err;
        failFinal(err);
      }
      return;
    }
    const service = to.service.signingName;
    const scoped = this.deps.scoped[service];
    if (scoped) {
      return this.serve(exchange, head, scoped.maxBody, () => scoped.tooLarge(), (apiReq) => scoped.handle(apiReq, res), failAs(to), service);
    }
    if (service !== "lambda") {
      // A service Flint does not provide: the signature's head is judged as AWS would, then the
      // client hears, in its own protocol, that Flint does not provide it.
      const fail = failAs(to);
      res.closeAfterResponse();
      try {
        if (to.service.signingName !== "unknown") await this.deps.verifier.precheck({ method, rawPath, headers, query }, headers.host ?? "", service);
      } catch (err) {
        return fail(err);
      }
      return fail(to.service.signingName === "unknown" ? awsError("UnknownOperationException", `No operation matches ${method} ${rawPath}`) : notProvided(to.service, PROVIDED));
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
    return this.serve(exchange, head, route.maxBody, () => tooLarge(route.operation, route.maxBody), (apiReq) => route.handler(this.deps, apiReq, res, params), fail, "lambda");
  }

  /**
   * Check the signature's head for `service`, read the body within its limit, verify, handle
   * (`service` undefined: a request the service takes unsigned); errors rendered by `fail`.
   */
  private async serve(
    { head: req, response: res, body: readBody }: Exchange,
    head: Omit<ApiRequest, "headers" | "body">,
    maxBody: number,
    tooLargeError: () => unknown,
    handler: (apiReq: ApiRequest) => Promise<void> | void,
    fail: (err: unknown) => void,
    service: string | undefined,
  ): Promise<void> {
    const host = req.headers.host ?? "";
    let prechecked = false;
    try {
      if (service !== undefined) prechecked = await this.deps.verifier.precheck({ method: head.method, rawPath: head.rawPath, headers: req.headers, query: head.query }, host, service);
    } catch (err) {
      // Refused on its head: the body is never kept, and the connection is not reused.
      res.closeAfterResponse();
      return fail(err);
    }
    const body = await readBody(maxBody);
    if (!body.ok) return fail(tooLargeError());
    const apiReq: ApiRequest = { ...head, headers: req.headers, body: body.body };
    try {
      if (service !== undefined) apiReq.principal = (await this.deps.verifier.verify(apiReq, host, service, prechecked)).principal;
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
        await this.deps.verifier.verify({ method, rawPath, query: parseQuery(rawQuery), headers, body: Buffer.alloc(0) }, headers.host ?? "", "lambda");
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
        await this.deps.verifier.verify({ method, rawPath, query, headers, body: Buffer.alloc(0) }, headers.host ?? "", "lambda");
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
