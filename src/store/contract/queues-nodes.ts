/**
 * The SQS part on a database several nodes share: what one node's receive claimed no other node
 * receives, a FIFO group is held by one receiver at a time, a deduplication id appends once, and a
 * group's messages are received in send order however the nodes' sends interleave.
 */
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import type { Store } from "../store.js";
import { sharedTest, type FreshStore } from "./index.js";
import { assertGroupsWhole, drain, fifoMessage, message, NOW, send, sendFifo, take } from "./queues.js";

export function queuesAcrossNodesContract(fresh: FreshStore): void {
  /** Two nodes on one database. */
  const twoNodes = async (t: TestContext): Promise<[Store, Store] | undefined> => {
    const a = await fresh(t);
    return [a, await fresh.nextNode!(t, a)];
  };
  const test = sharedTest(fresh);

  test("queues across nodes: what one node sends the other receives, and a claim on one is seen on the other at once", async (t) => {
    const nodes = await twoNodes(t);
    if (!nodes) return;
    const [a, b] = nodes;
    await a.queues.putQueue({ name: "q", fifo: false, created: 1, lastModified: 1, settings: {} as never, tags: {} });
    assert.deepEqual((await b.queues.listQueues()).map((q) => q.name), ["q"]);
    await send(a, [message("q", "one"), message("q", "two")]);
    const [got] = await take(b, "q", 1);
    assert.equal(got!.body, "one");
    assert.deepEqual(await a.queues.counts("q", NOW, 0), { visible: 1, inflight: 1, delayed: 0 });
    await a.queues.deleteByReceipt("q", got!.seq, got!.receipt!);
    assert.deepEqual(await b.queues.counts("q", NOW, 0), { visible: 1, inflight: 0, delayed: 0 });
  });

  test("queues across nodes: 8 receives on two nodes racing over 200 messages: each claimed by exactly one", async (t) => {
    const nodes = await twoNodes(t);
    if (!nodes) return;
    await send(nodes[0], Array.from({ length: 200 }, (_, i) => message("q", String(i))));
    const claimed = await Promise.all(Array.from({ length: 8 }, (_, i) => drain(nodes[i % 2]!, "q")));
    const all = claimed.flat().map((m) => Number(m.body));
    assert.equal(all.length, 200);
    assert.equal(new Set(all).size, 200);
  });

  test("queues across nodes: FIFO receives on two nodes never hold one group at once", async (t) => {
    const nodes = await twoNodes(t);
    if (!nodes) return;
    const q = "c.fifo";
    await sendFifo(nodes[1], Array.from({ length: 200 }, (_, i) => fifoMessage(q, `g${i % 40}`, String(i))));
    const claimed = await Promise.all(Array.from({ length: 8 }, (_, i) => drain(nodes[i % 2]!, q)));
    assertGroupsWhole(claimed, 40);
    assert.equal(claimed.flat().length, 200);
  });

  test("queues across nodes: FIFO sends of one deduplication id racing on two nodes append exactly one message", async (t) => {
    const nodes = await twoNodes(t);
    if (!nodes) return;
    const q = "d.fifo";
    const sent = await Promise.all(Array.from({ length: 8 }, (_, i) => sendFifo(nodes[i % 2]!, [fifoMessage(q, "g", "same")])));
    assert.equal(new Set(sent.map((r) => JSON.stringify(r[0]))).size, 1, "every sender got the one message's id and sequence number");
    assert.deepEqual(await nodes[0].queues.counts(q, NOW, 0), { visible: 1, inflight: 0, delayed: 0 });
  });

  test("queues across nodes: a FIFO group's messages sent from two nodes at once are received in sequence order", async (t) => {
    const nodes = await twoNodes(t);
    if (!nodes) return;
    const [a, b] = nodes;
    const q = "o.fifo";
    const sends = Promise.all(Array.from({ length: 100 }, (_, i) => sendFifo(nodes[i % 2]!, [fifoMessage(q, "g", String(i))])));
    const received: number[] = [];
    let done = false;
    void sends.then(() => (done = true));
    // Receive and delete as the sends land: a message never comes before one of a lower sequence number.
    while (received.length < 100) {
      const got = await take(b, q, 10);
      received.push(...got.map((m) => m.seq));
      for (const m of got) await a.queues.deleteByReceipt(q, m.seq, m.receipt!);
      if (!got.length && done && (await a.queues.counts(q, NOW, 0)).visible === 0) break;
    }
    const seqs = (await sends).map((r) => r[0]!.seq).sort((x, y) => x - y);
    assert.deepEqual(received, seqs);
  });
}
