/** CacheSync.missed() and lookUp(): a lookup that missed waits for one reload that started after it, no longer. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { CacheSync, LocalChangeBus } from "./change-bus.js";

/** A reload that waits to be released, counting how many started. */
function gatedReload() {
  const gates: { release: () => void; fail: (err: Error) => void }[] = [];
  const reload = () =>
    new Promise<void>((release, fail) => {
      gates.push({ release, fail });
    });
  return { gates, reload };
}

const turn = () => new Promise((r) => setImmediate(r));

/** A CacheSync on node A of a two-node bus (so it is not alone), and B to publish from. */
function onTwoNodes(reload: () => Promise<void>) {
  const bus = new LocalChangeBus();
  const [a, b] = [bus.join(), bus.join()];
  return { sync: new CacheSync(a, "things", reload), b };
}

test("a miss waits for a reload that started after it, not for the one already running", async () => {
  const { gates, reload } = gatedReload();
  const { sync } = onTwoNodes(reload);
  const first = sync.missed();
  assert.equal(gates.length, 1);
  let done = false;
  const second = sync.missed().then(() => (done = true));
  gates[0]!.release();
  await first;
  await turn();
  assert.equal(done, false, "the reload running when it missed may have read the store before the write it looks for");
  assert.equal(gates.length, 2);
  gates[1]!.release();
  await second;
  assert.equal(done, true);
});

test("a miss is answered after its reload even while other nodes' news keeps the reloads going", async () => {
  const { gates, reload } = gatedReload();
  const { sync, b } = onTwoNodes(reload);
  const missed = sync.missed();
  let answered = false;
  void missed.then(() => (answered = true));
  // Every reload ends with news pending, so the loop never runs dry.
  for (let i = 0; i < 5 && !answered; i++) {
    await b.publish("things", "x");
    await turn();
    gates[i]!.release();
    await turn();
  }
  assert.equal(answered, true);
  assert.equal(gates.length, 2, "answered after the first reload, with the second (for the news) on its way");
  gates[1]!.release();
});

test("a miss whose reload fails is rejected with its error, not answered as not found", async (t) => {
  t.mock.method(console, "error", () => {});
  const { gates, reload } = gatedReload();
  const { sync } = onTwoNodes(reload);
  const missed = sync.missed();
  gates[0]!.fail(new Error("the database went away"));
  await assert.rejects(missed, { message: "the database went away" });
  // The next miss reloads again.
  const again = sync.missed();
  assert.equal(gates.length, 2);
  gates[1]!.release();
  await again;
});

test("alone, a miss reads nothing: the cache is the whole store", async () => {
  const { gates, reload } = gatedReload();
  const sync = new CacheSync(new LocalChangeBus().join(), "things", reload);
  await sync.missed();
  assert.equal(await sync.lookUp(() => undefined), undefined);
  assert.equal(gates.length, 0);
});

test("lookUp: a hit costs nothing; a miss or a stale hit is looked up again after one reload", async () => {
  let stored: { status: string } | undefined;
  let cached: { status: string } | undefined;
  let reloads = 0;
  const { sync } = onTwoNodes(async () => {
    reloads++;
    cached = stored;
  });
  const creating = (x: { status: string }) => x.status === "CREATING";
  assert.equal(await sync.lookUp(() => cached), undefined);
  assert.equal(reloads, 1);
  stored = { status: "CREATING" };
  assert.deepEqual(await sync.lookUp(() => cached, creating), { status: "CREATING" });
  assert.equal(reloads, 2);
  stored = { status: "ACTIVE" };
  assert.deepEqual(await sync.lookUp(() => cached, creating), { status: "ACTIVE" }, "the stale state was read again");
  assert.equal(reloads, 3);
  assert.deepEqual(await sync.lookUp(() => cached, creating), { status: "ACTIVE" });
  assert.equal(reloads, 3, "a hit read nothing");
});
