import { test } from "node:test";
import assert from "node:assert/strict";
import { triggerAddress } from "./address.js";

test("a function URL is addressed by its host, whatever follows the region", () => {
  assert.deepEqual(triggerAddress("AbC123.lambda-url.us-east-1.localhost:4566", "/a/b"), { kind: "lambda-url", id: "abc123", rawPath: "/a/b", form: "host" });
  assert.deepEqual(triggerAddress("abc123.lambda-url.eu-west-1.on.aws", ""), { kind: "lambda-url", id: "abc123", rawPath: "/", form: "host" });
});

test("an API is addressed by its execute-api host", () => {
  assert.deepEqual(triggerAddress("k3x9a.execute-api.localhost:4566", "/prod/pets"), { kind: "execute-api", id: "k3x9a", rawPath: "/prod/pets", form: "host" });
});

test("the path forms strip their prefix and keep the rest as sent", () => {
  assert.deepEqual(triggerAddress("127.0.0.1:4566", "/_aws/lambda-url/abc/x%20y"), { kind: "lambda-url", id: "abc", rawPath: "/x%20y", form: "path" });
  assert.deepEqual(triggerAddress("127.0.0.1:4566", "/_aws/lambda-url/abc"), { kind: "lambda-url", id: "abc", rawPath: "/", form: "path" });
  assert.deepEqual(triggerAddress("localhost", "/_aws/execute-api/k3x9a/prod/"), { kind: "execute-api", id: "k3x9a", rawPath: "/prod/", form: "path" });
});

test("AWS API calls and other paths are not triggers", () => {
  assert.equal(triggerAddress("127.0.0.1:4566", "/2015-03-31/functions"), undefined);
  assert.equal(triggerAddress("localhost:4566", "/_aws/other/abc/"), undefined);
  assert.equal(triggerAddress("lambda-url.localhost", "/"), undefined);
  assert.equal(triggerAddress(undefined, "/_aws/lambda-url/"), undefined);
});
