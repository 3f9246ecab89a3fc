/**
 * What IaC tools read and set beside a table's keys: encryption at rest with a KMS key and
 * point-in-time recovery (reported as set; Flint encrypts nothing itself and keeps no backups).
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeContinuousBackups.html
 */
import type { SseSpecification } from "./table-inputs.js";
import type { Table } from "./table-shapes.js";

/**
 * Encryption at rest with a KMS key: the key a request names (an ARN, or an id or alias of this
 * account's), else the account's `aws/dynamodb` managed key.
 */
export function kmsKeyArn(account: { region: string; accountId: string }, spec: SseSpecification): string {
  const id = spec.KMSMasterKeyId;
  if (id?.startsWith("arn:")) return id;
  const prefix = `arn:aws:kms:${account.region}:${account.accountId}:`;
  if (id?.startsWith("alias/")) return prefix + id;
  return prefix + `key/${id ?? "aws-dynamodb-managed"}`;
}

export function continuousBackups(t: Table, now: number) {
  const pitr = t.pointInTimeRecovery;
  return {
    ContinuousBackupsStatus: "ENABLED",
    PointInTimeRecoveryDescription: pitr?.enabled
      ? { PointInTimeRecoveryStatus: "ENABLED", RecoveryPeriodInDays: pitr.days, EarliestRestorableDateTime: Math.max(pitr.since, now - pitr.days * 86_400_000) / 1000, LatestRestorableDateTime: (now - 300_000) / 1000 }
      : { PointInTimeRecoveryStatus: "DISABLED" },
  };
}

/** The point-in-time recovery setting UpdateContinuousBackups asks for (its start kept while it stays on). */
export function pointInTimeRecovery(t: Table, enabled: boolean, days: number | undefined, now: number): Table["pointInTimeRecovery"] {
  return enabled ? { enabled: true, days: days ?? 35, since: t.pointInTimeRecovery?.enabled ? t.pointInTimeRecovery.since : now } : undefined;
}
