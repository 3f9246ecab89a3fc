/**
 * Queue attributes: names, defaults, ranges and string forms, as CreateQueue, SetQueueAttributes and
 * GetQueueAttributes see them.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
 */
import { MalformedPolicy, parsePolicy } from "../../iam/policy.js";
import { awsError } from "../../errors.js";
import type { QueueRecord, QueueSettings, RedrivePolicy } from "./model.js";

export const DEFAULT_SETTINGS: QueueSettings = {
  delaySeconds: 0,
  maximumMessageSize: 262_144,
  messageRetentionPeriod: 345_600,
  receiveMessageWaitTimeSeconds: 0,
  visibilityTimeout: 30,
  kmsDataKeyReusePeriodSeconds: 300,
  sqsManagedSseEnabled: true,
  contentBasedDeduplication: false,
  deduplicationScope: "queue",
  fifoThroughputLimit: "perQueue",
};

/** Largest message (body plus attributes) and batch, in bytes. */
export const MAX_MESSAGE_SIZE = 262_144;
export const MAX_VISIBILITY_TIMEOUT = 43_200;
export const MAX_DELAY_SECONDS = 900;

const invalid = (name: string, reason?: string) =>
  awsError("InvalidAttributeValue", `Invalid value for the parameter ${name}.${reason ? ` Reason: ${reason}` : ""}`);
const unknown = (name: string) => awsError("InvalidAttributeName", `Unknown Attribute ${name}.`);

function int(name: string, raw: string, min: number, max: number): number {
  const n = /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(name);
  return n;
}

function bool(name: string, raw: string): boolean {
  if (raw === "true" || raw === "false") return raw === "true";
  throw invalid(name);
}

/** A queue policy is a resource policy: every statement names its principal (AWS refuses the attribute otherwise). */
function accessPolicy(raw: string): string {
  try {
    parsePolicy(raw, "resource");
  } catch (err) {
    if (err instanceof MalformedPolicy) throw invalid("Policy", err.message);
    throw err;
  }
  return raw;
}

