/**
 * The contract of the SNS part: topics, subscriptions, messages with their pending deliveries, FIFO
 * deduplication, the signing key, and who holds each delivery (owner node and lease, lanes of an
 * order key made by one node in order). Where nodes share the data (PostgreSQL), two stores on one
 * database are two nodes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Delivery, NewDelivery, StoredMessage, SubscriptionRecord, TopicRecord } from "../../services/sns/model.js";
import type { Store } from "../store.js";
import { sharedTest, type FreshStore } from "./index.js";

const T = Date.UTC(2024, 0, 1);
const TTL = 10_000;
const TOPIC = "arn:aws:sns:us-east-1:000000000000:t";

const topic = (name: string): TopicRecord => ({ arn: `arn:aws:sns:us-east-1:000000000000:${name}`, name, fifo: false, attributes: {}, tags: {}, deletedSubscriptions: 0 });
const subscription = (id: string, topicArn = TOPIC): SubscriptionRecord => ({
  arn: `${topicArn}:${id}`, topicArn, protocol: "sqs", endpoint: `arn:aws:sqs:us-east-1:000000000000:${id}`, pending: false, createdAt: T,
  confirmationWasAuthenticated: true, authenticateOnUnsubscribe: false, attributes: {},
});
const message = (id: string, topicArn = TOPIC): StoredMessage => ({ messageId: id, topicArn, message: `body of ${id}`, attributes: {}, timestamp: T });
const delivery = (sub: string, messageId: string, over: Partial<NewDelivery> = {}): NewDelivery => ({
  kind: "notification", subscriptionArn: `${TOPIC}:${sub}`, messageId, attempts: 0, dueAt: T, ...over,
});
const seqs = (ds: Delivery[]) => ds.map((d) => d.seq);

/** Publish `id` to subscriptions `subs` (held by `node` until `leaseUntil`). */
function publish(node: Store, id: string, subs: string[], over: Partial<NewDelivery> = {}, leaseUntil = T + TTL): Promise<Delivery[]> {
  return node.sns.appendMessage(message(id), subs.map((s) => delivery(s, id, over)), undefined, leaseUntil);
}

