/**
 * Provisioned concurrency on two nodes of one PostgreSQL database: exactly one provisions a function,
 * the other reports the holder's progress, and when the holder dies the other takes over after the
 * lease time.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../clock/manual-clock.js";
import { PgStore } from "../store/postgres.js";
import type { FunctionRecord } from "../services/lambda/model.js";
import { testDatabase, type TestDatabase } from "../../test/harness/postgres.js";
import { PROVISIONED_LEASE_MS, ProvisionedLeases } from "./provisioned-leases.js";

let db: TestDatabase;
before(async () => void (db = await testDatabase()));
after(() => db.close());

const record = { name: "fn", aliases: {}, provisioned: { "1": { qualifier: "1", requested: 3 } } } as unknown as FunctionRecord;

function node(store: PgStore, clock: ManualClock, allocated: number) {
  const reconciled: number[] = [];
  const leases = new ProvisionedLeases({
    leases: store.leases,
    settings: store.settings,
    clock,
    records: () => [record],
    reconcile: (r) => reconciled.push(Object.keys(r.provisioned).length),
    local: () => ({ allocated, available: allocated }),
  });
  return { leases, reconciled, provisions: () => Object.keys(leases.view(record).provisioned).length > 0 };
}

test("one node of two provisions a function; the other reports its progress and takes over when it dies", async () => {
  const clock = new ManualClock();
  const [sa, sb] = [await PgStore.open(db.url), await PgStore.open(db.url)];
  try {
    const a = node(sa, clock, 3);
    const b = node(sb, clock, 0);
    await a.leases.tick();
    await b.leases.tick();
    assert.deepEqual([a.provisions(), b.provisions()], [true, false]);
    assert.deepEqual(a.reconciled, [1], "the holder provisions the configuration");
    assert.deepEqual(b.leases.progress("fn", "1", "1"), { allocated: 3, available: 3 }, "the other node reports the holder's environments");
    // Renewals keep it with A while A ticks.
    for (let i = 0; i < 5; i++) {
      clock.advance(Math.round(PROVISIONED_LEASE_MS / 3));
      await a.leases.tick();
      await b.leases.tick();
      assert.deepEqual([a.provisions(), b.provisions()], [true, false]);
    }
    // A dies (stops renewing): B takes the function after the lease time, not before.
    clock.advance(Math.round(PROVISIONED_LEASE_MS / 2));
    await b.leases.tick();
    assert.equal(b.provisions(), false);
    clock.advance(PROVISIONED_LEASE_MS);
    await b.leases.tick();
    assert.equal(b.provisions(), true);
    assert.deepEqual(b.reconciled, [1]);
    // A comes back from a stall: its renewal fails, so it stops provisioning.
    await a.leases.tick();
    assert.equal(a.provisions(), false);
    assert.deepEqual(a.reconciled, [1, 0], "the stale holder tears its provisioned environments down");
    await b.leases.close();
    await a.leases.close();
  } finally {
    await sa.close();
    await sb.close();
  }
});
