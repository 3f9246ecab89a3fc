/**
 * DynamoDB's control plane: tables, their indexes, streams, time to live and tags, as typed
 * commands in AWS's member names (api/dynamodb decodes the JSON 1.0 protocol into these calls).
 * The tables are a cache of the store shared with the other nodes (CacheSync over Store.changes);
 * items.ts and streams.ts read them here (find, require, byStreamArn).
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB.html
 */
import { randomUUID } from "node:crypto";
import type { Clock, Timer } from "../../clock/clock.js";
import { aloneBus, CacheSync, type ChangeBus } from "../../store/change-bus.js";
import type { DynamoStore, IndexEntry, ItemKey, ScanPosition } from "../../store/dynamodb-store.js";
import { dynamoError, resourceNotFound, tableNotFound, validation } from "./dynamo-errors.js";
import type { AttributeDefinition, IndexRecord, StreamViewType, TableRecord, TableStream } from "./model.js";
import type { CreateTableInput, GsiUpdate, IndexInput, SseSpecification, Tag, UpdateTableInput } from "./table-inputs.js";
import { currentStream, type Table, tableDescription } from "./table-shapes.js";
import type { AttributeValue, Item } from "./types.js";
import { keyBytes } from "./values.js";

export interface Account {
  region: string;
  accountId: string;
}

export interface TablesDeps {
  account: Account;
  store: DynamoStore;
  clock: Clock;
  /** The cluster's change bus (Store.changes): tables are shared with the other nodes. */
  changes?: ChangeBus;
}

/** Called when a table is created, changed or deleted (`table` undefined), here or on another node. */
export type TableListener = (name: string, table: TableRecord | undefined) => void;

/** CREATING and UPDATING last this long (AWS: seconds); short, but `wait table-exists` sees them. */
const SETTLE_MS = 50;
/** Items read at once when an index or TTL is backfilled. */
const BACKFILL_PAGE = 500;
/** TTL ignores items whose expiry is more than five years in the past. */
const TTL_PAST_LIMIT_S = 5 * 365 * 24 * 3600;
const MAX_TAGS = 50;
/** A stream's records are kept 24 hours, also after its table is deleted. */
const STREAM_RETENTION_MS = 24 * 3_600_000;

const TABLE_ARN = /^arn:aws[a-z-]*:dynamodb:([^:]+):(\d{12}):table\/([^/]+)(?:\/.*)?$/;

export function tableArn(account: Account, name: string): string {
  return `arn:aws:dynamodb:${account.region}:${account.accountId}:table/${name}`;
}

/** A stream's label: its creation time, ISO 8601 with milliseconds and no zone (`2026-12-05T22:51:30.123`). */
export const streamLabel = (ms: number) => new Date(ms).toISOString().slice(0, -1);

const inUse = (t: TableRecord) =>
  dynamoError("ResourceInUseException", `Attempt to change a resource which is still in use: Table is being ${t.status === "CREATING" ? "created" : t.status === "DELETING" ? "deleted" : "updated"}: ${t.name}`);

function indexRecord(input: IndexInput, kind: "global" | "local", billing: TableRecord["billingMode"], status?: IndexRecord["IndexStatus"]): IndexRecord {
  return {
    IndexName: input.IndexName,
    kind,
    KeySchema: input.KeySchema,
    Projection: input.Projection,
    ...(kind === "global" ? { IndexStatus: status ?? "ACTIVE" } : {}),
    ...(kind === "global" && billing === "PROVISIONED" && input.ProvisionedThroughput ? { ProvisionedThroughput: input.ProvisionedThroughput } : {}),
  };
}

/** An item's key bytes in a key schema; undefined when it lacks a key attribute or has one of another type (a sparse index). */
export function keyIn(item: Item, keySchema: TableRecord["keySchema"], defs: AttributeDefinition[]): { hk: Buffer; rk: Buffer } | undefined {
  const part = (name: string | undefined): Buffer | undefined | null => {
    if (name === undefined) return null;
    const v = item[name];
    const type = defs.find((d) => d.AttributeName === name)?.AttributeType;
    if (!v || !type || !(type in v)) return undefined;
    return keyBytes(v as AttributeValue);
  };
  const hk = part(keySchema.find((k) => k.KeyType === "HASH")?.AttributeName);
  const rk = part(keySchema.find((k) => k.KeyType === "RANGE")?.AttributeName);
  if (!hk || rk === undefined) return undefined;
  return { hk, rk: rk ?? Buffer.alloc(0) };
}

