/**
 * API Gateway HTTP APIs (apigatewayv2): the APIs themselves and the one way any part of one
 * changes (`change`), which keeps auto-deploying stages current. Routes, integrations, stages and
 * deployments are in `http-api-parts.ts`. Every API is held in memory (the invoke side reads it
 * from here, never from the store) and written whole to the store on each change.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html
 */
import { awsError } from "../../errors.js";
import type { Clock } from "../../clock/clock.js";
import type { HttpApiStore } from "../../store/http-api-store.js";
import { aloneBus, CacheSync, type ChangeBus } from "../../store/change-bus.js";
import type { Account } from "../lambda/arns.js";
import type { ApiInput } from "./http-api-inputs.js";
import { parseRouteKey } from "./route-key.js";
import { lambdaTarget } from "./lambda-uri.js";
import {
  API_KEY_SELECTION,
  DEFAULT_ROUTE,
  DEFAULT_STAGE,
  type HttpApiRecord,
  MAX_TIMEOUT_MS,
  newId,
  ProtocolType,
  ROUTE_SELECTION,
} from "./http-api-model.js";

const bad = (message: string) => awsError("BadRequestException", message);

/**
 * An integration's target as Flint keeps it: the function's ARN, given as such or in API Gateway's
 * invocation URI. AWS takes other accounts' functions too; Flint has only its own account and region.
 */
export function functionTarget(account: Account, uri: string): string {
  const target = lambdaTarget(uri, true);
  if (!target || target.partition !== "aws" || target.region !== account.region || target.accountId !== account.accountId) throw bad(`Invalid integration URI specified: ${uri}. Flint integrates with Lambda functions of account ${account.accountId} in ${account.region}.`);
  return target.arn;
}

export interface HttpApisDeps {
  account: Account;
  store: HttpApiStore;
  clock: Clock;
  /** The cluster's change bus (Store.changes): APIs are shared with the other nodes. */
  changes?: ChangeBus;
}

export class HttpApisService {
  /** A cache of the store, reloaded when another node changes an API. */
  private readonly apis = new Map<string, HttpApiRecord>();
  private readonly sync: CacheSync;

  private constructor(private readonly deps: HttpApisDeps) {
    this.sync = new CacheSync(deps.changes ?? aloneBus(), "http-apis", () =>
      this.sync.reread(
        () => deps.store.listHttpApis(),
        (stored) => {
          this.apis.clear();
          for (const api of stored) this.apis.set(api.apiId, api);
        },
      ),
    );
  }

  static async create(deps: HttpApisDeps): Promise<HttpApisService> {
    const service = new HttpApisService(deps);
    for (const api of await deps.store.listHttpApis()) service.apis.set(api.apiId, api);
    return service;
  }

  get account(): Account {
    return this.deps.account;
  }

  now(): number {
    return this.deps.clock.now();
  }

  /** The API as it is now (the invoke side's lookup; no store round trip). */
  find(apiId: string): HttpApiRecord | undefined {
    return this.apis.get(apiId);
  }

  get(apiId: string): HttpApiRecord {
    const api = this.apis.get(apiId);
    if (!api) throw awsError("GatewayNotFound", `Invalid API identifier specified ${this.deps.account.accountId}:${apiId}`);
    return api;
  }

  /**
   * Change one API: `edit` works on a copy (a refusal leaves the API as it was); when it changed what
   * a deployment freezes (`deployable`), every auto-deploying stage gets a new deployment.
   */
  async change<T>(apiId: string, edit: (api: HttpApiRecord) => T, deployable = false): Promise<T> {
    const api = structuredClone(this.get(apiId));
    const out = edit(api);
    if (deployable) for (const stage of Object.values(api.stages)) if (stage.autoDeploy) this.deploy(api, stage.stageName, true);
    this.pruneDeployments(api);
    await this.put(api);
    return out;
  }

  /**
   * Freeze the API's routes and integrations into a new deployment and point `stageName` at it.
   * An auto-deploying stage of an API without routes keeps what it had (AWS deploys nothing then).
   */
  deploy(api: HttpApiRecord, stageName: string | undefined, autoDeployed: boolean, description?: string): string | undefined {
    const routes = Object.values(api.routes);
    if (routes.length === 0) {
      if (autoDeployed) return undefined;
      throw bad("At least one route is required before deploying the Api.");
    }
    const deploymentId = newId(6);
    api.deployments[deploymentId] = {
      deploymentId,
      autoDeployed,
      createdDate: this.now(),
      ...(description !== undefined ? { description } : {}),
      routes: structuredClone(routes),
      integrations: structuredClone(api.integrations),
    };
    const stage = stageName === undefined ? undefined : api.stages[stageName];
    if (stage) {
      stage.deploymentId = deploymentId;
      stage.lastUpdatedDate = this.now();
    }
    return deploymentId;
  }

  /** Auto-deployments no stage serves any more are dropped: each change would otherwise leave one behind. */
  private pruneDeployments(api: HttpApiRecord): void {
    const served = new Set(Object.values(api.stages).map((s) => s.deploymentId));
    for (const d of Object.values(api.deployments)) if (d.autoDeployed && !served.has(d.deploymentId)) delete api.deployments[d.deploymentId];
  }

