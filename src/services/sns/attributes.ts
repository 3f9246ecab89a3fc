/**
 * Topic and subscription attributes: which a caller may set, how each is checked, and what
 * Get*Attributes reports (the set values plus what SNS derives: owner, counts, default policy,
 * effective delivery policy, confirmation state).
 * https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html
 * https://docs.aws.amazon.com/sns/latest/api/API_SetSubscriptionAttributes.html
 */
import { MalformedPolicy, parsePolicy } from "../../iam/policy.js";
import { awsError } from "../../errors.js";
import { checkSubscriptionDeliveryPolicy, checkTopicDeliveryPolicy, effectiveTopicDeliveryPolicy, httpDeliveryPolicy } from "./delivery-policy.js";
import { FilterPolicyError, type FilterScope, parseFilterPolicy } from "./filter-policy.js";
import type { SubscriptionRecord, TopicRecord } from "./model.js";
import type { Account } from "./names.js";

const FEEDBACK = ["Application", "HTTP", "Lambda", "SQS", "Firehose"].flatMap((p) => [`${p}SuccessFeedbackRoleArn`, `${p}SuccessFeedbackSampleRate`, `${p}FailureFeedbackRoleArn`]);
const TOPIC_SETTABLE = new Set(["DeliveryPolicy", "DisplayName", "Policy", "TracingConfig", "KmsMasterKeyId", "SignatureVersion", "ContentBasedDeduplication", "ArchivePolicy", "FifoThroughputScope", "DataProtectionPolicy", ...FEEDBACK]);
const FIFO_ONLY = new Set(["ContentBasedDeduplication", "ArchivePolicy", "FifoThroughputScope"]);
const SUBSCRIPTION_SETTABLE = new Set(["DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy", "SubscriptionRoleArn", "ReplayPolicy"]);
const RAW_PROTOCOLS = new Set(["sqs", "http", "https"]);

const invalid = (message: string) => awsError("InvalidParameterException", `Invalid parameter: ${message}`);

function checkJson(name: string, value: string): void {
  try {
    JSON.parse(value);
  } catch {
    throw invalid(`${name}: failed to parse JSON.`);
  }
}

const isBoolean = (v: string) => /^(true|false)$/i.test(v);

/** Check one topic attribute; `creating` allows FifoTopic (CreateTopic only). */
export function checkTopicAttribute(name: string, value: string, fifo: boolean, creating: boolean): void {
  if (name === "FifoTopic" && creating) {
    if (!isBoolean(value)) throw invalid("FifoTopic: Invalid value");
    return;
  }
  if (!TOPIC_SETTABLE.has(name)) throw invalid(creating ? `Attributes Reason: Unknown attribute: ${name}` : "AttributeName");
  if (FIFO_ONLY.has(name) && !fifo) throw invalid(`Attributes Reason: ${name} can only be set for FIFO topics`);
  switch (name) {
    case "DeliveryPolicy":
      return checkTopicDeliveryPolicy(value);
    case "Policy":
      checkJson(name, value);
      try {
        parsePolicy(value, "resource");
      } catch (err) {
        if (err instanceof MalformedPolicy) throw invalid(`Policy Error: ${err.message}`);
        throw err;
      }
      return;
    case "ArchivePolicy":
    case "DataProtectionPolicy":
      return checkJson(name, value);
    case "SignatureVersion":
      if (value !== "1" && value !== "2") throw invalid("SignatureVersion");
      return;
    case "TracingConfig":
      if (value !== "PassThrough" && value !== "Active") throw invalid("TracingConfig");
      return;
    case "ContentBasedDeduplication":
      if (!isBoolean(value)) throw invalid("ContentBasedDeduplication");
      return;
    case "FifoThroughputScope":
      if (value !== "Topic" && value !== "MessageGroup") throw invalid("FifoThroughputScope");
      return;
    case "DisplayName":
      if (value.length > 100) throw invalid("DisplayName");
  }
}

/** The access policy AWS gives a new topic: the owner account may do everything. */
export function defaultPolicy(acct: Account, arn: string): string {
  return JSON.stringify({
    Version: "2008-10-17",
    Id: "__default_policy_ID",
    Statement: [
      {
        Sid: "__default_statement_ID",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
        Resource: arn,
        Condition: { StringEquals: { "AWS:SourceOwner": acct.accountId } },
      },
    ],
  });
}

