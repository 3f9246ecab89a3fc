/**
 * The Lambda control plane's state: every function record in memory (the data plane reads it on
 * every invoke) and in the Store, with writes to one function serialised. The operation modules
 * (functions, versions, aliases, concurrency) all go through it. The memory is a cache of the store:
 * each write tells the other nodes (store.changes), and their writes reload the function here and
 * tell the listener, so this node's environments follow a deployment made on another.
 */
import { awsError } from "../../errors.js";
import { KeyedLock } from "../../lib/keyed-lock.js";
import type { Clock } from "../../clock/clock.js";
import type { Store } from "../../store/store.js";
import { RELOAD_ALL } from "../../store/change-bus.js";
import { type Account, functionArn } from "./arns.js";
import { codeRefsOf, normaliseRecord, type AliasRecord, type FunctionRecord, type FunctionVersion } from "./model.js";

/** Told when what invocations run changes, so the data plane can replace or prepare environments. */
export interface DeploymentListener {
  /** `$LATEST`'s deployed configuration changed, or a version became ready. */
  deployed(record: FunctionRecord): void;
  /** `remote`: another node deleted it (and what goes with it), this node only forgets it. */
  deleted(name: string, remote?: boolean): void;
  /** Provisioned concurrency, reserved concurrency or aliases of the function changed. */
  configured(record: FunctionRecord): void;
}

/** What a qualifier names: a version (possibly through an alias). */
export interface Resolved {
  version: FunctionVersion;
  alias?: AliasRecord;
}

/** The change bus topic of function records. */
const TOPIC = "functions";

/** The code packages a record references, as the store indexes them (`codeInUse`). */
const codeIdsOf = (record: FunctionRecord) => codeRefsOf(record).map((c) => c.id);

export const isVersionNumber = (q: string) => /^\d+$/.test(q);

export class FunctionRegistry {
  private readonly functions = new Map<string, FunctionRecord>();
  private readonly locks = new KeyedLock();
  /** Sum of every function's ReservedConcurrentExecutions, kept with the records (a deleted function frees its reservation). */
  private reserved = 0;
  /** Sum of the provisioned concurrency of functions without a reservation (it leaves the shared pool too). */
  private provisionedUnreserved = 0;
  listener: DeploymentListener = { deployed() {}, deleted() {}, configured() {} };

  private constructor(
    readonly account: Account,
    private readonly store: Store,
    readonly clock: Clock,
  ) {}

  static async load(account: Account, store: Store, clock: Clock): Promise<FunctionRegistry> {
    const registry = new FunctionRegistry(account, store, clock);
    store.changes.subscribe(TOPIC, (name) => (name === RELOAD_ALL ? registry.reloadAll() : registry.reload(name)));
    for (const record of await store.listFunctions()) registry.put(normaliseRecord(record));
    return registry;
  }

  /** Another node changed `name`: read it again (after this node's own queued writes to it). */
  private reload(name: string): Promise<void> {
    return this.withLock(name, async () => {
      const stored = await this.store.getFunction(name);
      const record = stored && normaliseRecord(stored);
      const prev = this.functions.get(name);
      if (!record) {
        if (!prev) return;
        this.forget(name);
        this.listener.deleted(name, true);
        return;
      }
      this.put(record);
      // A new deployment of $LATEST or a new version replaces environments; anything else reconciles them.
      const redeployed = record.deployed?.revisionId !== prev?.deployed?.revisionId || Object.keys(record.versions).length !== Object.keys(prev?.versions ?? {}).length;
      if (redeployed) this.listener.deployed(record);
      else this.listener.configured(record);
    });
  }

  /** Changes may have been missed: read every function again, and forget those gone. */
  private async reloadAll(): Promise<void> {
    const names = new Set([...(await this.store.listFunctions()).map((f) => f.name), ...this.functions.keys()]);
    await Promise.all([...names].map((name) => this.reload(name)));
  }

  /** Tell the other nodes; a failure to is logged, not thrown, since the write itself committed. */
  private async published(name: string): Promise<void> {
    await this.store.changes.publish(TOPIC, name).catch((err) => console.error(`flint: telling other nodes about function ${name}:`, err));
  }

