/**
 * DynamoDB's control plane: tables, their indexes, streams, time to live and tags, as typed
 * commands in AWS's member names (api/dynamodb decodes the JSON 1.0 protocol into these calls).
 * The tables are a cache of the store shared with the other nodes (CacheSync over Store.changes);
 * items.ts and streams.ts read them here (resolve, lookup, resolveStream). A request that names a
 * table this node does not know, or knows in a state that refuses it (CREATING here, ACTIVE on the
 * node that made it), reads the store again before it is refused: a client may use on this node
 * what another node answered a moment ago, before that node's news arrived.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB.html
 */
import { randomUUID } from "node:crypto";
import type { Clock, Timer } from "../../clock/clock.js";
import { aloneBus, CacheSync, type ChangeBus } from "../../store/change-bus.js";
import type { DynamoStore } from "../../store/dynamodb-store.js";
import type { LeaseStore } from "../../store/lease-store.js";
import type { CreateTableInput } from "./create-table-input.js";
import { dynamoError, resourceNotFound, tableNotFound, validation } from "./dynamo-errors.js";
import { IndexWork } from "./index-work.js";
import type { IndexRecord, TableRecord, TableStream } from "./model.js";
import { backfillIndex, indexRecord, markIndexDone } from "./table-indexes.js";
import type { Tag } from "./table-inputs.js";
import { continuousBackups, kmsKeyArn, pointInTimeRecovery } from "./table-settings.js";
import { type Table, tableDescription } from "./table-shapes.js";
import { isRetired, newStream, type RetiredTable, retiredRow, retiredTable } from "./table-streams.js";
import { checkTaggedArn, checkTags, MAX_TAGS, withTags } from "./table-tags.js";
import { backfillTtl, ttlChange, ttlDescription } from "./table-ttl.js";
import { updatedTable } from "./update-table.js";
import type { UpdateTableInput } from "./update-table-input.js";

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
  /** The cluster's leases (Store.leases): one node at a time does an index's work (index-work.ts). */
  leases?: LeaseStore;
}

/** Called when a table is created, changed or deleted (`table` undefined), here or on another node. */
export type TableListener = (name: string, table: TableRecord | undefined) => void;

/** CREATING and UPDATING last this long (AWS: seconds); short, but `wait table-exists` sees them. */
const SETTLE_MS = 50;

const TABLE_ARN = /^arn:aws[a-z-]*:dynamodb:([^:]+):(\d{12}):table\/([^/]+)(?:\/.*)?$/;

export function tableArn(account: Account, name: string): string {
  return `arn:aws:dynamodb:${account.region}:${account.accountId}:table/${name}`;
}

/** Refused by the item operations. */
const unusable = (t: TableRecord) => t.status === "CREATING" || t.status === "DELETING";
/** A cached state another node may have moved on from a moment ago (its timer made the table ACTIVE). */
const creating = (t: TableRecord) => t.status === "CREATING";

const inUse = (t: TableRecord) =>
  dynamoError("ResourceInUseException", `Attempt to change a resource which is still in use: Table is being ${t.status === "CREATING" ? "created" : t.status === "DELETING" ? "deleted" : "updated"}: ${t.name}`);

export class TablesService {
  private readonly tables = new Map<string, Table>();
  /**
   * Deleted tables, by id, kept for their streams' retention: a deleted table's stream can still be
   * described and read for 24 hours, as on AWS. A cache of their rows in the store (table-streams.ts).
   */
  private readonly retired = new Map<string, { table: TableRecord; row: RetiredTable }>();
  private readonly timers = new Set<Timer>();
  private readonly listeners = new Set<TableListener>();
  private readonly sync: CacheSync;
  /** Backfills running (index creation, TTL), awaited by close() and by tests. */
  private readonly work = new Set<Promise<void>>();

  private readonly indexWork: IndexWork;

