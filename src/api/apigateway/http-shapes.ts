/**
 * HTTP API records as apigatewayv2 sends them: lowerCamelCase members, ISO 8601 dates, and only
 * the members AWS sends for what Flint provides.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html
 */
import type { DeploymentRecord, HttpApiRecord, IntegrationRecord, RouteRecord, StageRecord } from "../../services/apigateway/http-api-model.js";

/** `2020-04-08T19:05:45Z`: AWS's timestampIso8601, to the second. */
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export function apiShape(api: HttpApiRecord, apiEndpoint: string): Record<string, unknown> {
  return {
    apiEndpoint,
    apiId: api.apiId,
    apiKeySelectionExpression: api.apiKeySelectionExpression,
    ...(api.corsConfiguration ? { corsConfiguration: api.corsConfiguration } : {}),
    createdDate: iso(api.createdDate),
    ...(api.description !== undefined ? { description: api.description } : {}),
    disableExecuteApiEndpoint: api.disableExecuteApiEndpoint,
    name: api.name,
    protocolType: api.protocolType,
    routeSelectionExpression: api.routeSelectionExpression,
    // As the CLI's example: no Tags member for an API without tags.
    ...(Object.keys(api.tags).length > 0 ? { tags: api.tags } : {}),
    ...(api.version !== undefined ? { version: api.version } : {}),
  };
}

export function routeShape(r: RouteRecord): Record<string, unknown> {
  return {
    ...(r.apiGatewayManaged ? { apiGatewayManaged: true } : {}),
    apiKeyRequired: r.apiKeyRequired,
    authorizationType: r.authorizationType,
    routeId: r.routeId,
    routeKey: r.routeKey,
    ...(r.target !== undefined ? { target: r.target } : {}),
  };
}

export function integrationShape(i: IntegrationRecord): Record<string, unknown> {
  return {
    ...(i.apiGatewayManaged ? { apiGatewayManaged: true } : {}),
    connectionType: i.connectionType,
    ...(i.description !== undefined ? { description: i.description } : {}),
    integrationId: i.integrationId,
    integrationMethod: i.integrationMethod,
    integrationType: i.integrationType,
    integrationUri: i.integrationUri,
    payloadFormatVersion: i.payloadFormatVersion,
    timeoutInMillis: i.timeoutInMillis,
  };
}

export function stageShape(s: StageRecord): Record<string, unknown> {
  return {
    ...(s.apiGatewayManaged ? { apiGatewayManaged: true } : {}),
    autoDeploy: s.autoDeploy,
    createdDate: iso(s.createdDate),
    defaultRouteSettings: { detailedMetricsEnabled: false },
    ...(s.deploymentId !== undefined ? { deploymentId: s.deploymentId } : {}),
    ...(s.description !== undefined ? { description: s.description } : {}),
    lastUpdatedDate: iso(s.lastUpdatedDate),
    routeSettings: {},
    stageName: s.stageName,
    stageVariables: s.stageVariables,
    tags: s.tags,
  };
}

export function deploymentShape(d: DeploymentRecord): Record<string, unknown> {
  return {
    autoDeployed: d.autoDeployed,
    createdDate: iso(d.createdDate),
    deploymentId: d.deploymentId,
    deploymentStatus: "DEPLOYED",
    ...(d.description !== undefined ? { description: d.description } : {}),
  };
}
