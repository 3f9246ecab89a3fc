/**
 * The contract of the SQS part: queues, and messages kept in send order, received (claimed or
 * redriven) under the visibility and FIFO rules, deleted and made visible only by their newest
 * receipt, deduplicated, purged, counted, and kept across a restart.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import type { DedupEntry, NewMessage, QueueRecord, StoredMessage } from "../../services/sqs/model.js";
import type { Claim, Move } from "../queue-store.js";
import type { Store } from "../store.js";
import type { FreshStore } from "./index.js";

export const NOW = 1_000_000;
const VISIBILITY = 30_000;

export function queue(name: string): QueueRecord {
  return { name, fifo: name.endsWith(".fifo"), created: 1, lastModified: 1, settings: {} as QueueRecord["settings"], tags: {} };
}

export function message(queue: string, body: string, extra: Partial<NewMessage> = {}): NewMessage {
  return { queue, messageId: randomUUID(), body, attributes: {}, md5OfBody: `md5-${body}`, sentAt: NOW, visibleAt: NOW, receiveCount: 0, senderId: "000000000000", ...extra };
}

/** A FIFO message of `group` with its deduplication entry (queue scope unless `scope` says otherwise). */
export function fifoMessage(queue: string, group: string, dedupId: string, scope = ""): [NewMessage, Omit<DedupEntry, "seq">] {
  const m = message(queue, dedupId, { groupId: group, dedupId });
  return [m, { queue, scope, dedupId, messageId: m.messageId, expiresAt: NOW + 300_000 }];
}

export function send(s: Store, messages: NewMessage[], now = NOW): Promise<{ messageId: string; seq: number }[]> {
  return s.queues.appendMessages(messages, messages.map(() => undefined), now);
}

export function sendFifo(s: Store, pairs: [NewMessage, Omit<DedupEntry, "seq">][], now = NOW): Promise<{ messageId: string; seq: number }[]> {
  return s.queues.appendMessages(pairs.map((p) => p[0]), pairs.map((p) => p[1]), now);
}

/** What a receive decides for every message: claim it for `VISIBILITY` with a new receipt. */
export function claim(now: number) {
  return (m: StoredMessage): Claim => ({ seq: m.seq, visibleAt: now + VISIBILITY, receipt: randomUUID(), firstReceiveAt: m.firstReceiveAt ?? now });
}

export async function take(s: Store, name: string, max: number, now = NOW, sentAfter = 0): Promise<StoredMessage[]> {
  return (await s.queues.take(name, now, sentAfter, max, name.endsWith(".fifo"), claim(now))).taken;
}

const bodies = (ms: StoredMessage[]): string[] => ms.map((m) => m.body);
const counts = (s: Store, name: string, now = NOW, sentAfter = 0) => s.queues.counts(name, now, sentAfter);

