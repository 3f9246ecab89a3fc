/**
 * Every operation Flint serves, as a valid request to start mutating from: Lambda (REST-JSON),
 * SQS (AWS JSON 1.0 and query), SNS (query), plus requests of services Flint does not implement.
 *
 * The state check rests on one rule: an operation that changes state is only ever sent for a
 * resource that does not exist (a ghost), or, when it creates, for a name that is invalid; no
 * mutation knows a real name. Read-only operations also read the real resources.
 */
import { ACCOUNT, REGION, ROLE } from "../flint.js";
import type { Rng } from "./rng.js";
import { type Draft, type Json, type JsonObject, type Param } from "./wire.js";

export type Protocol = "rest-json" | "json" | "query";

/** The fixed state the fuzz runs against, and what requests need to address it. */
export interface Targets {
  host: string;
  fn: string;
  zipBase64: string;
  standardQueue: string;
  fifoQueue: string;
  topic: string;
  subscriptionArn: string;
}

export interface Operation {
  service: "lambda" | "sqs" | "sns" | "other";
  protocol: Protocol;
  name: string;
  /** Changes state when it succeeds: only sent for ghosts and invalid names. */
  mutates: boolean;
  /** Of a service Flint does not implement: any 2xx is wrong. */
  unimplemented?: boolean;
  /** Members naming what a creating operation would create: no mutation touches them, so they stay invalid. */
  protected?: string[];
  /** Served without a signature (SNS's SubscribeURL and UnsubscribeURL links). */
  unsigned?: boolean;
  build(t: Targets, real: boolean, r: Rng): Draft;
}

export const label = (op: Operation) => `${op.service === "sqs" ? `sqs-${op.protocol === "json" ? "json" : "query"}` : op.service} ${op.name}`;

const ghost = (r: Rng) => `fuzz-ghost-${r.int(1_000_000)}`;
/** A name no service accepts: what creating operations are sent with. */
const invalidName = (r: Rng) => `fuzz ghost!${r.int(1_000_000)}`;
/** Another account's: refused even by operations that are idempotent on what does not exist (DeleteTopic, Unsubscribe). */
const FOREIGN = "111111111111";

// Lambda (REST-JSON)

const LAMBDA_ROUTES = /^\/(2015-03-31|2014-11-13|2016-08-19|2017-03-31|2017-10-31|2019-09-25|2019-09-30)\//;
export const isLambdaPath = (path: string) => LAMBDA_ROUTES.test(path);

/** A FunctionName as a client may give it: name, ARN or partial ARN; percent-encoded for the path. */
function functionRef(name: string, r: Rng): string {
  const forms = [name, name, `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`, `${ACCOUNT}:function:${name}`];
  return encodeURIComponent(r.pick(forms));
}

function lambda(
  name: string,
  method: string,
  path: (fn: string, r: Rng) => string,
  opts: { mutates?: boolean; body?: (t: Targets, r: Rng) => JsonObject; query?: (r: Rng) => Param[]; headers?: (real: boolean, r: Rng) => [string, string][]; protect?: string[] } = {},
): Operation {
  return {
    service: "lambda",
    protocol: "rest-json",
    name,
    mutates: opts.mutates ?? false,
    protected: opts.protect,
    build(t, real, r) {
      const fn = functionRef(real ? t.fn : ghost(r), r);
      const headers: [string, string][] = opts.body ? [["content-type", "application/json"]] : [];
      return {
        method,
        path: path(fn, r),
        query: opts.query?.(r) ?? [],
        headers: [...headers, ...(opts.headers?.(real, r) ?? [])],
        body: opts.body ? { kind: "json", value: opts.body(t, r) } : { kind: "none" },
      };
    },
  };
}

