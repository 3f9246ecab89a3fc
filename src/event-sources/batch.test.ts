/** Partial batch responses read as AWS reads them (shared/reference/event-sources.md §2). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { batchResult } from "./batch.js";

const completed = (payload: string, functionError?: string) => ({ kind: "completed" as const, executedVersion: "$LATEST", functionArn: "arn", payload: Buffer.from(payload), ...(functionError ? { functionError } : {}) });
const IDS = new Set(["a", "b", "c"]);

test("success: an empty or null response, {}, [], \"\", or a null or empty batchItemFailures", () => {
  for (const p of ["", "null", "{}", "[]", '""', '{"batchItemFailures":null}', '{"batchItemFailures":[]}']) {
    assert.equal(batchResult(completed(p), true, IDS).kind, "ok", p);
  }
});

test("only the listed ids fail", () => {
  const r = batchResult(completed('{"batchItemFailures":[{"itemIdentifier":"b"},{"itemIdentifier":"c"}]}'), true, IDS);
  assert.deepEqual(r.kind === "partial" && r.failed, ["b", "c"]);
});

test("complete failure: invalid JSON, another key, an empty, null, unknown or non-string id, a function error", () => {
  for (const p of ["{", '{"foo":1}', '{"batchItemFailures":[{"itemIdentifier":""}]}', '{"batchItemFailures":[{"itemIdentifier":null}]}', '{"batchItemFailures":[{"itemIdentifier":"z"}]}', '{"batchItemFailures":[{"itemIdentifier":123}]}', '{"batchItemFailures":"a"}', "123"]) {
    assert.equal(batchResult(completed(p), true, IDS).kind, "failed", p);
  }
  const thrown = batchResult(completed('{"errorMessage":"x"}', "Unhandled"), true, IDS);
  assert.deepEqual(thrown, { kind: "failed", statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" });
});

test("without ReportBatchItemFailures the response is not read", () => {
  assert.equal(batchResult(completed('{"batchItemFailures":[{"itemIdentifier":"b"}]}'), false, IDS).kind, "ok");
  assert.equal(batchResult(completed("{"), false, IDS).kind, "ok");
});

test("a tumbling window's invocation must return its state", () => {
  assert.equal(batchResult(completed("{}"), false, IDS, true).kind, "failed");
  const r = batchResult(completed('{"state":{"n":3}}'), false, IDS, true);
  assert.deepEqual(r.kind === "ok" && r.response, { state: { n: 3 } });
});

test("throttles and a missing function pass through", () => {
  assert.deepEqual(batchResult({ kind: "throttled", reason: "ReservedFunctionConcurrentInvocationLimitExceeded", disabled: false, functionArn: "x" }, true, IDS), { kind: "throttled", reason: "ReservedFunctionConcurrentInvocationLimitExceeded" });
  assert.equal(batchResult({ kind: "gone", message: "gone" }, true, IDS).kind, "gone");
});
