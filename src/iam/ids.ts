/**
 * AWS's unique ids: a four-letter prefix naming the kind, then uppercase letters and digits, 21
 * characters in all; an access key id (long-term `AKIA`, temporary `ASIA`) has 20.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
 */
import { randomInt } from "node:crypto";

export const IdPrefix = { role: "AROA", user: "AIDA", policy: "ANPA", accessKey: "AKIA", temporaryKey: "ASIA" } as const;
const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function newId(prefix: (typeof IdPrefix)[keyof typeof IdPrefix]): string {
  const length = prefix === IdPrefix.accessKey || prefix === IdPrefix.temporaryKey ? 20 : 21;
  let id = prefix;
  while (id.length < length) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}
