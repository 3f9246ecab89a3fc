/**
 * What the parts that keep one record per id (IAM entities, function URLs, REST and HTTP APIs)
 * share: insert or replace, list in the id's order, delete, durability, concurrent writers and, on a
 * database several nodes share, a write on one node read on another at once.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Store } from "../store.js";
import { sharedTest, type FreshStore } from "./index.js";

/** One record part as its contract sees it: records (of type R) are `{ id, version }` under the part's own field names. */
export interface RecordPart<R> {
  list(s: Store): Promise<R[]>;
  put(s: Store, id: string, version: number): Promise<void>;
  delete(s: Store, id: string): Promise<void>;
  /** The id and version of a listed record. */
  read(record: R): { id: string; version: number };
  /** Ids put in this order come back listed as `listed`. */
  ids: string[];
  listed: string[];
}

export function recordsContract<R>(part: string, fresh: FreshStore, p: RecordPart<R>): void {
  const listed = async (s: Store): Promise<string[]> => (await p.list(s)).map((r) => `${p.read(r).id}@${p.read(r).version}`);

  test(`${part}: put inserts or replaces, list keeps the id order, delete forgets`, async (t) => {
    const s = await fresh(t);
    assert.deepEqual(await p.list(s), []);
    for (const id of p.ids) await p.put(s, id, 1);
    assert.deepEqual(await listed(s), p.listed.map((id) => `${id}@1`));
    await p.put(s, p.ids[0]!, 2);
    assert.deepEqual(await listed(s), p.listed.map((id) => `${id}@${id === p.ids[0] ? 2 : 1}`));
    await p.delete(s, p.ids[0]!);
    await p.delete(s, "never-there");
    assert.deepEqual(await listed(s), p.listed.filter((id) => id !== p.ids[0]).map((id) => `${id}@1`));
  });

  test(`${part}: concurrent puts: of different ids all land, of one id one of them whole`, async (t) => {
    const s = await fresh(t);
    await Promise.all(Array.from({ length: 20 }, (_, i) => p.put(s, `id-${String(i).padStart(2, "0")}`, 1)));
    await Promise.all(Array.from({ length: 8 }, (_, i) => p.put(s, "racy", i + 1)));
    const records = (await p.list(s)).map(p.read);
    assert.equal(records.length, 21);
    const racy = records.filter((r) => r.id === "racy");
    assert.equal(racy.length, 1);
    assert.ok(racy[0]!.version >= 1 && racy[0]!.version <= 8);
  });

  test(`${part}: what was written is there after the store is reopened`, async (t) => {
    const s = await fresh(t);
    await p.put(s, "kept", 3);
    await p.put(s, "gone", 1);
    await p.delete(s, "gone");
    assert.deepEqual(await listed(await fresh.reopen(t, s)), ["kept@3"]);
  });

  sharedTest(fresh)(`${part}: a write on one node is read by another at once`, async (t) => {
    const a = await fresh(t);
    const b = await fresh.nextNode!(t, a);
    await p.put(a, "shared", 1);
    assert.deepEqual(await listed(b), ["shared@1"]);
    await p.put(b, "shared", 2);
    assert.deepEqual(await listed(a), ["shared@2"]);
    await p.delete(a, "shared");
    assert.deepEqual(await listed(b), []);
  });
}
