/**
 * Stream tags: at most 50 per stream; keys 1..128 characters, values up to 256, of Unicode letters,
 * digits, white space and `_ . / = + - @` (AWS refuses `%`, though its first message lists it).
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_AddTagsToStream.html
 */
import { awsError } from "../../errors.js";

export const MAX_TAGS = 50;

const ALLOWED = /^[\p{L}\p{N}\s_.:/=+\-@]*$/u;

/** Refuse tags `adding` to a stream that has `existing`, as AWS words it. */
export function checkTags(stream: string, accountId: string, existing: Record<string, string>, adding: Record<string, string>): void {
  for (const [key, value] of Object.entries(adding)) {
    if (key.length < 1 || key.length > 128 || value.length > 256) {
      throw awsError("InvalidArgumentException", `Failed to add tags to stream ${stream} under account ${accountId} because a tag key must be 1 to 128 characters and a tag value at most 256.`);
    }
    if (!ALLOWED.test(key) || !ALLOWED.test(value)) {
      throw awsError("InvalidArgumentException", "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @.");
    }
  }
  if (new Set([...Object.keys(existing), ...Object.keys(adding)]).size > MAX_TAGS) {
    throw awsError("InvalidArgumentException", `Failed to add tags to stream ${stream} under account ${accountId} because a given stream cannot have more than ${MAX_TAGS} tags associated with it.`);
  }
}

/** ListTagsForStream's page: tags by key after `exclusiveStart`, at most `limit`. */
export function tagPage(tags: Record<string, string>, exclusiveStart: string | undefined, limit: number) {
  const keys = Object.keys(tags)
    .sort()
    .filter((k) => exclusiveStart === undefined || k > exclusiveStart);
  return { Tags: keys.slice(0, limit).map((Key) => ({ Key, Value: tags[Key]! })), HasMoreTags: keys.length > limit };
}
