/**
 * Publish's message attributes: AWS's validation (`ParameterValueInvalid`), their size, and the
 * forms they take on the way out: `{Type, Value}` in an SNS envelope or a Lambda event (binary
 * values base64), SQS message attributes on raw delivery.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html
 */
import { awsError } from "../../errors.js";
import type { MessageAttributes as SqsMessageAttributes } from "../sqs/model.js";
import type { MessageAttributes, StoredMessage } from "./model.js";

const NAME_CHAR = /[A-Za-z0-9_.-]/;
const DATA_TYPE = /^(String|Number|Binary)(\.[^\s]{1,250})?$/;

const invalid = (message: string) => awsError("ParameterValueInvalid", message);

function checkName(name: string): void {
  if (Buffer.byteLength(name) > 256) throw invalid("Length of message attribute name must be less than 256 bytes.");
  if (name.startsWith(".")) throw invalid("Invalid message attribute name starting with character '.' was found.");
  if (name.endsWith(".")) throw invalid("Invalid message attribute name ending with character '.' was found.");
  for (const ch of name) {
    if (!NAME_CHAR.test(ch)) {
      throw invalid(
        `Invalid non-alphanumeric character '#x${ch.codePointAt(0)!.toString(16).toUpperCase()}' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.`,
      );
    }
  }
  if (name.includes("..")) throw invalid("Message attribute name can not have successive '.' character.");
  if (/^(aws|amazon)\./i.test(name)) throw invalid(`The message attribute name '${name}' is reserved.`);
}

export function validateMessageAttributes(attributes: MessageAttributes): void {
  for (const [name, v] of Object.entries(attributes)) {
    checkName(name);
    const type = v.DataType;
    if (!type) throw invalid(`The message attribute '${name}' must contain non-empty message attribute value.`);
    if (!DATA_TYPE.test(type)) {
      throw invalid(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    }
    const field = type.startsWith("Binary") ? "Binary" : "String";
    const value = field === "Binary" ? v.BinaryValue : v.StringValue;
    if (value === undefined) throw invalid(`The message attribute '${name}' with type '${type}' must use field '${field}'.`);
    if (value.length === 0) throw invalid(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
    if (type.startsWith("Number") && !type.endsWith(".Array") && !Number.isFinite(Number(v.StringValue))) {
      throw invalid(`Could not cast message attribute '${name}' value to number.`);
    }
    if (type.endsWith(".Array") && field === "String" && !isArray(v.StringValue!)) {
      throw invalid(`The message attribute '${name}' with type '${type}' must use a JSON array as its value.`);
    }
  }
}

function isArray(text: string): boolean {
  try {
    return Array.isArray(JSON.parse(text));
  } catch {
    return false;
  }
}

/** Bytes the attributes add to a message: name, type and value of each. */
export function attributesSize(attributes: MessageAttributes): number {
  let size = 0;
  for (const [name, v] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(v.DataType) + (v.BinaryValue ? v.BinaryValue.length : Buffer.byteLength(v.StringValue ?? ""));
  }
  return size;
}

/** As stored with a message: binary values base64. */
export function storedAttributes(attributes: MessageAttributes): StoredMessage["attributes"] {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, v]) => [
      name,
      v.BinaryValue ? { DataType: v.DataType, BinaryValue: Buffer.from(v.BinaryValue).toString("base64") } : { DataType: v.DataType, StringValue: v.StringValue! },
    ]),
  );
}

/** `{name: {Type, Value}}`, as the SNS envelope and the Lambda event carry them. */
export function envelopeAttributes(attributes: StoredMessage["attributes"]): Record<string, { Type: string; Value: string }> {
  return Object.fromEntries(Object.entries(attributes).map(([name, v]) => [name, { Type: v.DataType, Value: v.BinaryValue ?? v.StringValue ?? "" }]));
}

/** SQS message attributes for raw delivery. */
export function sqsAttributes(attributes: StoredMessage["attributes"]): SqsMessageAttributes {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, v]) => [
      name,
      v.BinaryValue !== undefined ? { DataType: v.DataType, BinaryValue: Buffer.from(v.BinaryValue, "base64") } : { DataType: v.DataType, StringValue: v.StringValue! },
    ]),
  );
}