const qualifier = (r: Rng): Param[] => (r.chance(0.5) ? [] : [["Qualifier", r.pick(["$LATEST", "1", "live"])]]);
const paging = (r: Rng): Param[] => (r.chance(0.5) ? [] : [["MaxItems", String(r.between(1, 50))], ...(r.chance(0.3) ? ([["Marker", "fuzz"]] as Param[]) : [])]);
const mutating = { mutates: true } as const;
const functionSettings = (r: Rng): JsonObject => ({ Timeout: r.between(1, 900), MemorySize: r.pick([128, 256, 1024]), Description: "fuzz", Environment: { Variables: { FUZZ: "1" } } });
const invokeConfig = (): JsonObject => ({ MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 60, DestinationConfig: { OnFailure: { Destination: `arn:aws:sqs:${REGION}:${ACCOUNT}:fuzz-ghost` } } });
const tagsPath = (fn: string) => `/2017-03-31/tags/${encodeURIComponent(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:${decodeURIComponent(fn).split(":").pop()}`)}`;

const LAMBDA: Operation[] = [
  // A real function is only invoked as a DryRun: that validates the request and runs nothing.
  lambda("Invoke", "POST", (fn) => `/2015-03-31/functions/${fn}/invocations`, {
    body: (_t, r) => ({ fuzz: r.int(1000) }),
    query: qualifier,
    headers: (real, r) => [["x-amz-invocation-type", real ? "DryRun" : r.pick(["RequestResponse", "Event", "DryRun"])], ...(r.chance(0.3) ? ([["x-amz-log-type", "Tail"]] as [string, string][]) : [])],
  }),
  { ...lambda("InvokeAsync", "POST", (fn) => `/2014-11-13/functions/${fn}/invoke-async`, { body: (_t, r) => ({ fuzz: r.int(1000) }) }), mutates: true },
  {
    ...lambda("CreateFunction", "POST", () => "/2015-03-31/functions", {
      mutates: true,
      protect: ["FunctionName"],
      body: (t, r) => ({ FunctionName: invalidName(r), Runtime: r.pick(["nodejs20.x", "python3.12"]), Role: ROLE, Handler: "echo.handler", Code: { ZipFile: t.zipBase64 }, Publish: r.chance(0.5), Tags: { fuzz: "1" }, ...functionSettings(r) }),
    }),
  },
  lambda("ListFunctions", "GET", () => "/2015-03-31/functions/", { query: (r) => [...paging(r), ...(r.chance(0.3) ? ([["FunctionVersion", "ALL"]] as Param[]) : [])] }),
  lambda("GetFunction", "GET", (fn) => `/2015-03-31/functions/${fn}`, { query: qualifier }),
  lambda("GetFunctionConfiguration", "GET", (fn) => `/2015-03-31/functions/${fn}/configuration`, { query: qualifier }),
  lambda("UpdateFunctionConfiguration", "PUT", (fn) => `/2015-03-31/functions/${fn}/configuration`, { ...mutating, body: (_t, r) => functionSettings(r) }),
  lambda("UpdateFunctionCode", "PUT", (fn) => `/2015-03-31/functions/${fn}/code`, { ...mutating, body: (t, r) => ({ ZipFile: t.zipBase64, Publish: r.chance(0.5) }) }),
  lambda("DeleteFunction", "DELETE", (fn) => `/2015-03-31/functions/${fn}`, { ...mutating, query: qualifier }),
  lambda("GetAccountSettings", "GET", () => "/2016-08-19/account-settings/"),
  lambda("PublishVersion", "POST", (fn) => `/2015-03-31/functions/${fn}/versions`, { ...mutating, body: () => ({ Description: "fuzz" }) }),
  lambda("ListVersionsByFunction", "GET", (fn) => `/2015-03-31/functions/${fn}/versions`, { query: paging }),
  lambda("CreateAlias", "POST", (fn) => `/2015-03-31/functions/${fn}/aliases`, { ...mutating, body: (_t, r) => ({ Name: ghost(r), FunctionVersion: "$LATEST", Description: "fuzz" }) }),
  lambda("ListAliases", "GET", (fn) => `/2015-03-31/functions/${fn}/aliases`, { query: paging }),
  lambda("GetAlias", "GET", (fn, r) => `/2015-03-31/functions/${fn}/aliases/${ghost(r)}`),
  lambda("UpdateAlias", "PUT", (fn, r) => `/2015-03-31/functions/${fn}/aliases/${ghost(r)}`, { ...mutating, body: () => ({ FunctionVersion: "$LATEST", RoutingConfig: { AdditionalVersionWeights: { "1": 0.5 } } }) }),
  lambda("DeleteAlias", "DELETE", (fn, r) => `/2015-03-31/functions/${fn}/aliases/${ghost(r)}`, mutating),
  lambda("PutFunctionConcurrency", "PUT", (fn) => `/2017-10-31/functions/${fn}/concurrency`, { ...mutating, body: (_t, r) => ({ ReservedConcurrentExecutions: r.between(0, 10) }) }),
  lambda("GetFunctionConcurrency", "GET", (fn) => `/2019-09-30/functions/${fn}/concurrency`),
  lambda("DeleteFunctionConcurrency", "DELETE", (fn) => `/2017-10-31/functions/${fn}/concurrency`, mutating),
  lambda("PutProvisionedConcurrencyConfig", "PUT", (fn) => `/2019-09-30/functions/${fn}/provisioned-concurrency`, { ...mutating, query: () => [["Qualifier", "1"]], body: () => ({ ProvisionedConcurrentExecutions: 1 }) }),
  lambda("GetProvisionedConcurrencyConfig", "GET", (fn) => `/2019-09-30/functions/${fn}/provisioned-concurrency`, { query: (r) => (r.chance(0.5) ? [["List", "ALL"]] : [["Qualifier", "1"]]) }),
  lambda("DeleteProvisionedConcurrencyConfig", "DELETE", (fn) => `/2019-09-30/functions/${fn}/provisioned-concurrency`, { ...mutating, query: () => [["Qualifier", "1"]] }),
  lambda("PutFunctionEventInvokeConfig", "PUT", (fn) => `/2019-09-25/functions/${fn}/event-invoke-config`, { ...mutating, query: qualifier, body: invokeConfig }),
  lambda("UpdateFunctionEventInvokeConfig", "POST", (fn) => `/2019-09-25/functions/${fn}/event-invoke-config`, { ...mutating, query: qualifier, body: invokeConfig }),
  lambda("GetFunctionEventInvokeConfig", "GET", (fn) => `/2019-09-25/functions/${fn}/event-invoke-config`, { query: qualifier }),
  lambda("DeleteFunctionEventInvokeConfig", "DELETE", (fn) => `/2019-09-25/functions/${fn}/event-invoke-config`, { ...mutating, query: qualifier }),
  lambda("ListFunctionEventInvokeConfigs", "GET", (fn) => `/2019-09-25/functions/${fn}/event-invoke-config/list`, { query: paging }),
  lambda("AddPermission", "POST", (fn) => `/2015-03-31/functions/${fn}/policy`, {
    ...mutating,
    query: qualifier,
    body: (_t, r) => ({ StatementId: ghost(r), Action: "lambda:InvokeFunction", Principal: r.pick(["s3.amazonaws.com", "*", ACCOUNT]), SourceArn: "arn:aws:s3:::fuzz" }),
  }),
  lambda("GetPolicy", "GET", (fn) => `/2015-03-31/functions/${fn}/policy`, { query: qualifier }),
  lambda("RemovePermission", "DELETE", (fn, r) => `/2015-03-31/functions/${fn}/policy/${ghost(r)}`, { ...mutating, query: qualifier }),
  lambda("TagResource", "POST", tagsPath, { ...mutating, body: () => ({ Tags: { fuzz: "2" } }) }),
  lambda("UntagResource", "DELETE", tagsPath, { ...mutating, query: () => [["tagKeys", "fuzz"], ["tagKeys", "other"]] }),
  lambda("ListTags", "GET", tagsPath),
];

// SQS: each operation's members in the JSON protocol's form, sent as JSON 1.0 or flattened into query parameters.

const SQS_VERSION = "2012-11-05";
const queueUrl = (t: Targets, name: string, account = ACCOUNT) => `http://${t.host}/${account}/${name}`;

