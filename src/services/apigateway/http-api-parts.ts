/**
 * An HTTP API's parts: routes, integrations, stages and deployments, each changed through its API
 * (`HttpApisService.change`), so that a refusal changes nothing and auto-deploying stages follow.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-routes.html
 */
import { awsError } from "../../errors.js";
import type { DeploymentInput, IntegrationInput, RouteInput, StageInput } from "./http-api-inputs.js";
import { type DeploymentRecord, type HttpApiRecord, type IntegrationRecord, MAX_TIMEOUT_MS, newId, type RouteRecord, type StageRecord } from "./http-api-model.js";
import { functionTarget, type HttpApisService } from "./http-apis.js";
import { parseRouteKey } from "./route-key.js";

const bad = (message: string) => awsError("BadRequestException", message);
const notFound = (message: string) => awsError("GatewayNotFound", message);

function uniqueId(taken: Record<string, unknown>, length: number): string {
  let id;
  do id = newId(length);
  while (Object.hasOwn(taken, id));
  return id;
}

export class HttpApiParts {
  constructor(private readonly apis: HttpApisService) {}

  private notFound(kind: string, id: string) {
    return notFound(`Invalid ${kind} identifier specified ${this.apis.account.accountId}:${id}`);
  }

  private route(api: HttpApiRecord, routeId: string): RouteRecord {
    const r = Object.hasOwn(api.routes, routeId) ? api.routes[routeId] : undefined;
    if (!r) throw this.notFound("Route", routeId);
    return r;
  }

  private integration(api: HttpApiRecord, integrationId: string): IntegrationRecord {
    const i = Object.hasOwn(api.integrations, integrationId) ? api.integrations[integrationId] : undefined;
    if (!i) throw this.notFound("Integration", integrationId);
    return i;
  }

  private stage(api: HttpApiRecord, stageName: string): StageRecord {
    const s = Object.hasOwn(api.stages, stageName) ? api.stages[stageName] : undefined;
    if (!s) throw notFound(`Invalid stage identifier specified`);
    return s;
  }

  private deployment(api: HttpApiRecord, deploymentId: string): DeploymentRecord {
    const d = Object.hasOwn(api.deployments, deploymentId) ? api.deployments[deploymentId] : undefined;
    if (!d) throw this.notFound("Deployment", deploymentId);
    return d;
  }

  /** A route's target must name one of the API's integrations. */
  private checkTarget(api: HttpApiRecord, target: string): void {
    const m = /^integrations\/([a-z0-9]+)$/.exec(target);
    if (!m || !Object.hasOwn(api.integrations, m[1]!)) throw bad(`Invalid target specified ${target}: a target is integrations/<integration-id> of one of this API's integrations.`);
  }

  private checkKeyFree(api: HttpApiRecord, routeKey: string, except?: string): void {
    parseRouteKey(routeKey);
    if (Object.values(api.routes).some((r) => r.routeKey === routeKey && r.routeId !== except)) throw awsError("ConflictException", `Unable to create route. Route key ${routeKey} already exists for this API.`);
  }

  // Routes.

  createRoute(apiId: string, input: RouteInput): Promise<RouteRecord> {
    return this.apis.change(
      apiId,
      (api) => {
        this.checkKeyFree(api, input.routeKey!);
        if (input.target !== undefined) this.checkTarget(api, input.target);
        const routeId = uniqueId(api.routes, 7);
        const route: RouteRecord = { routeId, routeKey: input.routeKey!, ...(input.target !== undefined ? { target: input.target } : {}), apiKeyRequired: false, authorizationType: "NONE" };
        api.routes[routeId] = route;
        return route;
      },
      true,
    );
  }

  getRoute(apiId: string, routeId: string): RouteRecord {
    return this.route(this.apis.get(apiId), routeId);
  }

  getRoutes(apiId: string): RouteRecord[] {
    return Object.values(this.apis.get(apiId).routes);
  }

  updateRoute(apiId: string, routeId: string, input: RouteInput): Promise<RouteRecord> {
    return this.apis.change(
      apiId,
      (api) => {
        const route = this.route(api, routeId);
        // Quick create's route keeps its key (apiGatewayManaged; https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-routes-routeid.html).
        if (input.routeKey !== undefined && route.apiGatewayManaged && input.routeKey !== route.routeKey) throw bad(`The route key of route ${routeId} is managed by API Gateway and cannot be modified.`);
        if (input.routeKey !== undefined) {
          this.checkKeyFree(api, input.routeKey, routeId);
          route.routeKey = input.routeKey;
        }
        if (input.target !== undefined) {
          // An empty target detaches the route from its integration.
          if (input.target === "") delete route.target;
          else {
            this.checkTarget(api, input.target);
            route.target = input.target;
          }
        }
        return route;
      },
      true,
    );
  }

  deleteRoute(apiId: string, routeId: string): Promise<void> {
    return this.apis.change(apiId, (api) => void delete api.routes[this.route(api, routeId).routeId], true);
  }

  // Integrations.

  async createIntegration(apiId: string, input: IntegrationInput): Promise<IntegrationRecord> {
    if (input.integrationUri === undefined) throw bad("IntegrationUri is required for AWS_PROXY integrations.");
    if (input.payloadFormatVersion === undefined) throw bad("PayloadFormatVersion is required for AWS_PROXY integrations of HTTP APIs (1.0 or 2.0).");
    const integrationUri = functionTarget(this.apis.account, input.integrationUri);
    return this.apis.change(
      apiId,
      (api) => {
        const integrationId = uniqueId(api.integrations, 7);
        const integration: IntegrationRecord = {
          integrationId,
          integrationType: "AWS_PROXY",
          integrationUri,
          integrationMethod: "POST",
          connectionType: "INTERNET",
          payloadFormatVersion: input.payloadFormatVersion!,
          timeoutInMillis: input.timeoutInMillis ?? MAX_TIMEOUT_MS,
          ...(input.description !== undefined ? { description: input.description } : {}),
        };
        api.integrations[integrationId] = integration;
        return integration;
      },
      true,
    );
  }