  async createApi(input: ApiInput): Promise<HttpApiRecord> {
    if (input.protocolType !== ProtocolType.HTTP) {
      if (input.protocolType === ProtocolType.WEBSOCKET) throw bad("Flint provides HTTP APIs only; WebSocket APIs are not supported.");
      throw bad("Invalid protocol specified. Must be one of [HTTP, WEBSOCKET]");
    }
    if (input.routeSelectionExpression !== undefined && input.routeSelectionExpression !== ROUTE_SELECTION) throw bad(`Unsupported route selection expression for HTTP API: ${input.routeSelectionExpression}`);
    if (input.routeKey !== undefined && input.target === undefined) throw bad("RouteKey can only be specified with Target (quick create).");
    const now = this.now();
    let apiId;
    do apiId = newId(10);
    while (this.apis.has(apiId));
    const api: HttpApiRecord = {
      apiId,
      name: input.name!,
      protocolType: "HTTP",
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.version !== undefined ? { version: input.version } : {}),
      createdDate: now,
      routeSelectionExpression: ROUTE_SELECTION,
      apiKeySelectionExpression: input.apiKeySelectionExpression ?? API_KEY_SELECTION,
      disableExecuteApiEndpoint: input.disableExecuteApiEndpoint ?? false,
      ...(input.corsConfiguration ? { corsConfiguration: input.corsConfiguration } : {}),
      tags: input.tags ?? {},
      routes: {},
      integrations: {},
      stages: {},
      deployments: {},
    };
    if (input.target !== undefined) this.quickCreate(api, input.target, input.routeKey ?? DEFAULT_ROUTE);
    await this.put(api);
    return api;
  }

  /**
   * Quick create: an AWS_PROXY integration (payload 2.0) to the function, the route (`$default` unless
   * given) and the `$default` stage, auto-deploying. It grants API Gateway no permission on the
   * function: as on AWS, `lambda add-permission` does (the console adds it, the API does not).
   * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop.html#http-api-examples.cli.quick-create
   */
  private quickCreate(api: HttpApiRecord, target: string, routeKey: string): void {
    const integrationUri = functionTarget(this.deps.account, target);
    parseRouteKey(routeKey);
    const integrationId = newId(7);
    api.integrations[integrationId] = {
      integrationId,
      integrationType: "AWS_PROXY",
      integrationUri,
      integrationMethod: "POST",
      connectionType: "INTERNET",
      payloadFormatVersion: "2.0",
      timeoutInMillis: MAX_TIMEOUT_MS,
      apiGatewayManaged: true,
    };
    const routeId = newId(7);
    api.routes[routeId] = { routeId, routeKey, target: `integrations/${integrationId}`, apiKeyRequired: false, authorizationType: "NONE", apiGatewayManaged: true };
    const now = this.now();
    api.stages[DEFAULT_STAGE] = { stageName: DEFAULT_STAGE, autoDeploy: true, stageVariables: {}, tags: {}, createdDate: now, lastUpdatedDate: now, apiGatewayManaged: true };
    this.deploy(api, DEFAULT_STAGE, true);
  }

  getApis(maxResults: number | undefined, nextToken: string | undefined): { items: HttpApiRecord[]; nextToken?: string } {
    const all = [...this.apis.values()].sort((a, b) => a.createdDate - b.createdDate || a.apiId.localeCompare(b.apiId));
    const start = nextToken === undefined ? 0 : all.findIndex((a) => a.apiId === nextToken);
    if (start < 0) throw bad("Invalid next token specified.");
    const end = maxResults === undefined ? all.length : start + maxResults;
    return { items: all.slice(start, end), ...(end < all.length ? { nextToken: all[end]!.apiId } : {}) };
  }

  async updateApi(apiId: string, input: ApiInput): Promise<HttpApiRecord> {
    if (input.protocolType !== undefined) throw bad("ProtocolType cannot be updated.");
    if (input.target !== undefined || input.routeKey !== undefined) throw bad("Target and RouteKey can only be given when the API is created (quick create).");
    if (input.routeSelectionExpression !== undefined && input.routeSelectionExpression !== ROUTE_SELECTION) throw bad(`Unsupported route selection expression for HTTP API: ${input.routeSelectionExpression}`);
    return this.change(apiId, (api) => {
      if (input.name !== undefined) api.name = input.name;
      if (input.description !== undefined) api.description = input.description;
      if (input.version !== undefined) api.version = input.version;
      if (input.disableExecuteApiEndpoint !== undefined) api.disableExecuteApiEndpoint = input.disableExecuteApiEndpoint;
      if (input.apiKeySelectionExpression !== undefined) api.apiKeySelectionExpression = input.apiKeySelectionExpression;
      if (input.corsConfiguration !== undefined) api.corsConfiguration = input.corsConfiguration;
      return api;
    });
  }

  deleteCorsConfiguration(apiId: string): Promise<void> {
    return this.change(apiId, (api) => void delete api.corsConfiguration);
  }

  async deleteApi(apiId: string): Promise<void> {
    this.get(apiId);
    await this.sync.write(apiId, async () => {
      this.apis.delete(apiId);
      await this.deps.store.deleteHttpApi(apiId);
    });
  }

  private put(api: HttpApiRecord): Promise<void> {
    return this.sync.write(api.apiId, async () => {
      this.apis.set(api.apiId, api);
      await this.deps.store.putHttpApi(api);
    });
  }

  /** Tags of the API named by its resource ARN (`arn:aws:apigateway:<region>::/apis/<id>`). */
  tagsOf(apiId: string): Record<string, string> {
    return this.get(apiId).tags;
  }

  tag(apiId: string, tags: Record<string, string>): Promise<void> {
    // fromEntries defines own properties: a tag named `__proto__` stays a tag.
    return this.change(apiId, (api) => void (api.tags = Object.fromEntries([...Object.entries(api.tags), ...Object.entries(tags)])));
  }

  untag(apiId: string, keys: readonly string[]): Promise<void> {
    return this.change(apiId, (api) => {
      for (const k of keys) delete api.tags[k];
    });
  }
}