/** The sqs-2012-11-05 query model's flattened names for the JSON members. */
function sqsParams(operation: string, members: JsonObject, prefix = ""): Param[] {
  const out: Param[] = [];
  const each = (list: Json, fn: (item: Json, n: number) => void) => (Array.isArray(list) ? list : [list]).forEach((item, i) => fn(item, i + 1));
  const map = (entry: string, key: string, value: string, m: Json) =>
    Object.entries(m as JsonObject).forEach(([k, v], i) => {
      out.push([`${prefix}${entry}.${i + 1}.${key}`, k]);
      if (typeof v === "object" && v !== null && !Array.isArray(v)) for (const [vk, vv] of Object.entries(v as JsonObject)) out.push([`${prefix}${entry}.${i + 1}.${value}.${vk}`, String(vv)]);
      else out.push([`${prefix}${entry}.${i + 1}.${value}`, String(v)]);
    });
  const lists: Record<string, string> = { AttributeNames: "AttributeName", MessageAttributeNames: "MessageAttributeName", TagKeys: "TagKey" };
  const maps: Record<string, string> = { Attributes: "Attribute", MessageAttributes: "MessageAttribute", Tags: "Tag", tags: "Tag" };
  for (const [name, value] of Object.entries(members)) {
    if (name in lists) each(value, (item, n) => out.push([`${prefix}${lists[name]}.${n}`, String(item)]));
    else if (name in maps) map(maps[name]!, name === "Tags" || name === "tags" ? "Key" : "Name", "Value", value);
    else if (name === "Entries") each(value, (item, n) => out.push(...sqsParams(operation, item as JsonObject, `${prefix}${operation}RequestEntry.${n}.`)));
    else out.push([`${prefix}${name}`, String(value)]);
  }
  return out;
}

