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
import { BodyBudget } from "../lib/body-budget.js";
import { ClientGone, type Exchange, HttpServer } from "../lib/http-server.js";
import { ConsoleAssets } from "./console.js";
import { lambdaAsks, matchLambdaRoute, tooLarge, type LambdaApiDeps } from "./lambda/routes.js";
import { authorizeRequest } from "./authorize.js";
import type { Authorizer } from "../iam/authorizer.js";
import type { Account } from "../services/lambda/arns.js";
import { renderProtocolError, renderRestJsonError } from "./render-error.js";
import { claimedScope, hasSignature, type Precheck, SigV4Verifier } from "./sigv4.js";
import { type Destination, destination, notProvided, serviceOfVersion } from "./catalogue.js";
import type { TimelineEntry } from "../store/async-store.js";
import type { PolicySimulator } from "../services/iam/simulator.js";
import { explainInput } from "./iam/simulation.js";
import { type TriggerKind, triggerAddress } from "../gateway/address.js";
import { type HttpTrigger, requestContext } from "../gateway/trigger.js";

export interface HealthReport {
  status: "ok";
  [key: string]: unknown;
}

export interface ApiServerDeps extends LambdaApiDeps {
  verifier: SigV4Verifier;
  /** Decides what each signed request asks (iam/authorizer.ts). */
  authorizer: Authorizer;
  account: Account;
  health(): Promise<HealthReport>;
  /** AWS services that own their wire format, by the service name of the SigV4 credential scope (`sqs`). */
  scoped: Record<string, ScopedService>;
  /** Prometheus exposition for `GET /_flint/metrics`. */
  metrics: { contentType(): string; render(): Promise<string> };
  /** `POST /_flint/iam/explain`: how a call would be decided now. */
  simulator: Pick<PolicySimulator, "explain">;
  /** Event source mappings with their lag, for `GET /_flint/mappings` (`flint mappings`). */
  mappingStatus(): Promise<unknown[]>;
  /** Asynchronous events' timelines for `GET /_flint/events/<request-id>`. */
  events: { timeline(requestId: string): Promise<TimelineEntry[]> };
  /** HTTP triggers (function URLs, API Gateway APIs): requests addressed to them by host or path form (gateway/). */
  triggers: Partial<Record<TriggerKind, HttpTrigger>>;
}

/** The services Flint provides, as their clients' signing names. */
const PROVIDED = ["lambda", "sqs", "sns", "iam", "sts", "kinesis", "apigateway", "dynamodb", "logs", "monitoring"];
/** SQS's and SNS's query bodies fit in this; a form body is read this far to learn its service. */
const QUERY_MAX_BODY = 4 * 1024 * 1024;
/** Lambda's REST API: every path starts with its API version's date. */
const isLambdaPath = (_method: string, rawPath: string) => /^\/20\d\d-\d\d-\d\d\//.test(rawPath);
/** A form body's field (`Version`, `Action`), found without parsing or copying the rest. */
function formField(body: Buffer, name: string): string | undefined {
  const key = `${name}=`;
  for (let at = body.indexOf(key); at >= 0; at = body.indexOf(key, at + 1)) {
    if (at > 0 && body[at - 1] !== 0x26 /* & */) continue;
    const start = at + key.length;
    const end = body.indexOf(0x26, start);
    const value = body.toString("latin1", start, Math.min(end < 0 ? body.length : end, start + 64));
    try {
      return decodeURIComponent(value.replace(/\+/g, " "));
    } catch {
      return undefined;
    }
  }
  return undefined;
}
const formVersion = (body: Buffer) => formField(body, "Version");

/** Request bytes held at once before their signatures are checked (see lib/body-budget.ts). */
const UNVERIFIED_BODY_BYTES = 128 * 1024 * 1024;

