/** The contract of the change bus: what one node publishes, every other node of the cluster hears. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import type { Store } from "../store.js";
import type { FreshStore } from "./index.js";

/** Resolves once `ready()` holds (a notification travels through another connection on PostgreSQL). */
export async function until(ready: () => boolean, what = "the condition"): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export function changesContract(fresh: FreshStore): void {
  test("changes: the other node hears a change with its topic and key, the publishing node does not", async (t) => {
    const a = await fresh(t);
    const b = await fresh(t, a);
    const heardByA: string[] = [];
    const heardByB: string[] = [];
    const otherTopic: string[] = [];
    a.changes.subscribe("functions", (key) => void heardByA.push(key));
    b.changes.subscribe("functions", (key) => void heardByB.push(key));
    b.changes.subscribe("queues", (key) => void otherTopic.push(key));
    await a.changes.publish("functions", "my-fn");
    await until(() => heardByB.length === 1, "node B to hear");
    assert.deepEqual(heardByB, ["my-fn"]);
    // B's own change reaches A; and A, which heard nothing of its own, hears only that.
    await b.changes.publish("functions", "other-fn");
    await until(() => heardByA.length === 1, "node A to hear");
    assert.deepEqual(heardByA, ["other-fn"]);
    assert.deepEqual(heardByB, ["my-fn"]);
    assert.deepEqual(otherTopic, []);
  });

  test("changes: one node's changes arrive in the order they were published", async (t) => {
    const a = await fresh(t);
    const b = await fresh(t, a);
    const heard: string[] = [];
    b.changes.subscribe("queues", (key) => void heard.push(key));
    const sent = Array.from({ length: 20 }, (_, i) => `q-${i}`);
    for (const key of sent) await a.changes.publish("queues", key);
    await until(() => heard.length === sent.length, "all 20 changes");
    assert.deepEqual(heard, sent);
  });

  test("changes: racing publishes from two nodes all reach the other node, every subscriber of the topic", async (t) => {
    const a = await fresh(t);
    const b = await fresh(t, a);
    const byA: string[] = [];
    const byB: string[][] = [[], []];
    a.changes.subscribe("topics", (key) => void byA.push(key));
    b.changes.subscribe("topics", (key) => void byB[0]!.push(key));
    b.changes.subscribe("topics", (key) => void byB[1]!.push(key));
    await Promise.all([
      ...Array.from({ length: 25 }, (_, i) => a.changes.publish("topics", `a-${i}`)),
      ...Array.from({ length: 25 }, (_, i) => b.changes.publish("topics", `b-${i}`)),
    ]);
    await until(() => byA.length === 25 && byB[0]!.length === 25 && byB[1]!.length === 25, "every change");
    assert.ok(byA.every((k) => k.startsWith("b-")));
    assert.deepEqual([...byB[0]!].sort(), Array.from({ length: 25 }, (_, i) => `a-${i}`).sort());
    assert.deepEqual([...byB[1]!].sort(), [...byB[0]!].sort());
  });

  test("changes: a subscriber that throws does not stop the others", async (t) => {
    const a = await fresh(t);
    const b = await fresh(t, a);
    const heard: string[] = [];
    const error = console.error;
    console.error = () => {};
    t.after(() => void (console.error = error));
    b.changes.subscribe("streams", () => {
      throw new Error("broken subscriber");
    });
    b.changes.subscribe("streams", async (key) => void heard.push(key));
    await a.changes.publish("streams", "s1");
    await a.changes.publish("streams", "s2");
    await until(() => heard.length === 2, "both changes");
    assert.deepEqual(heard, ["s1", "s2"]);
  });
}

/**
 * Resolves when every change `from` published so far has reached `to` and been applied there: a
 * marker published after them arrives after them (one node's changes keep their order), then `to`'s
 * subscribers finish what they started.
 */
export async function delivered(from: Store, to: Store): Promise<void> {
  const marker = randomUUID();
  let heard = false;
  to.changes.subscribe("delivered", (key) => void (heard ||= key === marker));
  await from.changes.publish("delivered", marker);
  await until(() => heard, "the marker change");
  await (to.changes as { idle?(): Promise<void> }).idle?.();
}
