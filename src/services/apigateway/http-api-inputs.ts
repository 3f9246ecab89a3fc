/**
 * apigatewayv2 request bodies decoded into typed inputs (members lowerCamelCase, as on the wire),
 * with API Gateway's BadRequestException for a member of the wrong type or out of range.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html
 */
import { awsError } from "../../errors.js";
import { type Cors, MAX_TIMEOUT_MS, MIN_TIMEOUT_MS, type PayloadFormatVersion } from "./http-api-model.js";

export type Members = Record<string, unknown>;

const bad = (message: string) => awsError("BadRequestException", message);
const wrongType = (name: string, type: string) => bad(`Invalid input: ${name} must be ${type}.`);

function string(m: Members, name: string, max = 1024, min = 0): string | undefined {
  const v = m[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw wrongType(name, "a string");
  if (v.length < min || v.length > max) throw bad(`Invalid input: ${name} must be between ${min} and ${max} characters long.`);
  return v;
}

function boolean(m: Members, name: string): boolean | undefined {
  const v = m[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw wrongType(name, "a boolean");
  return v;
}

function integer(m: Members, name: string): number | undefined {
  const v = m[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) throw wrongType(name, "an integer");
  return v;
}

function stringList(m: Members, name: string): string[] | undefined {
  const v = m[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((s) => typeof s === "string")) throw wrongType(name, "a list of strings");
  return v as string[];
}

function stringMap(m: Members, name: string): Record<string, string> | undefined {
  const v = m[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v) || !Object.values(v).every((s) => typeof s === "string")) throw wrongType(name, "a map of strings");
  return { ...(v as Record<string, string>) };
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw bad(`${name} is required.`);
  return value;
}

/** `corsConfiguration`; maxAge is -1 (no caching) to 86400 seconds. */
export function decodeCors(m: Members): Cors | undefined {
  const v = m.corsConfiguration;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) throw wrongType("corsConfiguration", "an object");
  const c = v as Members;
  const maxAge = integer(c, "maxAge");
  if (maxAge !== undefined && (maxAge < -1 || maxAge > 86400)) throw bad("Invalid input: maxAge must be between -1 and 86400.");
  const cors: Cors = {};
  const allowCredentials = boolean(c, "allowCredentials");
  if (allowCredentials !== undefined) cors.allowCredentials = allowCredentials;
  for (const name of ["allowHeaders", "allowMethods", "allowOrigins", "exposeHeaders"] as const) {
    const list = stringList(c, name);
    if (list !== undefined) cors[name] = list;
  }
  if (maxAge !== undefined) cors.maxAge = maxAge;
  // Credentials cannot be allowed to every origin (the browser would refuse it anyway).
  if (cors.allowCredentials && cors.allowOrigins?.includes("*")) throw bad("allow-credentials is not supported if allow-origin is *");
  return cors;
}

export interface ApiInput {
  name?: string;
  protocolType?: string;
  description?: string;
  version?: string;
  disableExecuteApiEndpoint?: boolean;
  routeSelectionExpression?: string;
  apiKeySelectionExpression?: string;
  corsConfiguration?: Cors;
  tags?: Record<string, string>;
  /** Quick create: the function ARN a `$default` (or `routeKey`) route proxies to. */
  target?: string;
  routeKey?: string;
}

export function decodeApi(m: Members, creating: boolean): ApiInput {
  const input: ApiInput = {
    name: string(m, "name", 128, 1),
    protocolType: string(m, "protocolType"),
    description: string(m, "description"),
    version: string(m, "version", 64, 1),
    disableExecuteApiEndpoint: boolean(m, "disableExecuteApiEndpoint"),
    routeSelectionExpression: string(m, "routeSelectionExpression"),
    apiKeySelectionExpression: string(m, "apiKeySelectionExpression"),
    corsConfiguration: decodeCors(m),
    tags: stringMap(m, "tags"),
    target: string(m, "target", 2048, 1),
    routeKey: string(m, "routeKey"),
  };
  if (creating) {
    required(input.name, "Name");
    required(input.protocolType, "ProtocolType");
  }
  return input;
}

export interface RouteInput {
  routeKey?: string;
  target?: string;
  authorizationType?: string;
  apiKeyRequired?: boolean;
}

