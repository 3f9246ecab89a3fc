/** The contract of the blobs part (code packages every node of a shared store reaches). */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { sharedTest, type FreshStore } from "./index.js";

export function blobsContract(fresh: FreshStore): void {
  sharedTest(fresh)("blobs: put, has, get the same bytes, list in byte order, delete", async (t) => {
    const s = await fresh(t);
    const small = Buffer.from("package b");
    await s.blobs!.put("b", small);
    await s.blobs!.put("B", Buffer.alloc(0));
    assert.equal(await s.blobs!.has("b"), true);
    assert.equal(await s.blobs!.has("a"), false);
    assert.deepEqual(await s.blobs!.get("b"), small);
    assert.deepEqual(await s.blobs!.get("B"), Buffer.alloc(0));
    assert.equal(await s.blobs!.get("a"), undefined);
    assert.deepEqual(await s.blobs!.list(), ["B", "b"]);
    await s.blobs!.delete("b");
    await s.blobs!.delete("never-there");
    assert.equal(await s.blobs!.has("b"), false);
    assert.equal(await s.blobs!.get("b"), undefined);
  });

  sharedTest(fresh)("blobs: a package larger than one chunk comes back whole; putting a stored id again keeps the first bytes", async (t) => {
    const s = await fresh(t);
    const big = randomBytes(9 * 1024 * 1024 + 17);
    await s.blobs!.put("big", big);
    await s.blobs!.put("big", Buffer.from("other"));
    assert.ok((await s.blobs!.get("big"))!.equals(big));
  });

  sharedTest(fresh)("blobs: racing puts of one id from two nodes store one copy; the other node reads it", async (t) => {
    const a = await fresh(t);
    const b = await fresh.another(t, a);
    const bytes = randomBytes(5 * 1024 * 1024);
    await Promise.all([a.blobs!.put("same", bytes), b.blobs!.put("same", bytes), a.blobs!.put("same", bytes)]);
    assert.ok((await b.blobs!.get("same"))!.equals(bytes));
    assert.deepEqual(await b.blobs!.list(), ["same"]);
  });
}
