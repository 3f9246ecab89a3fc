/**
 * API Gateway REST APIs' control plane on the wire: the `apigateway` model's REST-JSON routes
 * (`/restapis…`), each one service call; errors as `{"message": …}` with `x-amzn-ErrorType`, which
 * the AWS CLI and SDKs read for the code. Every operation asks `apigateway:<HTTP method>` on the
 * resource its path names, as AWS's IAM does.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-create-and-manage-api.html
 */
import { decodePercent } from "../../lib/percent.js";
import type { HttpResponse } from "../../lib/http-server.js";
import { awsError } from "../../errors.js";
import type { Account } from "../../services/lambda/arns.js";
import { deploymentShape, integrationShape, methodShape, resourceShape, restApiShape, stageShape } from "../../services/apigateway/model.js";
import * as methods from "../../services/apigateway/methods.js";
import { type Page, paginate, type RestApisService } from "../../services/apigateway/rest-apis.js";
import * as stages from "../../services/apigateway/stages.js";
import type { Ask } from "../authorize.js";
import { type ApiRequest, awsJsonBody, notAStructure, type ScopedService, sendJson } from "../http.js";
import { renderRestJsonError } from "../render-error.js";

/** A REST API definition is small; API Gateway caps an imported one at 6 MB. */
const MAX_REQUEST_BODY = 6 * 1024 * 1024;

type Members = Record<string, unknown>;
interface Call {
  svc: RestApisService;
  p: string[];
  m: Members;
  query: Record<string, string | string[]>;
}
/** A result: status and members (none: an empty body). */
type Result = [number, unknown?];
type Handler = (c: Call) => Promise<Result> | Result;

const one = (q: Record<string, string | string[]>, k: string) => (Array.isArray(q[k]) ? (q[k] as string[])[0] : (q[k] as string | undefined));
const page = (q: Record<string, string | string[]>): Page => ({
  ...(one(q, "limit") !== undefined ? { limit: Number(one(q, "limit")) } : {}),
  ...(one(q, "position") !== undefined ? { position: one(q, "position") } : {}),
});
/** A page of a collection: the model's `items` member goes on the wire as `item`. */
const items = <T>(list: { items: T[]; position?: string }, shape: (t: T) => unknown) => ({ item: list.items.map(shape), ...(list.position ? { position: list.position } : {}) });

const ID = "([^/]+)";
const METHOD = `/restapis/${ID}/resources/${ID}/methods/${ID}`;
/** Every route: HTTP method, path pattern (its groups are the handler's `p`), handler. */
const ROUTES: [string, RegExp, Handler][] = [
  ["POST", /^\/restapis$/, async ({ svc, m }) => [201, restApiShape(await svc.createRestApi(m))]],
  ["GET", /^\/restapis$/, ({ svc, query }) => [200, items(svc.listRestApis(page(query)), restApiShape)]],
  ["GET", new RegExp(`^/restapis/${ID}$`), ({ svc, p }) => [200, restApiShape(svc.get(p[0]!))]],
  ["DELETE", new RegExp(`^/restapis/${ID}$`), async ({ svc, p }) => (await svc.deleteRestApi(p[0]!), [202])],
  ["GET", new RegExp(`^/restapis/${ID}/resources$`), ({ svc, p, query }) => {
    const embed = [query.embed ?? []].flat().includes("methods");
    return [200, items(svc.getResources(p[0]!, page(query)), (r) => resourceShape(r, embed))];
  }],
  ["GET", new RegExp(`^/restapis/${ID}/resources/${ID}$`), ({ svc, p, query }) => [200, resourceShape(svc.getResource(p[0]!, p[1]!), [query.embed ?? []].flat().includes("methods"))]],
  ["POST", new RegExp(`^/restapis/${ID}/resources/${ID}$`), async ({ svc, p, m }) => [201, resourceShape(await svc.createResource(p[0]!, p[1]!, m.pathPart))]],
  ["DELETE", new RegExp(`^/restapis/${ID}/resources/${ID}$`), async ({ svc, p }) => (await svc.deleteResource(p[0]!, p[1]!), [202])],
  ["PUT", new RegExp(`^${METHOD}$`), async ({ svc, p, m }) => [201, methodShape(await svc.change(p[0]!, (api) => methods.putMethod(api, p[1]!, p[2]!, m), resourceMissing))]],
  ["GET", new RegExp(`^${METHOD}$`), ({ svc, p }) => [200, methodShape(methods.methodOf(nested(svc, p[0]!), p[1]!, p[2]!))]],
  ["DELETE", new RegExp(`^${METHOD}$`), async ({ svc, p }) => (await svc.change(p[0]!, (api) => methods.deleteMethod(api, p[1]!, p[2]!), resourceMissing), [204])],
  ["PUT", new RegExp(`^${METHOD}/responses/${ID}$`), async ({ svc, p, m }) => [201, await svc.change(p[0]!, (api) => methods.putMethodResponse(api, p[1]!, p[2]!, p[3]!, m), resourceMissing)]],
  ["GET", new RegExp(`^${METHOD}/responses/${ID}$`), ({ svc, p }) => [200, found(methods.methodOf(nested(svc, p[0]!), p[1]!, p[2]!).methodResponses[p[3]!], "Response status code")]],
  ["PUT", new RegExp(`^${METHOD}/integration$`), async ({ svc, p, m }) => [201, integrationShape(await svc.change(p[0]!, (api) => methods.putIntegration(api, p[1]!, p[2]!, m), resourceMissing))]],
  ["GET", new RegExp(`^${METHOD}/integration$`), ({ svc, p }) => [200, integrationShape(methods.integrationOf(nested(svc, p[0]!), p[1]!, p[2]!))]],
  ["DELETE", new RegExp(`^${METHOD}/integration$`), async ({ svc, p }) => (await svc.change(p[0]!, (api) => methods.deleteIntegration(api, p[1]!, p[2]!), resourceMissing), [204])],
  ["PUT", new RegExp(`^${METHOD}/integration/responses/${ID}$`), async ({ svc, p, m }) => [201, await svc.change(p[0]!, (api) => methods.putIntegrationResponse(api, p[1]!, p[2]!, p[3]!, m), resourceMissing)]],
  ["GET", new RegExp(`^${METHOD}/integration/responses/${ID}$`), ({ svc, p }) => [200, found(methods.integrationOf(nested(svc, p[0]!), p[1]!, p[2]!).integrationResponses[p[3]!], "Response status code")]],
  ["POST", new RegExp(`^/restapis/${ID}/deployments$`), async ({ svc, p, m }) => [201, deploymentShape(await svc.change(p[0]!, (api) => stages.createDeployment(api, m, svc.now())))]],
  ["GET", new RegExp(`^/restapis/${ID}/deployments$`), ({ svc, p, query }) => [200, items(paginateDeployments(svc, p[0]!, page(query)), deploymentShape)]],
  ["GET", new RegExp(`^/restapis/${ID}/deployments/${ID}$`), ({ svc, p }) => [200, deploymentShape(stages.deploymentOf(svc.get(p[0]!), p[1]!))]],
  ["DELETE", new RegExp(`^/restapis/${ID}/deployments/${ID}$`), async ({ svc, p }) => (await svc.change(p[0]!, (api) => stages.deleteDeployment(api, p[1]!)), [202])],
  ["POST", new RegExp(`^/restapis/${ID}/stages$`), async ({ svc, p, m }) => [201, stageShape(await svc.change(p[0]!, (api) => stages.createStage(api, m, svc.now())))]],
  ["GET", new RegExp(`^/restapis/${ID}/stages$`), ({ svc, p, query }) => {
    const deploymentId = one(query, "deploymentId");
    const all = Object.values(svc.get(p[0]!).stages).filter((s) => deploymentId === undefined || s.deploymentId === deploymentId);
    return [200, { item: all.map(stageShape) }];
  }],
  ["GET", new RegExp(`^/restapis/${ID}/stages/${ID}$`), ({ svc, p }) => [200, stageShape(stages.stageOf(svc.get(p[0]!), p[1]!))]],
  ["DELETE", new RegExp(`^/restapis/${ID}/stages/${ID}$`), async ({ svc, p }) => (await svc.change(p[0]!, (api) => stages.deleteStage(api, p[1]!)), [202])],
  ["PATCH", new RegExp(`^/restapis/${ID}/stages/${ID}$`), async ({ svc, p, m }) => [200, stageShape(await svc.change(p[0]!, (api) => stages.updateStage(api, p[1]!, m, svc.now())))]],
];