function json(name: string, raw: string): Record<string, unknown> {
  try {
    const v = JSON.parse(raw) as unknown;
    if (typeof v === "object" && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw invalid(name, `${name} is not a valid JSON map.`);
}

export function parseRedrivePolicy(raw: string): RedrivePolicy {
  const v = json("RedrivePolicy", raw);
  const reason = (r: string) => awsError("InvalidParameterValue", `Value ${raw} for parameter RedrivePolicy is invalid. Reason: ${r}`);
  for (const key of Object.keys(v)) {
    if (key !== "deadLetterTargetArn" && key !== "maxReceiveCount") throw reason(`Only following attributes are supported: [deadLetterTargetArn, maxReceiveCount].`);
  }
  if (typeof v.deadLetterTargetArn !== "string") throw reason("Redrive policy does not contain mandatory attribute: deadLetterTargetArn.");
  if (v.maxReceiveCount === undefined) throw reason("Redrive policy does not contain mandatory attribute: maxReceiveCount.");
  const count = typeof v.maxReceiveCount === "string" && /^\d+$/.test(v.maxReceiveCount) ? Number(v.maxReceiveCount) : v.maxReceiveCount;
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > 1000) {
    throw reason(`Invalid value for maxReceiveCount: ${String(v.maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`);
  }
  return { deadLetterTargetArn: v.deadLetterTargetArn, maxReceiveCount: count };
}

function validateRedriveAllowPolicy(raw: string): void {
  const v = json("RedriveAllowPolicy", raw);
  const permission = v.redrivePermission;
  if (permission !== "allowAll" && permission !== "denyAll" && permission !== "byQueue") throw invalid("RedriveAllowPolicy", "Invalid value for redrivePermission.");
  const arns = v.sourceQueueArns;
  if (permission === "byQueue" && (!Array.isArray(arns) || arns.length < 1 || arns.length > 10 || arns.some((a) => typeof a !== "string"))) {
    throw invalid("RedriveAllowPolicy", "sourceQueueArns must list 1 to 10 queue ARNs when redrivePermission is byQueue.");
  }
}

/** Does a dead-letter queue's RedriveAllowPolicy let `sourceArn` use it? */
export function redriveAllowed(dlq: QueueRecord, sourceArn: string): boolean {
  if (!dlq.settings.redriveAllowPolicy) return true;
  const v = JSON.parse(dlq.settings.redriveAllowPolicy) as { redrivePermission: string; sourceQueueArns?: string[] };
  if (v.redrivePermission === "denyAll") return false;
  return v.redrivePermission === "allowAll" || (v.sourceQueueArns ?? []).includes(sourceArn);
}

const FIFO_ONLY = new Set(["ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"]);

/**
 * Apply `attributes` (AWS names, string values) to `settings`. `creating` allows FifoQueue; FIFO-only
 * attributes on a standard queue are unknown, as in AWS. An empty string clears an optional policy.
 */
export function applyAttributes(settings: QueueSettings, attributes: Record<string, string>, fifo: boolean, creating: boolean): QueueSettings {
  const s: QueueSettings = { ...settings };
  for (const [name, raw] of Object.entries(attributes)) {
    if (typeof raw !== "string") throw invalid(name);
    if (FIFO_ONLY.has(name) && !fifo) throw unknown(name);
    switch (name) {
      case "DelaySeconds":
        s.delaySeconds = int(name, raw, 0, MAX_DELAY_SECONDS);
        break;
      case "MaximumMessageSize":
        s.maximumMessageSize = int(name, raw, 1024, MAX_MESSAGE_SIZE);
        break;
      case "MessageRetentionPeriod":
        s.messageRetentionPeriod = int(name, raw, 60, 1_209_600);
        break;
      case "ReceiveMessageWaitTimeSeconds":
        s.receiveMessageWaitTimeSeconds = int(name, raw, 0, 20);
        break;
      case "VisibilityTimeout":
        s.visibilityTimeout = int(name, raw, 0, MAX_VISIBILITY_TIMEOUT);
        break;
      case "Policy":
        if (raw === "") delete s.policy;
        else s.policy = (json(name, raw), accessPolicy(raw));
        break;
      case "RedrivePolicy":
        if (raw === "") delete s.redrivePolicy;
        else s.redrivePolicy = parseRedrivePolicy(raw);
        break;
      case "RedriveAllowPolicy":
        if (raw === "") delete s.redriveAllowPolicy;
        else s.redriveAllowPolicy = (validateRedriveAllowPolicy(raw), raw);
        break;
      case "KmsMasterKeyId":
        if (raw === "") delete s.kmsMasterKeyId;
        else s.kmsMasterKeyId = raw;
        s.sqsManagedSseEnabled = raw === "" ? s.sqsManagedSseEnabled : false;
        break;
      case "KmsDataKeyReusePeriodSeconds":
        s.kmsDataKeyReusePeriodSeconds = int(name, raw, 60, 86_400);
        break;
      case "SqsManagedSseEnabled":
        s.sqsManagedSseEnabled = bool(name, raw);
        break;
      case "FifoQueue":
        if (!creating) throw invalid(name, "Modifying queue type is not supported.");
        if (bool(name, raw) !== fifo) throw fifo ? invalid(name) : unknown(name);
        break;
      case "ContentBasedDeduplication":
        s.contentBasedDeduplication = bool(name, raw);
        break;
      case "DeduplicationScope":
        if (raw !== "queue" && raw !== "messageGroup") throw invalid(name);
        s.deduplicationScope = raw;
        break;
      case "FifoThroughputLimit":
        if (raw !== "perQueue" && raw !== "perMessageGroupId") throw invalid(name);
        s.fifoThroughputLimit = raw;
        break;
      default:
        throw unknown(name);
    }
  }
  if (fifo && s.fifoThroughputLimit === "perMessageGroupId" && s.deduplicationScope !== "messageGroup") {
    throw invalid("FifoThroughputLimit", "The perMessageGroupId value is allowed only when the value for DeduplicationScope is messageGroup.");
  }
  return s;
}

/** Settings as AWS attribute strings (the ones that have a value for this queue). */
export function settingsAttributes(q: QueueRecord): Record<string, string> {
  const s = q.settings;
  const out: Record<string, string> = {
    VisibilityTimeout: String(s.visibilityTimeout),
    MaximumMessageSize: String(s.maximumMessageSize),
    MessageRetentionPeriod: String(s.messageRetentionPeriod),
    DelaySeconds: String(s.delaySeconds),
    ReceiveMessageWaitTimeSeconds: String(s.receiveMessageWaitTimeSeconds),
    SqsManagedSseEnabled: String(s.sqsManagedSseEnabled),
  };
  if (s.policy !== undefined) out.Policy = s.policy;
  if (s.redrivePolicy) out.RedrivePolicy = JSON.stringify(s.redrivePolicy);
  if (s.redriveAllowPolicy !== undefined) out.RedriveAllowPolicy = s.redriveAllowPolicy;
  if (s.kmsMasterKeyId !== undefined) {
    out.KmsMasterKeyId = s.kmsMasterKeyId;
    out.KmsDataKeyReusePeriodSeconds = String(s.kmsDataKeyReusePeriodSeconds);
  }
  if (q.fifo) {
    out.FifoQueue = "true";
    out.ContentBasedDeduplication = String(s.contentBasedDeduplication);
    out.DeduplicationScope = s.deduplicationScope;
    out.FifoThroughputLimit = s.fifoThroughputLimit;
  }
  return out;
}

/** Every name GetQueueAttributes accepts (QueueAttributeName in the model). */
export const QUEUE_ATTRIBUTE_NAMES = new Set([
  "All",
  "Policy",
  "VisibilityTimeout",
  "MaximumMessageSize",
  "MessageRetentionPeriod",
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "CreatedTimestamp",
  "LastModifiedTimestamp",
  "QueueArn",
  "ApproximateNumberOfMessagesDelayed",
  "DelaySeconds",
  "ReceiveMessageWaitTimeSeconds",
  "RedrivePolicy",
  "FifoQueue",
  "ContentBasedDeduplication",
  "KmsMasterKeyId",
  "KmsDataKeyReusePeriodSeconds",
  "DeduplicationScope",
  "FifoThroughputLimit",
  "RedriveAllowPolicy",
  "SqsManagedSseEnabled",
]);

export function checkAttributeNames(names: string[]): void {
  for (const n of names) if (!QUEUE_ATTRIBUTE_NAMES.has(n)) throw unknown(n);
}

/**
 * CreateQueue on an existing name succeeds only when every attribute given matches the queue's
 * current value; returns the first that differs.
 */
export function differingAttribute(q: QueueRecord, requested: QueueSettings, given: string[]): string | undefined {
  const now = settingsAttributes(q);
  const wanted = settingsAttributes({ ...q, settings: requested });
  return given.find((name) => name !== "FifoQueue" && now[name] !== wanted[name]);
}
