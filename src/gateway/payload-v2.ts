/**
 * Payload format 2.0: the event a function URL or an HTTP API builds from an HTTP request, and how
 * the function's result becomes the HTTP response. Pure functions: the triggers own the sockets.
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 * Recorded: shared/reference/aws-recorded/iam-urls-logs-recorded.json (`payload-2.0-event-doc`,
 * `lambda-url-event-as-seen-by-function`, `lambda-url-form-payload`, `lambda-url-invoke-http-response`).
 */
import { decodePercent } from "../lib/percent.js";
import { randomBytes } from "node:crypto";

/** The HTTP request as the trigger received it. */
export interface HttpRequestV2 {
  method: string;
  /** The path the trigger serves (`/` at least), still percent-encoded. */
  rawPath: string;
  /** The query without its `?`, as sent. */
  rawQuery: string;
  /** Lower-cased names; repeats already joined (lib/http-message.ts). */
  headers: Record<string, string>;
  body: Buffer;
  sourceIp: string;
  /** `HTTP/1.1`, `HTTP/2.0`. */
  protocol: string;
  /** The port the client connected to (`x-forwarded-port`). */
  port: number;
  requestId: string;
  /** Epoch ms the request arrived. */
  time: number;
}

/** What the trigger says of itself in `requestContext` (and beside it, for HTTP APIs). */
export interface ContextV2 {
  /** The function owner's account, or `anonymous` for an unauthenticated function URL call. */
  accountId: string;
  /** The URL id or the API id. */
  apiId: string;
  domainName: string;
  domainPrefix: string;
  /** `$default`, or an HTTP API's matched route (`GET /pets/{id}`). */
  routeKey?: string;
  /** `$default`, or an HTTP API's stage name. */
  stage?: string;
  /** An AWS_IAM function URL's `{ iam: {...} }`, an HTTP API authorizer's output. */
  authorizer?: Record<string, unknown>;
  pathParameters?: Record<string, string>;
  stageVariables?: Record<string, string>;
}

export interface EventV2 {
  version: "2.0";
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  requestContext: Record<string, unknown>;
  body?: string;
  pathParameters?: Record<string, string>;
  isBase64Encoded: boolean;
  stageVariables?: Record<string, string>;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number) => String(n).padStart(2, "0");

/** `12/Mar/2020:19:03:58 +0000`, the CLF time of `requestContext.time`. */
export function clfTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** The query's parameters, decoded, repeats joined with `,` (AWS: `multiQuery=foo,/bar`); undefined when there is none. */
export function queryParameters(rawQuery: string): Record<string, string> | undefined {
  if (rawQuery === "") return undefined;
  const out: Record<string, string> = Object.create(null);
  let any = false;
  for (const pair of rawQuery.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const name = decodePercent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? "" : decodePercent(pair.slice(eq + 1));
    out[name] = out[name] === undefined ? value : `${out[name]},${value}`;
    any = true;
  }
  return any ? { ...out } : undefined;
}

/** The `Cookie` header's cookies, one entry each. */
function cookiesOf(header: string | undefined): string[] | undefined {
  if (header === undefined) return undefined;
  const cookies = header.split(";").map((c) => c.trim()).filter((c) => c !== "");
  return cookies.length > 0 ? cookies : undefined;
}

/**
 * A body goes as text when its content type is textual and it is valid UTF-8; anything else
 * (multipart forms included, recorded `lambda-url-form-payload`) goes base64-encoded.
 */
export function isTextBody(contentType: string | undefined, body: Buffer): boolean {
  if (!contentType || !/text|json|xml|javascript/i.test(contentType)) return false;
  // Invalid UTF-8 would not survive the round trip through a JSON string.
  return Buffer.from(body.toString("utf8"), "utf8").equals(body);
}

