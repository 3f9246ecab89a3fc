/**
 * Base64, for what the APIs give or take as bytes: Kinesis record data, DynamoDB binary values,
 * SQS and SNS binary message attributes, Lambda's LogResult.
 */

/** Bytes as base64 (in chunks, so a large record does not overflow the call stack). */
export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Base64 (whitespace ignored) as bytes; throws the browser's error when the text is not base64. */
export function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text.replace(/\s+/g, "")), (c) => c.charCodeAt(0));
}

const utf8 = new TextDecoder();

/** Base64 of UTF-8 text (Lambda's LogResult) as the text. */
export function textFromBase64(text: string): string {
  return utf8.decode(fromBase64(text));
}