  private constructor(private readonly deps: TablesDeps) {
    this.sync = new CacheSync(deps.changes ?? aloneBus(), "dynamodb-tables", () => this.reload());
    this.indexWork = new IndexWork({
      clock: deps.clock,
      ...(deps.leases ? { leases: deps.leases } : {}),
      tables: () => this.all(),
      run: (t, ix) => (ix.IndexStatus === "CREATING" ? this.createIndex(t as Table, ix) : this.dropIndex(t as Table, ix)),
    });
  }

  static async create(deps: TablesDeps): Promise<TablesService> {
    const service = new TablesService(deps);
    const rows = await deps.store.listTables();
    for (const t of rows) {
      if (isRetired(t)) continue;
      service.tables.set(t.name, t);
      service.settleSoon(t);
    }
    service.keepRetired(rows);
    return service;
  }

  /**
   * Another node changed a table: read them all again. Records are replaced, never changed in place
   * (items.ts caches what it derives from one per object); an unchanged one keeps its object.
   */
  private reload(): Promise<void> {
    return this.sync.reread(
      () => this.deps.store.listTables(),
      (rows) => {
        const gone = new Map(this.tables);
        for (const fresh of rows) {
          if (isRetired(fresh)) continue;
          gone.delete(fresh.name);
          const known = this.tables.get(fresh.name);
          if (known && JSON.stringify(known) === JSON.stringify(fresh)) continue;
          this.tables.set(fresh.name, fresh);
          this.emit(fresh.name, fresh);
        }
        for (const t of gone.values()) {
          this.tables.delete(t.name);
          this.emit(t.name, undefined);
        }
        this.keepRetired(rows);
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

  /** The name of the table a request names by name or by ARN (a table's, or one of its index's or stream's); undefined for another account's or region's ARN. */
  private nameOf(nameOrArn: string): string | undefined {
    if (!nameOrArn.startsWith("arn:")) return nameOrArn;
    const m = TABLE_ARN.exec(nameOrArn);
    if (!m || m[1] !== this.account.region || m[2] !== this.account.accountId) return undefined;
    return m[3]!;
  }

  /** The table a request names by name or by ARN, as this node knows it. */
  find(nameOrArn: string): TableRecord | undefined {
    const name = this.nameOf(nameOrArn);
    return name === undefined ? undefined : this.tables.get(name);
  }

  /**
   * The table a request names, read again from the store first when this node does not know it or
   * `stale` says its record may be old (a state the request would be refused in). A table another
   * node made or changed a moment ago is found before its news arrives; a hit costs nothing.
   */
  async lookup(nameOrArn: string, stale?: (t: TableRecord) => boolean): Promise<TableRecord | undefined> {
    const name = this.nameOf(nameOrArn);
    return name === undefined ? undefined : this.sync.lookUp(() => this.tables.get(name), stale);
  }

  /** The table, for the item operations, as this node knows it: ResourceNotFoundException "Requested resource not found" when absent (or still being created). */
  require(nameOrArn: string): TableRecord {
    const t = this.find(nameOrArn);
    if (!t || unusable(t)) throw resourceNotFound();
    return t;
  }

  /**
   * require() once the store was read again, when this node does not know the table, knows it only
   * as being created (another node may have made it ACTIVE), or `stale` says its record may be old.
   * A DELETING table is refused as it is: it will not come back.
   */
  async resolve(nameOrArn: string, stale?: (t: TableRecord) => boolean): Promise<TableRecord> {
    await this.lookup(nameOrArn, (t) => creating(t) || (stale?.(t) ?? false));
    return this.require(nameOrArn);
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
    for (const { table, row } of this.retired.values()) {
      if (row.retired.until <= now) {
        this.dropRetired(row);
        continue;
      }
      const old = table.streams.find((s) => s.arn === arn);
      if (old) return { table, stream: old };
    }
    return undefined;
  }

  /** byStreamArn() once the store was read again, when this node knows no such stream. */
  resolveStream(arn: string): Promise<{ table: TableRecord; stream: TableStream } | undefined> {
    return this.sync.lookUp(() => this.byStreamArn(arn));
  }

  /** The deleted tables the store's rows keep, those past their retention dropped from it. */
  private keepRetired(rows: TableRecord[]): void {
    const now = this.deps.clock.now();
    this.retired.clear();
    for (const row of rows) {
      if (!isRetired(row)) continue;
      if (row.retired.until <= now) this.dropRetired(row);
      else this.retired.set(row.id, { table: retiredTable(row), row });
    }
  }

  private dropRetired(row: RetiredTable): void {
    this.retired.delete(row.id);
    this.track(this.deps.store.deleteTable(row.name, row.id));
  }

  /** A table's tags, for IAM's aws:ResourceTag conditions. */
  tagsOf(arn: string): Record<string, string> | undefined {
    return this.find(arn)?.tags;
  }

  /** The table a control-plane request names (read again as lookup() says), or ResourceNotFoundException. */
  private async described(name: string, stale?: (t: TableRecord) => boolean): Promise<Table> {
    const t = await this.lookup(name, stale);
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
   * its backfill or drop is done, by the node holding its lease (index-work.ts).
   */
  private settleSoon(t: Table): void {
    if (t.status !== "CREATING" && t.status !== "UPDATING") return;
    if (t.status === "UPDATING" && t.indexes.some((i) => i.IndexStatus === "CREATING" || i.IndexStatus === "DELETING")) {
      // The index work decides when it is done, on whichever node holds its lease (index-work.ts).
      void this.indexWork.tick();
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
    while (this.work.size || this.indexWork.busy) await Promise.all([...this.work, this.indexWork.idle()]);
  }

  // --- Tables --------------------------------------------------------------------------------

  async createTable(input: CreateTableInput) {
    const name = input.TableName;
    if (name.startsWith("arn:")) throw validation(`Invalid table name: ${name}`);
    // A table another node deleted a moment ago may still be here: read again before refusing.
    if (this.tables.has(name) && (await this.lookup(name, () => true))) throw dynamoError("ResourceInUseException", `Table already exists: ${name}`);
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
      ...(input.SSESpecification?.Enabled ? { kmsKeyArn: kmsKeyArn(this.account, input.SSESpecification) } : {}),
    };
    if (input.StreamSpecification?.StreamEnabled) t.streams.push(newStream(t, input.StreamSpecification.StreamViewType!, now));
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
    // A waiter may have seen the table ACTIVE on another node: a transitional state is read again.
    const t = await this.described(input.TableName, (x) => x.status !== "ACTIVE");
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
    const t = await this.described(input.TableName, creating);
    if (t.status === "CREATING" || t.status === "DELETING") throw inUse(t);
    if (t.deletionProtection) throw validation("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.");
    const counts = await this.counts(t);
    const description = tableDescription(t, counts, "DELETING");
    await this.sync.write(t.name, async () => {
      if (this.current(t.name, t.id)) this.tables.delete(t.name);
      // Its streams' row first: a crash between the two leaves the table, not its streams lost.
      if (t.streams.length) {
        const row = retiredRow(t, this.deps.clock.now());
        await this.deps.store.insertTable(row);
        this.retired.set(t.id, { table: retiredTable(row), row });
      }
      await this.deps.store.deleteTable(t.name, t.id);
    });
    this.emit(t.name, undefined);
    return { TableDescription: description };
  }

  async updateTable(input: UpdateTableInput) {
    const t = await this.described(input.TableName, (x) => x.status !== "ACTIVE");
    if (t.status !== "ACTIVE") throw inUse(t);
    const next = updatedTable(t, input, this.deps.clock.now(), this.account);
    await this.save(next);
    const counts = await this.counts(next);
    const description = tableDescription(next, counts);
    this.settleSoon(next);
    return { TableDescription: description };
  }

  /** A new global index is backfilled from the items, then ACTIVE. */
  private async createIndex(t: Table, ix: IndexRecord): Promise<void> {
    await backfillIndex(this.deps.store, t, () => this.current(t.name, t.id));
    await this.indexDone(t, ix.IndexName);
  }

  private async dropIndex(t: Table, ix: IndexRecord): Promise<void> {
    await this.deps.store.dropIndex(t.id, ix.IndexName);
    await this.indexDone(t, ix.IndexName, true);
  }

  /** A global index's backfill (or drop) is done: ACTIVE (or gone), and the table once no other index work is left. */
  private async indexDone(t: Table, name: string, dropped = false): Promise<void> {
    await this.change(t.name, t.id, (next) => markIndexDone(next, name, dropped));
  }

  // --- Time to live --------------------------------------------------------------------------

  async updateTimeToLive(input: { TableName: string; TimeToLiveSpecification: { Enabled: boolean; AttributeName: string } }) {
    let t = await this.described(input.TableName);
    const spec = input.TimeToLiveSpecification;
    let ttl: ReturnType<typeof ttlChange>;
    try {
      ttl = ttlChange(t, spec);
    } catch (err) {
      if ((err as { code?: string }).code !== "ValidationException") throw err;
      // Refused as changing nothing: the setting may have been changed on another node a moment ago.
      t = await this.described(input.TableName, () => true);
      ttl = ttlChange(t, spec);
    }
    const next = await this.change(t.name, t.id, (n) => (n.ttl = ttl));
    if (next) this.track(backfillTtl(this.deps.store, next, ttl, this.deps.clock.now(), () => this.current(next.name, next.id)));
    return { TimeToLiveSpecification: { Enabled: spec.Enabled, AttributeName: spec.AttributeName } };
  }

  async describeTimeToLive(input: { TableName: string }) {
    return ttlDescription(await this.described(input.TableName, creating));
  }

  // --- Tags ----------------------------------------------------------------------------------

  /** The table a tagging request's ResourceArn names (a table's ARN; a stream's is taken as its table's). */
  private async tagged(arn: string): Promise<Table> {
    checkTaggedArn(arn, TABLE_ARN.exec(arn), this.account);
    const t = await this.lookup(arn);
    if (!t) throw dynamoError("ResourceNotFoundException", `Requested resource not found: ResourcArn: ${arn} not found`);
    return t as Table;
  }

  async tagResource(input: { ResourceArn: string; Tags: Tag[] }): Promise<Record<string, never>> {
    const t = await this.tagged(input.ResourceArn);
    const tags = withTags(t.tags, input.Tags);
    await this.change(t.name, t.id, (next) => (next.tags = tags));
    return {};
  }

  async untagResource(input: { ResourceArn: string; TagKeys: string[] }): Promise<Record<string, never>> {
    const t = await this.tagged(input.ResourceArn);
    if (input.TagKeys.length === 0) throw validation("Atleast one Tag Key needs to be provided as Input.");
    await this.change(t.name, t.id, (next) => {
      for (const key of input.TagKeys) delete next.tags[key];
    });
    return {};
  }

  async listTagsOfResource(input: { ResourceArn: string; NextToken?: string }) {
    const t = await this.tagged(input.ResourceArn);
    return { Tags: Object.entries(t.tags).map(([Key, Value]) => ({ Key, Value })) };
  }

  // --- What IaC tools read -------------------------------------------------------------------

  async describeContinuousBackups(input: { TableName: string }) {
    const t = (await this.lookup(input.TableName)) as Table | undefined;
    if (!t) throw dynamoError("TableNotFoundException", `Table not found: ${input.TableName}`);
    return { ContinuousBackupsDescription: continuousBackups(t, this.deps.clock.now()) };
  }

  /** Point-in-time recovery on or off: reported as set (Flint keeps no backups to restore from). */
  async updateContinuousBackups(input: { TableName: string; PointInTimeRecoveryEnabled: boolean; RecoveryPeriodInDays?: number }) {
    const t = await this.lookup(input.TableName);
    if (!t) throw dynamoError("TableNotFoundException", `Table not found: ${input.TableName}`);
    const now = this.deps.clock.now();
    const next = await this.change(t.name, t.id, (n) => {
      n.pointInTimeRecovery = pointInTimeRecovery(n, input.PointInTimeRecoveryEnabled, input.RecoveryPeriodInDays, now);
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
    await this.indexWork.close();
    await this.idle();
  }
}
