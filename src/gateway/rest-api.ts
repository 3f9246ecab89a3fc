/**
 * A REST API's invoke side: `http://<api-id>.execute-api.localhost:<port>/<stage>/<path>` (or the
 * path form) reaches the stage's deployment, its resource and method, and the method's integration:
 * a Lambda function through the proxy event 1.0 (`payload-v1.ts`), or a MOCK answering from its
 * integration response. Errors are API Gateway's: 403 `Missing Authentication Token` for no route,
 * 502 for a function error or a malformed result, 500 when the function's policy does not let API
 * Gateway invoke it, 504 past the integration's timeout.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 */
import { decodePercent } from "../lib/percent.js";
import { AwsError } from "../errors.js";
import { randomBytes, randomUUID } from "node:crypto";
import { isUtf8 } from "node:buffer";
import type { BodyBudget } from "../lib/body-budget.js";
import type { Exchange } from "../lib/http-server.js";
import type { Authorizer } from "../iam/authorizer.js";
import type { IntegrationRecord, RestApiRecord, StageRecord } from "../services/apigateway/model.js";
import { lambdaTarget } from "../services/apigateway/lambda-uri.js";
import type { RestApisService } from "../services/apigateway/rest-apis.js";
import type { Account } from "../services/lambda/arns.js";
import { type Invoker, MAX_SYNC_PAYLOAD } from "../invoke/invoker.js";
import { newRequestId } from "../lib/request-id.js";
import type { ApiTrigger } from "./execute-api.js";
import type { TriggerAddress } from "./address.js";
import { INTERNAL_SERVER_ERROR, proxyEventV1, proxyResponseV1, rawHeader } from "./payload-v1.js";
import { RestRoutes } from "./rest-routes.js";
import { apiGatewayMayInvoke, invokeWithin, MAX_REQUEST_BODY, TIMED_OUT } from "./lambda-integration.js";
import { readBody, sourceIp } from "./trigger.js";

/** What the trigger needs of the rest of Flint. */
export interface RestApiTriggerDeps {
  apis: RestApisService;
  account: Account;
  /** Flint time, epoch ms. */
  now(): number;
  invoker: Pick<Invoker, "resolve" | "invokeResolved">;
  authorizer: Pick<Authorizer, "mode" | "check">;
}

