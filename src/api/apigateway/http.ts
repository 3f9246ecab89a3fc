/**
 * API Gateway HTTP APIs (apigatewayv2) on the one listener: REST-JSON under `/v2/`, path → typed
 * input → one service call → AWS's wire shape. IAM asks `apigateway:<HTTP method>` on the resource
 * path's ARN (`arn:aws:apigateway:<region>::/apis/<id>/routes/<id>`), as API Gateway's control plane does.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/resources.html
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonapigatewaymanagementv2.html
 */
import type { HttpResponse } from "../../lib/http-server.js";
import { awsError } from "../../errors.js";
import { tagContext } from "../../iam/authorizer.js";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../../lib/json-depth.js";
import type { Account } from "../../services/lambda/arns.js";
import type { HttpApisService } from "../../services/apigateway/http-apis.js";
import type { HttpApiParts } from "../../services/apigateway/http-api-parts.js";
import { decodeApi, decodeDeployment, decodeIntegration, decodeRoute, decodeStage, type Members } from "../../services/apigateway/http-api-inputs.js";
import { type ApiRequest, sendJson, type ScopedService } from "../http.js";
import { renderRestJsonError } from "../render-error.js";
import { apiShape, deploymentShape, integrationShape, routeShape, stageShape } from "./http-shapes.js";

/** apigatewayv2's request bodies are small JSON documents (an OpenAPI import, which Flint does not take, is the large one). */
const MAX_BODY = 1024 * 1024;

export interface HttpApiControlDeps {
  account: Account;
  apis: HttpApisService;
  parts: HttpApiParts;
  /** The invoke URL of an API (`http://<api-id>.execute-api.localhost:<port>`). */
  apiEndpoint(apiId: string): string;
}

interface Call {
  req: ApiRequest;
  /** The path's parameters, decoded. */
  p: string[];
  body(): Members;
}
/** What an operation answers: a status and its JSON (undefined: no body). */
type Answer = [status: number, value?: unknown];
type Operation = (deps: HttpApiControlDeps, call: Call) => Answer | Promise<Answer>;

interface Route {
  method: string;
  pattern: RegExp;
  operation: Operation;
}

const ID = "([^/]+)";
const routes: Route[] = [];
function on(method: string, path: string, operation: Operation): void {
  routes.push({ method, pattern: new RegExp(`^/v2${path}/?$`), operation });
}

const single = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
function maxResults(req: ApiRequest): number | undefined {
  const raw = single(req.query.maxResults);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw awsError("BadRequestException", `Invalid maxResults specified: ${raw}`);
  return n;
}
const items = (list: unknown[]): Answer => [200, { items: list }];

on("POST", "/apis", async (d, c) => {
  const api = await d.apis.createApi(decodeApi(c.body(), true));
  return [201, apiShape(api, d.apiEndpoint(api.apiId))];
});
on("GET", "/apis", (d, c) => {
  const page = d.apis.getApis(maxResults(c.req), single(c.req.query.nextToken));
  return [200, { items: page.items.map((a) => apiShape(a, d.apiEndpoint(a.apiId))), ...(page.nextToken ? { nextToken: page.nextToken } : {}) }];
});
on("GET", `/apis/${ID}`, (d, c) => [200, apiShape(d.apis.get(c.p[0]!), d.apiEndpoint(c.p[0]!))]);
on("PATCH", `/apis/${ID}`, async (d, c) => [200, apiShape(await d.apis.updateApi(c.p[0]!, decodeApi(c.body(), false)), d.apiEndpoint(c.p[0]!))]);
on("DELETE", `/apis/${ID}`, async (d, c) => [204, await d.apis.deleteApi(c.p[0]!)]);
on("DELETE", `/apis/${ID}/cors`, async (d, c) => [204, await d.apis.deleteCorsConfiguration(c.p[0]!)]);

on("POST", `/apis/${ID}/routes`, async (d, c) => [201, routeShape(await d.parts.createRoute(c.p[0]!, decodeRoute(c.body(), true)))]);
on("GET", `/apis/${ID}/routes`, (d, c) => items(d.parts.getRoutes(c.p[0]!).map(routeShape)));
on("GET", `/apis/${ID}/routes/${ID}`, (d, c) => [200, routeShape(d.parts.getRoute(c.p[0]!, c.p[1]!))]);
on("PATCH", `/apis/${ID}/routes/${ID}`, async (d, c) => [200, routeShape(await d.parts.updateRoute(c.p[0]!, c.p[1]!, decodeRoute(c.body(), false)))]);
on("DELETE", `/apis/${ID}/routes/${ID}`, async (d, c) => [204, await d.parts.deleteRoute(c.p[0]!, c.p[1]!)]);

on("POST", `/apis/${ID}/integrations`, async (d, c) => [201, integrationShape(await d.parts.createIntegration(c.p[0]!, decodeIntegration(c.body(), true)))]);
on("GET", `/apis/${ID}/integrations`, (d, c) => items(d.parts.getIntegrations(c.p[0]!).map(integrationShape)));
on("GET", `/apis/${ID}/integrations/${ID}`, (d, c) => [200, integrationShape(d.parts.getIntegration(c.p[0]!, c.p[1]!))]);
on("PATCH", `/apis/${ID}/integrations/${ID}`, async (d, c) => [200, integrationShape(await d.parts.updateIntegration(c.p[0]!, c.p[1]!, decodeIntegration(c.body(), false)))]);
on("DELETE", `/apis/${ID}/integrations/${ID}`, async (d, c) => [204, await d.parts.deleteIntegration(c.p[0]!, c.p[1]!)]);

