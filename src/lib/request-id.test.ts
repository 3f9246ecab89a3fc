import { test } from "node:test";
import assert from "node:assert/strict";
import { newRequestId } from "./request-id.js";

test("request ids are version-7 UUIDs, unique, and sort in the order they were made", async () => {
  const ids: string[] = [];
  for (let i = 0; i < 5000; i++) ids.push(newRequestId());
  await new Promise((r) => setTimeout(r, 5));
  const before = Date.now();
  for (let i = 0; i < 10; i++) ids.push(newRequestId());
  const after = Date.now();
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(new Set(ids).size, ids.length);
  // Within a millisecond the counter orders them (5,000 in a row may wrap it only past 4,096 in one ms).
  let outOfOrder = 0;
  for (let i = 1; i < ids.length; i++) if (ids[i]! <= ids[i - 1]!) outOfOrder++;
  assert.ok(outOfOrder <= 1, `${outOfOrder} ids sorted before their predecessor`);
  const ms = parseInt(ids.at(-1)!.replace(/-/g, "").slice(0, 12), 16);
  assert.ok(ms >= before && ms <= after, "the first 48 bits are the time in milliseconds");
});
