import { test } from "node:test";
import assert from "node:assert/strict";
import { RouteTable } from "./http-api-routing.js";
import type { IntegrationRecord, RouteRecord } from "../services/apigateway/http-api-model.js";

const integration: IntegrationRecord = {
  integrationId: "i1",
  integrationType: "AWS_PROXY",
  integrationUri: "arn:aws:lambda:us-east-1:000000000000:function:f",
  integrationMethod: "POST",
  connectionType: "INTERNET",
  payloadFormatVersion: "2.0",
  timeoutInMillis: 30000,
};

function table(...keys: string[]): RouteTable {
  const routes: RouteRecord[] = keys.map((routeKey, i) => ({ routeId: `r${i}`, routeKey, target: "integrations/i1", apiKeyRequired: false, authorizationType: "NONE" }));
  return new RouteTable({ routes, integrations: { i1: integration } });
}

const chosen = (t: RouteTable, method: string, path: string) => t.select(method, path)?.route.routeKey;

// The example of AWS's "Routing API requests" section.
const docs = table("GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}", "$default");

test("a full match of path and method wins", () => {
  assert.equal(chosen(docs, "GET", "/pets/dog/1"), "GET /pets/dog/1");
});

test("a path parameter matches one segment and beats a greedy path", () => {
  const s = docs.select("GET", "/pets/dog/2");
  assert.equal(s?.route.routeKey, "GET /pets/dog/{id}");
  assert.deepEqual(s?.pathParameters, { id: "2" });
});

test("a greedy path takes the rest of the path, slashes included", () => {
  const s = docs.select("GET", "/pets/cat/1");
  assert.equal(s?.route.routeKey, "GET /pets/{proxy+}");
  assert.deepEqual(s?.pathParameters, { proxy: "cat/1" });
});

test("ANY matches methods no route of the path names", () => {
  assert.equal(chosen(docs, "POST", "/pets/dog/1"), "ANY /{proxy+}");
});

test("$default takes what no route matches, without path parameters", () => {
  const s = docs.select("GET", "/");
  assert.equal(s?.route.routeKey, "$default");
  assert.equal(s?.pathParameters, undefined);
});

test("no route and no $default: nothing is selected (API Gateway's 404)", () => {
  const t = table("GET /pets");
  assert.equal(t.select("GET", "/cats"), undefined);
  assert.equal(t.select("POST", "/pets"), undefined);
});

test("a method's own route beats ANY on the same path", () => {
  const t = table("ANY /pets", "GET /pets");
  assert.equal(chosen(t, "GET", "/pets"), "GET /pets");
  assert.equal(chosen(t, "DELETE", "/pets"), "ANY /pets");
});

test("a greedy path needs at least one segment; a trailing slash names the same path", () => {
  const t = table("GET /files/{proxy+}", "GET /files");
  assert.equal(chosen(t, "GET", "/files"), "GET /files");
  assert.equal(chosen(t, "GET", "/files/"), "GET /files");
  assert.equal(chosen(t, "GET", "/files/a/b/c.txt"), "GET /files/{proxy+}");
});

test("path parameters are percent-decoded; literals compare decoded", () => {
  const t = table("GET /users/{name}/items/{item}", "GET /café");
  assert.deepEqual(t.select("GET", "/users/J%C3%B6rg/items/x%2Fy")?.pathParameters, { name: "Jörg", item: "x/y" });
  assert.equal(chosen(t, "GET", "/caf%C3%A9"), "GET /café");
});

test("the root path is its own route", () => {
  const t = table("GET /", "GET /{id}");
  assert.equal(chosen(t, "GET", "/"), "GET /");
  assert.equal(chosen(t, "GET", "/7"), "GET /{id}");
});

test("a route without an integration is still selected (it answers 404 itself)", () => {
  const t = new RouteTable({ routes: [{ routeId: "r", routeKey: "GET /x", apiKeyRequired: false, authorizationType: "NONE" }], integrations: {} });
  assert.equal(t.select("GET", "/x")?.route.integration, undefined);
});