on("POST", `/apis/${ID}/stages`, async (d, c) => [201, stageShape(await d.parts.createStage(c.p[0]!, decodeStage(c.body(), true)))]);
on("GET", `/apis/${ID}/stages`, (d, c) => items(d.parts.getStages(c.p[0]!).map(stageShape)));
on("GET", `/apis/${ID}/stages/${ID}`, (d, c) => [200, stageShape(d.parts.getStage(c.p[0]!, c.p[1]!))]);
on("PATCH", `/apis/${ID}/stages/${ID}`, async (d, c) => [200, stageShape(await d.parts.updateStage(c.p[0]!, c.p[1]!, decodeStage(c.body(), false)))]);
on("DELETE", `/apis/${ID}/stages/${ID}`, async (d, c) => [204, await d.parts.deleteStage(c.p[0]!, c.p[1]!)]);

on("POST", `/apis/${ID}/deployments`, async (d, c) => [201, deploymentShape(await d.parts.createDeployment(c.p[0]!, decodeDeployment(c.body())))]);
on("GET", `/apis/${ID}/deployments`, (d, c) => items(d.parts.getDeployments(c.p[0]!).map(deploymentShape)));
on("GET", `/apis/${ID}/deployments/${ID}`, (d, c) => [200, deploymentShape(d.parts.getDeployment(c.p[0]!, c.p[1]!))]);
on("DELETE", `/apis/${ID}/deployments/${ID}`, async (d, c) => [204, await d.parts.deleteDeployment(c.p[0]!, c.p[1]!)]);

/** `/v2/tags/<resource-arn>`: an API's tags, by its ARN. */
function taggedApi(d: HttpApiControlDeps, arn: string): string {
  const m = /^arn:aws:apigateway:([a-z0-9-]+)::\/apis\/([a-z0-9]+)$/.exec(arn);
  if (!m || m[1] !== d.account.region) throw awsError("GatewayNotFound", `Invalid resource identifier specified ${arn}`);
  return m[2]!;
}
on("GET", `/tags/${ID}`, (d, c) => [200, { tags: d.apis.tagsOf(taggedApi(d, c.p[0]!)) }]);
on("POST", `/tags/${ID}`, async (d, c) => {
  const tags = c.body().tags;
  if (typeof tags !== "object" || tags === null || Array.isArray(tags) || !Object.values(tags).every((v) => typeof v === "string")) throw awsError("BadRequestException", "Invalid input: tags must be a map of strings.");
  return [201, await d.apis.tag(taggedApi(d, c.p[0]!), tags as Record<string, string>)];
});
on("DELETE", `/tags/${ID}`, async (d, c) => {
  const keys = c.req.query.tagKeys;
  return [204, await d.apis.untag(taggedApi(d, c.p[0]!), keys === undefined ? [] : Array.isArray(keys) ? keys : [keys])];
});

function parseBody(raw: Buffer): Members {
  if (raw.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw.toString("utf8"));
  } catch {
    throw awsError("BadRequestException", "Invalid request body: it is not JSON.");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw awsError("BadRequestException", "Invalid request body: it must be a JSON object.");
  if (nestsDeeperThan(value)) throw awsError("BadRequestException", `Invalid request body: nesting depth exceeds ${MAX_JSON_DEPTH}.`);
  return value as Members;
}

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw awsError("BadRequestException", `Invalid path parameter: ${part}`);
  }
}

/** The ARN IAM evaluates a call on: the resource path without `/v2`, under `arn:aws:apigateway:<region>::`. */
function resourceArn(region: string, rawPath: string): string {
  return `arn:aws:apigateway:${region}::${decodePart(rawPath.replace(/^\/v2/, "").replace(/\/$/, ""))}`;
}

export class HttpApiControl implements ScopedService {
  readonly maxBody = MAX_BODY;

  constructor(private readonly deps: HttpApiControlDeps) {}

  async handle(req: ApiRequest, res: HttpResponse): Promise<void> {
    let match: RegExpExecArray | null = null;
    const route = routes.find((r) => (match = r.pattern.exec(req.rawPath)) !== null && r.method === req.method);
    if (!route || !match) throw awsError("GatewayNotFound", `No operation matches ${req.method} ${req.rawPath}`);
    const p = (match as RegExpExecArray).slice(1).map(decodePart);
    let body: Members | undefined;
    const call: Call = { req, p, body: () => (body ??= parseBody(req.body)) };
    req.authorize(() => {
      const tags = req.method === "POST" ? call.body().tags : undefined;
      const context = typeof tags === "object" && tags !== null ? tagContext(tags as Record<string, string>) : undefined;
      const resource = p[0] !== undefined && req.rawPath.startsWith("/v2/tags/") ? p[0] : resourceArn(this.deps.account.region, req.rawPath);
      return [{ action: `apigateway:${req.method}`, resource, ...(context ? { context } : {}) }];
    });
    const [status, value] = await route.operation(this.deps, call);
    sendJson(res, req.requestId, status, status === 204 ? undefined : (value ?? {}));
  }

  renderError(req: Pick<ApiRequest, "headers" | "requestId">, res: HttpResponse, err: unknown): void {
    renderRestJsonError(res, req.requestId, err);
  }

  tooLarge(): Error {
    return awsError("BadRequestException", `Request body must be at most ${MAX_BODY} bytes.`);
  }
}
