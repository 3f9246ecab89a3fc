/**
 * A REST API's methods, method responses, integrations and integration responses: changes to one
 * API's record (made through `RestApisService.change`), with API Gateway's validation and messages.
 * https://docs.aws.amazon.com/apigateway/latest/api/API_PutIntegration.html
 */
import { awsError } from "../../errors.js";
import {
  badRequest,
  HTTP_METHODS,
  type IntegrationRecord,
  type IntegrationResponseRecord,
  IntegrationType,
  type MethodRecord,
  type MethodResponseRecord,
  notFound,
  type ResourceRecord,
  type RestApiRecord,
} from "./model.js";

type Members = Record<string, unknown>;

/** 29 s: a REST API integration's longest (and default) timeout. */
export const MAX_INTEGRATION_TIMEOUT_MS = 29_000;
const INTEGRATION_TYPES = Object.values(IntegrationType) as string[];
const STATUS_CODE = /^[1-5]\d\d$/;

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
/** A map of strings from a request member; members of another type are left out. */
const stringMap = (v: unknown): Record<string, string> | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === "string")) : undefined;
/** A map of booleans (`requestParameters`, `responseParameters` of a method). */
const booleanMap = (v: unknown): Record<string, boolean> | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).map(([k, b]) => [k, b === true])) : undefined;

function resourceOf(api: RestApiRecord, resourceId: string): ResourceRecord {
  const resource = api.resources[resourceId];
  if (!resource) throw notFound("Resource");
  return resource;
}

export function methodOf(api: RestApiRecord, resourceId: string, httpMethod: string): MethodRecord {
  const method = resourceOf(api, resourceId).methods[httpMethod];
  if (!method) throw notFound("Method");
  return method;
}

export function integrationOf(api: RestApiRecord, resourceId: string, httpMethod: string): IntegrationRecord {
  const integration = methodOf(api, resourceId, httpMethod).integration;
  if (!integration) throw notFound("Integration");
  return integration;
}

export function putMethod(api: RestApiRecord, resourceId: string, httpMethod: string, m: Members): MethodRecord {
  const resource = resourceOf(api, resourceId);
  if (!(HTTP_METHODS as readonly string[]).includes(httpMethod)) throw badRequest(`Invalid HttpMethod specified. Valid options are ${HTTP_METHODS.join(",")}`);
  const authorizationType = str(m.authorizationType) ?? "NONE";
  if ((authorizationType === "CUSTOM" || authorizationType === "COGNITO_USER_POOLS") && !str(m.authorizerId)) {
    throw badRequest("Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.");
  }
  const method: MethodRecord = {
    httpMethod,
    authorizationType,
    apiKeyRequired: m.apiKeyRequired === true,
    ...(str(m.operationName) !== undefined ? { operationName: str(m.operationName) } : {}),
    ...(booleanMap(m.requestParameters) ? { requestParameters: booleanMap(m.requestParameters) } : {}),
    methodResponses: {},
  };
  resource.methods[httpMethod] = method;
  return method;
}

export function deleteMethod(api: RestApiRecord, resourceId: string, httpMethod: string): void {
  methodOf(api, resourceId, httpMethod);
  delete api.resources[resourceId]!.methods[httpMethod];
}

function checkStatusCode(statusCode: string, operation: string): void {
  if (!STATUS_CODE.test(statusCode)) {
    throw awsError("ValidationException", `1 validation error detected: Value '${statusCode}' at '${operation}.statusCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [1-5]\\d\\d`);
  }
}

export function putMethodResponse(api: RestApiRecord, resourceId: string, httpMethod: string, statusCode: string, m: Members): MethodResponseRecord {
  const method = methodOf(api, resourceId, httpMethod);
  checkStatusCode(statusCode, "putMethodResponseInput");
  const response: MethodResponseRecord = {
    statusCode,
    responseModels: stringMap(m.responseModels) ?? {},
    responseParameters: booleanMap(m.responseParameters) ?? {},
  };
  method.methodResponses[statusCode] = response;
  return response;
}

