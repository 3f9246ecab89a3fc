/**
 * CloudWatch Logs requests decoded from their JSON members into typed inputs, checked against the
 * logs-2014-03-28 model's constraints. Logs words a failed constraint as every AWS Java service does
 * ("1 validation error detected: Value … at 'logGroupName' failed to satisfy constraint: …") but
 * sends it as InvalidParameterException, not ValidationException.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/CommonErrors.html
 */
import { AwsError, awsError } from "../../errors.js";
import { Checks } from "../kinesis/checks.js";

type Members = Record<string, unknown>;

const GROUP_NAME = { min: 1, max: 512, pattern: "[\\.\\-_/#A-Za-z0-9]+" };
const GROUP_IDENTIFIER = { min: 1, max: 2048, pattern: "[\\w#+=/:,.@-]*" };
const STREAM_NAME = { min: 1, max: 512, pattern: "[^:*]*" };
const RESOURCE_ARN = { min: 1, max: 1011, pattern: "[\\w+=/:,.@-]*" };
const TOKEN = { min: 1 };
const FILTER_PATTERN = { min: 0, max: 1024 };
export const LOG_GROUP_CLASSES = ["STANDARD", "INFREQUENT_ACCESS", "DELIVERY"] as const;
/** The retention periods PutRetentionPolicy accepts, in days. */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** Run the checks `read` makes on `m`, and throw the collected constraint failures as Logs does. */
function decode<T>(m: Members, read: (c: Checks) => T): T {
  const c = new Checks(m);
  try {
    const out = read(c);
    c.done();
    return out;
  } catch (err) {
    if (err instanceof AwsError && err.code === "ValidationException") throw awsError("InvalidParameterException", err.message);
    throw err;
  }
}

