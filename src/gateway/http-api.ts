/**
 * The invoke side of HTTP APIs: `<api-id>.execute-api.localhost:<port>/<path>` (the `$default`
 * stage) or `/<stage>/<path>` (a named stage), and the path form `/_aws/execute-api/<api-id>/…`.
 * Order as API Gateway serves it: the API, its CORS preflight (answered here), the stage, the
 * deployed route, API Gateway's permission on the function (its resource policy, where IAM is
 * enforced), then the AWS_PROXY integration with payload 1.0 or 2.0 within its timeout.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-lambda.html
 */
import type { BodyBudget } from "../lib/body-budget.js";
import type { Exchange, HttpResponse } from "../lib/http-server.js";
import { newRequestId } from "../lib/request-id.js";
import { decodePercent } from "../lib/percent.js";
import { AwsError } from "../errors.js";
import type { Authorizer } from "../iam/authorizer.js";
import { MAX_SYNC_PAYLOAD, type Invoker } from "../invoke/invoker.js";
import type { Account } from "../services/lambda/arns.js";
import type { Cors, DeploymentRecord, HttpApiRecord, IntegrationRecord, StageRecord } from "../services/apigateway/http-api-model.js";
import { DEFAULT_STAGE } from "../services/apigateway/http-api-model.js";
import type { HttpApisService } from "../services/apigateway/http-apis.js";
import type { TriggerAddress } from "./address.js";
import type { ApiTrigger } from "./execute-api.js";
import { type CorsConfiguration, isPreflight, preflightHeaders, withCors } from "./cors.js";
import { type Selected, RouteTable } from "./http-api-routing.js";
import { buildEventV2, isTextBody, responseFromResult } from "./payload-v2.js";
import { proxyEventV1, proxyResponseV1 } from "./payload-v1.js";
import { apiGatewayMayInvoke, invokeWithin, MAX_REQUEST_BODY, TIMED_OUT } from "./lambda-integration.js";
import { readBody, sourceIp } from "./trigger.js";

/** API Gateway speaks for itself in these (http-api-troubleshooting-lambda.html). */
const NOT_FOUND = { status: 404, body: '{"message":"Not Found"}' };
const FORBIDDEN = { status: 403, body: '{"message":"Forbidden"}' };
const TOO_LARGE = { status: 413, body: '{"message":"Request Entity Too Large"}' };
const INTERNAL = { status: 500, body: '{"message":"Internal Server Error"}' };
const TOO_MANY = { status: 429, body: '{"message":"Too Many Requests"}' };
const UNAVAILABLE = { status: 503, body: '{"message":"Service Unavailable"}' };
type Answer = typeof NOT_FOUND;

export interface HttpApiTriggerDeps {
  apis: Pick<HttpApisService, "find">;
  invoker: Pick<Invoker, "resolve" | "invokeResolved">;
  authorizer: Pick<Authorizer, "mode" | "check">;
  account: Account;
  /** The port the server listens on (`x-forwarded-port`). */
  port(): number;
  /** Flint time, epoch ms. */
  now(): number;
}

/** API Gateway's own answers carry its request id header. */
function answer(res: HttpResponse, requestId: string, a: Answer, extra: Record<string, string> = {}): void {
  res.send(a.status, { "Content-Type": "application/json", "apigw-requestid": requestId, ...extra }, a.body);
}

/** The API's CORS configuration under AWS's member names, as gateway/cors.ts takes it. */
const corsOf = (c: Cors): CorsConfiguration => ({
  AllowCredentials: c.allowCredentials,
  AllowHeaders: c.allowHeaders,
  AllowMethods: c.allowMethods,
  AllowOrigins: c.allowOrigins,
  ExposeHeaders: c.exposeHeaders,
  MaxAge: c.maxAge,
});

/** The stage a request path addresses and the path within it: `/<stage>/…` for a named stage, else `$default`. */
function stageOf(api: HttpApiRecord, rawPath: string): { stage: StageRecord; path: string } | undefined {
  const slash = rawPath.indexOf("/", 1);
  const first = rawPath.slice(1, slash < 0 ? undefined : slash);
  const name = decodePercent(first);
  if (name !== DEFAULT_STAGE && name !== "" && Object.hasOwn(api.stages, name)) return { stage: api.stages[name]!, path: slash < 0 ? "/" : rawPath.slice(slash) };
  const fallback = Object.hasOwn(api.stages, DEFAULT_STAGE) ? api.stages[DEFAULT_STAGE] : undefined;
  return fallback && { stage: fallback, path: rawPath };
}

