/**
 * A table's secondary indexes through their lifecycle: made from CreateTable's and UpdateTable's
 * index members, created (CREATING, backfilled from the items, then ACTIVE) or deleted (DELETING,
 * its entries dropped, then gone) by UpdateTable's GlobalSecondaryIndexUpdates.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.OnlineOps.html
 */
import type { Decision, DynamoStore, ItemKey, ScanPosition, StoredItem } from "../../store/dynamodb-store.js";
import { dynamoError, validation } from "./dynamo-errors.js";
import { expiresAtOf, indexEntries, keysOf } from "./item-keys.js";
import type { IndexRecord, TableRecord } from "./model.js";
import type { IndexInput } from "./table-inputs.js";
import type { Item } from "./types.js";
import type { GsiUpdate } from "./update-table-input.js";

/** Items read at once when an index or TTL is backfilled. */
const BACKFILL_PAGE = 500;

export function indexRecord(input: IndexInput, kind: "global" | "local", billing: TableRecord["billingMode"], status?: IndexRecord["IndexStatus"]): IndexRecord {
  return {
    IndexName: input.IndexName,
    kind,
    KeySchema: input.KeySchema,
    Projection: input.Projection,
    ...(kind === "global" ? { IndexStatus: status ?? "ACTIVE" } : {}),
    ...(kind === "global" && billing === "PROVISIONED" && input.ProvisionedThroughput ? { ProvisionedThroughput: input.ProvisionedThroughput } : {}),
  };
}

/** Apply GlobalSecondaryIndexUpdates to `next`; the indexes to create or drop are marked CREATING or DELETING. */
export function applyIndexUpdates(next: TableRecord, updates: GsiUpdate[], mode: TableRecord["billingMode"]): string[] {
  const changed: string[] = [];
  const creates = updates.filter((u) => "Create" in u || "Delete" in u).length;
  if (creates > 1) throw dynamoError("LimitExceededException", "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table");
  for (const u of updates) {
    if ("Create" in u) {
      const ix = u.Create;
      if (next.indexes.some((i) => i.IndexName === ix.IndexName)) throw validation("Attempting to create an index which already exists");
      const defined = next.attributeDefinitions.map((d) => d.AttributeName);
      const keys = ix.KeySchema.map((k) => k.AttributeName);
      if (keys.some((k) => !defined.includes(k))) {
        throw validation(`One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [${keys.join(", ")}], AttributeDefinitions: [${defined.join(", ")}]`);
      }
      if (mode === "PAY_PER_REQUEST" && ix.ProvisionedThroughput) {
        throw validation(`One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: ${ix.IndexName} when BillingMode is PAY_PER_REQUEST`);
      }
      if (mode === "PROVISIONED" && !ix.ProvisionedThroughput) throw validation(`One or more parameter values were invalid: Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: ${ix.IndexName}`);
      if (next.indexes.filter((i) => i.kind === "global").length >= 20) throw dynamoError("LimitExceededException", "Subscriber limit exceeded: GlobalSecondaryIndex count exceeds the per-table limit of 20");
      next.indexes.push(indexRecord(ix, "global", mode, "CREATING"));
      changed.push(ix.IndexName);
    } else if ("Delete" in u) {
      const ix = next.indexes.find((i) => i.IndexName === u.Delete.IndexName && i.kind === "global");
      if (!ix) throw validation(`Cannot delete an index that is not a GlobalSecondaryIndex: ${u.Delete.IndexName}`);
      ix.IndexStatus = "DELETING";
      changed.push(ix.IndexName);
    } else {
      const ix = next.indexes.find((i) => i.IndexName === u.Update.IndexName && i.kind === "global");
      if (!ix) throw validation(`Cannot update an index that is not a GlobalSecondaryIndex: ${u.Update.IndexName}`);
      if (mode === "PAY_PER_REQUEST") throw validation(`One or more parameter values were invalid: The only Updates for index: ${ix.IndexName} when TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput`);
      ix.ProvisionedThroughput = u.Update.ProvisionedThroughput;
      ix.IndexStatus = "UPDATING";
      changed.push(ix.IndexName);
    }
  }
  return changed;
}

/** An index's backfill (or drop) is done: it is ACTIVE (or gone); the table too once no other index work is left. */
export function markIndexDone(next: TableRecord, name: string, dropped: boolean): void {
  if (dropped) {
    next.indexes = next.indexes.filter((i) => i.IndexName !== name);
    pruneDefinitions(next);
  } else {
    const ix = next.indexes.find((i) => i.IndexName === name);
    if (ix) ix.IndexStatus = "ACTIVE";
  }
  if (!next.indexes.some((i) => i.IndexStatus === "CREATING" || i.IndexStatus === "DELETING")) {
    for (const i of next.indexes) if (i.kind === "global") i.IndexStatus = "ACTIVE";
    next.status = "ACTIVE";
  }
}

/** Defined attributes no key or index uses any more are dropped, as AWS does. */
export function pruneDefinitions(t: TableRecord): void {
  const used = new Set([...t.keySchema, ...t.indexes.flatMap((i) => i.KeySchema)].map((k) => k.AttributeName));
  t.attributeDefinitions = t.attributeDefinitions.filter((d) => used.has(d.AttributeName));
}

/** Each item of a table, a page at a time. */
export async function eachPage(store: DynamoStore, t: TableRecord, fn: (items: { key: ItemKey; item: Item }[]) => Promise<void>): Promise<void> {
  let after: ScanPosition | undefined;
  for (;;) {
    const page = await store.scan({ table: t.id, segment: 0, totalSegments: 1, limit: BACKFILL_PAGE, ...(after ? { after } : {}) });
    if (page.length === 0) return;
    await fn(page.map((s) => ({ key: { hk: s.hk, rk: s.rk }, item: JSON.parse(s.item) as Item })));
    const last = page[page.length - 1]!;
    after = { hk: last.at.hk, rk: last.at.rk };
    if (page.length < BACKFILL_PAGE) return;
  }
}

/**
 * A new global index gets an entry for each item that has its key. Each item of a page is re-put
 * as it is stored when the write runs, with every index entry the items service would give it
 * (so with the new index's), and no stream record: a write to the item between the page's read
 * and this one is kept, and an item deleted meanwhile gets no entry. `current` is the table's
 * record now (with the index CREATING), undefined once the table is gone.
 */
export async function backfillIndex(store: DynamoStore, t: TableRecord, current: () => TableRecord | undefined): Promise<void> {
  await eachPage(store, t, async (items) => {
    const table = current();
    if (!table) return;
    const keys = keysOf(table);
    const reput = (stored: StoredItem | undefined): Decision => {
      if (!stored) return { none: true };
      const item = JSON.parse(stored.item) as Item;
      return { put: { item: stored.item, size: stored.size, indexes: indexEntries(keys, item), expiresAt: expiresAtOf(table, item) } };
    };
    await store.write(items.map(({ key }) => ({ table: t.id, key, decide: reput })), false);
  });
}
