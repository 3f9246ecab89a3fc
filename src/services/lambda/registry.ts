/**
 * The Lambda control plane's state: every function record in memory (the data plane reads it on
 * every invoke) and in the Store, with writes to one function serialised. The operation modules
 * (functions, versions, aliases, concurrency) all go through it.
 */
import { awsError } from "../../errors.js";
import { KeyedLock } from "../../lib/keyed-lock.js";
import type { Clock } from "../../clock/clock.js";
import type { Store } from "../../store/store.js";
import { type Account, functionArn } from "./arns.js";
import type { AliasRecord, FunctionRecord, FunctionVersion } from "./model.js";

/** Told when what invocations run changes, so the data plane can replace or prepare environments. */
export interface DeploymentListener {
  /** `$LATEST`'s deployed configuration changed, or a version became ready. */
  deployed(record: FunctionRecord): void;
  deleted(name: string): void;
  /** Provisioned concurrency, reserved concurrency or aliases of the function changed. */
  configured(record: FunctionRecord): void;
}

/** What a qualifier names: a version (possibly through an alias). */
export interface Resolved {
  version: FunctionVersion;
  alias?: AliasRecord;
}

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
    for (const record of await store.listFunctions()) registry.put(record);
    return registry;
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
    await this.store.putFunction(record);
    this.put(record);
  }

  /** Insert a new function; false when the name is taken. */
  async insert(record: FunctionRecord): Promise<boolean> {
    if (this.functions.has(record.name) || !(await this.store.insertFunction(record))) return false;
    this.put(record);
    return true;
  }

  codeInUse(codeId: string): Promise<boolean> {
    return this.store.codeInUse(codeId);
  }

  async remove(name: string): Promise<void> {
    await this.store.deleteFunction(name);
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
