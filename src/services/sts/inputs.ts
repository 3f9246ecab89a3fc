/**
 * STS's request members decoded into typed inputs, refused as AWS's request validation refuses them
 * (sts-2011-06-15's lengths and patterns, then what STS itself checks: the ARN, the session policy).
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */
import { awsError } from "../../errors.js";
import { MalformedPolicy, parsePolicy } from "../../iam/policy.js";
import { members } from "../sqs/inputs.js";
import { optInteger, optString, optTags, required } from "../iam/inputs.js";
import { checkRange, checkTags, invalid } from "../iam/validation.js";
import type { AssumeRoleInput } from "./service.js";

type Members = Record<string, unknown>;

function checkLength(value: string, member: string, min: number, max: number): string {
  if (value.length < min) invalid(value, member, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) invalid(value, member, `Member must have length less than or equal to ${max}`);
  return value;
}

function checkPattern(value: string, member: string, pattern: RegExp, shown: string): string {
  if (!pattern.test(value)) invalid(value, member, `Member must satisfy regular expression pattern: ${shown}`);
  return value;
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>` with partition, service and resource present. */
function checkArn(arn: string): string {
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn" || !parts[1] || !parts[2] || parts.slice(5).join(":") === "") throw awsError("ValidationException", `${arn} is invalid`);
  return arn;
}

const POLICY_TEXT = /^[\u0009\u000A\u000D\u0020-\u00FF]+$/;

/** A session policy: AWS's length and characters, then the grammar of an identity policy. */
function checkSessionPolicy(policy: string): string {
  checkLength(policy, "policy", 1, 2048);
  checkPattern(policy, "policy", POLICY_TEXT, "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+");
  try {
    parsePolicy(policy, "session");
  } catch (err) {
    if (err instanceof MalformedPolicy) throw awsError("MalformedPolicyDocument", err.message);
    throw err;
  }
  return policy;
}

function policyArns(m: Members): string[] | undefined {
  const v = m.PolicyArns;
  if (v === undefined || v === null || v === "") return undefined;
  if (!Array.isArray(v)) throw awsError("SerializationException", "Value for PolicyArns must be a list.");
  if (v.length > 10) invalid("[…]", "policyArns", "Member must have length less than or equal to 10");
  return v.map((raw, i) => checkArn(checkLength(required(members(raw, "PolicyArns member"), "arn"), `policyArns.${i + 1}.member.arn`, 20, 2048)));
}

export function assumeRoleInput(m: Members): AssumeRoleInput {
  const RoleArn = checkLength(required(m, "RoleArn"), "roleArn", 20, 2048);
  const RoleSessionName = checkPattern(checkLength(required(m, "RoleSessionName"), "roleSessionName", 2, 64), "roleSessionName", /^[\w+=,.@-]*$/, "[\\w+=,.@-]*");
  const DurationSeconds = checkRange(optInteger(m, "DurationSeconds"), "durationSeconds", 900, 43200);
  const ExternalId = optString(m, "ExternalId");
  if (ExternalId !== undefined) checkPattern(checkLength(ExternalId, "externalId", 2, 1224), "externalId", /^[\w+=,.@:/-]*$/, "[\\w+=,.@:\\/-]*");
  const Policy = optString(m, "Policy");
  const PolicyArns = policyArns(m);
  const Tags = optTags(m);
  if (Tags) checkTags(Tags);
  checkArn(RoleArn);
  return {
    RoleArn,
    RoleSessionName,
    ...(DurationSeconds !== undefined ? { DurationSeconds } : {}),
    ...(Policy !== undefined ? { Policy: checkSessionPolicy(Policy) } : {}),
    ...(PolicyArns ? { PolicyArns } : {}),
    ...(Tags?.length ? { Tags } : {}),
    ...(ExternalId !== undefined ? { ExternalId } : {}),
  };
}

/** GetSessionToken's DurationSeconds: 900 to 129,600 seconds (36 hours). */
export function sessionDuration(m: Members): number | undefined {
  return checkRange(optInteger(m, "DurationSeconds"), "durationSeconds", 900, 129600);
}
