/**
 * Lambda's REST-JSON operations: path → typed command → one service call → AWS wire response.
 * Paths from the lambda-2015-03-31 service model (shared/reference/aws-lambda.md §1).
 */
import type { HttpResponse } from "../../lib/http-server.js";
import { awsError } from "../../errors.js";
import type { InvokeCommand, Invoker } from "../../invoke/invoker.js";
import { MAX_SYNC_PAYLOAD } from "../../invoke/invoker.js";
import { decodeCreateFunction, decodeUpdateFunctionCode, decodeUpdateFunctionConfiguration } from "../../services/lambda/inputs.js";
import { decodeAlias, type AliasesService } from "../../services/lambda/aliases.js";
import type { ConcurrencyService } from "../../services/lambda/concurrency.js";
import { decodeEventInvokeConfig, type EventInvokeConfigService } from "../../services/lambda/event-invoke-config.js";
import { decodeAddPermission, type PermissionsService } from "../../services/lambda/permissions.js";
import type { LambdaService } from "../../services/lambda/service.js";
import { decodePublishVersion, type VersionsService } from "../../services/lambda/versions.js";
import type { EventSourceMappingService } from "../../services/lambda/event-source-mappings.js";
import { decodeMapping } from "../../services/lambda/event-source-mapping-inputs.js";
import type { FunctionUrlService } from "../../services/lambda/function-urls.js";
import { decodeFunctionUrl } from "../../services/lambda/function-url-inputs.js";
import { member, parseJsonBody } from "../../services/lambda/validation.js";
import { type ApiRequest, sendJson } from "../http.js";
import type { Ask } from "../authorize.js";
import { tagContext } from "../../iam/authorizer.js";
import { requirements } from "../../iam/actions.js";
import { type Account, functionArn, parseFunctionRef } from "../../services/lambda/arns.js";
import { sendStreamed } from "./invoke-stream.js";

export interface LambdaApiDeps {
  lambda: LambdaService;
  versions: VersionsService;
  aliases: AliasesService;
  concurrency: ConcurrencyService;
  eventInvokeConfigs: EventInvokeConfigService;
  permissions: PermissionsService;
  mappings: EventSourceMappingService;
  functionUrls: FunctionUrlService;
  invoker: Invoker;
}

type Params = string[];
type Handler = (deps: LambdaApiDeps, req: ApiRequest, res: HttpResponse, params: Params) => Promise<void> | void;

export interface Route {
  operation: string;
  method: string;
  pattern: RegExp;
  /** Largest accepted request body, in bytes. */
  maxBody: number;
  handler: Handler;
}

/** Base64 of 50 MB plus JSON members: AWS's CreateFunction request limit (recorded). */
const CODE_REQUEST_LIMIT = 70_167_211;
const DEFAULT_LIMIT = 6 * 1024 * 1024;

const FN = "([^/]+)";
const q = (req: ApiRequest, name: string): string | undefined => {
  const v = req.query[name];
  return Array.isArray(v) ? v[0] : v;
};
const header = (req: ApiRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};
const ok = (res: HttpResponse, req: ApiRequest, value: unknown, status = 200) => sendJson(res, req.requestId, status, value);
const noContent = (res: HttpResponse, req: ApiRequest) => sendJson(res, req.requestId, 204, undefined);

/** Invoke's and InvokeWithResponseStream's request: the function, its qualifier, the X-Amz-* settings, the payload. */
const invokeCommand = (req: ApiRequest, functionName: string): InvokeCommand => ({
  functionName,
  qualifier: q(req, "Qualifier"),
  invocationType: header(req, "x-amz-invocation-type"),
  logType: header(req, "x-amz-log-type"),
  clientContext: header(req, "x-amz-client-context"),
  payload: req.body,
});

function route(operation: string, method: string, path: string, handler: Handler, maxBody = DEFAULT_LIMIT): Route {
  return { operation, method, pattern: new RegExp(`^${path}/?$`), maxBody, handler };
}