export function queuesContract(fresh: FreshStore): void {
  test("queues: insert only once, put replaces, list in byte order of names; deleting one takes its messages and deduplication ids", async (t) => {
    const s = await fresh(t);
    assert.equal(await s.queues.insertQueue(queue("b")), true);
    assert.equal(await s.queues.insertQueue({ ...queue("b"), created: 2 }), false);
    await s.queues.putQueue(queue("a.fifo"));
    await s.queues.putQueue({ ...queue("B"), tags: { k: "v" } });
    await s.queues.putQueue({ ...queue("B"), tags: { k: "w" } });
    assert.deepEqual((await s.queues.listQueues()).map((q) => [q.name, q.created, q.tags]), [["B", 1, { k: "w" }], ["a.fifo", 1, {}], ["b", 1, {}]]);
    await send(s, [message("b", "1")]);
    await sendFifo(s, [fifoMessage("a.fifo", "g", "d1")]);
    await s.queues.deleteQueue("a.fifo");
    await s.queues.deleteQueue("b");
    assert.deepEqual((await s.queues.listQueues()).map((q) => q.name), ["B"]);
    await s.queues.putQueue(queue("b"));
    await s.queues.putQueue(queue("a.fifo"));
    assert.deepEqual(await counts(s, "b"), { visible: 0, inflight: 0, delayed: 0 });
    const [again] = fifoMessage("a.fifo", "g", "d1");
    const [stored] = await sendFifo(s, [[again, { queue: "a.fifo", scope: "", dedupId: "d1", messageId: again.messageId, expiresAt: NOW + 1 }]]);
    assert.equal(stored!.messageId, again.messageId, "the deduplication id went with its queue");
  });

  test("queues: messages come back in send order with everything they were sent with", async (t) => {
    const s = await fresh(t);
    const first = message("q", "first", {
      attributes: { s: { DataType: "String", StringValue: "v" }, b: { DataType: "Binary.x", BinaryValue: Buffer.from([0, 1, 255]) } },
      md5OfAttributes: "ma",
      md5OfSystemAttributes: "ms",
      traceHeader: "Root=1-abc",
      senderId: "AIDA",
    });
    const rest = Array.from({ length: 11 }, (_, i) => message("q", `m${i}`));
    const sent = [...(await send(s, [first, rest[0]!])), ...(await send(s, rest.slice(1)))];
    assert.deepEqual(sent.map((r) => r.messageId), [first, ...rest].map((m) => m.messageId));
    assert.ok(sent.every((r, i) => i === 0 || r.seq > sent[i - 1]!.seq), "sequence numbers grow in send order");
    const got = await take(s, "q", 12);
    assert.deepEqual(bodies(got), ["first", ...rest.map((m) => m.body)]);
    assert.deepEqual(got.map((m) => m.seq), sent.map((r) => r.seq));
    const { receipt, ...head } = got[0]!;
    assert.ok(receipt);
    assert.deepEqual(head, { ...first, seq: sent[0]!.seq, receiveCount: 1, firstReceiveAt: NOW, visibleAt: NOW + VISIBILITY });
  });

  test("queues: a receive takes at most its limit; what it took is invisible until its visibility ends, then received again", async (t) => {
    const s = await fresh(t);
    await send(s, Array.from({ length: 15 }, (_, i) => message("q", `m${String(i).padStart(2, "0")}`)));
    await send(s, [message("other", "elsewhere")]);
    assert.equal((await take(s, "q", 10)).length, 10);
    assert.deepEqual(bodies(await take(s, "q", 10)), ["m10", "m11", "m12", "m13", "m14"]);
    assert.deepEqual(await take(s, "q", 10), []);
    assert.deepEqual(await counts(s, "q"), { visible: 0, inflight: 15, delayed: 0 });
    assert.equal(await s.queues.nextVisibleAt("q", NOW), NOW + VISIBILITY);
    const later = NOW + VISIBILITY;
    const again = await take(s, "q", 3, later);
    assert.deepEqual(bodies(again), ["m00", "m01", "m02"]);
    assert.deepEqual(again.map((m) => [m.receiveCount, m.firstReceiveAt, m.visibleAt]), Array(3).fill([2, NOW, later + VISIBILITY]));
    assert.deepEqual(await counts(s, "q", later), { visible: 12, inflight: 3, delayed: 0 });
  });

  test("queues: a delayed message waits for its time; retention hides what was sent before it; nextVisibleAt names the next", async (t) => {
    const s = await fresh(t);
    assert.equal(await s.queues.nextVisibleAt("q", NOW), undefined);
    await send(s, [message("q", "old", { sentAt: NOW - 100, visibleAt: NOW - 100 }), message("q", "late", { visibleAt: NOW + 5_000 }), message("q", "later", { visibleAt: NOW + 9_000 }), message("q", "now")]);
    assert.deepEqual(await counts(s, "q"), { visible: 2, inflight: 0, delayed: 2 });
    assert.deepEqual(await counts(s, "q", NOW, NOW - 100), { visible: 1, inflight: 0, delayed: 2 }, "counts keep to retention");
    assert.equal(await s.queues.nextVisibleAt("q", NOW), NOW + 5_000);
    assert.equal(await s.queues.nextVisibleAt("q", NOW + 5_000), NOW + 9_000);
    assert.deepEqual(bodies(await take(s, "q", 10, NOW, NOW - 100)), ["now"], "the old message is past retention");
    assert.deepEqual(bodies(await take(s, "q", 10, NOW + 5_000, NOW - 100)), ["late"]);
    assert.deepEqual(bodies(await take(s, "q", 10, NOW + 9_000)), ["old", "later"]);
  });

  test("queues: only the newest receipt deletes a message or changes its visibility", async (t) => {
    const s = await fresh(t);
    await send(s, [message("q", "a"), message("q", "b")]);
    const [first] = await take(s, "q", 1);
    const [second] = await take(s, "q", 1, NOW + VISIBILITY);
    assert.equal(second!.seq, first!.seq, "received again after its visibility ended");
    await s.queues.deleteByReceipt("q", first!.seq, first!.receipt!);
    await s.queues.deleteByReceipt("other", first!.seq, second!.receipt!);
    assert.deepEqual(await counts(s, "q", NOW + VISIBILITY), { visible: 1, inflight: 1, delayed: 0 }, "a stale receipt, or another queue's, deletes nothing");

    const seen: (StoredMessage | undefined)[] = [];
    await s.queues.changeVisibility("q", first!.seq, first!.receipt!, (m) => (seen.push(m), NOW + 40_000));
    await s.queues.changeVisibility("q", first!.seq, second!.receipt!, (m) => (seen.push(m), NOW + 50_000));
    assert.equal(seen[0], undefined, "a stale receipt finds no message");
    assert.deepEqual([seen[1]!.body, seen[1]!.receiveCount, seen[1]!.receipt], ["a", 2, second!.receipt]);
    await assert.rejects(
      s.queues.changeVisibility("q", first!.seq, second!.receipt!, () => {
        throw new Error("refused");
      }),
      /refused/,
    );
    assert.equal(await s.queues.nextVisibleAt("q", NOW + VISIBILITY), NOW + 50_000, "the refused change changed nothing");
    await s.queues.changeVisibility("q", first!.seq, second!.receipt!, () => NOW);
    assert.deepEqual(bodies(await take(s, "q", 1, NOW + 1)), ["a"], "visible again at once");

    const [third] = await take(s, "q", 1, NOW + VISIBILITY * 3);
    await s.queues.deleteByReceipt("q", third!.seq, third!.receipt!);
    assert.deepEqual(bodies(await take(s, "q", 10, NOW + VISIBILITY * 5)), ["b"], "the newest receipt deleted it");
  });

  test("queues: a receive moves what `decide` redrives, counts them apart and goes on past them; a throw stores nothing", async (t) => {
    const s = await fresh(t);
    await send(s, Array.from({ length: 20 }, (_, i) => message("q", `m${String(i).padStart(2, "0")}`)));
    await take(s, "q", 5);
    const later = NOW + VISIBILITY;
    const redrive = (m: StoredMessage): Claim | Move =>
      m.receiveCount >= 1 ? { seq: m.seq, toQueue: "dlq", visibleAt: later, deadLetterSourceArn: "arn:q" } : claim(later)(m);
    await assert.rejects(
      s.queues.take("q", later, 0, 10, false, (m) => {
        if (m.body === "m07") throw new Error("no");
        return redrive(m);
      }),
      /no/,
    );
    assert.deepEqual(await counts(s, "q", later), { visible: 20, inflight: 0, delayed: 0 }, "nothing of the failed receive was stored");
    const { taken, moved } = await s.queues.take("q", later, 0, 10, false, redrive);
    assert.equal(moved, 5);
    assert.deepEqual(bodies(taken), ["m05", "m06", "m07", "m08", "m09", "m10", "m11", "m12", "m13", "m14"]);
    const dead = await take(s, "dlq", 10, later);
    assert.deepEqual(bodies(dead), ["m00", "m01", "m02", "m03", "m04"]);
    assert.ok(dead.every((m) => m.deadLetterSourceArn === "arn:q" && m.queue === "dlq" && m.receiveCount === 2 && m.firstReceiveAt === NOW));
    assert.deepEqual(await counts(s, "q", later), { visible: 5, inflight: 10, delayed: 0 });
  });

  test("queues: moveMessages appends each new message and deletes the old in one step, oldest visible first, stops at a refusal, and skips what is in flight", async (t) => {
    const s = await fresh(t);
    await send(s, ["1", "2", "3", "4", "5"].map((b) => message("dlq", b)));
    const [inflight] = await take(s, "dlq", 1);
    assert.equal(inflight!.body, "1");
    const to = (m: StoredMessage): NewMessage => message(m.body === "2" ? "a" : "b", `moved ${m.body}`, { groupId: undefined });
    assert.deepEqual(await s.queues.moveMessages("dlq", NOW, 0, 2, (m) => ({ message: to(m) })).then((r) => ({ ...r, queues: r.queues.sort() })), { moved: 2, queues: ["a", "b"] });
    assert.deepEqual(bodies(await take(s, "a", 10)), ["moved 2"]);
    assert.deepEqual(bodies(await take(s, "b", 10)), ["moved 3"]);
    // A refusal keeps its message and those after it; what moved before it stays moved.
    const refused = await s.queues.moveMessages("dlq", NOW, 0, 10, (m) => (m.body === "5" ? { failure: "CouldNotDetermineMessageSource" } : { message: to(m) }));
    assert.deepEqual(refused, { moved: 1, failure: "CouldNotDetermineMessageSource", queues: ["b"] });
    assert.deepEqual(await counts(s, "dlq"), { visible: 1, inflight: 1, delayed: 0 });
    assert.deepEqual(bodies(await take(s, "dlq", 10)), ["5"]);
    assert.deepEqual(await s.queues.moveMessages("dlq", NOW, 0, 10, (m) => ({ message: to(m) })), { moved: 0, queues: [] });
  });

  test("queues: FIFO receives take each group's messages together, in order, and skip a group with one in flight or an older one not yet visible", async (t) => {
    const s = await fresh(t);
    const q = "f.fifo";
    await sendFifo(s, ["a1", "b1", "a2", "c1", "a3", "b2", "a4"].map((id) => fifoMessage(q, id[0]!, id)));
    const [e1, e1Dedup] = fifoMessage(q, "e", "e1");
    await sendFifo(s, [[{ ...e1, visibleAt: NOW + 1_000 }, e1Dedup], fifoMessage(q, "e", "e2")]);
    assert.deepEqual(bodies(await take(s, q, 3)), ["a1", "a2", "a3"], "as many of one group as fit");
    assert.deepEqual(bodies(await take(s, q, 10)), ["b1", "b2", "c1"], "group a has a message in flight, e an older one delayed: both wait");
    assert.deepEqual(await take(s, q, 10), []);
    assert.deepEqual(bodies(await take(s, q, 10, NOW + 1_000)), ["e1", "e2"]);
    assert.deepEqual(bodies(await take(s, q, 10, NOW + VISIBILITY)), ["a1", "a2", "a3", "a4", "b1", "b2", "c1"]);
  });

  test("queues: a FIFO deduplication id within its window, also earlier in the same send, resolves to the first message; scopes and queues apart", async (t) => {
    const s = await fresh(t);
    const q = "d.fifo";
    const [first, again, other, inGroup] = [fifoMessage(q, "g", "x"), fifoMessage(q, "g", "x"), fifoMessage(q, "h", "y"), fifoMessage(q, "g", "x", "g")];
    const sent = await sendFifo(s, [first, again, other, inGroup]);
    assert.deepEqual(sent.map((r) => r.messageId), [first[0].messageId, first[0].messageId, other[0].messageId, inGroup[0].messageId]);
    assert.equal(sent[1]!.seq, sent[0]!.seq);
    const later = await sendFifo(s, [fifoMessage(q, "g", "x"), fifoMessage("e.fifo", "g", "x")], NOW + 299_999);
    assert.deepEqual(later[0], sent[0], "a stored id within its window");
    assert.notEqual(later[1]!.messageId, first[0].messageId, "another queue's");
    const expired = fifoMessage(q, "g", "x");
    const [anew] = await sendFifo(s, [expired], NOW + 300_000);
    assert.equal(anew!.messageId, expired[0].messageId, "after the window, appended");
    assert.deepEqual(await counts(s, q), { visible: 4, inflight: 0, delayed: 0 });
  });

  test("queues: expireDedup forgets the ids whose window ended by then, and only those", async (t) => {
    const s = await fresh(t);
    const q = "x.fifo";
    const [first] = await sendFifo(s, [fifoMessage(q, "g", "one")]);
    await s.queues.expireDedup(NOW + 299_999);
    assert.deepEqual((await sendFifo(s, [fifoMessage(q, "g", "one")]))[0], first, "kept: still a duplicate");
    await s.queues.expireDedup(NOW + 300_000);
    const late = fifoMessage(q, "g", "one");
    assert.equal((await sendFifo(s, [late]))[0]!.messageId, late[0].messageId, "forgotten: appended, even at a time inside the old window");
  });

  test("queues: purge deletes what was sent at or before its time, in that queue only, and says how many", async (t) => {
    const s = await fresh(t);
    await send(s, [message("q", "a", { sentAt: NOW - 2 }), message("q", "b", { sentAt: NOW - 1 }), message("q", "c"), message("other", "d", { sentAt: NOW - 2 })]);
    await take(s, "q", 1);
    assert.equal(await s.queues.purge("q", NOW - 1), 2, "in flight or not");
    assert.equal(await s.queues.purge("q", NOW - 1), 0);
    assert.deepEqual(bodies(await take(s, "q", 10)), ["c"]);
    assert.deepEqual(bodies(await take(s, "other", 10)), ["d"]);
  });

  test("queues: 8 concurrent receives on 200 messages: each message claimed by exactly one", async (t) => {
    const s = await fresh(t);
    await send(s, Array.from({ length: 200 }, (_, i) => message("q", String(i))));
    const claimed = await Promise.all(Array.from({ length: 8 }, () => drain(s, "q")));
    const all = claimed.flat().map((m) => Number(m.body));
    assert.equal(all.length, 200);
    assert.deepEqual([...new Set(all)].sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i));
  });

  test("queues: concurrent FIFO receives never hold one group at once; each group goes whole, in order, to one", async (t) => {
    const s = await fresh(t);
    const q = "c.fifo";
    // 40 groups of 5, interleaved.
    await sendFifo(s, Array.from({ length: 200 }, (_, i) => fifoMessage(q, `g${i % 40}`, String(i))));
    const claimed = await Promise.all(Array.from({ length: 8 }, () => drain(s, q)));
    assertGroupsWhole(claimed, 40);
    assert.equal(claimed.flat().length, 200);
  });

  test("queues: messages, receipts, visibility and deduplication ids are there after the store is reopened", async (t) => {
    const s = await fresh(t);
    await s.queues.putQueue(queue("d.fifo"));
    await send(s, [message("q", "a"), message("q", "b", { visibleAt: NOW + 5 })]);
    const [first] = await sendFifo(s, [fifoMessage("d.fifo", "g", "x")]);
    const [taken] = await take(s, "q", 1);
    const r = await fresh.reopen(t, s);
    assert.deepEqual((await r.queues.listQueues()).map((q) => q.name), ["d.fifo"]);
    assert.deepEqual(await counts(r, "q"), { visible: 0, inflight: 1, delayed: 1 });
    assert.deepEqual((await sendFifo(r, [fifoMessage("d.fifo", "g", "x")]))[0], first);
    await r.queues.deleteByReceipt("q", taken!.seq, taken!.receipt!);
    assert.deepEqual(bodies(await take(r, "q", 10, NOW + VISIBILITY)), ["b"]);
    const more = await send(r, [message("q", "c")]);
    assert.ok(more[0]!.seq > first!.seq, "sequence numbers go on");
  });
}

