/**
 * An API Gateway HTTP API as Flint keeps it: one record holding its routes, integrations, stages
 * and deployments (they only exist inside their API, and an API is read whole by its invoke side).
 * Members keep the apigatewayv2 model's names, lowerCamelCase as they go on the wire.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html
 */
import { randomInt } from "node:crypto";

export const ProtocolType = { HTTP: "HTTP", WEBSOCKET: "WEBSOCKET" } as const;
export type ProtocolType = (typeof ProtocolType)[keyof typeof ProtocolType];

export const PayloadFormatVersion = { V1: "1.0", V2: "2.0" } as const;
export type PayloadFormatVersion = (typeof PayloadFormatVersion)[keyof typeof PayloadFormatVersion];

/** The API's CORS answer, which API Gateway gives itself (preflight and headers on every response). */
export interface Cors {
  allowCredentials?: boolean;
  allowHeaders?: string[];
  allowMethods?: string[];
  allowOrigins?: string[];
  exposeHeaders?: string[];
  maxAge?: number;
}

export interface RouteRecord {
  routeId: string;
  /** `$default`, or `METHOD /path` with `{param}` and a last `{proxy+}`. */
  routeKey: string;
  /** `integrations/<integration-id>`. */
  target?: string;
  apiKeyRequired: boolean;
  authorizationType: "NONE";
  /** Made by quick create (apiGatewayManaged: only changed through the API itself). */
  apiGatewayManaged?: true;
}

export interface IntegrationRecord {
  integrationId: string;
  integrationType: "AWS_PROXY";
  /** The function's ARN (qualified or not). */
  integrationUri: string;
  integrationMethod: "POST";
  connectionType: "INTERNET";
  payloadFormatVersion: PayloadFormatVersion;
  /** 50 to 30000; the integration answers 503 past it (HTTP APIs' integration timeout). */
  timeoutInMillis: number;
  description?: string;
  apiGatewayManaged?: true;
}

export interface StageRecord {
  stageName: string;
  autoDeploy: boolean;
  deploymentId?: string;
  description?: string;
  stageVariables: Record<string, string>;
  tags: Record<string, string>;
  createdDate: number;
  lastUpdatedDate: number;
  apiGatewayManaged?: true;
}

/** What a deployment froze: the routes and the integrations they target, as they were. Never changed after. */
export interface DeploymentRecord {
  deploymentId: string;
  autoDeployed: boolean;
  createdDate: number;
  description?: string;
  routes: RouteRecord[];
  integrations: Record<string, IntegrationRecord>;
}

export interface HttpApiRecord {
  apiId: string;
  name: string;
  protocolType: "HTTP";
  description?: string;
  version?: string;
  createdDate: number;
  routeSelectionExpression: string;
  apiKeySelectionExpression: string;
  disableExecuteApiEndpoint: boolean;
  corsConfiguration?: Cors;
  tags: Record<string, string>;
  routes: Record<string, RouteRecord>;
  integrations: Record<string, IntegrationRecord>;
  stages: Record<string, StageRecord>;
  deployments: Record<string, DeploymentRecord>;
}

/** HTTP APIs' only route selection and API key expressions. */
export const ROUTE_SELECTION = "$request.method $request.path";
export const API_KEY_SELECTION = "$request.header.x-api-key";
export const DEFAULT_STAGE = "$default";
export const DEFAULT_ROUTE = "$default";
/** HTTP APIs' integration timeout, its default and maximum (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html). */
export const MAX_TIMEOUT_MS = 30_000;
export const MIN_TIMEOUT_MS = 50;

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
/** API Gateway's ids: lower-case alphanumerics (10 for an API, 7 for a route or integration, 6 for a deployment). */
export function newId(length: number): string {
  let id = "";
  for (let i = 0; i < length; i++) id += ALPHABET[randomInt(ALPHABET.length)];
  return id;
}

/** The resource ARN IAM and tags name an API (or its parts) by: `arn:aws:apigateway:<region>::/apis/<id>`. */
export const apiArn = (region: string, apiId: string) => `arn:aws:apigateway:${region}::/apis/${apiId}`;
