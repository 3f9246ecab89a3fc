/** The contract of the settings part (values every node of a shared store agrees on). */
import assert from "node:assert/strict";
import { sharedTest, type FreshStore } from "./index.js";

export function settingsContract(fresh: FreshStore): void {
  sharedTest(fresh)("settings: get what was put, put replaces, putIfAbsent keeps the first value", async (t) => {
    const s = await fresh(t);
    assert.equal(await s.settings!.get("clock"), undefined);
    await s.settings!.put("clock", "1");
    await s.settings!.put("clock", "2");
    assert.equal(await s.settings!.get("clock"), "2");
    assert.equal(await s.settings!.putIfAbsent("root", "first"), "first");
    assert.equal(await s.settings!.putIfAbsent("root", "second"), "first");
    assert.equal(await s.settings!.get("root"), "first");
  });

  sharedTest(fresh)("settings: racing putIfAbsent on two nodes: every caller gets the one winner's value, which a later store reads", async (t) => {
    const a = await fresh(t);
    const b = await fresh.another(t, a);
    const got = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).settings!.putIfAbsent("root", `node-${i}`)));
    assert.equal(new Set(got).size, 1);
    const later = await fresh.another(t, a);
    assert.equal(await later.settings!.get("root"), got[0]);
  });
}