/** Receive from `name` until nothing is left visible; what this receiver claimed, in the order it did. */
export async function drain(s: Store, name: string, max = 10): Promise<StoredMessage[]> {
  const mine: StoredMessage[] = [];
  for (;;) {
    const got = await take(s, name, max);
    mine.push(...got);
    if (!got.length && (await counts(s, name)).visible === 0) return mine;
  }
}

/** Each receiver's claims: every group claimed by one receiver only, all of it, in send order. */
export function assertGroupsWhole(claimed: StoredMessage[][], groups: number): void {
  const owner = new Map<string, number>();
  const seqs = new Map<string, number[]>();
  claimed.forEach((ms, receiver) => {
    for (const m of ms) {
      assert.equal(owner.get(m.groupId!) ?? receiver, receiver, `group ${m.groupId} went to two receivers`);
      owner.set(m.groupId!, receiver);
      seqs.set(m.groupId!, [...(seqs.get(m.groupId!) ?? []), m.seq]);
    }
  });
  assert.equal(owner.size, groups);
  for (const [group, list] of seqs) assert.ok(list.every((seq, i) => i === 0 || seq > list[i - 1]!), `group ${group} out of order`);
  assert.equal(claimed.flat().length, new Set(claimed.flat().map((m) => m.seq)).size, "a message claimed twice");
}