/** A header map with lower-cased names; names that differed only in case are joined by `join`. */
function lowerCased<V>(headers: unknown, join: (a: V, b: V) => V): Record<string, V> | null {
  if (headers === null || typeof headers !== "object") return null;
  const out: Record<string, V> = {};
  for (const [name, value] of Object.entries(headers as Record<string, V>)) {
    const lower = name.toLowerCase();
    // defineProperty: a header named `__proto__` stays a header.
    Object.defineProperty(out, lower, { value: Object.hasOwn(out, lower) ? join(out[lower]!, value) : value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export class HttpApiTrigger implements ApiTrigger {
  /** Deployments never change: each one's table is compiled once (and forgotten with its record). */
  private readonly tables = new WeakMap<DeploymentRecord, RouteTable>();
  private readonly cors = new WeakMap<Cors, CorsConfiguration>();

  constructor(private readonly deps: HttpApiTriggerDeps) {}

  owns(apiId: string): boolean {
    return this.deps.apis.find(apiId) !== undefined;
  }

  async serve(exchange: Exchange, address: TriggerAddress, rawQuery: string, budget: BodyBudget): Promise<void> {
    const { head, response: res } = exchange;
    const requestId = newRequestId();
    const api = this.deps.apis.find(address.id);
    if (!api || api.disableExecuteApiEndpoint) return answer(res, requestId, FORBIDDEN);
    const cors = api.corsConfiguration && this.corsConfig(api.corsConfiguration);
    // With CORS configured, API Gateway answers every preflight itself, whatever the routes.
    if (cors && isPreflight(head.method, head.headers)) return res.send(204, { ...preflightHeaders(cors, head.headers), "apigw-requestid": requestId });
    const addressed = stageOf(api, address.rawPath);
    const deployment = addressed?.stage.deploymentId !== undefined ? api.deployments[addressed.stage.deploymentId] : undefined;
    const selected = deployment && this.table(deployment).select(head.method, addressed!.path);
    const integration = selected?.route.integration;
    if (!addressed || !selected || !integration) return answer(res, requestId, NOT_FOUND);
    const body = await readBody(exchange, MAX_REQUEST_BODY, budget);
    if (!body) return answer(res, requestId, TOO_LARGE);
    // The source ARN's route: `<METHOD>/<path>` of the route key (`ANY` staying `ANY`), or `$default`.
    const route = selected.route.routeKey.replace(" ", "");
    if (!apiGatewayMayInvoke(this.deps.authorizer, this.deps.account, integration.integrationUri, { apiId: api.apiId, stage: addressed.stage.stageName, route })) return answer(res, requestId, INTERNAL);
    const payload = Buffer.from(JSON.stringify(this.event(exchange, address, rawQuery, body, api, addressed, selected, integration, requestId)));
    if (payload.length > MAX_SYNC_PAYLOAD) return answer(res, requestId, TOO_LARGE);
    const out = await invokeWithin(this.deps.invoker, integration.integrationUri, requestId, payload, integration.timeoutInMillis);
    // Past the timeout API Gateway answers 503; a function that is gone or not Active, 500.
    if (out === TIMED_OUT) return answer(res, requestId, UNAVAILABLE);
    if (out instanceof AwsError) return answer(res, requestId, out.code === "TooManyRequestsException" ? TOO_MANY : INTERNAL);
    if (out.functionError) return answer(res, requestId, INTERNAL);
    const result = out.payload ?? Buffer.alloc(0);
    const mapped = integration.payloadFormatVersion === "2.0" ? responseFromResult(result) : proxyResponseV1(result, true);
    if (!mapped) return answer(res, requestId, INTERNAL);
    const headers = { ...mapped.headers, "apigw-requestid": requestId };
    res.send(mapped.statusCode, cors ? withCors(cors, head.headers.origin, headers) : headers, mapped.body);
  }

  private table(deployment: DeploymentRecord): RouteTable {
    let table = this.tables.get(deployment);
    if (!table) this.tables.set(deployment, (table = new RouteTable(deployment)));
    return table;
  }

  private corsConfig(c: Cors): CorsConfiguration {
    let out = this.cors.get(c);
    if (!out) this.cors.set(c, (out = corsOf(c)));
    return out;
  }

  private event(exchange: Exchange, address: TriggerAddress, rawQuery: string, body: Buffer, api: HttpApiRecord, at: { stage: StageRecord; path: string }, selected: Selected, integration: IntegrationRecord, requestId: string) {
    const { head } = exchange;
    const time = this.deps.now();
    const ip = sourceIp(exchange);
    const domainName = `${api.apiId}.execute-api.localhost`;
    const { stageName, stageVariables } = at.stage;
    const variables = Object.keys(stageVariables).length > 0 ? stageVariables : undefined;
    const routeKey = selected.route.routeKey;
    if (integration.payloadFormatVersion === "2.0") {
      return buildEventV2(
        { method: head.method, rawPath: address.rawPath, rawQuery, headers: head.headers, body, sourceIp: ip, protocol: "HTTP/1.1", port: this.deps.port(), requestId, time },
        { accountId: this.deps.account.accountId, apiId: api.apiId, domainName, domainPrefix: api.apiId, routeKey, stage: stageName, ...(selected.pathParameters ? { pathParameters: selected.pathParameters } : {}), ...(variables ? { stageVariables: variables } : {}) },
      );
    }
    const path = decodePercent(at.path);
    const resource = selected.route.key.kind === "default" ? routeKey : routeKey.slice(routeKey.indexOf(" ") + 1);
    // HTTP APIs' 1.0 flavour: the REST proxy event with `version`, without a resource id, and with
    // every header name lower-cased ("All header names are lowercase", http-api-develop-integrations-lambda).
    const event = proxyEventV1({
      httpMethod: head.method,
      resource,
      path,
      rawQuery,
      rawHeaders: head.rawHeaders,
      body,
      base64Body: body.length > 0 && !isTextBody(head.headers["content-type"], body),
      pathParameters: selected.pathParameters,
      stageVariables: variables,
      context: { accountId: this.deps.account.accountId, apiId: api.apiId, domainName, stage: stageName, requestId, extendedRequestId: requestId, requestTimeEpoch: time, sourceIp: ip, protocol: "HTTP/1.1", extra: { resourceId: null } },
    });
    return { version: "1.0", ...event, headers: lowerCased(event.headers, (_: string, last: string) => last), multiValueHeaders: lowerCased(event.multiValueHeaders, (a: string[], b: string[]) => [...a, ...b]) };
  }
}
