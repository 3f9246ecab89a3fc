/**
 * CloudWatch Logs on the one listener, chosen by the `logs` credential scope or its target prefix:
 * AWS JSON 1.1, `X-Amz-Target: Logs_20140328.<Operation>`, errors as
 * `{"__type": "<Shape>", "message": …}`. StartLiveTail answers with an event stream (live-tail.ts).
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/CommonParameters.html
 */
import type { HttpResponse } from "../../lib/http-server.js";
import { awsError } from "../../errors.js";
import { requirements } from "../../iam/actions.js";
import { tagContext } from "../../iam/authorizer.js";
import { type Account, groupOfArn, logStreamArn } from "../../services/logs/names.js";
import type { LogsService } from "../../services/logs/service.js";
import type { Ask } from "../authorize.js";
import { type ApiRequest, awsJsonBody, notAStructure, type ScopedService } from "../http.js";
import { renderAwsJson11Error } from "../render-error.js";
import { startLiveTail } from "./live-tail.js";
import { OPERATIONS } from "./operations.js";

const TARGET_PREFIX = "Logs_20140328.";
/** PutLogEvents: 1 MiB of messages in up to 10,000 events, JSON-escaped, fits within this. */
const MAX_REQUEST_BODY = 8 * 1024 * 1024;
const LIVE_TAIL = "StartLiveTail";

function decode(req: ApiRequest): { operation: string; members: Record<string, unknown> } {
  const target = req.headers["x-amz-target"] ?? "";
  const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : "";
  if (operation !== LIVE_TAIL && !Object.hasOwn(OPERATIONS, operation)) throw awsError("UnknownOperationException", `Unknown operation ${operation || target}`);
  const body = awsJsonBody(req.body);
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw notAStructure();
  return { operation, members: body as Record<string, unknown> };
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/** The group a request names by logGroupName, or by logGroupIdentifier (a name or an ARN). */
function groupName(account: Account, m: Record<string, unknown>): string {
  const id = str(m.logGroupName) ?? str(m.logGroupIdentifier) ?? "";
  return id.startsWith("arn:") ? (groupOfArn(account, id) ?? id) : id;
}

/**
 * What a Logs operation asks of IAM: `logs:<Operation>` on the log group (as
 * `…:log-group:<name>:log-stream:`), or on the stream for the operations on one stream; tagging by
 * ARN on the ARN given (AWS: those three take the group's ARN without `:*`), with the tags it adds
 * or removes as condition keys; StartLiveTail on every group it tails.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_LogGroup.html
 */
export function logsAsks(account: Account, operation: string, m: Record<string, unknown>): Ask[] {
  const needs = requirements("logs", operation) ?? [{ action: `logs:${operation}`, resource: "log-group" as const }];
  const tags = ["CreateLogGroup", "TagLogGroup", "TagResource"].includes(operation) && typeof m.tags === "object" && m.tags !== null && !Array.isArray(m.tags) ? (m.tags as Record<string, string>) : undefined;
  const removedList = operation === "UntagLogGroup" ? m.tags : operation === "UntagResource" ? m.tagKeys : undefined;
  const removed = Array.isArray(removedList) ? removedList.filter((k): k is string => typeof k === "string") : undefined;
  const context = tags || removed ? tagContext(tags, removed) : undefined;
  const resources = (resource: string): string[] => {
    if (resource === "*") return ["*"];
    if (operation === LIVE_TAIL) return (Array.isArray(m.logGroupIdentifiers) ? m.logGroupIdentifiers : []).map((id) => logStreamArn(account, groupName(account, { logGroupIdentifier: id }), ""));
    const arn = str(m.resourceArn);
    if (arn !== undefined) return [arn];
    // A group's operations are evaluated on the group's stream ARN with no stream named, as AWS's
    // denials show (`…:log-group:<name>:log-stream:`): a policy names groups as `log-group:<name>:*`.
    return [logStreamArn(account, groupName(account, m), resource === "log-stream" ? (str(m.logStreamName) ?? "") : "")];
  };
  return needs.flatMap((n) => resources(n.resource).map((resource) => ({ action: n.action, resource, ...(context ? { context } : {}) })));
}

export class LogsApi implements ScopedService {
  readonly maxBody = MAX_REQUEST_BODY;

  constructor(private readonly logs: LogsService) {}

  async handle(req: ApiRequest, res: HttpResponse): Promise<void> {
    const { operation, members } = decode(req);
    req.authorize(() => logsAsks(this.logs.account, operation, members));
    if (operation === LIVE_TAIL) return startLiveTail(this.logs, members, req.requestId, res);
    const result = await OPERATIONS[operation]!(this.logs, members);
    res.send(200, { "Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": req.requestId }, JSON.stringify(result ?? {}));
  }

  renderError(req: Pick<ApiRequest, "headers" | "requestId">, res: HttpResponse, err: unknown): void {
    renderAwsJson11Error(res, req.requestId, err);
  }

  tooLarge(): Error {
    return awsError("InvalidParameterException", `Request body must be at most ${MAX_REQUEST_BODY} bytes.`);
  }
}
