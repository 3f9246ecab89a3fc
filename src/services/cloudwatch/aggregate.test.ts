/** The sink's in-place merge of one value is the same aggregate as merging `ofValue`. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { addValue, merge, ofValue, type Aggregate } from "./aggregate.js";

const plain = (a: Aggregate) => ({ ...a, hist: a.hist === null ? null : Array.from(a.hist) });

test("addValue equals merge(ofValue): counts into existing buckets, new buckets in order at either end or between, 0 its own bucket", () => {
  let seed = 7;
  const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647) * 1000;
  const values = [5, 5, 0, 1e6, 0.001, 5, 0, ...Array.from({ length: 500 }, () => Math.round(random() * 100) / 100)];
  const added = ofValue(values[0]!);
  const merged = ofValue(values[0]!);
  for (const v of values.slice(1)) {
    addValue(added, v);
    merge(merged, ofValue(v));
    assert.deepEqual(plain(added), plain(merged), `after ${v}`);
  }
});

test("addValue of a negative value drops the histogram (no percentiles), as merge does", () => {
  const a = ofValue(3);
  addValue(a, -1);
  assert.deepEqual(plain(a), plain(merge(ofValue(3), ofValue(-1))));
  addValue(a, 4);
  assert.equal(a.hist, null);
  assert.deepEqual([a.count, a.sum, a.min, a.max], [3, 6, -1, 4]);
});
