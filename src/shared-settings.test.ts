/** On a store nodes share: one Flint time for every node, one set of generated root credentials. */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { clockSetting, resumeClock } from "./clock/clock.js";
import { rootCredentials } from "./credentials.js";
import { resolveConfig } from "./config/config.js";
import { PgStore } from "./store/postgres.js";
import { testDatabase, type TestDatabase } from "../test/harness/postgres.js";

let db: TestDatabase;
let a: PgStore;
let b: PgStore;
before(async () => {
  db = await testDatabase();
  [a, b] = [await PgStore.open(db.url), await PgStore.open(db.url)];
});
after(async () => {
  await Promise.all([a.close(), b.close()]);
  await db.close();
});

test("a node starting while another runs tells the same Flint time, even at --time-scale 60", async () => {
  const first = await resumeClock(clockSetting(a.settings), 60);
  await first.stop();
  await new Promise((r) => setTimeout(r, 500));
  const second = await resumeClock(clockSetting(b.settings), 60);
  await second.stop();
  // Half a real second at 60x is 30 s of Flint time: a node that did not join would be that far behind.
  assert.ok(Math.abs(first.clock.now() - second.clock.now()) < 1000, `${first.clock.now() - second.clock.now()} ms apart`);
});

test("after the whole cluster stopped, a node resumes from the last reading, not from where the stopped time would have run", async () => {
  const ahead = Date.now() + 3_600_000;
  await a.settings.put("clock", JSON.stringify({ now: ahead, at: Date.now() - 60_000, scale: 60 }));
  const resumed = await resumeClock(clockSetting(b.settings), 60);
  await resumed.stop();
  const now = resumed.clock.now();
  assert.ok(now >= ahead && now < ahead + 60_000, `${now - ahead} ms past the reading`);
});

test("nodes starting at once without configured credentials all use the first one's generated root credentials", async () => {
  const config = resolveConfig([], {});
  const got = await Promise.all([rootCredentials(config, a.settings), rootCredentials(config, b.settings), rootCredentials(config, a.settings)]);
  assert.equal(new Set(got.map((g) => JSON.stringify(g.credentials))).size, 1);
  assert.equal(got.filter((g) => g.generated).length, 1);
  assert.ok(got.every((g) => g.file === undefined));
});