export function decodeRoute(m: Members, creating: boolean): RouteInput {
  const input: RouteInput = {
    routeKey: string(m, "routeKey"),
    target: string(m, "target", 128, 1),
    authorizationType: string(m, "authorizationType"),
    apiKeyRequired: boolean(m, "apiKeyRequired"),
  };
  if (creating) required(input.routeKey, "RouteKey");
  // Authorizers are not provided; NONE is every route's.
  if (input.authorizationType !== undefined && input.authorizationType !== "NONE") throw bad(`Flint's HTTP APIs do not provide authorizers: authorizationType must be NONE, not ${input.authorizationType}.`);
  if (input.apiKeyRequired) throw bad("API keys are not supported for HTTP APIs.");
  return input;
}

export interface IntegrationInput {
  integrationType?: string;
  integrationUri?: string;
  integrationMethod?: string;
  payloadFormatVersion?: PayloadFormatVersion;
  timeoutInMillis?: number;
  description?: string;
  connectionType?: string;
}

export function decodeIntegration(m: Members, creating: boolean): IntegrationInput {
  const version = string(m, "payloadFormatVersion", 64, 1);
  if (version !== undefined && version !== "1.0" && version !== "2.0") throw bad(`Unsupported payload format version specified. Supported versions are 1.0 and 2.0.`);
  const timeout = integer(m, "timeoutInMillis");
  if (timeout !== undefined && (timeout < MIN_TIMEOUT_MS || timeout > MAX_TIMEOUT_MS)) throw bad(`Timeout must be between ${MIN_TIMEOUT_MS} ms and ${MAX_TIMEOUT_MS} ms.`);
  const input: IntegrationInput = {
    integrationType: string(m, "integrationType"),
    integrationUri: string(m, "integrationUri", 2048, 1),
    integrationMethod: string(m, "integrationMethod", 64, 1),
    payloadFormatVersion: version as PayloadFormatVersion | undefined,
    timeoutInMillis: timeout,
    description: string(m, "description"),
    connectionType: string(m, "connectionType"),
  };
  if (creating) required(input.integrationType, "IntegrationType");
  if (input.integrationType !== undefined && input.integrationType !== "AWS_PROXY") {
    if (input.integrationType === "AWS" || input.integrationType === "MOCK") throw bad("Currently, an API with a protocol type of HTTP may only be associated with proxy integrations (AWS_PROXY, HTTP_PROXY)");
    if (input.integrationType === "HTTP_PROXY") throw bad("Flint's HTTP APIs integrate with Lambda functions only (AWS_PROXY).");
    throw bad(`Invalid integration type specified: ${input.integrationType}.`);
  }
  if (input.connectionType !== undefined && input.connectionType !== "INTERNET") throw bad("Flint's HTTP APIs provide connectionType INTERNET only.");
  return input;
}

export interface StageInput {
  stageName?: string;
  autoDeploy?: boolean;
  deploymentId?: string;
  description?: string;
  stageVariables?: Record<string, string>;
  tags?: Record<string, string>;
}

/** Stage names: `$default`, or letters, digits, `-`, `_` (they are a path segment). */
const STAGE_NAME = /^(\$default|[A-Za-z0-9_-]{1,128})$/;
/** Stage variable names and values as API Gateway allows them. */
const VARIABLE_NAME = /^[A-Za-z0-9_]{1,64}$/;
const VARIABLE_VALUE = /^[A-Za-z0-9\-._~:/?#&=,]{0,512}$/;

export function decodeStage(m: Members, creating: boolean): StageInput {
  const input: StageInput = {
    stageName: string(m, "stageName", 128, 1),
    autoDeploy: boolean(m, "autoDeploy"),
    deploymentId: string(m, "deploymentId"),
    description: string(m, "description"),
    stageVariables: stringMap(m, "stageVariables"),
    tags: stringMap(m, "tags"),
  };
  if (creating) {
    const name = required(input.stageName, "StageName");
    if (!STAGE_NAME.test(name)) throw bad(`Stage name only allows a-zA-Z0-9_- or $default: ${name}`);
  }
  for (const [k, v] of Object.entries(input.stageVariables ?? {})) {
    if (!VARIABLE_NAME.test(k)) throw bad(`Stage variable name ${k} must be alphanumeric or underscore, 1 to 64 characters.`);
    if (!VARIABLE_VALUE.test(v)) throw bad(`Stage variable value ${v} for ${k} contains characters outside [A-Za-z0-9-._~:/?#&=,] or is over 512 characters long.`);
  }
  return input;
}

export interface DeploymentInput {
  stageName?: string;
  description?: string;
}

export function decodeDeployment(m: Members): DeploymentInput {
  return { stageName: string(m, "stageName", 128, 1), description: string(m, "description") };
}