export function topicAttributes(acct: Account, t: TopicRecord, subscriptions: SubscriptionRecord[]): Record<string, string> {
  const out: Record<string, string> = {
    Policy: defaultPolicy(acct, t.arn),
    Owner: acct.accountId,
    SubscriptionsPending: String(subscriptions.filter((s) => s.pending).length),
    TopicArn: t.arn,
    EffectiveDeliveryPolicy: effectiveTopicDeliveryPolicy(t.attributes.DeliveryPolicy),
    SubscriptionsConfirmed: String(subscriptions.filter((s) => !s.pending).length),
    DisplayName: "",
    SubscriptionsDeleted: String(t.deletedSubscriptions),
  };
  if (t.fifo) Object.assign(out, { FifoTopic: "true", ContentBasedDeduplication: "false" });
  return { ...out, ...t.attributes };
}

/** The filter a subscription's attributes define, or undefined when it has none. */
export function subscriptionFilter(attributes: Record<string, string>) {
  if (!attributes.FilterPolicy) return undefined;
  return parseFilterPolicy(attributes.FilterPolicy, (attributes.FilterPolicyScope as FilterScope | undefined) ?? "MessageAttributes");
}

/**
 * Check attributes a Subscribe or SetSubscriptionAttributes sets, as a whole (a FilterPolicyScope
 * is judged with the FilterPolicy it applies to). Subscribe's messages carry `Attributes Reason:`.
 */
export function checkSubscriptionAttributes(attributes: Record<string, string>, sub: Pick<SubscriptionRecord, "protocol" | "topicArn">, subscribing: boolean): Record<string, string> {
  const reason = (text: string) => invalid(subscribing ? `Attributes Reason: ${text}` : text);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (!SUBSCRIPTION_SETTABLE.has(name)) throw subscribing ? reason(`Unknown attribute: ${name}`) : invalid("AttributeName");
    switch (name) {
      case "RawMessageDelivery":
        if (!RAW_PROTOCOLS.has(sub.protocol)) throw reason(`Delivery protocol [${sub.protocol}] does not support raw message delivery.`);
        if (!isBoolean(value)) throw reason(`RawMessageDelivery: Invalid value [${value}]. Must be true or false.`);
        out[name] = value.toLowerCase();
        continue;
      case "FilterPolicyScope":
        if (value !== "MessageAttributes" && value !== "MessageBody") {
          throw reason(`FilterPolicyScope: Invalid value [${value}]. Please use either MessageBody or MessageAttributes`);
        }
        break;
      case "DeliveryPolicy":
        if (sub.protocol !== "http" && sub.protocol !== "https") throw reason(`DeliveryPolicy: Delivery protocol [${sub.protocol}] does not support delivery policies.`);
        checkSubscriptionDeliveryPolicy(value);
        break;
      case "RedrivePolicy": {
        checkJson(name, value);
        const target = (JSON.parse(value) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
        if (typeof target !== "string" || !/^arn:aws[a-zA-Z-]*:sqs:[^:]+:\d{12}:[^:]+$/.test(target)) throw reason("RedrivePolicy: deadLetterTargetArn is an invalid arn");
        if (sub.topicArn.endsWith(".fifo") && !target.endsWith(".fifo")) throw reason("RedrivePolicy: must use a FIFO queue as DLQ for a FIFO topic");
        break;
      }
    }
    out[name] = value;
  }
  return out;
}

/** Check the filter policy the merged attributes define; refuses with AWS's reason. */
export function checkFilter(attributes: Record<string, string>, subscribing: boolean): void {
  try {
    subscriptionFilter(attributes);
  } catch (err) {
    if (err instanceof FilterPolicyError) throw invalid(subscribing ? `Attributes Reason: ${err.message}` : err.message);
    throw err;
  }
}

export function subscriptionAttributes(acct: Account, s: SubscriptionRecord, topic: TopicRecord | undefined): Record<string, string> {
  const out: Record<string, string> = {
    ConfirmationWasAuthenticated: String(s.confirmationWasAuthenticated),
    Endpoint: s.endpoint,
    Owner: acct.accountId,
    PendingConfirmation: String(s.pending),
    Protocol: s.protocol,
    RawMessageDelivery: "false",
    SubscriptionArn: s.arn,
    TopicArn: s.topicArn,
  };
  if (s.protocol === "http" || s.protocol === "https") out.EffectiveDeliveryPolicy = effectiveSubscriptionPolicy(topic, s);
  if (s.attributes.FilterPolicy) out.FilterPolicyScope = "MessageAttributes";
  return { ...out, ...s.attributes };
}

function effectiveSubscriptionPolicy(topic: TopicRecord | undefined, s: SubscriptionRecord): string {
  const { retry, contentType } = httpDeliveryPolicy(topic?.attributes.DeliveryPolicy, s.attributes.DeliveryPolicy);
  return JSON.stringify({ healthyRetryPolicy: retry, requestPolicy: { headerContentType: contentType } });
}
