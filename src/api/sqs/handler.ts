/**
 * SQS on the one listener, chosen by the `sqs` credential scope. A request is either the JSON
 * protocol (`X-Amz-Target: AmazonSQS.<Operation>`, AWS JSON 1.0, query-compatible errors) or the
 * query protocol (`Action=<Operation>` in a form body or the URL, XML responses); both decode to the
 * same members and run the same operation.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-making-api-requests-json.html
 */
import type { HttpResponse } from "../../lib/http-server.js";
import { awsError } from "../../errors.js";
import { members } from "../../services/sqs/inputs.js";
import type { SqsService } from "../../services/sqs/service.js";
import { type ApiRequest, awsJsonBody, type ScopedService } from "../http.js";
import { paramTree, queryParams } from "../query.js";
import { renderAwsJsonError, renderQueryError } from "../render-error.js";
import { OPERATIONS } from "./operations.js";
import type { Ask } from "../authorize.js";
import { tagContext } from "../../iam/authorizer.js";
import { requirements } from "../../iam/actions.js";
import { type Account, queueArn, queueOfUrl } from "../../services/sqs/names.js";
import { SQS_XMLNS, membersFromQuery, wireValue, xmlResponse } from "./shapes.js";

const TARGET_PREFIX = "AmazonSQS.";
/** A 256 KiB message, form- or JSON-escaped, with its attributes, fits well within this. */
const MAX_REQUEST_BODY = 4 * 1024 * 1024;

const header = (req: Pick<ApiRequest, "headers">, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

const isJson = (req: Pick<ApiRequest, "headers">) => header(req, "x-amz-target")?.startsWith(TARGET_PREFIX) ?? false;

/** The operation and its members, from either protocol. */
function decode(req: ApiRequest): { json: boolean; operation: string; members: Record<string, unknown> } {
  if (isJson(req)) {
    const operation = header(req, "x-amz-target")!.slice(TARGET_PREFIX.length);
    const body = awsJsonBody(req.body);
    if (!Object.hasOwn(OPERATIONS, operation)) throw awsError("UnknownOperationException", `Unknown operation ${operation}`);
    return { json: true, operation, members: members(body) };
  }
  const params = queryParams(req);
  const operation = params.get("Action");
  if (!operation) throw awsError("MissingParameter", "The request must contain the parameter Action.");
  if (!Object.hasOwn(OPERATIONS, operation)) throw awsError("InvalidAction", `The action ${operation} is not valid for this web service.`);
  return { json: false, operation, members: membersFromQuery(operation, paramTree(params)) };
}

/**
 * The source queue a message move task operation names: its SourceArn, or the ARN inside its
 * TaskHandle (base64 JSON `{"taskId","sourceArn"}`), as account and name.
 */
function moveTaskSource(members: Record<string, unknown>): { accountId: string; name: string } | undefined {
  let arn = members.SourceArn;
  if (arn === undefined && typeof members.TaskHandle === "string") {
    try {
      arn = (JSON.parse(Buffer.from(members.TaskHandle, "base64").toString("utf8")) as { sourceArn?: unknown }).sourceArn;
    } catch {
      return undefined;
    }
  }
  const m = typeof arn === "string" ? /^arn:[^:]+:sqs:[^:]*:(\d{12}):([^:]+)$/.exec(arn) : null;
  return m ? { accountId: m[1]!, name: m[2]! } : undefined;
}

/**
 * What an SQS operation asks of IAM: its action (batches ask for their single action) on the
 * queue's ARN, from its QueueUrl (`…/<account>/<name>`), the message move tasks' source queue, or,
 * for CreateQueue and GetQueueUrl, its QueueName; ListQueues asks on `*`.
 */
export function sqsAsks(account: Account, operation: string, members: Record<string, unknown>): Ask[] {
  const needs = requirements("sqs", operation) ?? [{ action: `sqs:${operation}`, resource: "queue" as const }];
  const named = { accountId: typeof members.QueueOwnerAWSAccountId === "string" ? members.QueueOwnerAWSAccountId : account.accountId, name: typeof members.QueueName === "string" ? members.QueueName : "" };
  const queue = (typeof members.QueueUrl === "string" ? queueOfUrl(members.QueueUrl) : undefined) ?? moveTaskSource(members) ?? named;
  const arn = queueArn({ region: account.region, accountId: queue.accountId }, queue.name);
  const tags = operation === "CreateQueue" ? members.tags : operation === "TagQueue" ? members.Tags : undefined;
  const removed = operation === "UntagQueue" && Array.isArray(members.TagKeys) ? members.TagKeys.filter((k): k is string => typeof k === "string") : undefined;
  const context = tags || removed ? tagContext(tags as Record<string, string> | undefined, removed) : undefined;
  return needs.map((n) => ({ action: n.action, resource: n.resource === "*" ? "*" : arn, ...(context ? { context } : {}) }));
}

export class SqsApi implements ScopedService {
  readonly maxBody = MAX_REQUEST_BODY;

  constructor(
    private readonly sqs: SqsService,
    private readonly account: Account,
  ) {}

  async handle(req: ApiRequest, res: HttpResponse): Promise<void> {
    const { json, operation, members } = decode(req);
    // A request may be sent to the queue's URL instead of naming it in QueueUrl.
    if (members.QueueUrl === undefined && /^\/\d{12}\/[^/]+\/?$/.test(req.rawPath)) members.QueueUrl = req.rawPath;
    req.authorize(() => sqsAsks(this.account, operation, members));
    const aborted = new AbortController();
    res.once("close", () => aborted.abort());
    const baseUrl = `http://${header(req, "host") ?? "localhost"}`;
    const result = await OPERATIONS[operation]!(this.sqs, members, { baseUrl, signal: aborted.signal });
    if (json) {
      res.send(200, { "Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": req.requestId }, JSON.stringify(wireValue(result ?? {})));
    } else {
      res.send(200, { "Content-Type": "text/xml", "x-amzn-RequestId": req.requestId }, xmlResponse(operation, result, req.requestId));
    }
  }

  renderError(req: Pick<ApiRequest, "headers" | "requestId">, res: HttpResponse, err: unknown): void {
    if (isJson(req)) renderAwsJsonError(res, req.requestId, err, true);
    else renderQueryError(res, req.requestId, err, SQS_XMLNS);
  }

  tooLarge(): Error {
    return awsError("InvalidParameterValue", `Request body must be at most ${MAX_REQUEST_BODY} bytes.`);
  }
}
