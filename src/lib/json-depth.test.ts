import { test } from "node:test";
import assert from "node:assert/strict";
import { nestsDeeperThan } from "./json-depth.js";

test("depth is counted in levels of objects and arrays, scalars are none", () => {
  assert.equal(nestsDeeperThan("x", 0), false);
  assert.equal(nestsDeeperThan({}, 1), false);
  assert.equal(nestsDeeperThan({}, 0), true);
  assert.equal(nestsDeeperThan({ a: [{ b: 1 }] }, 3), false);
  assert.equal(nestsDeeperThan({ a: [{ b: 1 }] }, 2), true);
});

test("a million levels are judged without overflowing the stack", () => {
  const n = 1_000_000;
  const deep: unknown = JSON.parse("[".repeat(n) + "]".repeat(n));
  assert.equal(nestsDeeperThan(deep), true);
  assert.equal(nestsDeeperThan(JSON.parse(`{"a":${"[1,".repeat(10)}2${"]".repeat(10)}}`)), false);
});