/** Operations on what is inside an API report a missing API as a missing resource, as AWS does. */
const resourceMissing = () => awsError("GatewayNotFound", "Invalid Resource identifier specified");
function nested(svc: RestApisService, apiId: string) {
  const api = svc.find(apiId);
  if (!api) throw resourceMissing();
  return api;
}
function found<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw awsError("GatewayNotFound", `Invalid ${what} specified`);
  return value;
}
function paginateDeployments(svc: RestApisService, apiId: string, p: Page) {
  return paginate(Object.values(svc.get(apiId).deployments).sort((a, b) => a.createdDate - b.createdDate || a.id.localeCompare(b.id)), p);
}


export class RestApiGatewayApi implements ScopedService {
  readonly maxBody = MAX_REQUEST_BODY;

  constructor(
    private readonly svc: RestApisService,
    private readonly account: Account,
  ) {}

  /** What a call asks of IAM: `apigateway:<METHOD>` on `arn:aws:apigateway:<region>::<path>`. */
  asks(method: string, path: string): Ask[] {
    return [{ action: `apigateway:${method}`, resource: `arn:aws:apigateway:${this.account.region}::${path}` }];
  }

  async handle(req: ApiRequest, res: HttpResponse): Promise<void> {
    const parts = req.rawPath.split("/").map(decodePercent);
    const path = parts.join("/");
    let matched: [Handler, string[]] | undefined;
    for (const [method, pattern, handler] of ROUTES) {
      if (method !== req.method) continue;
      const m = pattern.exec(path);
      if (m) {
        matched = [handler, m.slice(1)];
        break;
      }
    }
    if (!matched) throw awsError("UnknownOperationException", `No operation matches ${req.method} ${req.rawPath}`);
    const body = awsJsonBody(req.body);
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw notAStructure();
    req.authorize(() => this.asks(req.method, path));
    const [status, result] = await matched[0]({ svc: this.svc, p: matched[1], m: body as Members, query: req.query });
    if (result === undefined) res.send(status, { "x-amzn-RequestId": req.requestId });
    else sendJson(res, req.requestId, status, result);
  }

  renderError(req: Pick<ApiRequest, "headers" | "requestId">, res: HttpResponse, err: unknown): void {
    renderRestJsonError(res, req.requestId, err);
  }

  tooLarge(): Error {
    return awsError("BadRequestException", `Request body must be at most ${MAX_REQUEST_BODY} bytes.`);
  }
}