/** The event a function gets for `req`, as AWS builds it. */
export function buildEventV2(req: HttpRequestV2, ctx: ContextV2): EventV2 {
  const headers: Record<string, string> = {};
  for (const name in req.headers) if (name !== "cookie") headers[name] = req.headers[name]!;
  // What AWS's front end adds: a trace id (X-Ray's format), the client's address, scheme and port.
  headers["x-amzn-trace-id"] ??= `Root=1-${Math.floor(req.time / 1000).toString(16).padStart(8, "0")}-${randomBytes(12).toString("hex")}`;
  headers["x-forwarded-for"] = req.headers["x-forwarded-for"] ? `${req.headers["x-forwarded-for"]}, ${req.sourceIp}` : req.sourceIp;
  headers["x-forwarded-proto"] = "http";
  headers["x-forwarded-port"] = String(req.port);
  const routeKey = ctx.routeKey ?? "$default";
  const cookies = cookiesOf(req.headers.cookie);
  const query = queryParameters(req.rawQuery);
  const event: EventV2 = { version: "2.0", routeKey, rawPath: req.rawPath, rawQueryString: req.rawQuery, ...(cookies ? { cookies } : {}), headers, ...(query ? { queryStringParameters: query } : {}), requestContext: {}, isBase64Encoded: false };
  event.requestContext = {
    accountId: ctx.accountId,
    apiId: ctx.apiId,
    ...(ctx.authorizer ? { authorizer: ctx.authorizer } : {}),
    domainName: ctx.domainName,
    domainPrefix: ctx.domainPrefix,
    // As AWS's documented event and LocalStack's recordings show it: the path as sent.
    http: { method: req.method, path: req.rawPath, protocol: req.protocol, sourceIp: req.sourceIp, userAgent: req.headers["user-agent"] ?? "" },
    requestId: req.requestId,
    routeKey,
    stage: ctx.stage ?? "$default",
    time: clfTime(req.time),
    timeEpoch: req.time,
  };
  if (req.body.length > 0) {
    const text = isTextBody(req.headers["content-type"], req.body);
    event.body = text ? req.body.toString("utf8") : req.body.toString("base64");
    event.isBase64Encoded = !text;
  }
  if (ctx.pathParameters) event.pathParameters = ctx.pathParameters;
  if (ctx.stageVariables) event.stageVariables = ctx.stageVariables;
  return event;
}

/** The HTTP response a result maps to. A header given several values (`set-cookie`) is sent once per value. */
export interface ResponseV2 {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const scalar = (v: unknown): v is string | number | boolean => typeof v === "string" || typeof v === "number" || typeof v === "boolean";

function statusOf(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}

/**
 * How a function's result becomes the HTTP response (AWS "infers the response format"): an object
 * with `statusCode` is a response; any other JSON is a 200 `application/json` whose body is that
 * JSON (a string result is its text). Undefined: the result cannot be a response (AWS's 502).
 */
export function responseFromResult(payload: Buffer): ResponseV2 | undefined {
  let result: unknown;
  try {
    result = JSON.parse(payload.toString("utf8"));
  } catch {
    return undefined;
  }
  if (!isObject(result) || result.statusCode === undefined) {
    const body = typeof result === "string" ? Buffer.from(result, "utf8") : payload;
    return { statusCode: 200, headers: { "content-type": "application/json" }, body };
  }
  const statusCode = statusOf(result.statusCode);
  if (statusCode === undefined) return undefined;
  const headers: Record<string, string | string[]> = {};
  if (result.multiValueHeaders !== undefined) {
    if (!isObject(result.multiValueHeaders)) return undefined;
    for (const [name, values] of Object.entries(result.multiValueHeaders)) {
      if (!Array.isArray(values) || !values.every(scalar)) return undefined;
      headers[name.toLowerCase()] = values.map(String);
    }
  }
  if (result.headers !== undefined && result.headers !== null) {
    if (!isObject(result.headers)) return undefined;
    for (const [name, value] of Object.entries(result.headers)) {
      if (!scalar(value)) return undefined;
      headers[name.toLowerCase()] = String(value);
    }
  }
  if (result.cookies !== undefined && result.cookies !== null) {
    if (!Array.isArray(result.cookies) || !result.cookies.every((c) => typeof c === "string")) return undefined;
    const given = headers["set-cookie"];
    headers["set-cookie"] = [...(given === undefined ? [] : Array.isArray(given) ? given : [given]), ...result.cookies];
  }
  headers["content-type"] ??= "application/json";
  const raw = result.body;
  const text = raw === undefined || raw === null ? "" : typeof raw === "string" ? raw : JSON.stringify(raw);
  const body = result.isBase64Encoded === true ? Buffer.from(text, "base64") : Buffer.from(text, "utf8");
  return { statusCode, headers, body };
}
