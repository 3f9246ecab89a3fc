import { test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { BodyBudget } from "../lib/body-budget.js";
import type { BodyResult, Exchange } from "../lib/http-server.js";
import { clientAddress, readBody, sourceIp } from "./trigger.js";

const MB = 1024 * 1024;

/** A request declaring `length` bytes whose body arrives when the test says so. */
function pendingBody(length: number): { exchange: Exchange; arrive(): void; leave(): void; asked: () => boolean } {
  let arrive!: (r: BodyResult) => void;
  let asked = false;
  const response = new EventEmitter();
  const exchange = {
    head: { method: "POST", url: "/", headers: { "content-length": String(length) }, rawHeaders: [] },
    hasBody: true,
    body: () => {
      asked = true;
      return new Promise<BodyResult>((r) => (arrive = r));
    },
    response,
    remoteAddress: "::ffff:10.0.0.7",
  } as unknown as Exchange;
  return { exchange, arrive: () => arrive({ ok: true, body: Buffer.alloc(length) }), leave: () => response.emit("close"), asked: () => asked };
}

const tick = () => new Promise((r) => setImmediate(r));

test("trigger bodies hold a place in the listener's unverified-body budget while they arrive, and wait past it", async () => {
  const budget = new BodyBudget(15 * MB);
  const first = pendingBody(10 * MB);
  const second = pendingBody(10 * MB);
  const reading = readBody(first.exchange, 10 * MB, budget);
  await tick();
  assert.ok(first.asked());
  assert.deepEqual(budget.state, { used: 10 * MB, waiting: 0 });
  const waiting = readBody(second.exchange, 10 * MB, budget);
  await tick();
  assert.equal(second.asked(), false, "the second body is not read while the first holds the budget");
  assert.deepEqual(budget.state, { used: 10 * MB, waiting: 1 });
  first.arrive();
  assert.equal((await reading)?.length, 10 * MB);
  await tick();
  assert.ok(second.asked(), "once the first body has arrived its bytes are given back");
  second.arrive();
  await waiting;
  assert.deepEqual(budget.state, { used: 0, waiting: 0 });
});

test("a client that leaves while its body waits for the budget takes nothing from it", async () => {
  const budget = new BodyBudget(15 * MB);
  const first = pendingBody(10 * MB);
  const gone = pendingBody(10 * MB);
  const reading = readBody(first.exchange, 10 * MB, budget);
  void readBody(gone.exchange, 10 * MB, budget).catch(() => {});
  await tick();
  gone.leave();
  await tick();
  assert.deepEqual(budget.state, { used: 10 * MB, waiting: 0 });
  first.arrive();
  await reading;
  assert.deepEqual(budget.state, { used: 0, waiting: 0 });
});

test("a body over the limit reads as undefined, and gives its place back", async () => {
  const budget = new BodyBudget(15 * MB);
  const req = pendingBody(12 * MB);
  (req.exchange as { body: Exchange["body"] }).body = () => Promise.resolve({ ok: false, size: 12 * MB });
  assert.equal(await readBody(req.exchange, 10 * MB, budget), undefined);
  assert.deepEqual(budget.state, { used: 0, waiting: 0 });
});

test("the client's address is AWS's: an IPv4 client of a dual-stack listener without ::ffff:, and 127.0.0.1 once it is gone", () => {
  const { exchange } = pendingBody(0);
  assert.equal(clientAddress(exchange), "10.0.0.7");
  assert.equal(sourceIp(exchange), "10.0.0.7");
  const gone = { ...exchange, remoteAddress: undefined } as Exchange;
  assert.equal(clientAddress(gone), undefined);
  assert.equal(sourceIp(gone), "127.0.0.1");
  assert.equal(clientAddress({ ...exchange, remoteAddress: "::1" } as Exchange), "::1");
});