function sqs(name: string, mutates: boolean, members: (t: Targets, real: boolean, r: Rng) => JsonObject, protect?: string[]): Operation[] {
  const json: Operation = {
    service: "sqs",
    protocol: "json",
    name,
    mutates,
    protected: protect,
    build: (t, real, r) => ({
      method: "POST",
      path: "/",
      query: [],
      headers: [["content-type", "application/x-amz-json-1.0"], ["x-amz-target", `AmazonSQS.${name}`]],
      body: { kind: "json", value: members(t, real, r) },
    }),
  };
  const query: Operation = {
    ...json,
    protocol: "query",
    build(t, real, r) {
      const m = members(t, real, r);
      let path = "/";
      // A request may be sent to the queue's URL instead of naming it in QueueUrl.
      if (typeof m.QueueUrl === "string" && r.chance(0.15)) {
        path = new URL(m.QueueUrl).pathname;
        delete m.QueueUrl;
      }
      const params: Param[] = [["Action", name], ["Version", SQS_VERSION], ...sqsParams(name, m)];
      if (r.chance(0.2) && !protect) return { method: r.pick(["GET", "POST"]), path, query: params, headers: [], body: { kind: "none" } };
      return { method: "POST", path, query: [], headers: [["content-type", "application/x-www-form-urlencoded; charset=utf-8"]], body: { kind: "form", params } };
    },
  };
  return [json, query];
}

/** A real queue (read-only operations) or a ghost one, sometimes another account's. */
const sqsQueue = (t: Targets, real: boolean, r: Rng) => (real ? queueUrl(t, r.pick([t.standardQueue, t.fifoQueue])) : queueUrl(t, ghost(r) + (r.chance(0.3) ? ".fifo" : ""), r.chance(0.2) ? FOREIGN : ACCOUNT));
const ghostQueue = (t: Targets, _real: boolean, r: Rng) => sqsQueue(t, false, r);
const receipt = (r: Rng) => `fuzz-receipt-${r.int(1_000_000)}`;
const message = (r: Rng): JsonObject => ({
  MessageBody: `fuzz ${r.int(1000)}`,
  DelaySeconds: r.between(0, 900),
  MessageAttributes: { color: { DataType: "String", StringValue: "blue" } },
  ...(r.chance(0.3) ? { MessageGroupId: "g", MessageDeduplicationId: `d${r.int(1000)}` } : {}),
});