export class TablesService {
  private readonly tables = new Map<string, Table>();
  /**
   * Deleted tables, by id, kept for their streams' retention: a deleted table's stream can still be
   * described and read for 24 hours, as on AWS (this node's memory only: a restart forgets them).
   */
  private readonly retired = new Map<string, { table: TableRecord; until: number }>();
  private readonly timers = new Set<Timer>();
  private readonly listeners = new Set<TableListener>();
  private readonly sync: CacheSync;
  /** Backfills running (index creation, TTL), awaited by close() and by tests. */
  private readonly work = new Set<Promise<void>>();

  private constructor(private readonly deps: TablesDeps) {
    this.sync = new CacheSync(deps.changes ?? aloneBus(), "dynamodb-tables", () => this.reload());
  }

  static async create(deps: TablesDeps): Promise<TablesService> {
    const service = new TablesService(deps);
    for (const t of await deps.store.listTables()) {
      service.tables.set(t.name, t);
      service.settleSoon(t);
    }
    return service;
  }

  /**
   * Another node changed a table: read them all again. Records are replaced, never changed in place
   * (items.ts caches what it derives from one per object); an unchanged one keeps its object.
   */
  private reload(): Promise<void> {
    return this.sync.reread(
      () => this.deps.store.listTables(),
      (tables) => {
        const gone = new Map(this.tables);
        for (const fresh of tables) {
          gone.delete(fresh.name);
          const known = this.tables.get(fresh.name);
          if (known && JSON.stringify(known) === JSON.stringify(fresh)) continue;
          this.tables.set(fresh.name, fresh);
          this.emit(fresh.name, fresh);
        }
        for (const t of gone.values()) {
          this.tables.delete(t.name);
          this.retire(t);
          this.emit(t.name, undefined);
        }
      },
    );
  }

  private emit(name: string, table: TableRecord | undefined): void {
    for (const l of this.listeners) {
      try {
        l(name, table);
      } catch (err) {
        console.error("flint: dynamodb table listener:", err);
      }
    }
  }