  /** Serialise writes to one function. */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(name, fn);
  }

  /** Wait for queued writes (shutdown, tests). */
  idle(): Promise<void> {
    return this.locks.idle();
  }

  notFound(name: string, qualifier?: string): never {
    throw awsError("ResourceNotFoundException", `Function not found: ${functionArn(this.account, name, qualifier)}`);
  }

  get(name: string): FunctionRecord | undefined {
    return this.functions.get(name);
  }

  require(name: string, qualifier?: string): FunctionRecord {
    const record = this.functions.get(name);
    if (!record) this.notFound(name, qualifier);
    return record;
  }

  all(): IterableIterator<FunctionRecord> {
    return this.functions.values();
  }

  get size(): number {
    return this.functions.size;
  }

  /** ReservedConcurrentExecutions of all functions together. */
  get reservedTotal(): number {
    return this.reserved;
  }

  /** Provisioned concurrency of all functions without a reservation together. */
  get provisionedUnreservedTotal(): number {
    return this.provisionedUnreserved;
  }

  private put(record: FunctionRecord): void {
    const prev = this.functions.get(record.name);
    this.reserved += (record.reservedConcurrency ?? 0) - (prev?.reservedConcurrency ?? 0);
    this.provisionedUnreserved += provisionedShare(record) - (prev ? provisionedShare(prev) : 0);
    this.functions.set(record.name, record);
  }

  async save(record: FunctionRecord): Promise<void> {
    record = withoutDanglingSettings(record);
    await this.store.putFunction(record, codeIdsOf(record));
    this.put(record);
    await this.published(record.name);
  }

  /** Insert a new function; false when the name is taken. */
  async insert(record: FunctionRecord): Promise<boolean> {
    if (this.functions.has(record.name) || !(await this.store.insertFunction(record, codeIdsOf(record)))) return false;
    this.put(record);
    await this.published(record.name);
    return true;
  }

  codeInUse(codeId: string): Promise<boolean> {
    return this.store.codeInUse(codeId);
  }

  async remove(name: string): Promise<void> {
    await this.store.deleteFunction(name);
    this.forget(name);
    await this.published(name);
  }

  private forget(name: string): void {
    const prev = this.functions.get(name);
    this.reserved -= prev?.reservedConcurrency ?? 0;
    this.provisionedUnreserved -= prev ? provisionedShare(prev) : 0;
    this.functions.delete(name);
  }

  /** The version a qualifier names ($LATEST when absent), through an alias if it is one. */
  resolve(record: FunctionRecord, qualifier?: string): Resolved {
    if (qualifier === undefined || qualifier === "$LATEST") return { version: record.latest };
    if (isVersionNumber(qualifier)) {
      const version = record.versions[qualifier];
      if (!version) this.notFound(record.name, qualifier);
      return { version };
    }
    const alias = record.aliases[qualifier];
    if (!alias) this.notFound(record.name, qualifier);
    return { version: alias.functionVersion === "$LATEST" ? record.latest : record.versions[alias.functionVersion]!, alias };
  }
}

/** Settings and policies of a version or alias that no longer exists go with it (AWS deletes them too). */
function withoutDanglingSettings(record: FunctionRecord): FunctionRecord {
  const exists = (q: string) => q === "$LATEST" || q in record.versions || q in record.aliases;
  const live = <T>(byQualifier: Record<string, T> | undefined): Record<string, T> | undefined => {
    if (!byQualifier || Object.keys(byQualifier).every(exists)) return byQualifier;
    return Object.fromEntries(Object.entries(byQualifier).filter(([q]) => exists(q)));
  };
  const eventInvokeConfigs = live(record.eventInvokeConfigs ?? {})!;
  const policies = live(record.policies);
  if (eventInvokeConfigs === record.eventInvokeConfigs && policies === record.policies) return record;
  return { ...record, eventInvokeConfigs, ...(policies ? { policies } : {}) };
}

/** Provisioned concurrency of a function, when it has no reservation to hold it. */
export function provisionedShare(record: FunctionRecord): number {
  if (record.reservedConcurrency !== undefined) return 0;
  let sum = 0;
  for (const c of Object.values(record.provisioned ?? {})) sum += c.requested;
  return sum;
}
