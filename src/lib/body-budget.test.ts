import { test } from "node:test";
import assert from "node:assert/strict";
import { BodyBudget } from "./body-budget.js";

const MB = 1024 * 1024;

test("bodies past the budget wait their turn, in order, and start as others give their bytes back", async () => {
  const budget = new BodyBudget(100 * MB);
  const started: string[] = [];
  const r1 = await budget.reserve(40 * MB);
  const r2 = await budget.reserve(40 * MB);
  const p3 = budget.reserve(40 * MB).then((r) => (started.push("third"), r));
  const p4 = budget.reserve(10 * MB).then((r) => (started.push("fourth"), r));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [], "80 of 100 MB held: the third waits, and the fourth behind it");
  assert.deepEqual(budget.state, { used: 80 * MB, waiting: 2 });
  r1();
  r1(); // a second release gives nothing back twice
  const [r3, r4] = await Promise.all([p3, p4]);
  assert.deepEqual(started, ["third", "fourth"]);
  assert.deepEqual(budget.state, { used: 90 * MB, waiting: 0 });
  r2();
  r3();
  r4();
  assert.deepEqual(budget.state, { used: 0, waiting: 0 });
});

test("small bodies never wait, and a body larger than the whole budget goes alone", async () => {
  const budget = new BodyBudget(100 * MB);
  const big = await budget.reserve(500 * MB);
  assert.deepEqual(budget.state, { used: 100 * MB, waiting: 0 });
  const small = await budget.reserve(64 * 1024);
  small();
  let second = false;
  const p = budget.reserve(1 * MB).then((r) => ((second = true), r));
  await new Promise((r) => setImmediate(r));
  assert.equal(second, false);
  big();
  (await p)();
  assert.equal(second, true);
  assert.deepEqual(budget.state, { used: 0, waiting: 0 });
});

test("a body whose client leaves while it waits holds nothing and lets the line move", async () => {
  const budget = new BodyBudget(100 * MB);
  const first = await budget.reserve(80 * MB);
  let leave!: () => void;
  const left = new Promise<void>((r) => (leave = r));
  const gone = budget.reserve(50 * MB, left);
  let small = false;
  const behind = budget.reserve(10 * MB).then((r) => ((small = true), r));
  await new Promise((r) => setImmediate(r));
  assert.equal(small, false, "in line behind the 50 MB body");
  leave();
  (await gone)();
  (await behind)();
  assert.equal(small, true);
  first();
  assert.deepEqual(budget.state, { used: 0, waiting: 0 });
  await assert.rejects(budget.reserve(Number.NaN), RangeError);
});