function bool(m: Members, name: string): boolean | undefined {
  const v = m[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw awsError("SerializationException", `Unexpected value type for '${name}': expected a boolean.`);
  return v;
}

function strings(c: Checks, name: string, b: { required?: boolean; min?: number; max?: number }): string[] | undefined {
  const list = c.list(name, b);
  if (list && !list.every((x) => typeof x === "string")) throw awsError("SerializationException", `Unexpected value type in '${name}': expected strings.`);
  return list as string[] | undefined;
}

/** Tags: up to 50, keys of 1–128 and values of up to 256 characters. */
function tags(c: Checks, name: string, required: boolean): Record<string, string> | undefined {
  const map = c.map(name, { required, min: 1, max: 50 });
  if (!map) return undefined;
  for (const [k, v] of Object.entries(map)) {
    if (typeof v !== "string") throw awsError("SerializationException", `Unexpected value type for tag '${k}': expected a string.`);
    const tag = new Checks({ key: k, value: v }, `${name.toLowerCase()}.`);
    tag.string("key", { min: 1, max: 128 });
    tag.string("value", { max: 256 });
    c.absorb(tag);
  }
  return map as Record<string, string>;
}

/** Operations that name a group by `logGroupName` or `logGroupIdentifier`. */
const groupRef = (c: Checks) => ({ logGroupName: c.string("logGroupName", GROUP_NAME), logGroupIdentifier: c.string("logGroupIdentifier", GROUP_IDENTIFIER) });

export const decodeGroupName = (m: Members) => decode(m, (c) => ({ logGroupName: c.string("logGroupName", { required: true, ...GROUP_NAME })! }));

export const decodeCreateLogGroup = (m: Members) =>
  decode(m, (c) => ({
    logGroupName: c.string("logGroupName", { required: true, ...GROUP_NAME })!,
    kmsKeyId: c.string("kmsKeyId", { max: 256 }),
    tags: tags(c, "tags", false),
    logGroupClass: c.string("logGroupClass", { oneOf: LOG_GROUP_CLASSES }),
  }));
export type CreateLogGroupInput = ReturnType<typeof decodeCreateLogGroup>;

export const decodeDescribeLogGroups = (m: Members) =>
  decode(m, (c) => ({
    logGroupNamePrefix: c.string("logGroupNamePrefix", GROUP_NAME),
    logGroupNamePattern: c.string("logGroupNamePattern", { min: 0, max: 512, pattern: "[\\.\\-_/#A-Za-z0-9]*" }),
    logGroupIdentifiers: strings(c, "logGroupIdentifiers", { min: 1, max: 50 }),
    logGroupClass: c.string("logGroupClass", { oneOf: LOG_GROUP_CLASSES }),
    nextToken: c.string("nextToken", TOKEN),
    limit: c.int("limit", { min: 1, max: 50 }),
  }));
export type DescribeLogGroupsInput = ReturnType<typeof decodeDescribeLogGroups>;

export const decodeStreamName = (m: Members) =>
  decode(m, (c) => ({ logGroupName: c.string("logGroupName", { required: true, ...GROUP_NAME })!, logStreamName: c.string("logStreamName", { required: true, ...STREAM_NAME })! }));

export const decodeDescribeLogStreams = (m: Members) =>
  decode(m, (c) => ({
    ...groupRef(c),
    logStreamNamePrefix: c.string("logStreamNamePrefix", STREAM_NAME),
    orderBy: c.string("orderBy", { oneOf: ["LogStreamName", "LastEventTime"] }) as "LogStreamName" | "LastEventTime" | undefined,
    descending: bool(m, "descending"),
    nextToken: c.string("nextToken", TOKEN),
    limit: c.int("limit", { min: 1, max: 50 }),
  }));
export type DescribeLogStreamsInput = ReturnType<typeof decodeDescribeLogStreams>;

export interface InputLogEvent {
  timestamp: number;
  message: string;
}

export const decodePutLogEvents = (m: Members) =>
  decode(m, (c) => {
    const list = c.list("logEvents", { required: true, min: 1, max: 10000, member: "com.amazonaws.logs.model.InputLogEvent" }) ?? [];
    const logEvents = list.map((entry, i): InputLogEvent => {
      if (typeof entry !== "object" || entry === null || Array.isArray(entry)) throw awsError("SerializationException", "Unexpected value type in 'logEvents': expected structures.");
      const e = new Checks(entry as Members, `logEvents.${i + 1}.member.`);
      const event = { timestamp: e.int("timestamp", { required: true, min: 0 }) ?? 0, message: e.string("message", { required: true, min: 1 }) ?? "" };
      c.absorb(e);
      return event;
    });
    return {
      logGroupName: c.string("logGroupName", { required: true, ...GROUP_NAME })!,
      logStreamName: c.string("logStreamName", { required: true, ...STREAM_NAME })!,
      sequenceToken: c.string("sequenceToken", TOKEN),
      logEvents,
    };
  });
export type PutLogEventsInput = ReturnType<typeof decodePutLogEvents>;

export const decodeGetLogEvents = (m: Members) =>
  decode(m, (c) => ({
    ...groupRef(c),
    logStreamName: c.string("logStreamName", { required: true, ...STREAM_NAME })!,
    startTime: c.int("startTime", { min: 0 }),
    endTime: c.int("endTime", { min: 0 }),
    nextToken: c.string("nextToken", TOKEN),
    limit: c.int("limit", { min: 1, max: 10000 }),
    startFromHead: bool(m, "startFromHead"),
  }));
export type GetLogEventsInput = ReturnType<typeof decodeGetLogEvents>;

export const decodeFilterLogEvents = (m: Members) =>
  decode(m, (c) => ({
    ...groupRef(c),
    logStreamNames: strings(c, "logStreamNames", { min: 1, max: 100 }),
    logStreamNamePrefix: c.string("logStreamNamePrefix", STREAM_NAME),
    startTime: c.int("startTime", { min: 0 }),
    endTime: c.int("endTime", { min: 0 }),
    filterPattern: c.string("filterPattern", FILTER_PATTERN),
    nextToken: c.string("nextToken", TOKEN),
    limit: c.int("limit", { min: 1, max: 10000 }),
  }));
export type FilterLogEventsInput = ReturnType<typeof decodeFilterLogEvents>;

export const decodePutRetentionPolicy = (m: Members) =>
  decode(m, (c) => {
    const logGroupName = c.string("logGroupName", { required: true, ...GROUP_NAME })!;
    const retentionInDays = c.int("retentionInDays", { required: true })!;
    // The model's Days has no enum; the service checks it and words it as one.
    if (retentionInDays !== undefined && !RETENTION_DAYS.includes(retentionInDays)) {
      const days = new Checks({ retentionInDays: String(retentionInDays) });
      days.string("retentionInDays", { oneOf: RETENTION_DAYS.map(String) });
      c.absorb(days);
    }
    return { logGroupName, retentionInDays };
  });

export const decodeTagLogGroup = (m: Members) => decode(m, (c) => ({ logGroupName: c.string("logGroupName", { required: true, ...GROUP_NAME })!, tags: tags(c, "tags", true) ?? {} }));
export const decodeUntagLogGroup = (m: Members) =>
  decode(m, (c) => ({ logGroupName: c.string("logGroupName", { required: true, ...GROUP_NAME })!, tags: strings(c, "tags", { required: true, min: 1 }) ?? [] }));

export const decodeResourceArn = (m: Members) => decode(m, (c) => ({ resourceArn: c.string("resourceArn", { required: true, ...RESOURCE_ARN })! }));
export const decodeTagResource = (m: Members) => decode(m, (c) => ({ resourceArn: c.string("resourceArn", { required: true, ...RESOURCE_ARN })!, tags: tags(c, "tags", true) ?? {} }));
export const decodeUntagResource = (m: Members) =>
  decode(m, (c) => ({ resourceArn: c.string("resourceArn", { required: true, ...RESOURCE_ARN })!, tagKeys: strings(c, "tagKeys", { required: true, min: 0, max: 50 }) ?? [] }));

export const decodeStartLiveTail = (m: Members) =>
  decode(m, (c) => ({
    logGroupIdentifiers: strings(c, "logGroupIdentifiers", { required: true, min: 1, max: 10 }) ?? [],
    logStreamNames: strings(c, "logStreamNames", { min: 1, max: 100 }),
    logStreamNamePrefixes: strings(c, "logStreamNamePrefixes", { min: 1, max: 100 }),
    logEventFilterPattern: c.string("logEventFilterPattern", FILTER_PATTERN),
  }));
export type StartLiveTailInput = ReturnType<typeof decodeStartLiveTail>;
