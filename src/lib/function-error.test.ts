import { test } from "node:test";
import assert from "node:assert/strict";
import { functionErrorOf } from "./function-error.js";

test("a function error's payload gives its errorType and errorMessage", () => {
  const fields = functionErrorOf(Buffer.from('{"errorType":"Error","errorMessage":"boom","trace":[]}'));
  assert.deepEqual([fields?.errorType, fields?.errorMessage], ["Error", "boom"]);
});

test("a payload that is not a JSON object has no error fields", () => {
  assert.equal(functionErrorOf(undefined), undefined);
  assert.equal(functionErrorOf(Buffer.from("not json")), undefined);
  assert.equal(functionErrorOf(Buffer.from("null")), undefined);
  assert.equal(functionErrorOf(Buffer.from('"text"')), undefined);
});
