/** The contract of the functions part: what every Store implementation does with function records. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { FunctionRecord, FunctionVersion } from "../../services/lambda/model.js";
import type { FreshStore } from "./index.js";

function record(name: string, codeId: string): FunctionRecord {
  const latest = { functionName: name, version: "$LATEST", code: { id: codeId } } as unknown as FunctionVersion;
  return { name, latest, tags: {}, createdAt: 1, nextVersion: 1, versions: {}, aliases: {}, provisioned: {}, eventInvokeConfigs: {}, policies: {} } as FunctionRecord;
}

export function functionsContract(fresh: FreshStore): void {
  test("functions: insert only once, put replaces, list in byte order of names, delete forgets the code references", async (t) => {
    const s = await fresh(t);
    assert.equal(await s.insertFunction(record("b-fn", "code-1"), ["code-1"]), true);
    assert.equal(await s.insertFunction(record("b-fn", "code-2"), ["code-2"]), false);
    assert.equal((await s.getFunction("b-fn"))?.latest.code.id, "code-1");
    await s.putFunction(record("a-fn", "code-2"), ["code-2"]);
    await s.putFunction(record("B-fn", "code-2"), ["code-2"]);
    assert.deepEqual((await s.listFunctions()).map((f) => f.name), ["B-fn", "a-fn", "b-fn"]);
    assert.equal(await s.codeInUse("code-1"), true);
    await s.putFunction(record("b-fn", "code-3"), ["code-3"]);
    assert.equal(await s.codeInUse("code-1"), false);
    assert.equal(await s.codeInUse("code-3"), true);
    await s.deleteFunction("b-fn");
    assert.equal(await s.getFunction("b-fn"), undefined);
    assert.equal(await s.codeInUse("code-3"), false);
    assert.equal(await s.codeInUse("code-2"), true);
  });

  test("functions: concurrent inserts of one name: exactly one wins", async (t) => {
    const s = await fresh(t);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => s.insertFunction(record("racy", `code-${i}`), [`code-${i}`])));
    assert.equal(results.filter(Boolean).length, 1);
    assert.equal((await s.listFunctions()).length, 1);
  });
}