/** How one request is served: the service its signature must be for, its body's limit, its handler and error renderer. */
interface Plan {
  /** The signing name the signature must carry; undefined: taken unsigned. */
  service: string | undefined;
  maxBody: number;
  tooLarge(): unknown;
  fail(err: unknown): void;
  handle(apiReq: ApiRequest): Promise<void> | void;
  /** False: answered on the head (and the signature's head checks) alone; the body is not read. */
  readBody?: false;
  /** A body may name its service (a form's `Version`): the plan for what it names. */
  refine?(body: Buffer): Plan | undefined;
}

/** An explain question is a few ARNs and context keys. */
const EXPLAIN_MAX_BODY = 64 * 1024;
const CODE_PATH = /^\/_flint\/code\/([0-9a-f]{64})\.zip$/;
const EVENTS_PATH = /^\/_flint\/events\/([0-9a-f-]{36})$/;

export class ApiServer {
  private readonly server: HttpServer;
  private readonly budget = new BodyBudget(UNVERIFIED_BODY_BYTES);
  private readonly console = new ConsoleAssets();

  constructor(private readonly deps: ApiServerDeps) {
    this.server = new HttpServer((exchange) => {
      this.handle(exchange).catch((err) => {
        if (err instanceof ClientGone) return;
        console.error("flint: request failed:", err);
        if (!exchange.response.headersSent) renderRestJsonError(exchange.response, newRequestId(), err);
        else exchange.response.destroy();
      });
      // HTTP/2 next to HTTP/1.1: the AWS SDK for JavaScript v3 speaks it to Kinesis (lib/h2c.ts).
    }, { h2c: true });
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    return (await this.server.listen({ host, port })) as AddressInfo;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private async handle(exchange: Exchange): Promise<void> {
    const { head: req, response: res } = exchange;
    // The absolute form (`POST http://host/path`), which HTTP/1.1 servers must accept, is its path.
    const url = /^https?:\/\//i.test(req.url) ? req.url.replace(/^https?:\/\/[^/?#]*/i, "") || "/" : req.url;
    const qi = url.indexOf("?");
    const rawPath = qi < 0 ? url : url.slice(0, qi);
    const rawQuery = qi < 0 ? "" : url.slice(qi + 1);
    const requestId = newRequestId();
    const method = req.method;

    if (this.console.claimsPath(rawPath)) return this.console.serve(exchange, method, rawPath);
    if (rawPath.startsWith("/_flint/")) return this.internal(exchange, method, rawPath, rawQuery, requestId);
    const address = triggerAddress(req.headers.host, rawPath);
    const trigger = address && this.deps.triggers[address.kind];
    // Trigger bodies arrive before any authentication: they share the unverified bodies' budget.
    if (trigger) return trigger.serve(exchange, address, rawQuery, this.budget);
    if (this.console.claimsRoot(method, rawPath, rawQuery, req.headers)) return this.console.serve(exchange, method, rawPath);

    const query = parseQuery(rawQuery);
    const head = { method, rawPath, rawQuery, query, requestId };
    const headers = req.headers;
    const scope = claimedScope({ headers, query });
    // An unsigned request goes to the service that takes it unsigned, if any (SNS's links).
    if (!scope && !hasSignature({ headers, query })) {
      const unsigned = Object.values(this.deps.scoped).find((s) => s.unsigned?.(head));
      // Those links never carry a body: none is read for them.
      if (unsigned) return this.serve(exchange, head, { ...this.scopedPlan(unsigned, exchange, requestId), service: undefined, maxBody: 0 });
    }
    const to = destination({ method, rawPath, query, headers, scopeService: scope?.service, hasBody: exchange.hasBody }, isLambdaPath);
    if (to.provisional) {
      // A query-protocol form posted to `/`: its body's `Version` names the service. What the head
      // can refuse is refused first, against the service the signature claims.
      const claimed = this.destinationPlan(to, exchange, requestId);
      // A form is a query client's: a service without a query protocol of its own (Kinesis,
      // DynamoDB) would answer its refusal in JSON, which that client cannot parse.
      const fail = to.protocol === "query" && to.service.version === undefined ? (err: unknown) => renderProtocolError("query", to.service, res, requestId, err) : claimed.fail;
      return this.serve(exchange, head, {
        service: to.service.signingName,
        fail,
        handle: claimed.handle,
        maxBody: QUERY_MAX_BODY,
        tooLarge: () => this.scopedService(to.service.signingName)?.tooLarge() ?? awsError("InvalidParameterValue", `Request body must be at most ${QUERY_MAX_BODY} bytes.`),
        refine: (body) => {
          const named = serviceOfVersion(formVersion(body));
          if (named) return this.destinationPlan({ service: named, protocol: named.protocol === "ec2" ? "ec2" : "query", provisional: false }, exchange, requestId);
          // A form whatever its content type says: answered in the query protocol.
          if (to.protocol !== "query" && formField(body, "Action") !== undefined) return this.destinationPlan({ ...to, protocol: "query" }, exchange, requestId);
          return undefined;
        },
      });
    }
    if (to.service.signingName !== "lambda") return this.serve(exchange, head, this.destinationPlan(to, exchange, requestId));
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
    return this.serve(exchange, head, {
      service: "lambda",
      maxBody: route.maxBody,
      tooLarge: () => tooLarge(route.operation, route.maxBody),
      fail: (err) => renderRestJsonError(res, requestId, err),
      handle: (apiReq) => {
        apiReq.authorize(() => lambdaAsks(this.deps.account, route, params, apiReq, (uuid) => this.deps.mappings.functionArnOf(uuid)));
        return route.handler(this.deps, apiReq, res, params);
      },
    });
  }

  /** The service Flint provides under this signing name (own properties only: a name may be `constructor`). */
  private scopedService(signingName: string): ScopedService | undefined {
    return Object.hasOwn(this.deps.scoped, signingName) ? this.deps.scoped[signingName] : undefined;
  }

  /** How a service that owns its wire format (SQS, SNS) is served. */
  private scopedPlan(scoped: ScopedService, { head, response: res }: Exchange, requestId: string): Plan {
    return {
      service: undefined,
      maxBody: scoped.maxBody,
      tooLarge: () => scoped.tooLarge(),
      fail: (err) => scoped.renderError({ headers: head.headers, requestId, rawPath: head.url.split("?")[0]! }, res, err),
      handle: (apiReq) => scoped.handle(apiReq, res),
    };
  }

  /**
   * How a request for `to` is served: by the service if Flint provides it; if not, the client
   * hears so in its own protocol, once the signature's head has been judged as AWS would.
   */
  private destinationPlan(to: Destination, exchange: Exchange, requestId: string): Plan {
    const service = to.service.signingName;
    const scoped = this.scopedService(service);
    if (scoped) return { ...this.scopedPlan(scoped, exchange, requestId), service };
    const res = exchange.response;
    const { method, url } = exchange.head;
    const refusal = () => (service === "lambda" || service === "unknown" ? awsError("UnknownOperationException", `No operation matches ${method} ${url.split("?")[0]}`) : notProvided(to.service, PROVIDED));
    return {
      // A request naming no service at all is not judged on its signature.
      service: service === "unknown" ? undefined : service,
      maxBody: 0,
      tooLarge: refusal,
      fail: (err) => renderProtocolError(to.protocol, to.service, res, requestId, err),
      handle: () => {
        throw refusal();
      },
      readBody: false,
    };
  }

  /**
   * Check the signature's head for `plan.service`, read the body within the plan's limit, verify
   * (no service: a request taken unsigned), handle; every error rendered by the plan's `fail`.
   * Bodies waiting for their signature to be checked hold at most `UNVERIFIED_BODY_BYTES` at once.
   */
  private async serve(exchange: Exchange, head: Omit<ApiRequest, "headers" | "body" | "authorize" | "principal">, plan: Plan): Promise<void> {
    const { head: req, response: res } = exchange;
    const host = req.headers.host ?? "";
    let prechecked: Precheck | undefined;
    try {
      if (plan.service !== undefined) prechecked = await this.deps.verifier.precheck({ method: head.method, rawPath: head.rawPath, headers: req.headers, query: head.query }, host, plan.service);
      // Refused on its head, or for a service Flint does not provide: the body is never kept.
      if (plan.readBody === false) throw plan.tooLarge();
    } catch (err) {
      res.closeAfterResponse();
      return plan.fail(err);
    }
    let final = plan;
    let apiReq: ApiRequest;
    // A signature already checked against its signed payload hash needs no place in the budget.
    const release = prechecked?.signatureChecked ? () => {} : await this.budget.reserveBody(exchange, plan.maxBody);
    try {
      const body = await exchange.body(plan.maxBody);
      if (!body.ok) return plan.fail(plan.tooLarge());
      final = plan.refine?.(body.body) ?? plan;
      const principal = final.service === undefined ? undefined : (await this.deps.verifier.verify({ ...head, headers: req.headers, body: body.body }, host, final.service, prechecked)).principal;
      const authorize = authorizeRequest(this.deps.authorizer, final.service ?? "", principal, requestContext(exchange));
      apiReq = { ...head, headers: req.headers, body: body.body, authorize, ...(principal ? { principal } : {}) };
    } catch (err) {
      if (err instanceof ClientGone) throw err;
      return final.fail(err);
    } finally {
      // Verified or refused: the body no longer counts against the budget.
      release();
    }
    try {
      await final.handle(apiReq);
    } catch (err) {
      if (res.headersSent) throw err;
      final.fail(err);
    }
  }

  private async internal(exchange: Exchange, method: string, rawPath: string, rawQuery: string, requestId: string): Promise<void> {
    const { head: { headers }, response: res } = exchange;
    if (method === "GET" && rawPath === "/_flint/health") {
      // Request bodies held (bytes) and waiting for their turn before their signatures are checked.
      const { used, waiting } = this.budget.state;
      return sendJson(res, requestId, 200, { ...(await this.deps.health()), unverifiedBodies: { bytes: used, waiting } });
    }
    if (method === "GET" && rawPath === "/_flint/metrics") {
      return res.send(200, { "Content-Type": this.deps.metrics.contentType() }, await this.deps.metrics.render());
    }
    if (method === "GET" && rawPath === "/_flint/mappings") {
      return sendJson(res, requestId, 200, { EventSourceMappings: await this.deps.mappingStatus() });
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
    if (method === "POST" && rawPath === "/_flint/iam/explain") {
      try {
        const query = parseQuery(rawQuery);
        // Signed as for IAM (whose simulator it answers like) or for Lambda (as Flint's other endpoints).
        const service = claimedScope({ headers, query })?.service === "iam" ? "iam" : "lambda";
        const host = headers.host ?? "";
        // A request its head refuses is answered without reading its body.
        const pre = await this.deps.verifier.precheck({ method, rawPath, headers, query }, host, service).catch((err: unknown) => {
          res.closeAfterResponse();
          throw err;
        });
        const body = await exchange.body(EXPLAIN_MAX_BODY);
        if (!body.ok) throw awsError("InvalidInput", `Request body must be at most ${EXPLAIN_MAX_BODY} bytes.`);
        const { principal } = await this.deps.verifier.verify({ method, rawPath, query, headers, body: body.body }, host, service, pre);
        const input = explainInput(body.body);
        // Asking how a principal's calls are decided is reading its policies, as the simulator does.
        authorizeRequest(this.deps.authorizer, "iam", principal, requestContext(exchange))(() => [{ action: "iam:SimulatePrincipalPolicy", resource: input.Caller }]);
        return sendJson(res, requestId, 200, this.deps.simulator.explain(input));
      } catch (err) {
        if (err instanceof ClientGone) throw err;
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
