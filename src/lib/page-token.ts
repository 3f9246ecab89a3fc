/**
 * An opaque page token (a list's NextToken): a small JSON value in base64url. Each service checks
 * the value's shape itself and answers its own error for a token that is not one of its own.
 */
export const encodePageToken = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A page token's JSON value; undefined when it is not base64url JSON. */
export function decodePageToken(token: string): unknown {
  try {
    return JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}
