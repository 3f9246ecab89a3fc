/**
 * Message bodies and message attributes: AWS's validation rules and the MD5 digests SQS returns
 * (`MD5OfMessageBody`, `MD5OfMessageAttributes`, `MD5OfMessageSystemAttributes`), which SDKs compare
 * with their own.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html
 */
import { createHash } from "node:crypto";
import { awsError } from "../../errors.js";
import type { MessageAttributes, MessageAttributeValue } from "./model.js";

/** The characters a body or string attribute may hold (XML 1.0's): #x9 #xA #xD #x20–#xD7FF #xE000–#xFFFD #x10000–#x10FFFF. */
const INVALID_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const DATA_TYPE = /^(String|Number|Binary)(\.[^\s]{1,250})?$/;
export const MAX_MESSAGE_ATTRIBUTES = 10;

export function md5Hex(data: string | Uint8Array): string {
  return createHash("md5").update(data).digest("hex");
}

/** The first character SQS would refuse, as AWS names it (`#x0`), or undefined. */
export function invalidCharacter(text: string): string | undefined {
  const m = INVALID_CHAR.exec(text);
  return m ? `#x${m[0].codePointAt(0)!.toString(16).toUpperCase()}` : undefined;
}

export function validateBody(body: string): void {
  const bad = invalidCharacter(body);
  if (bad) {
    throw awsError(
      "InvalidMessageContents",
      `Invalid binary character '${bad}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
    );
  }
}

const baseType = (dataType: string) => dataType.slice(0, dataType.indexOf(".") < 0 ? undefined : dataType.indexOf("."));

/** Check names, data types and values of message attributes (custom ones, or system ones with `system`). */
export function validateMessageAttributes(attributes: MessageAttributes, system = false): void {
  const names = Object.keys(attributes);
  const kind = system ? "system attribute" : "(user) attribute";
  if (!system && names.length > MAX_MESSAGE_ATTRIBUTES) {
    throw awsError("InvalidParameterValue", `Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`);
  }
  for (const name of names) {
    const value = attributes[name]!;
    if (system && name !== "AWSTraceHeader") {
      throw awsError("InvalidParameterValue", `Message system attribute name '${name}' is invalid.`);
    }
    if (!system && (!ATTRIBUTE_NAME.test(name) || /^(aws\.|amazon\.)/i.test(name) || name.startsWith(".") || name.endsWith(".") || name.includes(".."))) {
      throw awsError("InvalidParameterValue", `Message (user) attribute name '${name}' is invalid.`);
    }
    if (typeof value.DataType !== "string" || value.DataType === "") {
      throw awsError("InvalidParameterValue", `The message ${kind} '${name}' must contain a non-empty attribute type.`);
    }
    if (!DATA_TYPE.test(value.DataType) || (system && value.DataType !== "String")) {
      throw awsError("InvalidParameterValue", `The type of message ${kind} '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
    }
    const type = baseType(value.DataType);
    if (type === "Binary") {
      if (value.BinaryValue === undefined || value.BinaryValue.length === 0 || value.StringValue !== undefined) {
        throw awsError("InvalidParameterValue", `The message ${kind} '${name}' with type 'Binary' must use field 'Binary'.`);
      }
      continue;
    }
    if (value.StringValue === undefined || value.StringValue === "" || value.BinaryValue !== undefined) {
      throw awsError("InvalidParameterValue", `The message ${kind} '${name}' with type '${type}' must use field 'String'.`);
    }
    const bad = invalidCharacter(value.StringValue);
    if (bad) throw awsError("InvalidParameterValue", `Message ${kind} '${name}' contains invalid character '${bad}'.`);
    if (type === "Number" && !validNumber(value.StringValue)) {
      throw awsError("InvalidParameterValue", `Can't cast the value of message ${kind} '${name}' to a number.`);
    }
  }
}

/**
 * AWS Number attributes: up to 38 significant digits, from -10^128 to 10^126. Judged in one pass over
 * the text: `\d+\.?\d*` and `0+$` backtrack quadratically (a value of 256 KB of digits took minutes).
 */
function validNumber(text: string): boolean {
  const t = text.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) return false;
  const n = Number(t);
  return significantDigits(t) <= 38 && Number.isFinite(n) && n >= -1e128 && n <= 1e126;
}

/** The digits of a number's mantissa from its first non-zero digit to its last. */
function significantDigits(number: string): number {
  const e = number.search(/[eE]/);
  const digits = (e < 0 ? number : number.slice(0, e)).replace(/\D/g, "");
  let first = 0;
  let last = digits.length;
  while (first < last && digits[first] === "0") first++;
  while (last > first && digits[last - 1] === "0") last--;
  return last - first;
}

/** Bytes the attributes add to a message's size: name, type and value of each. */
export function attributesSize(attributes: MessageAttributes): number {
  let size = 0;
  for (const [name, v] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(v.DataType);
    size += v.BinaryValue ? v.BinaryValue.length : Buffer.byteLength(v.StringValue ?? "");
  }
  return size;
}

/**
 * MD5 of message attributes, AWS's algorithm: for each attribute sorted by name, the name, the data
 * type, one transport byte (1 String/Number, 2 Binary) and the value, each variable-length part
 * preceded by its length as a 4-byte big-endian integer.
 */
export function md5OfAttributes(attributes: MessageAttributes): string | undefined {
  const names = Object.keys(attributes).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (names.length === 0) return undefined;
  const hash = createHash("md5");
  const part = (bytes: Uint8Array) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    hash.update(len).update(bytes);
  };
  for (const name of names) {
    const v: MessageAttributeValue = attributes[name]!;
    part(Buffer.from(name, "utf8"));
    part(Buffer.from(v.DataType, "utf8"));
    if (baseType(v.DataType) === "Binary") {
      hash.update(Buffer.from([2]));
      part(v.BinaryValue ?? new Uint8Array());
    } else {
      hash.update(Buffer.from([1]));
      part(Buffer.from(v.StringValue ?? "", "utf8"));
    }
  }
  return hash.digest("hex");
}

/**
 * The subset of attributes a receive asked for: `All` or `.*` for every one, `prefix.*` for a
 * prefix, otherwise exact names.
 */
export function selectAttributes(attributes: MessageAttributes, requested: string[] | undefined): MessageAttributes {
  if (!requested || requested.length === 0) return {};
  if (requested.includes("All") || requested.includes(".*")) return attributes;
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => requested.some((r) => (r.endsWith(".*") ? name.startsWith(r.slice(0, -1)) : r === name))));
}