export function putIntegration(api: RestApiRecord, resourceId: string, httpMethod: string, m: Members): IntegrationRecord {
  const method = methodOf(api, resourceId, httpMethod);
  const type = str(m.type);
  if (type === undefined || !INTEGRATION_TYPES.includes(type)) {
    throw awsError(
      "ValidationException",
      `1 validation error detected: Value '${type ?? "null"}' at 'putIntegrationInput.type' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, MOCK, AWS_PROXY, HTTP_PROXY, AWS]`,
    );
  }
  const integrationHttpMethod = str(m.integrationHttpMethod) ?? str(m.httpMethod);
  const uri = str(m.uri);
  if (type !== "MOCK") {
    if (!integrationHttpMethod) throw badRequest("Enumeration value for HttpMethod must be non-empty");
    if (type === "HTTP" || type === "HTTP_PROXY") {
      if (!uri || !/^https?:\/\/[^/]+/.test(uri)) throw badRequest("Invalid HTTP endpoint specified for URI");
    } else {
      if (!uri || !uri.startsWith("arn:")) throw badRequest("Invalid ARN specified in the request");
      if (type === "AWS_PROXY" && !/:(lambda|firehose):/.test(uri)) throw badRequest("Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.");
    }
  }
  const timeout = m.timeoutInMillis === undefined ? MAX_INTEGRATION_TIMEOUT_MS : Number(m.timeoutInMillis);
  if (!Number.isInteger(timeout) || timeout < 50 || timeout > MAX_INTEGRATION_TIMEOUT_MS) throw badRequest(`Timeout should be between 50 ms and ${MAX_INTEGRATION_TIMEOUT_MS} ms`);
  const integration: IntegrationRecord = {
    type: type as IntegrationType,
    ...(type !== "MOCK" && integrationHttpMethod ? { httpMethod: integrationHttpMethod } : {}),
    ...(uri !== undefined ? { uri } : {}),
    ...(str(m.credentials) !== undefined ? { credentials: str(m.credentials) } : {}),
    ...(stringMap(m.requestTemplates) ? { requestTemplates: stringMap(m.requestTemplates) } : {}),
    ...(type === "HTTP" || type === "HTTP_PROXY" ? { connectionType: str(m.connectionType) ?? "INTERNET" } : {}),
    passthroughBehavior: str(m.passthroughBehavior) ?? "WHEN_NO_MATCH",
    timeoutInMillis: timeout,
    cacheNamespace: str(m.cacheNamespace) ?? resourceId,
    cacheKeyParameters: Array.isArray(m.cacheKeyParameters) ? m.cacheKeyParameters.map(String) : [],
    integrationResponses: {},
  };
  method.integration = integration;
  return integration;
}

export function deleteIntegration(api: RestApiRecord, resourceId: string, httpMethod: string): void {
  integrationOf(api, resourceId, httpMethod);
  delete api.resources[resourceId]!.methods[httpMethod]!.integration;
}

export function putIntegrationResponse(api: RestApiRecord, resourceId: string, httpMethod: string, statusCode: string, m: Members): IntegrationResponseRecord {
  const integration = integrationOf(api, resourceId, httpMethod);
  checkStatusCode(statusCode, "putIntegrationResponseInput");
  const raw = m.responseTemplates;
  const templates = typeof raw === "object" && raw !== null && !Array.isArray(raw) ? Object.entries(raw).filter((e): e is [string, string | null] => typeof e[1] === "string" || e[1] === null) : undefined;
  const response: IntegrationResponseRecord = {
    statusCode,
    ...(str(m.selectionPattern) !== undefined ? { selectionPattern: str(m.selectionPattern) } : {}),
    // An empty template is kept as null, as API Gateway shows it.
    ...(templates ? { responseTemplates: Object.fromEntries(templates.map(([k, v]) => [k, v === "" ? null : v])) } : {}),
    ...(stringMap(m.responseParameters) ? { responseParameters: stringMap(m.responseParameters) } : {}),
  };
  integration.integrationResponses[statusCode] = response;
  return response;
}
