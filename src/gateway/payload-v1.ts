/**
 * API Gateway's Lambda proxy payload format 1.0: the event a REST API's `AWS_PROXY` integration
 * (and an HTTP API integration with `PayloadFormatVersion` 1.0) hands the function, and how the
 * function's result becomes the HTTP response. Pure functions: the trigger supplies what it matched.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
 * Shapes as recorded against AWS (shared/reference/aws-recorded: `apigw-rest-proxy-event`,
 * `apigw-rest-proxy-response-validation`).
 */

/** What the trigger knows about one request once it has matched it. */
export interface ProxyRequestV1 {
  httpMethod: string;
  /** The matched resource's path template (`/{proxy+}`); for an HTTP API, the route's path. */
  resource: string;
  /** The request's path without the stage, percent-decoded (`/pets/1`). */
  path: string;
  /** The query string without `?`, still encoded. */
  rawQuery: string;
  /** Headers as sent: name, value, name, value… (original case, repeats kept). */
  rawHeaders: readonly string[];
  body: Buffer;
  /** Whether the body goes to the function as base64 (binary) rather than as text. */
  base64Body: boolean;
  pathParameters: Record<string, string> | undefined;
  stageVariables: Record<string, string> | undefined;
  context: RequestContextV1;
}

export interface RequestContextV1 {
  accountId: string;
  apiId: string;
  /** The Host the client addressed. */
  domainName: string;
  stage: string;
  requestId: string;
  extendedRequestId: string;
  /** Milliseconds since the epoch. */
  requestTimeEpoch: number;
  sourceIp: string;
  protocol: string;
  /** REST APIs: the deployment serving the stage and the matched resource's id. */
  deploymentId?: string;
  resourceId?: string;
  /** HTTP APIs with payload 1.0 add their own members (`routeKey`, …). */
  extra?: Record<string, unknown>;
}

/** API Gateway drops these hop-by-hop headers and capitalizes these two (it sits behind CloudFront). */
const DROPPED = new Set(["content-length", "connection"]);
const CAPITALIZED: Record<string, string> = { authorization: "Authorization", "user-agent": "User-Agent" };

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => String(n).padStart(2, "0");
/** `12/Mar/2020:19:03:58 +0000`, the request time format of API Gateway and function URLs. */
export function requestTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/** Single-value and multi-value views of pairs; the single view keeps the last value, as API Gateway does. */
function views(pairs: Iterable<[string, string]>): { single: Record<string, string>; multi: Record<string, string[]> } | undefined {
  let single: Record<string, string> | undefined;
  let multi: Record<string, string[]> | undefined;
  for (const [k, v] of pairs) {
    single ??= Object.create(null) as Record<string, string>;
    multi ??= Object.create(null) as Record<string, string[]>;
    single[k] = v;
    (multi[k] ??= []).push(v);
  }
  return single && multi ? { single, multi } : undefined;
}

function* headerPairs(raw: readonly string[]): Iterable<[string, string]> {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (DROPPED.has(lower)) continue;
    yield [CAPITALIZED[lower] ?? name, raw[i + 1]!];
  }
}

/** The header's value (the last one sent), by case-insensitive name. */
export function rawHeader(raw: readonly string[], name: string): string | undefined {
  let found: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) found = raw[i + 1];
  return found;
}

/** The event object for one request. */
export function proxyEventV1(r: ProxyRequestV1): Record<string, unknown> {
  const headers = views(headerPairs(r.rawHeaders));
  const query = r.rawQuery ? views(new URLSearchParams(r.rawQuery)) : undefined;
  const c = r.context;
  const stagePath = c.stage === "$default" ? r.path : `/${c.stage}${r.path}`;
  return {
    resource: r.resource,
    path: r.path,
    httpMethod: r.httpMethod,
    headers: headers?.single ?? null,
    multiValueHeaders: headers?.multi ?? null,
    queryStringParameters: query?.single ?? null,
    multiValueQueryStringParameters: query?.multi ?? null,
    pathParameters: r.pathParameters ?? null,
    stageVariables: r.stageVariables ?? null,
    requestContext: {
      accountId: c.accountId,
      apiId: c.apiId,
      ...(c.deploymentId !== undefined ? { deploymentId: c.deploymentId } : {}),
      domainName: c.domainName,
      domainPrefix: c.domainName.split(".")[0],
      extendedRequestId: c.extendedRequestId,
      httpMethod: r.httpMethod,
      identity: {
        accessKey: null,
        accountId: null,
        caller: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: c.sourceIp,
        user: null,
        userAgent: rawHeader(r.rawHeaders, "user-agent") ?? null,
        userArn: null,
      },
      path: stagePath,
      protocol: c.protocol,
      requestId: c.requestId,
      requestTime: requestTime(c.requestTimeEpoch),
      requestTimeEpoch: c.requestTimeEpoch,
      ...(c.resourceId !== undefined ? { resourceId: c.resourceId } : {}),
      resourcePath: r.resource,
      stage: c.stage,
      ...c.extra,
    },
    body: r.body.length === 0 ? null : r.body.toString(r.base64Body ? "base64" : "utf8"),
    isBase64Encoded: r.base64Body,
  };
}

