/**
 * IAM's input constraints, refused with the ValidationError text AWS's request validation writes
 * ("1 validation error detected: Value 'x' at 'roleName' failed to satisfy constraint: …").
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
 */
import { awsError } from "../../errors.js";
import { MalformedPolicy, parsePolicy, type DocumentKind } from "../../iam/policy.js";
import type { Tag } from "./model.js";

export function invalid(value: unknown, member: string, constraint: string): never {
  throw awsError("ValidationException", `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${constraint}`);
}

/** Role, user and policy names: `[\w+=,.@-]+`, 1 to `max` characters. */
export function checkName(value: string, member: string, max = 64): string {
  if (value.length > max) invalid(value, member, `Member must have length less than or equal to ${max}`);
  if (!/^[\w+=,.@-]+$/.test(value)) invalid(value, member, "Member must satisfy regular expression pattern: [\\w+=,.@-]+");
  return value;
}

/** A path: `/`, or `/…/` of printable ASCII, at most 512 characters. */
export function checkPath(value: string | undefined, member = "path"): string {
  if (value === undefined) return "/";
  if (value.length > 512) invalid(value, member, "Member must have length less than or equal to 512");
  if (!/^(\/|\/[\u0021-\u007E]+\/)$/.test(value)) invalid(value, member, "Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)");
  return value;
}

export function checkPathPrefix(value: string | undefined): string {
  if (value === undefined) return "/";
  if (!/^\u002F[\u0021-\u007F]*$/.test(value) || value.length > 512) invalid(value, "pathPrefix", "Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*");
  return value;
}

export function checkDescription(value: string | undefined): string | undefined {
  if (value !== undefined && value.length > 1000) invalid(value, "description", "Member must have length less than or equal to 1000");
  return value;
}

export function checkRange(value: number | undefined, member: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (value < min) invalid(value, member, `Member must have value greater than or equal to ${min}`);
  if (value > max) invalid(value, member, `Member must have value less than or equal to ${max}`);
  return value;
}

/** At most 50 tags, keys 1–128 and values 0–256 characters, keys unique. */
export function checkTags(tags: Tag[] | undefined): Tag[] {
  if (!tags) return [];
  if (tags.length > 50) invalid("[…]", "tags", "Member must have length less than or equal to 50");
  tags.forEach((t, i) => {
    if (t.Key.length < 1 || t.Key.length > 128) invalid(t.Key, `tags.${i + 1}.member.key`, "Member must have length less than or equal to 128");
    if (t.Value.length > 256) invalid(t.Value, `tags.${i + 1}.member.value`, "Member must have length less than or equal to 256");
  });
  const keys = new Set(tags.map((t) => t.Key.toLowerCase()));
  if (keys.size !== tags.length) throw awsError("InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
  return tags;
}

/**
 * The size IAM counts against its quotas: white space outside strings does not count.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
export function policySize(document: string): number {
  return JSON.stringify(JSON.parse(document)).length;
}

/** Default quotas on document sizes. */
export const PolicySizeQuota = { trust: 2048, managed: 6144, roleInline: 10240, userInline: 2048 } as const;

/** A policy document: AWS's size and character limits, then the grammar of its kind (a trust policy has principals). */
export function checkDocument(document: string, member: string, kind: DocumentKind): string {
  if (document.length > 131072) invalid("[…]", member, "Member must have length less than or equal to 131072");
  if (!/^[\u0009\u000A\u000D\u0020-\u00FF]+$/.test(document)) invalid(document, member, "Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+");
  try {
    JSON.parse(document);
  } catch {
    throw awsError("MalformedPolicyDocument", "This policy contains invalid Json");
  }
  try {
    parsePolicy(document, kind);
  } catch (err) {
    if (err instanceof MalformedPolicy) throw awsError("MalformedPolicyDocument", err.message);
    throw err;
  }
  return document;
}
