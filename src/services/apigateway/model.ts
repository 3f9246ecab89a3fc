/**
 * API Gateway REST APIs as Flint keeps them, and their wire shapes (the `apigateway` model's
 * RestApi, Resource, Method, Integration, Deployment and Stage). A deployment keeps a snapshot of
 * the API's resources: what it serves does not change until the next deployment, as on AWS.
 * https://docs.aws.amazon.com/apigateway/latest/api/API_Operations.html
 */
import { randomInt } from "node:crypto";
import { awsError } from "../../errors.js";

export const EndpointType = { EDGE: "EDGE", REGIONAL: "REGIONAL", PRIVATE: "PRIVATE" } as const;
export type EndpointType = (typeof EndpointType)[keyof typeof EndpointType];

export const IntegrationType = { HTTP: "HTTP", MOCK: "MOCK", AWS_PROXY: "AWS_PROXY", HTTP_PROXY: "HTTP_PROXY", AWS: "AWS" } as const;
export type IntegrationType = (typeof IntegrationType)[keyof typeof IntegrationType];

/** The methods a resource may have; `ANY` matches every one. */
export const HTTP_METHODS = ["GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY"] as const;

export interface IntegrationResponseRecord {
  statusCode: string;
  selectionPattern?: string;
  responseTemplates?: Record<string, string | null>;
  responseParameters?: Record<string, string>;
}

export interface IntegrationRecord {
  type: IntegrationType;
  httpMethod?: string;
  uri?: string;
  credentials?: string;
  requestTemplates?: Record<string, string>;
  passthroughBehavior: string;
  timeoutInMillis: number;
  cacheNamespace: string;
  cacheKeyParameters: string[];
  connectionType?: string;
  integrationResponses: Record<string, IntegrationResponseRecord>;
}

export interface MethodResponseRecord {
  statusCode: string;
  responseModels: Record<string, string>;
  responseParameters: Record<string, boolean>;
}

export interface MethodRecord {
  httpMethod: string;
  authorizationType: string;
  apiKeyRequired: boolean;
  operationName?: string;
  requestParameters?: Record<string, boolean>;
  methodResponses: Record<string, MethodResponseRecord>;
  integration?: IntegrationRecord;
}

export interface ResourceRecord {
  id: string;
  parentId?: string;
  pathPart?: string;
  /** The full path (`/pets/{id}`), kept current when a parent changes. */
  path: string;
  methods: Record<string, MethodRecord>;
}

export interface DeploymentRecord {
  id: string;
  /** Epoch seconds. */
  createdDate: number;
  description?: string;
  /** The API's resources (with methods and integrations) as they were when deployed. */
  resources: Record<string, ResourceRecord>;
}

export interface StageRecord {
  stageName: string;
  deploymentId: string;
  description?: string;
  /** Epoch seconds. */
  createdDate: number;
  lastUpdatedDate: number;
  variables?: Record<string, string>;
  tracingEnabled: boolean;
  cacheClusterEnabled: boolean;
}

export interface RestApiRecord {
  id: string;
  name: string;
  description?: string;
  version?: string;
  /** Epoch seconds. */
  createdDate: number;
  endpointTypes: EndpointType[];
  ipAddressType: "ipv4" | "dualstack";
  binaryMediaTypes?: string[];
  apiKeySource: string;
  disableExecuteApiEndpoint: boolean;
  tags?: Record<string, string>;
  rootResourceId: string;
  resources: Record<string, ResourceRecord>;
  deployments: Record<string, DeploymentRecord>;
  stages: Record<string, StageRecord>;
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
/** API Gateway's ids: lower-case alphanumerics (10 for APIs and root resources, 6 for resources and deployments). */
export function newId(length: number): string {
  let id = "";
  for (let i = 0; i < length; i++) id += ALPHABET[randomInt(ALPHABET.length)];
  return id;
}

export const notFound = (what: string) => awsError("GatewayNotFound", `Invalid ${what} identifier specified`);
export const badRequest = (message: string) => awsError("BadRequestException", message);

/** Optional members, left out when undefined (AWS omits them). */
const present = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

export function restApiShape(a: RestApiRecord): Record<string, unknown> {
  return present({
    apiKeySource: a.apiKeySource,
    binaryMediaTypes: a.binaryMediaTypes,
    createdDate: a.createdDate,
    description: a.description,
    disableExecuteApiEndpoint: a.disableExecuteApiEndpoint,
    endpointConfiguration: { ipAddressType: a.ipAddressType, types: a.endpointTypes },
    id: a.id,
    name: a.name,
    rootResourceId: a.rootResourceId,
    tags: a.tags && Object.keys(a.tags).length > 0 ? a.tags : undefined,
    version: a.version,
  });
}

export function integrationShape(i: IntegrationRecord): Record<string, unknown> {
  return present({
    cacheKeyParameters: i.cacheKeyParameters,
    cacheNamespace: i.cacheNamespace,
    connectionType: i.connectionType,
    credentials: i.credentials,
    httpMethod: i.httpMethod,
    integrationResponses: Object.keys(i.integrationResponses).length > 0 ? i.integrationResponses : undefined,
    passthroughBehavior: i.passthroughBehavior,
    requestTemplates: i.requestTemplates,
    timeoutInMillis: i.timeoutInMillis,
    type: i.type,
    uri: i.uri,
  });
}

export function methodShape(m: MethodRecord): Record<string, unknown> {
  return present({
    apiKeyRequired: m.apiKeyRequired,
    authorizationType: m.authorizationType,
    httpMethod: m.httpMethod,
    methodIntegration: m.integration && integrationShape(m.integration),
    methodResponses: Object.keys(m.methodResponses).length > 0 ? m.methodResponses : undefined,
    operationName: m.operationName,
    requestParameters: m.requestParameters,
  });
}

/** A resource; its methods in full when `embed` asks for them (GetResources' `embed=methods`), else by name. */
export function resourceShape(r: ResourceRecord, embed = false): Record<string, unknown> {
  const names = Object.keys(r.methods);
  return present({
    id: r.id,
    parentId: r.parentId,
    path: r.path,
    pathPart: r.pathPart,
    resourceMethods: names.length === 0 ? undefined : Object.fromEntries(names.map((n) => [n, embed ? methodShape(r.methods[n]!) : {}])),
  });
}

export function deploymentShape(d: DeploymentRecord): Record<string, unknown> {
  return present({ createdDate: d.createdDate, description: d.description, id: d.id });
}

export function stageShape(s: StageRecord): Record<string, unknown> {
  return present({
    cacheClusterEnabled: s.cacheClusterEnabled,
    cacheClusterStatus: "NOT_AVAILABLE",
    createdDate: s.createdDate,
    deploymentId: s.deploymentId,
    description: s.description,
    lastUpdatedDate: s.lastUpdatedDate,
    methodSettings: {},
    stageName: s.stageName,
    tracingEnabled: s.tracingEnabled,
    variables: s.variables && Object.keys(s.variables).length > 0 ? s.variables : undefined,
  });
}