  getIntegration(apiId: string, integrationId: string): IntegrationRecord {
    return this.integration(this.apis.get(apiId), integrationId);
  }

  getIntegrations(apiId: string): IntegrationRecord[] {
    return Object.values(this.apis.get(apiId).integrations);
  }

  async updateIntegration(apiId: string, integrationId: string, input: IntegrationInput): Promise<IntegrationRecord> {
    const integrationUri = input.integrationUri === undefined ? undefined : functionTarget(this.apis.account, input.integrationUri);
    return this.apis.change(
      apiId,
      (api) => {
        const integration = this.integration(api, integrationId);
        if (integrationUri !== undefined) integration.integrationUri = integrationUri;
        if (input.payloadFormatVersion !== undefined) integration.payloadFormatVersion = input.payloadFormatVersion;
        if (input.timeoutInMillis !== undefined) integration.timeoutInMillis = input.timeoutInMillis;
        if (input.description !== undefined) integration.description = input.description;
        return integration;
      },
      true,
    );
  }

  deleteIntegration(apiId: string, integrationId: string): Promise<void> {
    return this.apis.change(
      apiId,
      (api) => {
        this.integration(api, integrationId);
        const users = Object.values(api.routes).filter((r) => r.target === `integrations/${integrationId}`);
        if (users.length > 0) throw awsError("ConflictException", `Cannot delete integration ${integrationId}: it is the target of route(s) ${users.map((r) => r.routeId).join(", ")}.`);
        delete api.integrations[integrationId];
      },
      true,
    );
  }

  // Stages.

  createStage(apiId: string, input: StageInput): Promise<StageRecord> {
    return this.apis.change(apiId, (api) => {
      const stageName = input.stageName!;
      if (Object.hasOwn(api.stages, stageName)) throw awsError("ConflictException", "Stage already exists");
      if (input.deploymentId !== undefined) this.deployment(api, input.deploymentId);
      const now = this.apis.now();
      const stage: StageRecord = {
        stageName,
        autoDeploy: input.autoDeploy ?? false,
        ...(input.deploymentId !== undefined ? { deploymentId: input.deploymentId } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        stageVariables: input.stageVariables ?? {},
        tags: input.tags ?? {},
        createdDate: now,
        lastUpdatedDate: now,
      };
      // fromEntries defines own properties: a stage named `__proto__` stays a stage.
      api.stages = Object.fromEntries([...Object.entries(api.stages), [stageName, stage]]);
      if (stage.autoDeploy) this.apis.deploy(api, stageName, true);
      return stage;
    });
  }

  getStage(apiId: string, stageName: string): StageRecord {
    return this.stage(this.apis.get(apiId), stageName);
  }

  getStages(apiId: string): StageRecord[] {
    return Object.values(this.apis.get(apiId).stages);
  }

  updateStage(apiId: string, stageName: string, input: StageInput): Promise<StageRecord> {
    return this.apis.change(apiId, (api) => {
      const stage = this.stage(api, stageName);
      if (input.deploymentId !== undefined) {
        this.deployment(api, input.deploymentId);
        stage.deploymentId = input.deploymentId;
      }
      if (input.description !== undefined) stage.description = input.description;
      // Variables merge: a variable given an empty value is removed.
      const variables = new Map(Object.entries(stage.stageVariables));
      for (const [k, v] of Object.entries(input.stageVariables ?? {})) {
        if (v === "") variables.delete(k);
        else variables.set(k, v);
      }
      stage.stageVariables = Object.fromEntries(variables);
      const turnedOn = input.autoDeploy === true && !stage.autoDeploy;
      if (input.autoDeploy !== undefined) stage.autoDeploy = input.autoDeploy;
      stage.lastUpdatedDate = this.apis.now();
      if (turnedOn) this.apis.deploy(api, stageName, true);
      return stage;
    });
  }

  deleteStage(apiId: string, stageName: string): Promise<void> {
    return this.apis.change(apiId, (api) => void delete api.stages[this.stage(api, stageName).stageName]);
  }

  // Deployments.

  createDeployment(apiId: string, input: DeploymentInput): Promise<DeploymentRecord> {
    return this.apis.change(apiId, (api) => {
      if (input.stageName !== undefined) {
        const stage = this.stage(api, input.stageName);
        if (stage.autoDeploy) throw bad(`Stage ${input.stageName} has autoDeploy enabled: it is deployed on every change.`);
      }
      const id = this.apis.deploy(api, input.stageName, false, input.description)!;
      return api.deployments[id]!;
    });
  }

  getDeployment(apiId: string, deploymentId: string): DeploymentRecord {
    return this.deployment(this.apis.get(apiId), deploymentId);
  }

  getDeployments(apiId: string): DeploymentRecord[] {
    return Object.values(this.apis.get(apiId).deployments).sort((a, b) => a.createdDate - b.createdDate);
  }

  deleteDeployment(apiId: string, deploymentId: string): Promise<void> {
    return this.apis.change(apiId, (api) => {
      this.deployment(api, deploymentId);
      if (Object.values(api.stages).some((s) => s.deploymentId === deploymentId)) throw bad("Active stages pointing to this deployment must be moved or deleted");
      delete api.deployments[deploymentId];
    });
  }
}