/** An answer of API Gateway's own: status, error type and message. */
const answer = (status: number, errorType: string, message: string) => ({ status, errorType, body: message === INTERNAL_SERVER_ERROR ? message : JSON.stringify({ message }) });
const NO_ROUTE = answer(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
const NO_STAGE = answer(403, "ForbiddenException", "Forbidden");
const FAILED = answer(502, "InternalServerErrorException", INTERNAL_SERVER_ERROR);
const DENIED = answer(500, "InternalServerErrorException", INTERNAL_SERVER_ERROR);
const TIMED_OUT_ANSWER = answer(504, "IntegrationTimeout", "Endpoint request timed out");
const TOO_LARGE = answer(413, "RequestTooLarge", "Request Too Long");

export class RestApiTrigger implements ApiTrigger {
  /** Each deployment's routes, compiled once (a deployment never changes). */
  private readonly routes = new Map<string, RestRoutes>();

  constructor(private readonly deps: RestApiTriggerDeps) {}

  owns(apiId: string): boolean {
    return this.deps.apis.find(apiId) !== undefined;
  }

  async serve(exchange: Exchange, address: TriggerAddress, rawQuery: string, budget: BodyBudget): Promise<void> {
    const { head, response } = exchange;
    const requestId = randomUUID();
    const send = (status: number, headers: Record<string, string>, body: Buffer | string) => response.send(status, { ...headers, "x-amzn-RequestId": requestId }, body);
    // A refusal before the body was read needs nothing more: the HTTP server drains what is left,
    // or closes the connection after the answer when that is large or chunked (lib/http-server.ts).
    const fail = (a: { status: number; errorType: string; body: string }) => send(a.status, { "Content-Type": "application/json", "x-amzn-ErrorType": a.errorType }, a.body);

    const api = this.deps.apis.find(address.id);
    const slash = address.rawPath.indexOf("/", 1);
    const stageName = decodePercent(slash < 0 ? address.rawPath.slice(1) : address.rawPath.slice(1, slash));
    const stage = api?.stages[stageName];
    if (!api || !stage || !api.deployments[stage.deploymentId]) return fail(NO_STAGE);
    const path = slash < 0 ? "/" : address.rawPath.slice(slash);
    const match = this.routesOf(api, stage).match(head.method, path);
    if (!match?.method.integration) return fail(NO_ROUTE);
    const integration = match.method.integration;

    const body = await readBody(exchange, MAX_REQUEST_BODY, budget);
    if (!body) return fail(TOO_LARGE);
    if (integration.type === "MOCK") return this.mock(integration, send, fail);
    const functionArn = integration.type === "AWS_PROXY" ? lambdaTarget(integration.uri)?.arn : undefined;
    // Only Lambda proxy integrations (and MOCK) are served.
    if (!functionArn) return fail(DENIED);

    const resourcePath = match.resource.path;
    // The method as configured (`ANY` stays `ANY`) and the resource's path template, as LocalStack sends it.
    const route = `${match.method.httpMethod}${resourcePath}`;
    if (!apiGatewayMayInvoke(this.deps.authorizer, this.deps.account, functionArn, { apiId: api.id, stage: stage.stageName, route })) return fail(DENIED);
    const ip = sourceIp(exchange);
    const contentType = rawHeader(head.rawHeaders, "content-type");
    const extendedRequestId = randomBytes(12).toString("base64");
    const now = this.deps.now();
    const event = proxyEventV1({
      httpMethod: head.method,
      resource: resourcePath,
      path: decodePercent(path),
      rawQuery,
      rawHeaders: forwarded(head.rawHeaders, ip, head.headers.host),
      body,
      base64Body: body.length > 0 && (matchesMediaType(api.binaryMediaTypes, contentType) || !isUtf8(body)),
      pathParameters: match.pathParameters,
      stageVariables: stage.variables && Object.keys(stage.variables).length > 0 ? stage.variables : undefined,
      context: {
        accountId: this.deps.account.accountId,
        apiId: api.id,
        domainName: domainName(api.id, address, head.headers.host),
        stage: stage.stageName,
        requestId,
        extendedRequestId,
        requestTimeEpoch: now,
        sourceIp: ip,
        protocol: "HTTP/1.1",
        deploymentId: stage.deploymentId,
        resourceId: match.resource.id,
      },
    });
    let result;
    try {
      const payload = Buffer.from(JSON.stringify(event));
      // Lambda's synchronous limit: a larger event is refused as an Invoke would be, an integration failure.
      if (payload.length > MAX_SYNC_PAYLOAD) return fail(FAILED);
      result = await invokeWithin(this.deps.invoker, functionArn, newRequestId(), payload, integration.timeoutInMillis);
    } catch {
      // An event that cannot be built or sent: an integration failure too.
      return fail(FAILED);
    }
    if (result === TIMED_OUT) return fail(TIMED_OUT_ANSWER);
    // The function is gone, throttled, or the event is too large: API Gateway's integration failure.
    if (result instanceof AwsError) return fail(FAILED);
    const mapped = result.functionError || !result.payload ? undefined : proxyResponseV1(result.payload, matchesMediaType(api.binaryMediaTypes, rawHeader(head.rawHeaders, "accept")));
    if (!mapped) return fail(FAILED);
    send(mapped.statusCode, { ...mapped.headers, "x-amz-apigw-id": extendedRequestId }, mapped.body);
  }

  /** The stage's deployment, compiled. */
  private routesOf(api: RestApiRecord, stage: StageRecord): RestRoutes {
    const key = `${api.id}/${stage.deploymentId}`;
    let routes = this.routes.get(key);
    if (!routes) {
      // Deleted APIs' and replaced deployments' routes go with the rest now and then.
      if (this.routes.size >= 1000) this.routes.clear();
      routes = new RestRoutes(api.deployments[stage.deploymentId]!.resources);
      this.routes.set(key, routes);
    }
    return routes;
  }

  /**
   * MOCK: the request template's `{"statusCode": N}` picks the integration response for N (or the
   * default one, without a selection pattern); its `application/json` template is the body.
   */
  private mock(integration: IntegrationRecord, send: (status: number, headers: Record<string, string>, body: string) => void, fail: (a: typeof FAILED) => void): void {
    const template = integration.requestTemplates?.["application/json"] ?? Object.values(integration.requestTemplates ?? {})[0];
    let statusCode: string | undefined;
    try {
      const parsed = template ? (JSON.parse(template) as { statusCode?: unknown }) : undefined;
      if (parsed && (typeof parsed.statusCode === "number" || typeof parsed.statusCode === "string")) statusCode = String(parsed.statusCode);
    } catch {
      // A template that is not JSON selects nothing.
    }
    const responses = Object.values(integration.integrationResponses);
    const chosen = (statusCode !== undefined ? integration.integrationResponses[statusCode] : undefined) ?? responses.find((r) => !r.selectionPattern);
    if (!chosen) return fail(DENIED);
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    // Static header values (`'value'`) mapped to `method.response.header.<name>`.
    for (const [target, source] of Object.entries(chosen.responseParameters ?? {})) {
      const name = /^method\.response\.header\.(.+)$/.exec(target)?.[1];
      const value = /^'(.*)'$/.exec(source)?.[1];
      if (name && value !== undefined) headers[name] = value;
    }
    send(Number(chosen.statusCode), headers, chosen.responseTemplates?.["application/json"] ?? "");
  }
}

/**
 * The headers as API Gateway passes them on: with `X-Forwarded-For` (the client's address appended
 * to what the client sent), `X-Forwarded-Port` and `X-Forwarded-Proto` of the connection.
 */
function forwarded(raw: readonly string[], sourceIp: string, host: string | undefined): string[] {
  const out: string[] = [];
  let forwardedFor: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (lower === "x-forwarded-for") forwardedFor = forwardedFor === undefined ? raw[i + 1] : `${forwardedFor}, ${raw[i + 1]}`;
    else if (lower !== "x-forwarded-port" && lower !== "x-forwarded-proto") out.push(raw[i]!, raw[i + 1]!);
  }
  const port = (host && /:(\d+)$/.exec(host)?.[1]) ?? "80";
  out.push("X-Forwarded-For", forwardedFor === undefined ? sourceIp : `${forwardedFor}, ${sourceIp}`, "X-Forwarded-Port", port, "X-Forwarded-Proto", "http");
  return out;
}

/** The API's own host: the one the client used, or for the path form the host form's name on the same port. */
function domainName(apiId: string, address: TriggerAddress, host: string | undefined): string {
  if (address.form === "host" && host) return host;
  const port = host && /:(\d+)$/.exec(host)?.[1];
  return `${apiId}.execute-api.localhost${port ? `:${port}` : ""}`;
}


/** Whether a content type is one of the API's binary media types (`image/png`, `image/*`, `*\/*`). */
function matchesMediaType(types: string[] | undefined, contentType: string | undefined): boolean {
  if (!types || !contentType) return false;
  const ct = contentType.split(";")[0]!.trim().toLowerCase();
  return types.some((t) => {
    const want = t.toLowerCase();
    if (want === "*/*" || want === ct) return true;
    return want.endsWith("/*") && ct.startsWith(want.slice(0, -1));
  });
}