export const LAMBDA_ROUTES: Route[] = [
  route(
    "InvokeFunction",
    "POST",
    `/2015-03-31/functions/${FN}/invocations`,
    async ({ invoker }, req, res, [fn]) => {
      const out = await invoker.invoke(invokeCommand(req, fn!));
      const headers: Record<string, string | number> = { "Content-Type": "application/json", "x-amzn-RequestId": out.requestId };
      if (out.functionError) headers["X-Amz-Function-Error"] = out.functionError;
      if (out.logResult !== undefined) headers["X-Amz-Log-Result"] = out.logResult;
      if (out.executedVersion) headers["X-Amz-Executed-Version"] = out.executedVersion;
      res.send(out.statusCode, headers, out.payload);
    },
    MAX_SYNC_PAYLOAD,
  ),
  route(
    "InvokeWithResponseStream",
    "POST",
    `/2021-11-15/functions/${FN}/response-streaming-invocations`,
    async ({ invoker }, req, res, [fn]) => {
      await sendStreamed(res, await invoker.invokeStreaming(invokeCommand(req, fn!)));
    },
    MAX_SYNC_PAYLOAD,
  ),
  // Deprecated, still served: an Event invocation answered {"Status": 202}, with its 256 KB limit.
  route(
    "InvokeAsync",
    "POST",
    `/2014-11-13/functions/${FN}/invoke-async`,
    async ({ invoker }, req, res, [fn]) => {
      const out = await invoker.invoke({ functionName: fn!, invocationType: "Event", payload: req.body });
      sendJson(res, out.requestId, 202, { Status: 202 });
    },
    256 * 1024,
  ),
  route("CreateFunction", "POST", "/2015-03-31/functions", async ({ lambda }, req, res) => {
    ok(res, req, await lambda.createFunction(decodeCreateFunction(parseJsonBody(req.body))), 201);
  }, CODE_REQUEST_LIMIT),
  route("ListFunctions", "GET", "/2015-03-31/functions", ({ lambda }, req, res) => {
    ok(res, req, lambda.listFunctions(q(req, "Marker"), q(req, "MaxItems"), q(req, "FunctionVersion")));
  }),
  route("GetFunction", "GET", `/2015-03-31/functions/${FN}`, async ({ lambda }, req, res, [fn]) => {
    ok(res, req, await lambda.getFunction(fn!, q(req, "Qualifier"), `http://${header(req, "host") ?? "127.0.0.1"}`));
  }),
  route("GetFunctionConfiguration", "GET", `/2015-03-31/functions/${FN}/configuration`, ({ lambda }, req, res, [fn]) => {
    ok(res, req, lambda.getFunctionConfiguration(fn!, q(req, "Qualifier")));
  }),
  route("UpdateFunctionConfiguration", "PUT", `/2015-03-31/functions/${FN}/configuration`, async ({ lambda }, req, res, [fn]) => {
    ok(res, req, await lambda.updateFunctionConfiguration(fn!, decodeUpdateFunctionConfiguration(parseJsonBody(req.body))));
  }),
  route("UpdateFunctionCode", "PUT", `/2015-03-31/functions/${FN}/code`, async ({ lambda }, req, res, [fn]) => {
    ok(res, req, await lambda.updateFunctionCode(fn!, decodeUpdateFunctionCode(parseJsonBody(req.body))));
  }, CODE_REQUEST_LIMIT),
  route("DeleteFunction", "DELETE", `/2015-03-31/functions/${FN}`, async ({ lambda }, req, res, [fn]) => {
    await lambda.deleteFunction(fn!, q(req, "Qualifier"));
    noContent(res, req);
  }),
  route("GetAccountSettings", "GET", "/2016-08-19/account-settings", ({ lambda, concurrency }, req, res) => {
    ok(res, req, lambda.getAccountSettings({ limit: concurrency.limit, unreserved: concurrency.unreserved }));
  }),
  route("PublishVersion", "POST", `/2015-03-31/functions/${FN}/versions`, async ({ versions }, req, res, [fn]) => {
    ok(res, req, await versions.publishVersion(fn!, decodePublishVersion(parseJsonBody(req.body))), 201);
  }),
  route("ListVersionsByFunction", "GET", `/2015-03-31/functions/${FN}/versions`, ({ versions }, req, res, [fn]) => {
    ok(res, req, versions.listVersionsByFunction(fn!, q(req, "Marker"), q(req, "MaxItems")));
  }),
  route("CreateAlias", "POST", `/2015-03-31/functions/${FN}/aliases`, async ({ aliases }, req, res, [fn]) => {
    ok(res, req, await aliases.createAlias(fn!, decodeAlias(parseJsonBody(req.body))), 201);
  }),
  route("ListAliases", "GET", `/2015-03-31/functions/${FN}/aliases`, ({ aliases }, req, res, [fn]) => {
    ok(res, req, aliases.listAliases(fn!, q(req, "FunctionVersion"), q(req, "Marker"), q(req, "MaxItems")));
  }),
  route("GetAlias", "GET", `/2015-03-31/functions/${FN}/aliases/${FN}`, ({ aliases }, req, res, [fn, name]) => {
    ok(res, req, aliases.getAlias(fn!, name!));
  }),
  route("UpdateAlias", "PUT", `/2015-03-31/functions/${FN}/aliases/${FN}`, async ({ aliases }, req, res, [fn, name]) => {
    ok(res, req, await aliases.updateAlias(fn!, name!, decodeAlias(parseJsonBody(req.body))));
  }),
  route("DeleteAlias", "DELETE", `/2015-03-31/functions/${FN}/aliases/${FN}`, async ({ aliases }, req, res, [fn, name]) => {
    await aliases.deleteAlias(fn!, name!);
    noContent(res, req);
  }),
  route("PutFunctionConcurrency", "PUT", `/2017-10-31/functions/${FN}/concurrency`, async ({ concurrency }, req, res, [fn]) => {
    ok(res, req, await concurrency.putFunctionConcurrency(fn!, member(parseJsonBody(req.body), "ReservedConcurrentExecutions", "integer")));
  }),
  route("GetFunctionConcurrency", "GET", `/2019-09-30/functions/${FN}/concurrency`, ({ concurrency }, req, res, [fn]) => {
    ok(res, req, concurrency.getFunctionConcurrency(fn!));
  }),
  route("DeleteFunctionConcurrency", "DELETE", `/2017-10-31/functions/${FN}/concurrency`, async ({ concurrency }, req, res, [fn]) => {
    await concurrency.deleteFunctionConcurrency(fn!);
    noContent(res, req);
  }),
  route("PutProvisionedConcurrencyConfig", "PUT", `/2019-09-30/functions/${FN}/provisioned-concurrency`, async ({ concurrency }, req, res, [fn]) => {
    const n = member(parseJsonBody(req.body), "ProvisionedConcurrentExecutions", "integer");
    ok(res, req, await concurrency.putProvisionedConcurrencyConfig(fn!, q(req, "Qualifier"), n), 202);
  }),
  route("GetProvisionedConcurrencyConfig", "GET", `/2019-09-30/functions/${FN}/provisioned-concurrency`, ({ concurrency }, req, res, [fn]) => {
    // ListProvisionedConcurrencyConfigs shares the path and is told apart by ?List=ALL.
    if (q(req, "List") === "ALL") ok(res, req, concurrency.listProvisionedConcurrencyConfigs(fn!));
    else ok(res, req, concurrency.getProvisionedConcurrencyConfig(fn!, q(req, "Qualifier")));
  }),
  route("DeleteProvisionedConcurrencyConfig", "DELETE", `/2019-09-30/functions/${FN}/provisioned-concurrency`, async ({ concurrency }, req, res, [fn]) => {
    await concurrency.deleteProvisionedConcurrencyConfig(fn!, q(req, "Qualifier"));
    noContent(res, req);
  }),
  route("PutFunctionEventInvokeConfig", "PUT", `/2019-09-25/functions/${FN}/event-invoke-config`, async ({ eventInvokeConfigs }, req, res, [fn]) => {
    ok(res, req, await eventInvokeConfigs.put(fn!, q(req, "Qualifier"), decodeEventInvokeConfig(parseJsonBody(req.body)), false));
  }),
  route("UpdateFunctionEventInvokeConfig", "POST", `/2019-09-25/functions/${FN}/event-invoke-config`, async ({ eventInvokeConfigs }, req, res, [fn]) => {
    ok(res, req, await eventInvokeConfigs.put(fn!, q(req, "Qualifier"), decodeEventInvokeConfig(parseJsonBody(req.body)), true));
  }),
  route("GetFunctionEventInvokeConfig", "GET", `/2019-09-25/functions/${FN}/event-invoke-config`, ({ eventInvokeConfigs }, req, res, [fn]) => {
    ok(res, req, eventInvokeConfigs.get(fn!, q(req, "Qualifier")));
  }),
  route("DeleteFunctionEventInvokeConfig", "DELETE", `/2019-09-25/functions/${FN}/event-invoke-config`, async ({ eventInvokeConfigs }, req, res, [fn]) => {
    await eventInvokeConfigs.delete(fn!, q(req, "Qualifier"));
    noContent(res, req);
  }),
  route("ListFunctionEventInvokeConfigs", "GET", `/2019-09-25/functions/${FN}/event-invoke-config/list`, ({ eventInvokeConfigs }, req, res, [fn]) => {
    ok(res, req, eventInvokeConfigs.list(fn!, q(req, "Marker"), q(req, "MaxItems")));
  }),
  route("AddPermission", "POST", `/2015-03-31/functions/${FN}/policy`, async ({ permissions }, req, res, [fn]) => {
    ok(res, req, await permissions.addPermission(fn!, q(req, "Qualifier"), decodeAddPermission(parseJsonBody(req.body))), 201);
  }),
  route("GetPolicy", "GET", `/2015-03-31/functions/${FN}/policy`, ({ permissions }, req, res, [fn]) => {
    ok(res, req, permissions.getPolicy(fn!, q(req, "Qualifier")));
  }),
  route("RemovePermission", "DELETE", `/2015-03-31/functions/${FN}/policy/${FN}`, async ({ permissions }, req, res, [fn, sid]) => {
    await permissions.removePermission(fn!, sid!, q(req, "Qualifier"), q(req, "RevisionId"));
    noContent(res, req);
  }),
  route("CreateEventSourceMapping", "POST", "/2015-03-31/event-source-mappings", async ({ mappings }, req, res) => {
    ok(res, req, await mappings.createEventSourceMapping(decodeMapping(parseJsonBody(req.body))), 202);
  }),
  route("ListEventSourceMappings", "GET", "/2015-03-31/event-source-mappings", ({ mappings }, req, res) => {
    ok(res, req, mappings.listEventSourceMappings(q(req, "EventSourceArn"), q(req, "FunctionName"), q(req, "Marker"), q(req, "MaxItems")));
  }),
  route("GetEventSourceMapping", "GET", `/2015-03-31/event-source-mappings/${FN}`, ({ mappings }, req, res, [uuid]) => {
    ok(res, req, mappings.getEventSourceMapping(uuid!));
  }),
  route("UpdateEventSourceMapping", "PUT", `/2015-03-31/event-source-mappings/${FN}`, async ({ mappings }, req, res, [uuid]) => {
    ok(res, req, await mappings.updateEventSourceMapping(uuid!, decodeMapping(parseJsonBody(req.body))), 202);
  }),
  route("DeleteEventSourceMapping", "DELETE", `/2015-03-31/event-source-mappings/${FN}`, async ({ mappings }, req, res, [uuid]) => {
    ok(res, req, await mappings.deleteEventSourceMapping(uuid!), 202);
  }),
  route("CreateFunctionUrlConfig", "POST", `/2021-10-31/functions/${FN}/url`, async ({ functionUrls }, req, res, [fn]) => {
    ok(res, req, await functionUrls.createFunctionUrlConfig(fn!, q(req, "Qualifier"), decodeFunctionUrl(parseJsonBody(req.body))), 201);
  }),
  route("GetFunctionUrlConfig", "GET", `/2021-10-31/functions/${FN}/url`, ({ functionUrls }, req, res, [fn]) => {
    ok(res, req, functionUrls.getFunctionUrlConfig(fn!, q(req, "Qualifier")));
  }),
  route("UpdateFunctionUrlConfig", "PUT", `/2021-10-31/functions/${FN}/url`, async ({ functionUrls }, req, res, [fn]) => {
    ok(res, req, await functionUrls.updateFunctionUrlConfig(fn!, q(req, "Qualifier"), decodeFunctionUrl(parseJsonBody(req.body))));
  }),
  route("DeleteFunctionUrlConfig", "DELETE", `/2021-10-31/functions/${FN}/url`, async ({ functionUrls }, req, res, [fn]) => {
    await functionUrls.deleteFunctionUrlConfig(fn!, q(req, "Qualifier"));
    noContent(res, req);
  }),
  route("ListFunctionUrlConfigs", "GET", `/2021-10-31/functions/${FN}/urls`, ({ functionUrls }, req, res, [fn]) => {
    ok(res, req, functionUrls.listFunctionUrlConfigs(fn!, q(req, "Marker"), q(req, "MaxItems")));
  }),
  route("TagResource", "POST", "/2017-03-31/tags/([^/]+)", async ({ lambda }, req, res, [arn]) => {
    await lambda.tagResource(arn!, member(parseJsonBody(req.body), "Tags", "stringMap"));
    noContent(res, req);
  }),
  route("UntagResource", "DELETE", "/2017-03-31/tags/([^/]+)", async ({ lambda }, req, res, [arn]) => {
    const keys = req.query.tagKeys;
    await lambda.untagResource(arn!, keys === undefined ? undefined : Array.isArray(keys) ? keys : [keys]);
    noContent(res, req);
  }),
  route("ListTags", "GET", "/2017-03-31/tags/([^/]+)", ({ lambda }, req, res, [arn]) => {
    ok(res, req, lambda.listTags(arn!));
  }),
];

