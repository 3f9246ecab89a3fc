/**
 * Log group and stream ARNs, the identifiers that name a group (its name or its ARN), and the
 * messages CloudWatch Logs gives when one is not there.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_LogGroup.html
 */
import { awsError } from "../../errors.js";

export interface Account {
  region: string;
  accountId: string;
}

/** `logGroupArn`: the group's ARN as tagging and IAM take it. */
export const logGroupArn = (a: Account, group: string) => `arn:aws:logs:${a.region}:${a.accountId}:log-group:${group}`;
/** `arn` of DescribeLogGroups: the same with `:*`, which covers the group's streams in a policy. */
export const logGroupWildcardArn = (a: Account, group: string) => `${logGroupArn(a, group)}:*`;
export const logStreamArn = (a: Account, group: string, stream: string) => `${logGroupArn(a, group)}:log-stream:${stream}`;

export const groupNotFound = () => awsError("LogsResourceNotFound", "The specified log group does not exist.");
export const streamNotFound = () => awsError("LogsResourceNotFound", "The specified log stream does not exist.");

/**
 * The group a log group ARN of this account and region names (with or without its `:*`), or
 * undefined for any other ARN.
 */
export function groupOfArn(a: Account, arn: string): string | undefined {
  const prefix = `arn:aws:logs:${a.region}:${a.accountId}:log-group:`;
  if (!arn.startsWith(prefix)) return undefined;
  const rest = arn.slice(prefix.length);
  const name = rest.endsWith(":*") ? rest.slice(0, -2) : rest;
  return name && !name.includes(":") ? name : undefined;
}

/**
 * A `logGroupIdentifier`: a name, or an ARN (another account's or region's group is never
 * here: not found). Operations that take it also take `logGroupName`, and exactly one is given.
 */
export function groupOf(a: Account, m: { logGroupName?: string; logGroupIdentifier?: string }): string {
  if (m.logGroupName !== undefined && m.logGroupIdentifier !== undefined) {
    throw awsError("InvalidParameterException", "LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  }
  if (m.logGroupName !== undefined) return m.logGroupName;
  const id = m.logGroupIdentifier;
  if (id === undefined) throw awsError("InvalidParameterException", "Should provide either logGroupName or logGroupIdentifier.");
  if (!id.startsWith("arn:")) return id;
  const name = groupOfArn(a, id);
  if (name === undefined) throw groupNotFound();
  return name;
}
