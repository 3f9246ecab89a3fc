/**
 * UpdateTable's effect on a table: billing mode, throughput, attribute definitions, global index
 * creations and deletions, stream on or off, deletion protection, encryption and table class,
 * refused with AWS's messages where the table cannot change so. Pure: the service stores the result.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html
 */
import { validation } from "./dynamo-errors.js";
import { applyIndexUpdates, pruneDefinitions } from "./table-indexes.js";
import { kmsKeyArn } from "./table-settings.js";
import { currentStream, type Table } from "./table-shapes.js";
import { newStream } from "./table-streams.js";
import type { UpdateTableInput } from "./update-table-input.js";

/** The table's record after the update; UPDATING when the change takes time on AWS. */
export function updatedTable(t: Table, input: UpdateTableInput, now: number, account: { region: string; accountId: string }): Table {
  const next: Table = structuredClone(t);
  let settles = false;
  const mode = input.BillingMode ?? t.billingMode;
  if (input.ProvisionedThroughput && mode === "PAY_PER_REQUEST") {
    throw validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
  }
  next.throughputTimes = { ...t.throughputTimes };
  if (input.BillingMode && input.BillingMode !== t.billingMode) {
    next.billingMode = input.BillingMode;
    next.throughputTimes.billingModeChanged = now;
    settles = true;
    if (input.BillingMode === "PAY_PER_REQUEST") {
      delete next.provisionedThroughput;
      for (const ix of next.indexes) delete ix.ProvisionedThroughput;
    } else {
      const updated = new Set((input.GlobalSecondaryIndexUpdates ?? []).flatMap((u) => ("Update" in u ? [u.Update.IndexName] : "Create" in u ? [u.Create.IndexName] : [])));
      const missing = next.indexes.filter((i) => i.kind === "global" && !updated.has(i.IndexName)).map((i) => i.IndexName);
      if (missing.length) throw validation(`One or more parameter values were invalid: ProvisionedThroughput must be specified for index: ${missing.join(",")}`);
    }
  }
  if (input.ProvisionedThroughput) {
    const was = t.billingMode === "PROVISIONED" ? t.provisionedThroughput : undefined;
    const want = input.ProvisionedThroughput;
    if (was && was.ReadCapacityUnits === want.ReadCapacityUnits && was.WriteCapacityUnits === want.WriteCapacityUnits) {
      throw validation(
        `The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: ${was.ReadCapacityUnits}. Requested ReadCapacityUnits: ${want.ReadCapacityUnits}. Current WriteCapacityUnits provisioned for the table: ${was.WriteCapacityUnits}. Requested WriteCapacityUnits: ${want.WriteCapacityUnits}. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.`,
      );
    }
    if (was && (want.ReadCapacityUnits > was.ReadCapacityUnits || want.WriteCapacityUnits > was.WriteCapacityUnits)) next.throughputTimes.lastIncrease = now;
    if (was && (want.ReadCapacityUnits < was.ReadCapacityUnits || want.WriteCapacityUnits < was.WriteCapacityUnits)) next.throughputTimes.lastDecrease = now;
    next.provisionedThroughput = want;
    settles = true;
  }
  if (input.AttributeDefinitions) {
    for (const d of input.AttributeDefinitions) {
      const known = next.attributeDefinitions.find((a) => a.AttributeName === d.AttributeName);
      if (known && known.AttributeType !== d.AttributeType) {
        throw validation(`One or more parameter values were invalid: Cannot change the type of attribute ${d.AttributeName} from ${known.AttributeType} to ${d.AttributeType}`);
      }
      if (!known) next.attributeDefinitions.push(d);
    }
  }
  const work = applyIndexUpdates(next, input.GlobalSecondaryIndexUpdates ?? [], mode);
  if (work.length) settles = true;
  if (input.StreamSpecification) {
    const current = currentStream(t);
    if (input.StreamSpecification.StreamEnabled) {
      if (current) throw validation(`Table already has an enabled stream: TableName: ${t.name}`);
      next.streams.push(newStream(next, input.StreamSpecification.StreamViewType!, now));
    } else {
      if (!current) throw validation(`Table has no stream to disable: TableName: ${t.name}`);
      next.streams[next.streams.length - 1]!.disabledAt = now;
    }
  }
  if (input.DeletionProtectionEnabled !== undefined) next.deletionProtection = input.DeletionProtectionEnabled;
  if (input.SSESpecification) {
    if (input.SSESpecification.Enabled === false) delete next.kmsKeyArn;
    else if (input.SSESpecification.Enabled || input.SSESpecification.KMSMasterKeyId !== undefined) next.kmsKeyArn = kmsKeyArn(account, input.SSESpecification);
    settles = true;
  }
  if (input.TableClass && input.TableClass !== (t.tableClass ?? "STANDARD")) {
    next.tableClass = input.TableClass;
    settles = true;
  }
  if (!Object.keys(next.throughputTimes).length) delete next.throughputTimes;
  if (settles) next.status = "UPDATING";
  pruneDefinitions(next);
  return next;
}
