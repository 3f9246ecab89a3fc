import { test } from "node:test";
import assert from "node:assert/strict";
import { invocationRecord } from "./records.js";

const base = { requestId: "r-1", functionArn: "arn:aws:lambda:us-east-1:123456789012:function:f", approximateInvokeCount: 1, at: Date.UTC(2026, 0, 2) };

test("an invocation record: AWS's members in AWS's order, JSON payloads as JSON, others as text", () => {
  const record = invocationRecord({ ...base, condition: "Success", requestPayload: Buffer.from('{ "a" : [1, 2] }'), response: { executedVersion: "$LATEST", payload: "not json" } });
  assert.equal(
    record,
    '{"version":"1.0","timestamp":"2026-01-02T00:00:00.000Z","requestContext":{"requestId":"r-1","functionArn":"arn:aws:lambda:us-east-1:123456789012:function:f","condition":"Success","approximateInvokeCount":1},' +
      '"requestPayload":{"a":[1,2]},"responseContext":{"statusCode":200,"executedVersion":"$LATEST"},"responsePayload":"not json"}',
  );
  const failed = JSON.parse(invocationRecord({ ...base, condition: "RetriesExhausted", requestPayload: Buffer.from("plain"), response: { executedVersion: "1", payload: '{"errorMessage":"x"}', functionError: "Unhandled" } }));
  assert.deepEqual([failed.requestPayload, failed.responseContext.functionError, failed.responsePayload], ["plain", "Unhandled", { errorMessage: "x" }]);
  assert.equal("responseContext" in JSON.parse(invocationRecord({ ...base, condition: "EventAgeExceeded", requestPayload: Buffer.from("{}") })), false);
});

test("a payload nested deeper than JSON.stringify can recurse goes into the record as sent", () => {
  const deep = `${"[".repeat(100_000)}1${"]".repeat(100_000)}`;
  const record = invocationRecord({ ...base, condition: "Success", requestPayload: Buffer.from(deep), response: { executedVersion: "$LATEST", payload: deep } });
  assert.ok(record.includes(`"requestPayload":${deep},"responseContext"`));
  assert.ok(record.endsWith(`"responsePayload":${deep}}`));
  let parsed: unknown = JSON.parse(record).requestPayload;
  for (let i = 0; i < 100_000; i++) parsed = (parsed as unknown[])[0];
  assert.equal(parsed, 1);
});