  /** Listen to table changes; returns unsubscribe. */
  onChange(listener: TableListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private get account(): Account {
    return this.deps.account;
  }

  /** The table a request names by name or by ARN (a table's, or one of its index's or stream's). */
  find(nameOrArn: string): TableRecord | undefined {
    if (!nameOrArn.startsWith("arn:")) return this.tables.get(nameOrArn);
    const m = TABLE_ARN.exec(nameOrArn);
    if (!m || m[1] !== this.account.region || m[2] !== this.account.accountId) return undefined;
    return this.tables.get(m[3]!);
  }

  /** The table, for the item operations: ResourceNotFoundException "Requested resource not found" when absent (or still being created). */
  require(nameOrArn: string): TableRecord {
    const t = this.find(nameOrArn);
    if (!t || t.status === "CREATING" || t.status === "DELETING") throw resourceNotFound();
    return t;
  }

  all(): TableRecord[] {
    return [...this.tables.values()];
  }

  /** The table and stream a stream ARN names: current or disabled, of a table that is there or was deleted within 24 hours. */
  byStreamArn(arn: string): { table: TableRecord; stream: TableStream } | undefined {
    const t = this.find(arn);
    const stream = t?.streams.find((s) => s.arn === arn);
    if (t && stream) return { table: t, stream };
    const now = this.deps.clock.now();
    for (const [id, { table, until }] of this.retired) {
      if (until <= now) {
        this.retired.delete(id);
        continue;
      }
      const old = table.streams.find((s) => s.arn === arn);
      if (old) return { table, stream: old };
    }
    return undefined;
  }

  /** Keep a deleted table's streams (closed now) for their retention. */
  private retire(t: TableRecord): void {
    if (t.streams.length === 0) return;
    const at = this.deps.clock.now();
    const table: TableRecord = { ...t, status: "DELETING", streams: t.streams.map((s) => ({ ...s, disabledAt: s.disabledAt ?? at })) };
    this.retired.set(t.id, { table, until: at + STREAM_RETENTION_MS });
  }

  /** A table's tags, for IAM's aws:ResourceTag conditions. */
  tagsOf(arn: string): Record<string, string> | undefined {
    return this.find(arn)?.tags;
  }

  private described(name: string): Table {
    const t = this.find(name);
    if (!t) throw tableNotFound(name.startsWith("arn:") ? (TABLE_ARN.exec(name)?.[3] ?? name) : name);
    return t as Table;
  }

  private async counts(t: TableRecord) {
    return this.deps.store.tableStats(t.id);
  }

  /** The table's current record if it is still the table of that id (not deleted, nor re-created). */
  private current(name: string, id: string): Table | undefined {
    const t = this.tables.get(name);
    return t?.id === id ? t : undefined;
  }

  /** Store a table's new record in place of its old one, and tell the other nodes and the listeners. */
  private async save(next: Table): Promise<void> {
    await this.sync.write(next.name, async () => {
      if (this.current(next.name, next.id)) this.tables.set(next.name, next);
      await this.deps.store.putTable(next);
    });
    this.emit(next.name, next);
  }

  /** A changed copy of the table's current record, stored; nothing when the table is gone. */
  private async change(name: string, id: string, fn: (next: Table) => void): Promise<Table | undefined> {
    const t = this.current(name, id);
    if (!t) return undefined;
    const next = structuredClone(t);
    fn(next);
    await this.save(next);
    return next;
  }

  /**
   * After CREATING or UPDATING: ACTIVE, shortly; a global index UpdateTable creates or deletes once
   * its backfill or drop is done. The node that made the change (or finds it on starting) does it.
   */
  private settleSoon(t: Table): void {
    if (t.status !== "CREATING" && t.status !== "UPDATING") return;
    if (t.status === "UPDATING" && t.indexes.some((i) => i.IndexStatus === "CREATING" || i.IndexStatus === "DELETING")) {
      // The index work decides when it is done (a restart mid-backfill starts it again).
      for (const ix of t.indexes) {
        if (ix.IndexStatus === "CREATING") this.track(this.backfillIndex(t, ix));
        if (ix.IndexStatus === "DELETING") this.track(this.dropIndex(t, ix));
      }
      return;
    }
    const timer = this.deps.clock.after(SETTLE_MS, () => {
      this.timers.delete(timer);
      const now = this.current(t.name, t.id);
      if (!now || (now.status !== "CREATING" && now.status !== "UPDATING")) return;
      this.change(t.name, t.id, (next) => {
        next.status = "ACTIVE";
        for (const ix of next.indexes) if (ix.kind === "global") ix.IndexStatus = "ACTIVE";
      }).catch((err) => console.error(`flint: dynamodb table ${t.name} could not be activated:`, err));
    });
    this.timers.add(timer);
  }

  private track(p: Promise<void>): void {
    const done = p.catch((err) => console.error("flint: dynamodb table work failed:", err)).finally(() => this.work.delete(done));
    this.work.add(done);
  }

  /** Resolves once the backfills running now are done (tests; close). */
  async idle(): Promise<void> {
    while (this.work.size) await Promise.all([...this.work]);
  }

  private newStream(t: TableRecord, viewType: StreamViewType): TableStream {
    let at = this.deps.clock.now();
    const last = t.streams[t.streams.length - 1];
    // Two streams of one table never share a label.
    if (last && last.createdAt >= at) at = last.createdAt + 1;
    const label = streamLabel(at);
    return { arn: `${t.arn}/stream/${label}`, label, viewType, createdAt: at };
  }

  // --- Tables --------------------------------------------------------------------------------

  async createTable(input: CreateTableInput) {
    const name = input.TableName;
    if (name.startsWith("arn:")) throw validation(`Invalid table name: ${name}`);
    if (this.tables.has(name)) throw dynamoError("ResourceInUseException", `Table already exists: ${name}`);
    if ((input.Tags?.length ?? 0) > MAX_TAGS) throw validation("Number of Tags exceed the current limit for the provided ResourceArn");
    const now = this.deps.clock.now();
    const t: Table = {
      name,
      id: randomUUID(),
      arn: tableArn(this.account, name),
      createdAt: now,
      status: "CREATING",
      keySchema: input.KeySchema,
      attributeDefinitions: input.AttributeDefinitions,
      billingMode: input.BillingMode,
      ...(input.BillingMode === "PROVISIONED" && input.ProvisionedThroughput ? { provisionedThroughput: input.ProvisionedThroughput } : {}),
      indexes: [
        ...(input.LocalSecondaryIndexes ?? []).map((i) => indexRecord(i, "local", input.BillingMode)),
        ...(input.GlobalSecondaryIndexes ?? []).map((i) => indexRecord(i, "global", input.BillingMode, "CREATING")),
      ],
      streams: [],
      tags: Object.fromEntries(checkTags(input.Tags ?? []).map((tag) => [tag.Key, tag.Value])),
      deletionProtection: input.DeletionProtectionEnabled ?? false,
      ...(input.TableClass ? { tableClass: input.TableClass } : {}),
      ...(input.SSESpecification?.Enabled ? { kmsKeyArn: this.kmsKeyArn(input.SSESpecification) } : {}),
    };
    if (input.StreamSpecification?.StreamEnabled) t.streams.push(this.newStream(t, input.StreamSpecification.StreamViewType!));
    const inserted = await this.sync.write(name, async () => {
      this.tables.set(name, t);
      if (await this.deps.store.insertTable(t)) return true;
      if (this.tables.get(name) === t) this.tables.delete(name);
      return false;
    });
    if (!inserted) throw dynamoError("ResourceInUseException", `Table already exists: ${name}`);
    this.emit(name, t);
    const description = tableDescription(t, { count: 0, bytes: 0 });
    this.settleSoon(t);
    return { TableDescription: description };
  }

  async describeTable(input: { TableName: string }) {
    const t = this.described(input.TableName);
    return { Table: tableDescription(t, await this.counts(t)) };
  }

  listTables(input: { ExclusiveStartTableName?: string; Limit?: number }) {
    const names = [...this.tables.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const after = input.ExclusiveStartTableName;
    const rest = after === undefined ? names : names.filter((n) => n > after);
    const limit = input.Limit ?? 100;
    const page = rest.slice(0, limit);
    return { TableNames: page, ...(rest.length > limit ? { LastEvaluatedTableName: page[page.length - 1] } : {}) };
  }

  async deleteTable(input: { TableName: string }) {
    const t = this.described(input.TableName);
    if (t.status === "CREATING" || t.status === "DELETING") throw inUse(t);
    if (t.deletionProtection) throw validation("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.");
    const counts = await this.counts(t);
    const description = tableDescription(t, counts, "DELETING");
    await this.sync.write(t.name, async () => {
      if (this.current(t.name, t.id)) this.tables.delete(t.name);
      await this.deps.store.deleteTable(t.name, t.id);
    });
    this.retire(t);
    this.emit(t.name, undefined);
    return { TableDescription: description };
  }

  async updateTable(input: UpdateTableInput) {
    const t = this.described(input.TableName);
    if (t.status !== "ACTIVE") throw inUse(t);
    const now = this.deps.clock.now();
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
    const work = this.indexUpdates(next, input.GlobalSecondaryIndexUpdates ?? [], mode);
    if (work.length) settles = true;
    if (input.StreamSpecification) {
      const current = currentStream(t);
      if (input.StreamSpecification.StreamEnabled) {
        if (current) throw validation(`Table already has an enabled stream: TableName: ${t.name}`);
        next.streams.push(this.newStream(next, input.StreamSpecification.StreamViewType!));
      } else {
        if (!current) throw validation(`Table has no stream to disable: TableName: ${t.name}`);
        next.streams[next.streams.length - 1]!.disabledAt = now;
      }
    }
    if (input.DeletionProtectionEnabled !== undefined) next.deletionProtection = input.DeletionProtectionEnabled;
    if (input.SSESpecification) {
      if (input.SSESpecification.Enabled === false) delete next.kmsKeyArn;
      else if (input.SSESpecification.Enabled || input.SSESpecification.KMSMasterKeyId !== undefined) next.kmsKeyArn = this.kmsKeyArn(input.SSESpecification);
      settles = true;
    }
    if (input.TableClass && input.TableClass !== (t.tableClass ?? "STANDARD")) {
      next.tableClass = input.TableClass;
      settles = true;
    }
    if (!Object.keys(next.throughputTimes).length) delete next.throughputTimes;
    if (settles) next.status = "UPDATING";
    pruneDefinitions(next);
    await this.save(next);
    const counts = await this.counts(next);
    const description = tableDescription(next, counts);
    this.settleSoon(next);
    return { TableDescription: description };
  }

  /** Apply GlobalSecondaryIndexUpdates to `next`; the indexes to create or drop are marked CREATING or DELETING. */
  private indexUpdates(next: Table, updates: GsiUpdate[], mode: TableRecord["billingMode"]): string[] {
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

  /** Each item of a table, a page at a time. */
  private async eachPage(t: TableRecord, fn: (items: { key: ItemKey; item: Item }[]) => Promise<void>): Promise<void> {
    let after: ScanPosition | undefined;
    for (;;) {
      const page = await this.deps.store.scan({ table: t.id, segment: 0, totalSegments: 1, limit: BACKFILL_PAGE, ...(after ? { after } : {}) });
      if (page.length === 0) return;
      await fn(page.map((s) => ({ key: { hk: s.hk, rk: s.rk }, item: JSON.parse(s.item) as Item })));
      const last = page[page.length - 1]!;
      after = { hk: last.at.hk, rk: last.at.rk };
      if (page.length < BACKFILL_PAGE) return;
    }
  }

  /** A new global index gets an entry for each item that has its key, then becomes ACTIVE. */
  private async backfillIndex(t: Table, ix: IndexRecord): Promise<void> {
    await this.eachPage(t, async (items) => {
      if (!this.current(t.name, t.id)) return;
      const entries = items.map(({ key, item }) => {
        const at = keyIn(item, ix.KeySchema, t.attributeDefinitions);
        const entry: IndexEntry | undefined = at && { index: ix.IndexName, ...at };
        return { item: key, entry };
      });
      await this.deps.store.putIndexEntries(t.id, ix.IndexName, entries);
    });
    await this.indexDone(t, ix.IndexName);
  }

  private async dropIndex(t: Table, ix: IndexRecord): Promise<void> {
    await this.deps.store.dropIndex(t.id, ix.IndexName);
    await this.indexDone(t, ix.IndexName, true);
  }

  /** An index's backfill (or drop) is done: it is ACTIVE (or gone); the table too once no other index work is left. */
  private async indexDone(t: Table, name: string, dropped = false): Promise<void> {
    await this.change(t.name, t.id, (next) => {
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
    });
  }

  // --- Time to live --------------------------------------------------------------------------

  async updateTimeToLive(input: { TableName: string; TimeToLiveSpecification: { Enabled: boolean; AttributeName: string } }) {
    const t = this.described(input.TableName);
    const spec = input.TimeToLiveSpecification;
    if (spec.Enabled && t.ttl?.enabled) throw validation("TimeToLive is already enabled");
    if (!spec.Enabled && !t.ttl?.enabled) throw validation("TimeToLive is already disabled");
    if (!spec.Enabled && t.ttl && t.ttl.attributeName !== spec.AttributeName) throw validation("TimeToLive is active on a different AttributeName: current AttributeName is " + t.ttl.attributeName);
    const ttl = { attributeName: spec.AttributeName, enabled: spec.Enabled };
    const next = await this.change(t.name, t.id, (n) => (n.ttl = ttl));
    if (next) this.track(this.backfillTtl(next, ttl));
    return { TimeToLiveSpecification: { Enabled: spec.Enabled, AttributeName: spec.AttributeName } };
  }

  /** Every item's expiry by the TTL setting now (items written from now on get theirs from items.ts). */
  private async backfillTtl(t: TableRecord, ttl: { attributeName: string; enabled: boolean }): Promise<void> {
    const floor = Math.floor(this.deps.clock.now() / 1000) - TTL_PAST_LIMIT_S;
    await this.eachPage(t, async (items) => {
      const changes = items.map(({ key, item }) => ({ key, expiresAt: ttl.enabled ? expiryOf(item, ttl.attributeName, floor) : undefined }));
      const now = this.current(t.name, t.id);
      if (now?.ttl?.enabled !== ttl.enabled || now.ttl.attributeName !== ttl.attributeName) return;
      await this.deps.store.setExpiresAt(t.id, changes);
    });
  }

  describeTimeToLive(input: { TableName: string }) {
    const t = this.described(input.TableName);
    if (t.status === "CREATING" || t.status === "DELETING") throw validation(`Cannot describe time to live while table is in ${t.status} state: Current table state is ${t.status}`);
    const ttl = t.ttl;
    return { TimeToLiveDescription: ttl?.enabled ? { TimeToLiveStatus: "ENABLED", AttributeName: ttl.attributeName } : { TimeToLiveStatus: "DISABLED" } };
  }

  // --- Tags ----------------------------------------------------------------------------------

  /** The table a tagging request's ResourceArn names (a table's ARN; a stream's is taken as its table's). */
  private tagged(arn: string): Table {
    if (!arn.startsWith("arn:")) throw validation(`One or more parameter values were invalid: ARNs must start with 'arn:': ${arn}`);
    const m = TABLE_ARN.exec(arn);
    if (!m) throw validation(`One or more parameter values were invalid: Provided Arn is not a DynamoDB resource arn: ${arn}`);
    if (/\/index\//.test(arn)) throw validation(`One or more parameter values were invalid: Invalid resource arn provided, only table or stream is accepted. Provided resource arn: ${arn}`);
    if (m[1] !== this.account.region || m[2] !== this.account.accountId) throw validation(`Invalid TableArn: Invalid ResourceArn provided as input ${arn}`);
    const t = this.find(arn);
    if (!t) throw dynamoError("ResourceNotFoundException", `Requested resource not found: ResourcArn: ${arn} not found`);
    return t as Table;
  }

  async tagResource(input: { ResourceArn: string; Tags: Tag[] }): Promise<Record<string, never>> {
    const t = this.tagged(input.ResourceArn);
    if (input.Tags.length === 0) throw validation("Atleast one Tag needs to be provided as Input.");
    checkTags(input.Tags);
    const tags = { ...t.tags };
    for (const tag of input.Tags) tags[tag.Key] = tag.Value;
    if (Object.keys(tags).length > MAX_TAGS) throw validation("Number of Tags exceed the current limit for the provided ResourceArn");
    await this.change(t.name, t.id, (next) => (next.tags = tags));
    return {};
  }

  async untagResource(input: { ResourceArn: string; TagKeys: string[] }): Promise<Record<string, never>> {
    const t = this.tagged(input.ResourceArn);
    if (input.TagKeys.length === 0) throw validation("Atleast one Tag Key needs to be provided as Input.");
    await this.change(t.name, t.id, (next) => {
      for (const key of input.TagKeys) delete next.tags[key];
    });
    return {};
  }

  listTagsOfResource(input: { ResourceArn: string; NextToken?: string }) {
    const t = this.tagged(input.ResourceArn);
    return { Tags: Object.entries(t.tags).map(([Key, Value]) => ({ Key, Value })) };
  }

  // --- What IaC tools read -------------------------------------------------------------------

  /**
   * Encryption at rest with a KMS key: the key a request names (an ARN, or an id or alias of this
   * account's), else the account's `aws/dynamodb` managed key. Flint encrypts nothing itself.
   */
  private kmsKeyArn(spec: SseSpecification): string {
    const id = spec.KMSMasterKeyId;
    if (id?.startsWith("arn:")) return id;
    const prefix = `arn:aws:kms:${this.account.region}:${this.account.accountId}:`;
    if (id?.startsWith("alias/")) return prefix + id;
    return prefix + `key/${id ?? "aws-dynamodb-managed"}`;
  }

  describeContinuousBackups(input: { TableName: string }) {
    const t = this.find(input.TableName) as Table | undefined;
    if (!t) throw dynamoError("TableNotFoundException", `Table not found: ${input.TableName}`);
    return { ContinuousBackupsDescription: continuousBackups(t, this.deps.clock.now()) };
  }

  /** Point-in-time recovery on or off: reported as set (Flint keeps no backups to restore from). */
  async updateContinuousBackups(input: { TableName: string; PointInTimeRecoveryEnabled: boolean; RecoveryPeriodInDays?: number }) {
    const t = this.find(input.TableName);
    if (!t) throw dynamoError("TableNotFoundException", `Table not found: ${input.TableName}`);
    const now = this.deps.clock.now();
    const next = await this.change(t.name, t.id, (n) => {
      n.pointInTimeRecovery = input.PointInTimeRecoveryEnabled ? { enabled: true, days: input.RecoveryPeriodInDays ?? 35, since: n.pointInTimeRecovery?.enabled ? n.pointInTimeRecovery.since : now } : undefined;
      if (!n.pointInTimeRecovery) delete n.pointInTimeRecovery;
    });
    return { ContinuousBackupsDescription: continuousBackups(next ?? t, now) };
  }

  describeLimits() {
    return { AccountMaxReadCapacityUnits: 80000, AccountMaxWriteCapacityUnits: 80000, TableMaxReadCapacityUnits: 40000, TableMaxWriteCapacityUnits: 40000 };
  }

  /** Flint is its own endpoint: `address` is the host the request came to. */
  describeEndpoints(address: string) {
    return { Endpoints: [{ Address: address, CachePeriodInMinutes: 1440 }] };
  }

  async close(): Promise<void> {
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    await this.idle();
  }
}

/** Defined attributes no key or index uses any more are dropped, as AWS does. */
function pruneDefinitions(t: TableRecord): void {
  const used = new Set([...t.keySchema, ...t.indexes.flatMap((i) => i.KeySchema)].map((k) => k.AttributeName));
  t.attributeDefinitions = t.attributeDefinitions.filter((d) => used.has(d.AttributeName));
}

/** An item's TTL expiry (epoch seconds) from its attribute: a number, not more than five years past. */
export function expiryOf(item: Item, attributeName: string, floorSeconds: number): number | undefined {
  const v = item[attributeName];
  if (!v || !("N" in v)) return undefined;
  const at = Number(v.N);
  if (!Number.isFinite(at) || at < floorSeconds) return undefined;
  return Math.floor(at);
}

function continuousBackups(t: Table, now: number) {
  const pitr = t.pointInTimeRecovery;
  return {
    ContinuousBackupsStatus: "ENABLED",
    PointInTimeRecoveryDescription: pitr?.enabled
      ? { PointInTimeRecoveryStatus: "ENABLED", RecoveryPeriodInDays: pitr.days, EarliestRestorableDateTime: Math.max(pitr.since, now - pitr.days * 86_400_000) / 1000, LatestRestorableDateTime: (now - 300_000) / 1000 }
      : { PointInTimeRecoveryStatus: "DISABLED" },
  };
}

/** Tags as AWS takes them: no `aws:` prefix, no key twice. */
function checkTags(tags: Tag[]): Tag[] {
  const seen = new Set<string>();
  for (const tag of tags) {
    if (tag.Key.toLowerCase().startsWith("aws:")) throw validation(`Tag Key cannot be prefixed with aws:, Key: ${tag.Key}`);
    if (seen.has(tag.Key)) throw validation(`Duplicate Tag Keys provided as input: Duplicate Tag Key found ${tag.Key}`);
    seen.add(tag.Key);
  }
  return tags;
}
