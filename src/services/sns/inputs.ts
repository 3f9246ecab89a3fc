/**
 * Typed commands of the SNS service, in AWS's member names, and their decoding from a request's
 * members (the query protocol's parameters, reshaped by api/sns). Type errors are caught here;
 * ranges and rules are the service's.
 */
import { awsError } from "../../errors.js";
import { members, optList, optString, optStringList, optStringMap } from "../sqs/inputs.js";
import type { MessageAttributes } from "./model.js";

export { optString, optStringList, optStringMap };

export interface Tag {
  Key: string;
  Value: string;
}

export interface CreateTopicInput {
  Name: string;
  Attributes?: Record<string, string>;
  Tags?: Tag[];
}

export interface SubscribeInput {
  TopicArn: string;
  Protocol: string;
  Endpoint?: string;
  Attributes?: Record<string, string>;
  ReturnSubscriptionArn?: boolean;
}

/** One message: Publish's members, and each PublishBatch entry's. */
export interface MessageInput {
  Message: string;
  Subject?: string;
  MessageStructure?: string;
  MessageAttributes?: MessageAttributes;
  MessageDeduplicationId?: string;
  MessageGroupId?: string;
}

export interface PublishInput extends MessageInput {
  TopicArn?: string;
  TargetArn?: string;
  PhoneNumber?: string;
}

export type PublishBatchEntry = MessageInput & { Id: string };

export interface PublishResult {
  MessageId: string;
  SequenceNumber?: string;
}

type Members = Record<string, unknown>;

/** A required member, with SNS's message when it is missing. */
export function required(m: Members, name: string): string {
  const v = optString(m, name);
  if (v === undefined) throw awsError("InvalidParameterException", `Invalid parameter: ${name} Reason: no value for required parameter`);
  return v;
}

export function optBoolean(m: Members, name: string): boolean | undefined {
  const v = m[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "false") return v === "true";
  throw awsError("InvalidParameterException", `Invalid parameter: ${name}`);
}

/** Tags: SNS takes a missing Value as empty. */
export function optTags(m: Members, name = "Tags"): Tag[] | undefined {
  return optList(m, name, (tag) => ({ Key: required(tag, "Key"), Value: optString(tag, "Value") ?? "" }));
}

function optAttributes(m: Members): MessageAttributes | undefined {
  const v = m.MessageAttributes;
  if (v === undefined || v === null) return undefined;
  const entries = Object.entries(members(v, "MessageAttributes")).map(([name, raw]) => {
    const value = members(raw, `MessageAttributes.${name}`);
    const StringValue = optString(value, "StringValue");
    const binary = optString(value, "BinaryValue");
    return [name, { DataType: optString(value, "DataType") ?? "", ...(StringValue !== undefined ? { StringValue } : {}), ...(binary !== undefined ? { BinaryValue: Buffer.from(binary, "base64") } : {}) }] as const;
  });
  // fromEntries defines own properties, so an attribute named `__proto__` stays an attribute.
  return Object.fromEntries(entries);
}

export function decodeMessage(m: Members): MessageInput {
  const input: MessageInput = { Message: optString(m, "Message") ?? "" };
  for (const name of ["Subject", "MessageStructure", "MessageDeduplicationId", "MessageGroupId"] as const) {
    const v = optString(m, name);
    if (v !== undefined) input[name] = v;
  }
  const attributes = optAttributes(m);
  if (attributes) input.MessageAttributes = attributes;
  return input;
}

export function decodePublish(m: Members): PublishInput {
  const input: PublishInput = decodeMessage(m);
  for (const name of ["TopicArn", "TargetArn", "PhoneNumber"] as const) {
    const v = optString(m, name);
    if (v !== undefined) input[name] = v;
  }
  return input;
}

export function decodeBatchEntries(m: Members): PublishBatchEntry[] {
  const v = m.PublishBatchRequestEntries;
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw awsError("SerializationException", "Value for PublishBatchRequestEntries must be a list.");
  return v.map((raw) => {
    const entry = members(raw, "PublishBatchRequestEntries member");
    return { ...decodeMessage(entry), Id: optString(entry, "Id") ?? "" };
  });
}
