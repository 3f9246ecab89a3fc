/**
 * SNS on the one listener, chosen by the `sns` credential scope: the query protocol
 * (`Action=<Operation>` in a form body or the URL, XML responses) that every SNS client speaks.
 * Two kinds of request come unsigned, as to AWS: the SubscribeURL and UnsubscribeURL links in SNS
 * messages (`GET /?Action=ConfirmSubscription|Unsubscribe&…`) and the signing certificate.
 * https://docs.aws.amazon.com/sns/latest/api/CommonParameters.html
 */
import type { HttpResponse } from "../../lib/http-server.js";
import { awsError } from "../../errors.js";
import type { SnsService } from "../../services/sns/service.js";
import type { ApiRequest, ScopedService } from "../http.js";
import { paramTree, queryParams } from "../query.js";
import { renderQueryError } from "../render-error.js";
import { OPERATIONS, UNSIGNED_OPERATIONS } from "./operations.js";
import { membersFromQuery, xmlResponse } from "../query-model.js";
import type { Ask } from "../authorize.js";
import { tagContext } from "../../iam/authorizer.js";
import { requirements } from "../../iam/actions.js";
import type { Account } from "../../services/sns/names.js";

const SNS_XMLNS = "http://sns.amazonaws.com/doc/2010-03-31/";

/** Ten 256 KiB messages, form-encoded, with their attributes, fit well within this. */
const MAX_REQUEST_BODY = 4 * 1024 * 1024;
const CERTIFICATE_PATH = /^\/(SimpleNotificationService-[0-9a-f]{32}\.pem)$/;

/**
 * What an SNS operation asks of IAM: its action on the topic (a subscription's operations on the
 * subscription's topic; CreateTopic on the topic it names), with `sns:Protocol` and `sns:Endpoint`
 * for Subscribe; ListTopics and ListSubscriptions ask on `*`.
 */
export function snsAsks(account: Account, operation: string, m: Record<string, unknown>): Ask[] {
  const needs = requirements("sns", operation) ?? [{ action: `sns:${operation}`, resource: "topic" as const }];
  const text = (k: string) => (typeof m[k] === "string" ? (m[k] as string) : undefined);
  const subscription = text("SubscriptionArn");
  const topic =
    operation === "CreateTopic"
      ? `arn:aws:sns:${account.region}:${account.accountId}:${text("Name") ?? ""}`
      : (text("TopicArn") ?? text("TargetArn") ?? text("ResourceArn") ?? (subscription ? subscription.slice(0, subscription.lastIndexOf(":")) : "*"));
  const tagList = Array.isArray(m.Tags) ? (m.Tags as { Key?: unknown; Value?: unknown }[]) : undefined;
  const tags = tagList && Object.fromEntries(tagList.filter((t) => typeof t?.Key === "string").map((t) => [t.Key as string, String(t.Value ?? "")]));
  const removed = operation === "UntagResource" && Array.isArray(m.TagKeys) ? m.TagKeys.filter((k): k is string => typeof k === "string") : undefined;
  const context: Record<string, string | string[]> = tags || removed ? tagContext(tags, removed) : {};
  if (operation === "Subscribe") {
    if (text("Protocol") !== undefined) context["sns:Protocol"] = text("Protocol")!;
    if (text("Endpoint") !== undefined) context["sns:Endpoint"] = text("Endpoint")!;
  }
  return needs.map((n) => ({ action: n.action, resource: n.resource === "*" ? "*" : topic, ...(Object.keys(context).length ? { context } : {}) }));
}

export class SnsApi implements ScopedService {
  readonly maxBody = MAX_REQUEST_BODY;

  constructor(
    private readonly sns: SnsService,
    private readonly account: Account,
  ) {}

  /** Requests AWS serves without a signature: the links SNS puts in its messages. */
  unsigned(req: Pick<ApiRequest, "method" | "rawPath" | "query">): boolean {
    if (req.method !== "GET") return false;
    if (CERTIFICATE_PATH.test(req.rawPath)) return true;
    return req.rawPath === "/" && UNSIGNED_OPERATIONS.has(String(req.query.Action));
  }

  async handle(req: ApiRequest, res: HttpResponse): Promise<void> {
    const certificate = CERTIFICATE_PATH.exec(req.rawPath);
    if (certificate && req.method === "GET") {
      const pem = await this.sns.certificate(certificate[1]!);
      if (pem === undefined) return res.send(404, { "Content-Type": "text/plain" }, "Not Found");
      return res.send(200, { "Content-Type": "application/x-x509-ca-cert" }, pem);
    }
    const params = queryParams(req);
    const operation = params.get("Action");
    if (!operation) throw awsError("MissingParameter", "The request must contain the parameter Action.");
    if (!Object.hasOwn(OPERATIONS, operation)) throw awsError("InvalidAction", `The action ${operation} is not valid for this web service.`);
    const authenticated = req.principal !== undefined;
    if (!authenticated && !UNSIGNED_OPERATIONS.has(operation)) throw awsError("MissingAuthenticationTokenException", "Missing Authentication Token");
    const members = membersFromQuery(paramTree(params));
    req.authorize(() => snsAsks(this.account, operation, members));
    const result = await OPERATIONS[operation]!(this.sns, members, { authenticated });
    res.send(200, { "Content-Type": "text/xml", "x-amzn-RequestId": req.requestId }, xmlResponse(operation, result, req.requestId, SNS_XMLNS));
  }

  renderError(req: Pick<ApiRequest, "requestId">, res: HttpResponse, err: unknown): void {
    renderQueryError(res, req.requestId, err, SNS_XMLNS);
  }

  tooLarge(): Error {
    return awsError("InvalidParameterException", `Invalid parameter: Request body must be at most ${MAX_REQUEST_BODY} bytes.`);
  }
}