/**
 * What a Lambda request asks of IAM (the Service Authorization Reference, iam/actions.ts): its
 * action on the function as named (`f`, `f:1`, `f:alias`), `*` for account-wide operations, and
 * `iam:PassRole` on the role CreateFunction (or UpdateFunctionConfiguration changing it) passes.
 * A name that does not parse is asked about as given; the service then refuses it.
 */
/** Operations whose condition keys come from their body (parsed once: the handler gets the same object). */
const BODY_READ_FOR_AUTHORIZATION = new Set(["CreateFunction", "UpdateFunctionConfiguration", "TagResource", "AddPermission", "CreateEventSourceMapping", "CreateFunctionUrlConfig", "UpdateFunctionUrlConfig"]);

/** A function's ARN from a name or partial ARN, or the name as given when it does not parse. */
function functionArnOf(account: Account, name: string): string {
  try {
    const ref = parseFunctionRef(account, name);
    return functionArn(account, ref.name, ref.qualifier);
  } catch {
    return name;
  }
}

/** The condition keys a Lambda request sets: the tags it sets or removes, AddPermission's principal and URL auth type. */
function lambdaContext(account: Account, operation: string, body: Record<string, unknown>, req: ApiRequest): Record<string, string | string[]> | undefined {
  const tags = isStringMap(body.Tags) ? body.Tags : undefined;
  if (operation === "CreateFunction" || operation === "TagResource") return tags ? tagContext(tags) : undefined;
  if (operation === "CreateEventSourceMapping") {
    const fn = typeof body.FunctionName === "string" ? body.FunctionName : undefined;
    return { ...(tags ? tagContext(tags) : {}), ...(fn ? { "lambda:FunctionArn": fn.startsWith("arn:") ? fn : functionArnOf(account, fn) } : {}) };
  }
  if (operation === "UntagResource") {
    const keys = req.query.tagKeys;
    return keys === undefined ? undefined : tagContext(undefined, Array.isArray(keys) ? keys : [keys]);
  }
  if (operation === "AddPermission") {
    const out: Record<string, string> = {};
    if (typeof body.Principal === "string") out["lambda:Principal"] = body.Principal;
    if (typeof body.FunctionUrlAuthType === "string") out["lambda:FunctionUrlAuthType"] = body.FunctionUrlAuthType;
    return out;
  }
  // The auth type a URL config is given (the Service Authorization Reference's lambda:FunctionUrlAuthType).
  if ((operation === "CreateFunctionUrlConfig" || operation === "UpdateFunctionUrlConfig") && typeof body.AuthType === "string") {
    return { "lambda:FunctionUrlAuthType": body.AuthType };
  }
  return undefined;
}

