/**
 * Counting concurrent executions exactly, and throttling as Lambda does: a function with reserved
 * concurrency runs at most that many at once; all others share what the account limit leaves.
 * Synchronous and single-threaded counting: N parallel invokes against reservation K run K and
 * throttle N−K. https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
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

const throttled = (reason: string) => awsError("TooManyRequestsException", "Rate Exceeded.", { Reason: reason });

export class ConcurrencyGate {
  private total = 0;
  private unreservedInFlight = 0;
  private readonly perFunction = new Map<string, number>();
  /** Executions of unreserved functions running in their provisioned share. */
  private readonly ownShare = new Map<string, number>();

  constructor(private readonly limits: ConcurrencyLimits) {}

  /** Take one execution slot for the function, or throw TooManyRequestsException. */
  acquire(record: FunctionRecord): Release {
    const name = record.name;
    const reserved = record.reservedConcurrency;
    const current = this.perFunction.get(name) ?? 0;
    // A function without a reservation runs in its provisioned share first, then in the shared pool.
    let shared = false;
    if (reserved !== undefined) {
      if (current >= reserved) throw throttled("ReservedFunctionConcurrentInvocationLimitExceeded");
    } else {
      const own = this.ownShare.get(name) ?? 0;
      if (own >= provisionedShare(record)) {
        if (this.unreservedInFlight >= this.limits.unreservedCapacity || this.total >= this.limits.limit) throw throttled("ConcurrentInvocationLimitExceeded");
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

  /** Executions in flight: for the account, or for one function. */
  inFlight(functionName?: string): number {
    return functionName === undefined ? this.total : (this.perFunction.get(functionName) ?? 0);
  }
}
