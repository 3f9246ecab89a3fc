/**
 * A table as DescribeTable (and CreateTable, UpdateTable, DeleteTable) describe it, in AWS's member
 * names and order of appearance. Times are epoch seconds with a fraction, as the JSON protocol sends
 * timestamps.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html
 */
import type { IndexRecord, TableRecord, TableStatus } from "./model.js";

export const seconds = (ms: number) => ms / 1000;

/**
 * What Flint keeps of a table beyond model.ts' TableRecord (stored with it, in its JSON): when its
 * throughput last went up or down and when its billing mode last changed (epoch ms).
 */
export interface Table extends TableRecord {
  throughputTimes?: { lastIncrease?: number; lastDecrease?: number; billingModeChanged?: number };
  /** Encryption with a KMS key (SSESpecification Enabled): the key's ARN. Absent: AWS owned key. */
  kmsKeyArn?: string;
  /** Point-in-time recovery as UpdateContinuousBackups last set it (Flint keeps no backups). */
  pointInTimeRecovery?: { enabled: boolean; days: number; since: number };
}

export interface TableCounts {
  count: number;
  bytes: number;
  /** Per index: its entries and their size (global indexes being created count what they hold so far). */
  indexes?: Record<string, { count: number; bytes: number }>;
}

/** The stream the table writes to now, if any. */
export const currentStream = (t: TableRecord) => {
  const last = t.streams[t.streams.length - 1];
  return last && last.disabledAt === undefined ? last : undefined;
};

function throughput(t: { provisionedThroughput?: { ReadCapacityUnits: number; WriteCapacityUnits: number }; billingMode: string }, extra: Record<string, number> = {}) {
  const p = t.billingMode === "PAY_PER_REQUEST" ? undefined : t.provisionedThroughput;
  return { ...extra, NumberOfDecreasesToday: 0, ReadCapacityUnits: p?.ReadCapacityUnits ?? 0, WriteCapacityUnits: p?.WriteCapacityUnits ?? 0 };
}

function indexDescription(t: TableRecord, ix: IndexRecord, counts: TableCounts | undefined) {
  const c = counts?.indexes?.[ix.IndexName] ?? { count: 0, bytes: 0 };
  const base = {
    IndexName: ix.IndexName,
    KeySchema: ix.KeySchema,
    Projection: ix.Projection,
    IndexSizeBytes: c.bytes,
    ItemCount: c.count,
    IndexArn: `${t.arn}/index/${ix.IndexName}`,
  };
  if (ix.kind === "local") return base;
  return {
    ...base,
    IndexStatus: ix.IndexStatus ?? "ACTIVE",
    ...(ix.IndexStatus === "CREATING" ? { Backfilling: true } : {}),
    ProvisionedThroughput: throughput({ billingMode: t.billingMode, provisionedThroughput: ix.ProvisionedThroughput }),
  };
}

/** TableDescription; `status` overrides the stored one (DeleteTable answers DELETING). */
export function tableDescription(t: Table, counts: TableCounts | undefined, status: TableStatus = t.status) {
  const stream = t.streams[t.streams.length - 1];
  const enabled = currentStream(t);
  const locals = t.indexes.filter((i) => i.kind === "local");
  const globals = t.indexes.filter((i) => i.kind === "global");
  const times = t.throughputTimes ?? {};
  return {
    AttributeDefinitions: t.attributeDefinitions,
    TableName: t.name,
    KeySchema: t.keySchema,
    TableStatus: status,
    CreationDateTime: seconds(t.createdAt),
    ProvisionedThroughput: throughput(t, {
      ...(times.lastIncrease !== undefined ? { LastIncreaseDateTime: seconds(times.lastIncrease) } : {}),
      ...(times.lastDecrease !== undefined ? { LastDecreaseDateTime: seconds(times.lastDecrease) } : {}),
    }),
    TableSizeBytes: counts?.bytes ?? 0,
    ItemCount: counts?.count ?? 0,
    TableArn: t.arn,
    TableId: t.id,
    ...(t.billingMode === "PAY_PER_REQUEST" || times.billingModeChanged !== undefined
      ? { BillingModeSummary: { BillingMode: t.billingMode, ...(t.billingMode === "PAY_PER_REQUEST" ? { LastUpdateToPayPerRequestDateTime: seconds(times.billingModeChanged ?? t.createdAt) } : {}) } }
      : {}),
    ...(locals.length ? { LocalSecondaryIndexes: locals.map((i) => indexDescription(t, i, counts)) } : {}),
    ...(globals.length ? { GlobalSecondaryIndexes: globals.map((i) => indexDescription(t, i, counts)) } : {}),
    ...(enabled ? { StreamSpecification: { StreamEnabled: true, StreamViewType: enabled.viewType } } : {}),
    ...(stream ? { LatestStreamLabel: stream.label, LatestStreamArn: stream.arn } : {}),
    ...(t.tableClass ? { TableClassSummary: { TableClass: t.tableClass } } : {}),
    ...(t.kmsKeyArn ? { SSEDescription: { Status: "ENABLED", SSEType: "KMS", KMSMasterKeyArn: t.kmsKeyArn } } : {}),
    DeletionProtectionEnabled: t.deletionProtection,
  };
}