const SQS: Operation[] = [
  ...sqs("CreateQueue", true, (_t, _real, r) => ({ QueueName: invalidName(r), Attributes: { DelaySeconds: "0", VisibilityTimeout: "30" }, tags: { fuzz: "1" } }), ["QueueName"]),
  ...sqs("GetQueueUrl", false, (t, real, r) => ({ QueueName: real ? r.pick([t.standardQueue, t.fifoQueue]) : ghost(r) })),
  ...sqs("ListQueues", false, (_t, _real, r) => ({ ...(r.chance(0.5) ? { QueueNamePrefix: "fuzz" } : {}), ...(r.chance(0.5) ? { MaxResults: r.between(1, 1000) } : {}) })),
  ...sqs("ListDeadLetterSourceQueues", false, (t, real, r) => ({ QueueUrl: sqsQueue(t, real, r), MaxResults: r.between(1, 1000) })),
  ...sqs("DeleteQueue", true, (t, real, r) => ({ QueueUrl: ghostQueue(t, real, r) })),
  ...sqs("PurgeQueue", true, (t, real, r) => ({ QueueUrl: ghostQueue(t, real, r) })),
  ...sqs("GetQueueAttributes", false, (t, real, r) => ({ QueueUrl: sqsQueue(t, real, r), AttributeNames: [r.pick(["All", "ApproximateNumberOfMessages", "QueueArn"])] })),
  ...sqs("SetQueueAttributes", true, (t, real, r) => ({ QueueUrl: ghostQueue(t, real, r), Attributes: { VisibilityTimeout: "60" } })),
  ...sqs("TagQueue", true, (t, real, r) => ({ QueueUrl: ghostQueue(t, real, r), Tags: { fuzz: "2" } })),
  ...sqs("UntagQueue", true, (t, real, r) => ({ QueueUrl: ghostQueue(t, real, r), TagKeys: ["fuzz"] })),
  ...sqs("ListQueueTags", false, (t, real, r) => ({ QueueUrl: sqsQueue(t, real, r) })),
  ...sqs("SendMessage", true, (t, real, r) => ({ QueueUrl: ghostQueue(t, real, r), ...message(r) })),
  ...sqs("SendMessageBatch", true, (t, real, r) => ({ QueueUrl: ghostQueue(t, real, r), Entries: [{ Id: "a", ...message(r) }, { Id: "b", MessageBody: "two" }] as Json[] })),
  ...sqs("ReceiveMessage", true, (t, real, r) => ({ QueueUrl: ghostQueue(t, real, r), MaxNumberOfMessages: r.between(1, 10), VisibilityTimeout: r.between(0, 60), WaitTimeSeconds: r.between(0, 2), AttributeNames: ["All"], MessageAttributeNames: ["All"] })),
  ...sqs("DeleteMessage", true, (t, real, r) => ({ QueueUrl: ghostQueue(t, real, r), ReceiptHandle: receipt(r) })),
  ...sqs("DeleteMessageBatch", true, (t, real, r) => ({ QueueUrl: ghostQueue(t, real, r), Entries: [{ Id: "a", ReceiptHandle: receipt(r) }] })),
  ...sqs("ChangeMessageVisibility", true, (t, real, r) => ({ QueueUrl: ghostQueue(t, real, r), ReceiptHandle: receipt(r), VisibilityTimeout: r.between(0, 60) })),
  ...sqs("ChangeMessageVisibilityBatch", true, (t, real, r) => ({ QueueUrl: ghostQueue(t, real, r), Entries: [{ Id: "a", ReceiptHandle: receipt(r), VisibilityTimeout: 10 }] })),
];

// SNS (query protocol; lists as `.member.N`, maps as `.entry.N.key/value`).

const topicArn = (name: string, account = ACCOUNT) => `arn:aws:sns:${REGION}:${account}:${name}`;
const snsTopic = (t: Targets, real: boolean, r: Rng) => topicArn(real ? t.topic : ghost(r));
const foreignSubscription = (r: Rng) => `${topicArn(ghost(r), FOREIGN)}:00000000-0000-0000-0000-${String(r.int(1_000_000)).padStart(12, "0")}`;

function sns(name: string, mutates: boolean, params: (t: Targets, real: boolean, r: Rng) => Param[], opts: { protect?: string[]; unsigned?: boolean } = {}): Operation {
  return {
    service: "sns",
    protocol: "query",
    name,
    mutates,
    protected: opts.protect,
    unsigned: opts.unsigned,
    build(t, real, r) {
      const all: Param[] = [["Action", name], ["Version", "2010-03-31"], ...params(t, real, r)];
      // The SubscribeURL and UnsubscribeURL links are unsigned GETs.
      if ((opts.unsigned && r.chance(0.5)) || (!opts.protect && r.chance(0.15))) return { method: "GET", path: "/", query: all, headers: [], body: { kind: "none" } };
      return { method: "POST", path: "/", query: [], headers: [["content-type", "application/x-www-form-urlencoded; charset=utf-8"]], body: { kind: "form", params: all } };
    },
  };
}

