/**
 * Typed commands and results of the SQS service, in AWS's member names, and their decoding from a
 * request's members (the JSON protocol's body, or the query protocol's parameters reshaped to the
 * same form by api/sqs). Type errors are caught here; ranges and rules are the service's.
 */
import { awsError } from "../../errors.js";
import type { MessageAttributes, MessageAttributeValue } from "./model.js";

export interface CreateQueueInput {
  QueueName: string;
  Attributes?: Record<string, string>;
  tags?: Record<string, string>;
}

export interface ListQueuesInput {
  QueueNamePrefix?: string;
  MaxResults?: number;
  NextToken?: string;
}

export interface SendMessageInput {
  MessageBody: string;
  DelaySeconds?: number;
  MessageAttributes?: MessageAttributes;
  /** Only `AWSTraceHeader`. */
  MessageSystemAttributes?: MessageAttributes;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
}

export interface SendMessageResult {
  MessageId: string;
  MD5OfMessageBody: string;
  MD5OfMessageAttributes?: string;
  MD5OfMessageSystemAttributes?: string;
  SequenceNumber?: string;
}

export interface ReceiveMessageInput {
  MaxNumberOfMessages?: number;
  VisibilityTimeout?: number;
  WaitTimeSeconds?: number;
  /** System attributes to return (the older `AttributeNames` and newer `MessageSystemAttributeNames` together). */
  MessageSystemAttributeNames?: string[];
  MessageAttributeNames?: string[];
  ReceiveRequestAttemptId?: string;
}

export interface ReceivedMessage {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes?: Record<string, string>;
  MD5OfMessageAttributes?: string;
  MessageAttributes?: MessageAttributes;
}

export type BatchEntry<T> = T & { Id: string };

export interface BatchResultErrorEntry {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}

export interface BatchResult<T> {
  Successful: BatchEntry<T>[];
  Failed: BatchResultErrorEntry[];
}

export interface ChangeVisibilityEntry {
  ReceiptHandle: string;
  VisibilityTimeout: number;
}

type Members = Record<string, unknown>;

const serialization = (message: string) => awsError("SerializationException", message);

export function members(value: unknown, where = "request"): Members {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw serialization(`The ${where} must be a structure.`);
  return value as Members;
}

export function optString(m: Members, name: string): string | undefined {
  const v = m[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw serialization(`Value for ${name} must be a string.`);
  return v;
}

export function reqString(m: Members, name: string): string {
  const v = optString(m, name);
  if (v === undefined) throw awsError("MissingParameter", `The request must contain the parameter ${name}.`);
  return v;
}

export function optInt(m: Members, name: string): number | undefined {
  const v = m[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) throw awsError("InvalidParameterValue", `Value ${String(v)} for parameter ${name} is invalid. Reason: must be an integer.`);
  return v;
}

export function optStringList(m: Members, name: string): string[] | undefined {
  const v = m[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw serialization(`Value for ${name} must be a list of strings.`);
  return v as string[];
}

/** A list of structures (`Tags`' {Key, Value} members), each read by `read`. */
export function optList<T>(m: Members, name: string, read: (item: Members) => T): T[] | undefined {
  const v = m[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw serialization(`Value for ${name} must be a list.`);
  return v.map((raw) => read(members(raw, `${name} member`)));
}

export function optStringMap(m: Members, name: string): Record<string, string> | undefined {
  const v = m[name];
  if (v === undefined || v === null) return undefined;
  const map = members(v, name);
  for (const [k, x] of Object.entries(map)) if (typeof x !== "string") throw serialization(`Value for ${name}.${k} must be a string.`);
  return map as Record<string, string>;
}

/** MessageAttributes / MessageSystemAttributes: binary values arrive base64-encoded. */
function optAttributes(m: Members, name: string): MessageAttributes | undefined {
  const v = m[name];
  if (v === undefined || v === null) return undefined;
  const entries = Object.entries(members(v, name)).map(([attr, raw]) => {
    const value = members(raw, `${name}.${attr}`);
    const decoded: MessageAttributeValue = { DataType: optString(value, "DataType") ?? "" };
    const StringValue = optString(value, "StringValue");
    if (StringValue !== undefined) decoded.StringValue = StringValue;
    const binary = optString(value, "BinaryValue");
    if (binary !== undefined) decoded.BinaryValue = Buffer.from(binary, "base64");
    return [attr, decoded] as const;
  });
  // fromEntries defines own properties, so an attribute named `__proto__` stays an attribute.
  return Object.fromEntries(entries);
}

export function decodeSendMessage(m: Members): SendMessageInput {
  const input: SendMessageInput = { MessageBody: optString(m, "MessageBody") ?? "" };
  const delay = optInt(m, "DelaySeconds");
  if (delay !== undefined) input.DelaySeconds = delay;
  const attributes = optAttributes(m, "MessageAttributes");
  if (attributes) input.MessageAttributes = attributes;
  const system = optAttributes(m, "MessageSystemAttributes");
  if (system) input.MessageSystemAttributes = system;
  const group = optString(m, "MessageGroupId");
  if (group !== undefined) input.MessageGroupId = group;
  const dedup = optString(m, "MessageDeduplicationId");
  if (dedup !== undefined) input.MessageDeduplicationId = dedup;
  return input;
}

export function decodeReceiveMessage(m: Members): ReceiveMessageInput {
  const input: ReceiveMessageInput = {};
  const max = optInt(m, "MaxNumberOfMessages");
  if (max !== undefined) input.MaxNumberOfMessages = max;
  const vis = optInt(m, "VisibilityTimeout");
  if (vis !== undefined) input.VisibilityTimeout = vis;
  const wait = optInt(m, "WaitTimeSeconds");
  if (wait !== undefined) input.WaitTimeSeconds = wait;
  const system = [...(optStringList(m, "AttributeNames") ?? []), ...(optStringList(m, "MessageSystemAttributeNames") ?? [])];
  if (system.length) input.MessageSystemAttributeNames = system;
  const attrs = optStringList(m, "MessageAttributeNames");
  if (attrs) input.MessageAttributeNames = attrs;
  const attempt = optString(m, "ReceiveRequestAttemptId");
  if (attempt !== undefined) input.ReceiveRequestAttemptId = attempt;
  return input;
}

/** A batch's `Entries`, each decoded by `decode` with its `Id` kept. */
export function decodeEntries<T>(m: Members, decode: (entry: Members) => T): BatchEntry<T>[] {
  const v = m.Entries;
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw serialization("Value for Entries must be a list.");
  return v.map((raw) => {
    const entry = members(raw, "Entries member");
    return { ...decode(entry), Id: optString(entry, "Id") ?? "" };
  });
}

export function decodeChangeVisibility(m: Members): ChangeVisibilityEntry {
  const timeout = optInt(m, "VisibilityTimeout");
  if (timeout === undefined) throw awsError("MissingParameter", "The request must contain the parameter VisibilityTimeout.");
  return { ReceiptHandle: reqString(m, "ReceiptHandle"), VisibilityTimeout: timeout };
}
