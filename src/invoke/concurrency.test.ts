/**
 * The one-node gate (SQLite): counting in memory, synchronously, as Lambda throttles.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { AwsError } from "../errors.js";
import type { FunctionRecord } from "../services/lambda/model.js";
import { ACCOUNT_LIMIT, MemoryConcurrencyGate, RESERVED_LIMIT, type Release } from "./concurrency.js";

const fn = (name: string, settings: Partial<FunctionRecord> = {}) => ({ name, provisioned: {}, ...settings }) as FunctionRecord;

/** A slot, or the throttle's Reason. */
function take(gate: MemoryConcurrencyGate, record: FunctionRecord): Release | string {
  try {
    return gate.acquire(record);
  } catch (err) {
    if (err instanceof AwsError && err.code === "TooManyRequestsException") return String(err.extra.Reason);
    throw err;
  }
}

test("N invokes against reserved concurrency K: K run, N−K throttled with the reserved Reason; an ended one frees its slot once", () => {
  const gate = new MemoryConcurrencyGate({ limit: 1000, unreservedCapacity: 900 });
  const f = fn("reserved", { reservedConcurrency: 3 });
  const outcomes = Array.from({ length: 8 }, () => take(gate, f));
  const slots = outcomes.filter((o) => typeof o === "function") as Release[];
  assert.equal(slots.length, 3);
  assert.deepEqual(outcomes.filter((o) => typeof o === "string"), Array(5).fill(RESERVED_LIMIT));
  slots[0]!();
  slots[0]!();
  assert.equal(gate.inFlight("reserved"), 2);
  assert.equal(typeof take(gate, f), "function");
  assert.equal(take(gate, f), RESERVED_LIMIT);
});

test("unreserved functions share the unreserved capacity; the throttle says ConcurrentInvocationLimitExceeded", () => {
  const gate = new MemoryConcurrencyGate({ limit: 1000, unreservedCapacity: 2 });
  assert.equal(typeof take(gate, fn("a")), "function");
  assert.equal(typeof take(gate, fn("b")), "function");
  assert.equal(take(gate, fn("c")), ACCOUNT_LIMIT);
  assert.equal(typeof take(gate, fn("r", { reservedConcurrency: 1 })), "function", "a reservation is not the pool's");
  assert.equal(gate.inFlight(), 3);
});

test("an unreserved function with provisioned concurrency runs its share first, then in the shared pool", () => {
  const gate = new MemoryConcurrencyGate({ limit: 1000, unreservedCapacity: 1 });
  const f = fn("provisioned", { provisioned: { "1": { qualifier: "1", requested: 2, lastModified: "" } } });
  const outcomes = Array.from({ length: 5 }, () => take(gate, f));
  assert.equal(outcomes.filter((o) => typeof o === "function").length, 3);
  assert.deepEqual(outcomes.filter((o) => typeof o === "string"), Array(2).fill(ACCOUNT_LIMIT));
});