const SNS: Operation[] = [
  sns("CreateTopic", true, (_t, _real, r) => [["Name", invalidName(r)], ["Attributes.entry.1.key", "DisplayName"], ["Attributes.entry.1.value", "fuzz"], ["Tags.member.1.Key", "fuzz"], ["Tags.member.1.Value", "1"]], { protect: ["Name"] }),
  sns("ListTopics", false, (_t, _real, r) => (r.chance(0.3) ? [["NextToken", "fuzz"]] : [])),
  // DeleteTopic is idempotent on a topic that does not exist: only another account's is refused.
  sns("DeleteTopic", true, (_t, _real, r) => [["TopicArn", topicArn(ghost(r), FOREIGN)]]),
  sns("GetTopicAttributes", false, (t, real, r) => [["TopicArn", snsTopic(t, real, r)]]),
  sns("SetTopicAttributes", true, (t, _real, r) => [["TopicArn", snsTopic(t, false, r)], ["AttributeName", "DisplayName"], ["AttributeValue", "fuzz"]]),
  sns("Subscribe", true, (t, _real, r) => [["TopicArn", snsTopic(t, false, r)], ["Protocol", "sqs"], ["Endpoint", `arn:aws:sqs:${REGION}:${ACCOUNT}:${ghost(r)}`], ["ReturnSubscriptionArn", "true"]]),
  sns("ConfirmSubscription", true, (t, _real, r) => [["TopicArn", snsTopic(t, false, r)], ["Token", `fuzz${r.int(1_000_000)}`]], { unsigned: true }),
  // Unsubscribe is idempotent too: another account's subscription.
  sns("Unsubscribe", true, (_t, _real, r) => [["SubscriptionArn", foreignSubscription(r)]], { unsigned: true }),
  sns("ListSubscriptions", false, (_t, _real, r) => (r.chance(0.3) ? [["NextToken", "fuzz"]] : [])),
  sns("ListSubscriptionsByTopic", false, (t, real, r) => [["TopicArn", snsTopic(t, real, r)]]),
  sns("GetSubscriptionAttributes", false, (t, real, r) => [["SubscriptionArn", real ? t.subscriptionArn : foreignSubscription(r)]]),
  sns("SetSubscriptionAttributes", true, (_t, _real, r) => [["SubscriptionArn", foreignSubscription(r)], ["AttributeName", "RawMessageDelivery"], ["AttributeValue", "true"]]),
  sns("Publish", true, (t, _real, r) => [
    ["TopicArn", snsTopic(t, false, r)],
    ["Message", `fuzz ${r.int(1000)}`],
    ["Subject", "fuzz"],
    ["MessageAttributes.entry.1.Name", "color"],
    ["MessageAttributes.entry.1.Value.DataType", "String"],
    ["MessageAttributes.entry.1.Value.StringValue", "blue"],
  ]),
  sns("PublishBatch", true, (t, _real, r) => [
    ["TopicArn", snsTopic(t, false, r)],
    ["PublishBatchRequestEntries.member.1.Id", "a"],
    ["PublishBatchRequestEntries.member.1.Message", "one"],
    ["PublishBatchRequestEntries.member.2.Id", "b"],
    ["PublishBatchRequestEntries.member.2.Message", "two"],
  ]),
  sns("TagResource", true, (t, _real, r) => [["ResourceArn", snsTopic(t, false, r)], ["Tags.member.1.Key", "fuzz"], ["Tags.member.1.Value", "2"]]),
  sns("UntagResource", true, (t, _real, r) => [["ResourceArn", snsTopic(t, false, r)], ["TagKeys.member.1", "fuzz"]]),
  sns("ListTagsForResource", false, (t, real, r) => [["ResourceArn", snsTopic(t, real, r)]]),
];

// Services Flint does not implement, as their own clients would call them.

/** An operation of a service Flint does not implement; `build` gives a new draft each time, since mutations change the one they get. */
const foreign = (service: string, protocol: Protocol, action: string, build: () => Draft): Operation => ({ service: "other", protocol, name: `${service}:${action}`, mutates: false, unimplemented: true, build });

const foreignQuery = (service: string, action: string, version: string) =>
  foreign(service, "query", action, () => ({ method: "POST", path: "/", query: [], headers: [["content-type", "application/x-www-form-urlencoded; charset=utf-8"]], body: { kind: "form", params: [["Action", action], ["Version", version]] } }));

const foreignJson = (service: string, target: string, version: "1.0" | "1.1") =>
  foreign(service, "json", target, () => ({ method: "POST", path: "/", query: [], headers: [["content-type", `application/x-amz-json-${version}`], ["x-amz-target", target]], body: { kind: "json", value: {} } }));

const OTHER: Operation[] = [
  foreignQuery("cloudformation", "ListStacks", "2010-05-15"),
  foreignQuery("email", "ListIdentities", "2010-12-01"),
  foreignJson("states", "AWSStepFunctions.ListStateMachines", "1.0"),
  foreignJson("firehose", "Firehose_20150804.ListDeliveryStreams", "1.1"),
  foreignJson("ssm", "AmazonSSM.DescribeParameters", "1.1"),
];

export const OPERATIONS: readonly Operation[] = [...LAMBDA, ...SQS, ...SNS, ...OTHER];

/** The SigV4 service name a valid request of this operation is signed for. */
export const signingService = (op: Operation) => (op.service === "other" ? op.name.split(":")[0]! : op.service);
