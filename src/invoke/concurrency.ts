/**
 * Counting concurrent executions exactly, and throttling as Lambda does: a function with reserved
 * concurrency runs at most that many at once; all others share what the account limit leaves.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
 *
 * One node (SQLite) counts in memory (`MemoryConcurrencyGate`); nodes sharing a PostgreSQL database
 * count with slots leased from the store (`LeasedConcurrencyGate`, leased-gate.ts).
 */
import { awsError } from "../errors.js";
import type { FunctionRecord } from "../services/lambda/model.js";
import { provisionedShare } from "../services/lambda/registry.js";

export type Release = () => void;

export interface ConcurrencyLimits {
  /** The account's limit. */
  readonly limit: number;
  /** What functions without a reservation share (limit minus all reservations). */
  readonly unreservedCapacity: number;
}

export interface ConcurrencyGate {
  /**
   * Take one execution slot for the function, or throw TooManyRequestsException. Synchronous when
   * the slot is at hand; a promise when the store must be asked.
   */
  acquire(record: FunctionRecord): Release | Promise<Release>;
  /** At shutdown, before the store closes. */
  stop(): Promise<void>;
}

export const RESERVED_LIMIT = "ReservedFunctionConcurrentInvocationLimitExceeded";
export const ACCOUNT_LIMIT = "ConcurrentInvocationLimitExceeded";

export const throttled = (reason: string) => awsError("TooManyRequestsException", "Rate Exceeded.", { Reason: reason });

/**
 * Synchronous and single-threaded counting: N parallel invokes against reservation K run K and
 * throttle N−K.
 */
export class MemoryConcurrencyGate implements ConcurrencyGate {
  private total = 0;
  private unreservedInFlight = 0;
  private readonly perFunction = new Map<string, number>();
  /** Executions of unreserved functions running in their provisioned share. */
  private readonly ownShare = new Map<string, number>();

  constructor(private readonly limits: ConcurrencyLimits) {}

  acquire(record: FunctionRecord): Release {
    const name = record.name;
    const reserved = record.reservedConcurrency;
    const current = this.perFunction.get(name) ?? 0;
    // A function without a reservation runs in its provisioned share first, then in the shared pool.
    let shared = false;
    if (reserved !== undefined) {
      if (current >= reserved) throw throttled(RESERVED_LIMIT);
    } else {
      const own = this.ownShare.get(name) ?? 0;
      if (own >= provisionedShare(record)) {
        if (this.unreservedInFlight >= this.limits.unreservedCapacity || this.total >= this.limits.limit) throw throttled(ACCOUNT_LIMIT);
        shared = true;
      }
    }
    this.perFunction.set(name, current + 1);
    this.total++;
    if (shared) this.unreservedInFlight++;
    else if (reserved === undefined) this.ownShare.set(name, (this.ownShare.get(name) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.perFunction.get(name) ?? 1) - 1;
      if (n === 0) this.perFunction.delete(name);
      else this.perFunction.set(name, n);
      this.total--;
      if (shared) this.unreservedInFlight--;
      else if (reserved === undefined) {
        const o = (this.ownShare.get(name) ?? 1) - 1;
        if (o === 0) this.ownShare.delete(name);
        else this.ownShare.set(name, o);
      }
    };
  }

  async stop(): Promise<void> {
    // nothing runs in the background
  }

  /** Executions in flight: for the account, or for one function. */
  inFlight(functionName?: string): number {
    return functionName === undefined ? this.total : (this.perFunction.get(functionName) ?? 0);
  }
}