const isStringMap = (v: unknown): v is Record<string, string> => typeof v === "object" && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string");

export function lambdaAsks(account: Account, route: Route, params: Params, req: ApiRequest, mappingFunction?: (uuid: string) => string | undefined): Ask[] {
  const needs = requirements("lambda", route.operation) ?? [{ action: `lambda:${route.operation}`, resource: "function" as const }];
  const body = BODY_READ_FOR_AUTHORIZATION.has(route.operation) ? parseJsonBody(req.body) : {};
  const named = route.operation === "CreateFunction" ? String(body.FunctionName ?? "") : params[0];
  let resource = "*";
  if (/^(TagResource|UntagResource|ListTags)$/.test(route.operation)) resource = params[0]!;
  else if (needs.some((n) => n.resource === "mapping")) resource = `arn:aws:lambda:${account.region}:${account.accountId}:event-source-mapping:${params[0]}`;
  else if (named !== undefined) {
    try {
      const ref = parseFunctionRef(account, named, route.operation === "InvokeAsync" ? undefined : q(req, "Qualifier"), { create: route.operation === "CreateFunction" });
      resource = functionArn(account, ref.name, ref.qualifier);
    } catch {
      resource = named.startsWith("arn:") ? named : functionArn(account, named);
    }
  }
  // A mapping's function is a condition key of the operations on it (lambda:FunctionArn).
  const mapped = needs.some((n) => n.resource === "mapping") ? mappingFunction?.(params[0]!) : undefined;
  const context = mapped ? { "lambda:FunctionArn": mapped } : lambdaContext(account, route.operation, body, req);
  const asks: Ask[] = needs.filter((n) => n.resource !== "role").map((n) => ({ action: n.action, resource: n.resource === "*" ? "*" : resource, ...(context ? { context } : {}) }));
  const role = body.Role;
  if (typeof role === "string" && (route.operation === "CreateFunction" || route.operation === "UpdateFunctionConfiguration")) {
    asks.push({ action: "iam:PassRole", resource: role, context: { "iam:PassedToService": "lambda.amazonaws.com", "iam:AssociatedResourceArn": resource } });
  }
  return asks;
}

export function matchLambdaRoute(method: string, rawPath: string): { route: Route; params: Params } | undefined {
  for (const r of LAMBDA_ROUTES) {
    if (r.method !== method) continue;
    const m = r.pattern.exec(rawPath);
    if (m) {
      try {
        return { route: r, params: m.slice(1).map((p) => decodeURIComponent(p)) };
      } catch {
        throw awsError("ValidationException", "1 validation error detected: the request path is not valid percent-encoding");
      }
    }
  }
  return undefined;
}

/** The body-size error AWS sends for an operation. */
export function tooLarge(operation: string, limit: number) {
  return awsError("RequestEntityTooLargeException", `Request must be smaller than ${limit} bytes for the ${operation} operation`);
}