export function snsContract(fresh: FreshStore): void {
  test("sns: topics in byte order of ARN, replaced in place; deleting one takes its subscriptions, deliveries, messages and deduplication", async (t) => {
    const s = await fresh(t);
    await s.sns.putTopic(topic("b"));
    await s.sns.putTopic(topic("B"));
    await s.sns.putTopic({ ...topic("b"), attributes: { DisplayName: "bee" } });
    assert.deepEqual((await s.sns.listTopics()).map((x) => [x.name, x.attributes]), [["B", {}], ["b", { DisplayName: "bee" }]]);

    const b = topic("b").arn;
    await s.sns.putSubscription(subscription("s1", b));
    await s.sns.putSubscription(subscription("s2", TOPIC));
    const m = message("m1", b);
    await s.sns.appendMessage(m, [{ ...delivery("s1", "m1"), subscriptionArn: `${b}:s1` }], { dedupId: "d1", expiresAt: T + 300_000 }, T + TTL);
    assert.deepEqual(await s.sns.getMessage("m1"), m);
    await s.sns.deleteTopic(b);
    assert.deepEqual((await s.sns.listTopics()).map((x) => x.name), ["B"]);
    assert.deepEqual((await s.sns.listSubscriptions()).map((x) => x.arn), [`${TOPIC}:s2`]);
    assert.deepEqual(await s.sns.pendingDeliveries(), []);
    assert.equal(await s.sns.getMessage("m1"), undefined);
    assert.equal(await s.sns.findDedup(b, "d1", T), undefined);
  });

  test("sns: subscriptions listed in creation order, replaced in place, stored with their confirmation; deleting one takes its deliveries and the messages only they needed", async (t) => {
    const s = await fresh(t);
    await s.sns.putSubscription(subscription("z"));
    const confirm: NewDelivery = { kind: "confirmation", subscriptionArn: `${TOPIC}:a`, attempts: 0, dueAt: T };
    const stored = await s.sns.putSubscription({ ...subscription("a"), pending: true, token: "tok" }, confirm, T + TTL);
    assert.deepEqual(stored, { ...confirm, seq: stored!.seq });
    await s.sns.putSubscription(subscription("a"));
    assert.deepEqual(await s.sns.listSubscriptions(), [subscription("z"), subscription("a")]);

    await publish(s, "both", ["a", "z"]);
    await publish(s, "only-a", ["a"]);
    await s.sns.deleteSubscription(`${TOPIC}:a`);
    assert.deepEqual((await s.sns.pendingDeliveries()).map((d) => [d.subscriptionArn, d.messageId]), [[`${TOPIC}:z`, "both"]]);
    assert.equal((await s.sns.getMessage("both"))?.messageId, "both");
    assert.equal(await s.sns.getMessage("only-a"), undefined);
  });

  test("sns: a message is kept while a delivery of it is pending; retry and finish by the holder; a finished delivery cannot come back", async (t) => {
    const s = await fresh(t);
    const ds = await publish(s, "m", ["s1", "s2", "s3"]);
    assert.equal(ds.length, 3);
    assert.ok(ds[0]!.seq < ds[1]!.seq && ds[1]!.seq < ds[2]!.seq, "seqs in order");
    assert.deepEqual(ds.map(({ seq: _, ...d }) => d), ["s1", "s2", "s3"].map((x) => delivery(x, "m")));
    assert.deepEqual(await s.sns.pendingDeliveries(), ds);
    assert.deepEqual(await s.sns.appendMessage(message("none"), [], undefined, T + TTL), [], "no deliveries: no message");
    assert.equal(await s.sns.getMessage("none"), undefined);

    assert.equal(await s.sns.retryDelivery(ds[0]!.seq, 1, T + 5_000), true);
    assert.deepEqual((await s.sns.pendingDeliveries())[0], { ...ds[0], attempts: 1, dueAt: T + 5_000 });
    assert.equal(await s.sns.finishDelivery(ds[0]!.seq), true);
    assert.equal(await s.sns.finishDelivery(ds[0]!.seq), false);
    assert.equal(await s.sns.retryDelivery(ds[0]!.seq, 2, T), false);
    await Promise.all([s.sns.finishDelivery(ds[1]!.seq), s.sns.finishDelivery(ds[2]!.seq)]);
    assert.deepEqual(await s.sns.pendingDeliveries(), []);
    assert.equal(await s.sns.getMessage("m"), undefined, "the message goes with its last delivery");
  });

  test("sns: FIFO deduplication entries are found until they expire", async (t) => {
    const s = await fresh(t);
    const m = { ...message("f1"), sequenceNumber: "10000000000000000001" };
    await s.sns.appendMessage(m, [], { dedupId: "d", expiresAt: T + 300_000 }, T + TTL);
    assert.deepEqual(await s.sns.findDedup(TOPIC, "d", T), { messageId: "f1", sequenceNumber: "10000000000000000001" });
    assert.equal(await s.sns.findDedup(TOPIC, "other", T), undefined);
    assert.equal(await s.sns.findDedup(TOPIC, "d", T + 300_000), undefined, "expired at its time");
    await s.sns.appendMessage(message("f2"), [], { dedupId: "d", expiresAt: T + 600_000 }, T + TTL);
    assert.deepEqual(await s.sns.findDedup(TOPIC, "d", T + 300_000), { messageId: "f2" }, "a later entry replaces an expired one");
    await s.sns.expireDedup(T + 600_000);
    assert.equal(await s.sns.findDedup(TOPIC, "d", T), undefined);
  });

  test("sns: claim takes due deliveries whose lease expired in seq order up to the limit, and whole lanes; renew keeps them held", async (t) => {
    const s = await fresh(t);
    const plain = await publish(s, "p", ["s1", "s2", "s3"]);
    const later = await publish(s, "later", ["s1"], { dueAt: T + 60_000 });
    const lane = [...(await publish(s, "f1", ["q"], { orderKey: "q/g", dueAt: T + 2 * TTL })), ...(await publish(s, "f2", ["q"], { orderKey: "q/g", dueAt: T }))];
    assert.equal(lane.length, 2, "a lane this node holds takes more deliveries held by it");
    assert.deepEqual(await s.sns.claimDeliveries(T + 1, T + TTL, 10), [], "held by live leases");
    assert.equal(await s.sns.renewDeliveries(T + 2 * TTL), 6);
    assert.deepEqual(await s.sns.claimDeliveries(T + 2 * TTL - 1, T + 3 * TTL, 10), []);

    assert.deepEqual(seqs(await s.sns.claimDeliveries(T + 2 * TTL, T + 3 * TTL, 2)), seqs(plain.slice(0, 2)));
    // The lane's head is due at T + 2 TTL: the lane goes whole, its second delivery with it.
    assert.deepEqual(seqs(await s.sns.claimDeliveries(T + 2 * TTL, T + 3 * TTL, 10)), [plain[2]!.seq, ...seqs(lane)]);
    assert.deepEqual(seqs(await s.sns.claimDeliveries(T + 60_000, T + 60_000 + TTL, 10)), seqs([...plain, ...later, ...lane]));
  });

  test("sns: recover after a restart takes what the last run held: everything on a single-node store, what nobody holds (due or not) on a shared one", async (t) => {
    const s = await fresh(t);
    const ds = [...(await publish(s, "a", ["s1"])), ...(await publish(s, "b", ["q"], { orderKey: "q/g", dueAt: T + 120_000 }))];
    const restarted = await fresh.reopen(t, s);
    const early = await restarted.sns.recoverDeliveries(T + 1, T + 1 + TTL);
    assert.deepEqual(early, fresh.nextNode ? [] : ds);
    const taken = fresh.nextNode ? await restarted.sns.recoverDeliveries(T + TTL, T + 2 * TTL) : early;
    assert.deepEqual(taken, ds, "durable");
    assert.equal(await restarted.sns.finishDelivery(ds[0]!.seq), true);
    assert.equal(await restarted.sns.getMessage("a"), undefined);
    assert.equal((await restarted.sns.getMessage("b"))?.message, "body of b");
  });

  test("sns: release gives up every delivery this node holds, claimable at once", async (t) => {
    const s = await fresh(t);
    const ds = [...(await publish(s, "m", ["s1"])), ...(await publish(s, "f", ["q"], { orderKey: "q/g" }))];
    await s.sns.releaseDeliveries();
    assert.equal(await s.sns.renewDeliveries(T + TTL), 0);
    assert.equal(await s.sns.finishDelivery(ds[0]!.seq), false);
    assert.deepEqual(seqs(await s.sns.claimDeliveries(T + 1, T + TTL, 10)), seqs(ds));
  });

  test("sns: the signing key is stored once and replaced", async (t) => {
    const s = await fresh(t);
    assert.equal(await s.sns.signingKey(), undefined);
    await s.sns.putSigningKey({ privateKey: "k1", certificate: "c1" });
    await s.sns.putSigningKey({ privateKey: "k2", certificate: "c2" });
    assert.deepEqual(await s.sns.signingKey(), { privateKey: "k2", certificate: "c2" });
  });

  sharedTest(fresh)("sns: two nodes claiming at once never both get a delivery, nor parts of one lane", async (t) => {
    const a = await fresh(t);
    const b = await fresh.nextNode!(t, a);
    // Stored with leases already expired, as if their node had died: 40 plain deliveries and 4 lanes of 5.
    await Promise.all(Array.from({ length: 40 }, (_, i) => publish(a, `p${i}`, ["s"], {}, T)));
    for (let i = 0; i < 5; i++) for (let g = 0; g < 4; g++) await publish(a, `f${i}-${g}`, ["q"], { orderKey: `q/${g}` }, T);
    const holder = new Map<number, string[]>();
    for (let round = 0; round < 12; round++) {
      const claims = await Promise.all([a, b, a, b].map(async (node) => ({ node: node.nodeId, ds: await node.sns.claimDeliveries(T + 1, T + TTL, 4) })));
      for (const c of claims) for (const d of c.ds) holder.set(d.seq, [...(holder.get(d.seq) ?? []), c.node]);
    }
    const pending = await a.sns.pendingDeliveries();
    assert.equal(holder.size, pending.length);
    for (const [seq, nodes] of holder) assert.equal(nodes.length, 1, `delivery ${seq} claimed by ${nodes.length} nodes`);
    for (let g = 0; g < 4; g++) {
      const owners = new Set(pending.filter((d) => d.orderKey === `q/${g}`).map((d) => holder.get(d.seq)![0]));
      assert.equal(owners.size, 1, `lane q/${g} held by one node`);
    }
  });

  sharedTest(fresh)("sns: a lane another node holds is not split: deliveries appended behind it wait for its holder", async (t) => {
    const a = await fresh(t);
    const b = await fresh.nextNode!(t, a);
    const [first] = await publish(a, "f1", ["q"], { orderKey: "q/g" });
    assert.deepEqual(await publish(b, "f2", ["q"], { orderKey: "q/g" }), [], "b does not hold it: a's lane");
    const [plain] = await publish(b, "p", ["s"]);
    assert.ok(plain, "a delivery outside the lane is b's at once");
    assert.deepEqual(await b.sns.claimDeliveries(T + 1, T + TTL, 10), [], "the lane's head is a's");
    const behind = await a.sns.claimDeliveries(T + 1, T + TTL, 10);
    assert.deepEqual(behind.map((d) => d.messageId), ["f2"], "a takes what waits behind its head");
    assert.equal(await b.sns.finishDelivery(behind[0]!.seq), false);
    assert.equal(await a.sns.finishDelivery(first!.seq), true);
  });

  sharedTest(fresh)("sns: a dead node's deliveries go to another after the lease; the stale holder's writes change nothing", async (t) => {
    const a = await fresh(t);
    const b = await fresh.nextNode!(t, a);
    const ds = [...(await publish(a, "m", ["s1", "s2"])), ...(await publish(a, "f", ["q"], { orderKey: "q/g" }))];
    assert.deepEqual(await b.sns.claimDeliveries(T + TTL - 1, T + 2 * TTL, 10), []);
    assert.deepEqual(seqs(await b.sns.claimDeliveries(T + TTL, T + 2 * TTL, 10)), seqs(ds));
    assert.equal(await a.sns.renewDeliveries(T + 5 * TTL), 0);
    assert.equal(await a.sns.retryDelivery(ds[0]!.seq, 1, T + 99), false);
    assert.equal(await a.sns.finishDelivery(ds[1]!.seq), false);
    assert.deepEqual(await b.sns.pendingDeliveries(), ds, "unchanged");
    assert.deepEqual(await publish(a, "f2", ["q"], { orderKey: "q/g" }), [], "the lane is b's now");
    for (const d of ds) assert.equal(await b.sns.finishDelivery(d.seq), true);
    assert.equal(await b.sns.getMessage("m"), undefined);
  });
}