/** The HTTP response a function's result maps to. */
export interface ProxyResponse {
  statusCode: number;
  /** Names as the function cased them; a header with several values is joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

/** The members a 1.0 result may have; any other makes it malformed. */
const MEMBERS = new Set(["statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"]);

const headerValue = (v: unknown) => (typeof v === "string" ? v : typeof v === "boolean" ? String(v) : undefined);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The response for a function's result, or undefined when the result is malformed (not a JSON
 * object, an unknown member, a status that is not a number, headers that are not strings), which
 * API Gateway answers with 502 `{"message": "Internal server error"}`. `decodeBase64`: whether an
 * `isBase64Encoded` body is decoded (a REST API does so only for its binary media types; an HTTP
 * API always does).
 */
export function proxyResponseV1(payload: Buffer, decodeBase64: boolean): ProxyResponse | undefined {
  let result: unknown;
  try {
    result = JSON.parse(payload.toString("utf8"));
  } catch {
    return undefined;
  }
  if (!isRecord(result)) return undefined;
  for (const k in result) if (!MEMBERS.has(k)) return undefined;
  const { statusCode, headers, multiValueHeaders, body, isBase64Encoded } = result;
  let status = 200;
  if (statusCode !== undefined && statusCode !== null) {
    status = typeof statusCode === "number" ? statusCode : typeof statusCode === "string" && /^\d+$/.test(statusCode) ? Number(statusCode) : NaN;
    if (!Number.isInteger(status) || status < 100 || status > 599) return undefined;
  }
  if (body !== undefined && body !== null && typeof body !== "string") return undefined;
  const out: Record<string, string> = { "Content-Type": "application/json" };
  const byLower = new Map<string, string>([["content-type", "Content-Type"]]);
  const set = (name: string, value: string) => {
    const lower = name.toLowerCase();
    const prev = byLower.get(lower);
    if (prev !== undefined) delete out[prev];
    byLower.set(lower, name);
    out[name] = value;
  };
  const single: Record<string, string> = {};
  if (headers !== undefined && headers !== null) {
    if (!isRecord(headers)) return undefined;
    for (const k in headers) {
      const v = headerValue(headers[k]);
      if (v === undefined) return undefined;
      single[k] = v;
    }
  }
  const multi: [string, string[]][] = [];
  if (multiValueHeaders !== undefined && multiValueHeaders !== null) {
    if (!isRecord(multiValueHeaders)) return undefined;
    for (const k in multiValueHeaders) {
      const list = multiValueHeaders[k];
      if (!Array.isArray(list)) return undefined;
      const values = list.map(headerValue);
      if (values.some((v) => v === undefined)) return undefined;
      multi.push([k, values as string[]]);
    }
  }
  for (const k in single) set(k, single[k]!);
  // A multi-value header decides the name's casing; a single-value one of the same name is appended.
  for (const [k, values] of multi) {
    const lower = k.toLowerCase();
    const solo = Object.keys(single).find((s) => s.toLowerCase() === lower);
    set(k, [...values, ...(solo !== undefined ? [single[solo]!] : [])].join(", "));
  }
  const text = typeof body === "string" ? body : "";
  return { statusCode: status, headers: out, body: isBase64Encoded === true && decodeBase64 ? Buffer.from(text, "base64") : Buffer.from(text, "utf8") };
}

/** API Gateway's answer when the integration fails or its result is malformed. */
export const INTERNAL_SERVER_ERROR = JSON.stringify({ message: "Internal server error" });
