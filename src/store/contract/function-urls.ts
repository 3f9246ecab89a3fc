/** The contract of the function URL part: one config per URL id, and every URL of a function deleted at once. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { FunctionUrlRecord } from "../../services/lambda/function-urls.js";
import type { FreshStore } from "./index.js";
import { recordsContract } from "./records.js";

const url = (urlId: string, functionName: string, version = 1) => ({ urlId, functionName, authType: "NONE", creationTime: String(version), lastModifiedTime: String(version) }) as FunctionUrlRecord;

export function functionUrlsContract(fresh: FreshStore): void {
  recordsContract("function urls", fresh, {
    list: (s) => s.functionUrls.listUrls(),
    put: (s, id, v) => s.functionUrls.putUrl(url(id, "fn", v)),
    delete: (s, id) => s.functionUrls.deleteUrl(id),
    read: (r) => ({ id: r.urlId, version: Number(r.creationTime) }),
    ids: ["b1", "a1", "B1", "a0"],
    listed: ["B1", "a0", "a1", "b1"],
  });

  test("function urls: deleting a function's URLs leaves other functions' URLs, also one moved from it", async (t) => {
    const s = await fresh(t);
    await s.functionUrls.putUrl(url("u1", "one"));
    await s.functionUrls.putUrl(url("u2", "one"));
    await s.functionUrls.putUrl(url("u3", "two"));
    await s.functionUrls.putUrl(url("u4", "one"));
    await s.functionUrls.putUrl(url("u4", "two"));
    await s.functionUrls.deleteUrlsOf("one");
    await s.functionUrls.deleteUrlsOf("none");
    assert.deepEqual((await s.functionUrls.listUrls()).map((u) => [u.urlId, u.functionName]), [["u3", "two"], ["u4", "two"]]);
    await s.functionUrls.deleteUrlsOf("two");
    assert.deepEqual(await (await fresh.reopen(t, s)).functionUrls.listUrls(), []);
  });
}
