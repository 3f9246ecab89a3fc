/**
 * Tags on a table (TagResource, UntagResource, ListTagsOfResource, CreateTable's Tags): the ARN a
 * tagging request names and the rules AWS applies to the tags themselves.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Tagging.html
 */
import { validation } from "./dynamo-errors.js";
import type { Tag } from "./table-inputs.js";

export const MAX_TAGS = 50;

/** Tags as AWS takes them: no `aws:` prefix, no key twice. */
export function checkTags(tags: Tag[]): Tag[] {
  const seen = new Set<string>();
  for (const tag of tags) {
    if (tag.Key.toLowerCase().startsWith("aws:")) throw validation(`Tag Key cannot be prefixed with aws:, Key: ${tag.Key}`);
    if (seen.has(tag.Key)) throw validation(`Duplicate Tag Keys provided as input: Duplicate Tag Key found ${tag.Key}`);
    seen.add(tag.Key);
  }
  return tags;
}

/** A table's tags with `added` set over them (TagResource). */
export function withTags(current: Record<string, string>, added: Tag[]): Record<string, string> {
  if (added.length === 0) throw validation("Atleast one Tag needs to be provided as Input.");
  checkTags(added);
  const tags = { ...current };
  for (const tag of added) tags[tag.Key] = tag.Value;
  if (Object.keys(tags).length > MAX_TAGS) throw validation("Number of Tags exceed the current limit for the provided ResourceArn");
  return tags;
}

/** A tagging request's ResourceArn, checked before the table is looked up: `arnParts` is its table ARN match. */
export function checkTaggedArn(arn: string, arnParts: RegExpExecArray | null, account: { region: string; accountId: string }): void {
  if (!arn.startsWith("arn:")) throw validation(`One or more parameter values were invalid: ARNs must start with 'arn:': ${arn}`);
  if (!arnParts) throw validation(`One or more parameter values were invalid: Provided Arn is not a DynamoDB resource arn: ${arn}`);
  if (/\/index\//.test(arn)) throw validation(`One or more parameter values were invalid: Invalid resource arn provided, only table or stream is accepted. Provided resource arn: ${arn}`);
  if (arnParts[1] !== account.region || arnParts[2] !== account.accountId) throw validation(`Invalid TableArn: Invalid ResourceArn provided as input ${arn}`);
}
