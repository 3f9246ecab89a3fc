import { test } from "node:test";
import assert from "node:assert/strict";
import type { MethodRecord, ResourceRecord } from "../services/apigateway/model.js";
import { RestRoutes } from "./rest-routes.js";

const method = (httpMethod: string): MethodRecord => ({ httpMethod, authorizationType: "NONE", apiKeyRequired: false, methodResponses: {} });
function resources(list: [id: string, parentId: string | undefined, pathPart: string | undefined, path: string, methods: string[]][]): Record<string, ResourceRecord> {
  return Object.fromEntries(
    list.map(([id, parentId, pathPart, path, methods]) => [id, { id, ...(parentId ? { parentId } : {}), ...(pathPart ? { pathPart } : {}), path, methods: Object.fromEntries(methods.map((m) => [m, method(m)])) }]),
  );
}

const routes = new RestRoutes(
  resources([
    ["root", undefined, undefined, "/", ["GET"]],
    ["pets", "root", "pets", "/pets", ["GET", "POST"]],
    ["pet", "pets", "{petId}", "/pets/{petId}", ["GET"]],
    ["mine", "pets", "mine", "/pets/mine", ["GET"]],
    ["proxy", "root", "{proxy+}", "/{proxy+}", ["ANY"]],
  ]),
);

test("a literal path part wins over a variable, which wins over a greedy variable", () => {
  assert.equal(routes.match("GET", "/pets/mine")?.resource.id, "mine");
  const pet = routes.match("GET", "/pets/7")!;
  assert.equal(pet.resource.id, "pet");
  assert.deepEqual(pet.pathParameters, { petId: "7" });
  const rest = routes.match("GET", "/shop/items/3")!;
  assert.equal(rest.resource.id, "proxy");
  assert.deepEqual(rest.pathParameters, { proxy: "shop/items/3" });
});

test("a resource answers its own methods or ANY; otherwise a less specific resource may", () => {
  assert.equal(routes.match("POST", "/pets")?.resource.id, "pets");
  assert.equal(routes.match("DELETE", "/pets")?.resource.id, "proxy");
  assert.equal(routes.match("DELETE", "/pets/7")?.resource.id, "proxy");
  assert.equal(routes.match("PATCH", "/anything")?.method.httpMethod, "ANY");
});

test("the root answers /, a greedy variable needs at least one part, and a trailing slash is the same path", () => {
  assert.equal(routes.match("GET", "/")?.resource.id, "root");
  assert.equal(routes.match("POST", "/"), undefined);
  assert.equal(routes.match("GET", "/pets/")?.resource.id, "pets");
  assert.equal(routes.match("GET", "")?.resource.id, "root");
});

test("path parameters are percent-decoded; the root without methods answers nothing", () => {
  assert.deepEqual(routes.match("GET", "/pets/a%20b")?.pathParameters, { petId: "a b" });
  const bare = new RestRoutes(resources([["root", undefined, undefined, "/", []], ["p", "root", "{proxy+}", "/{proxy+}", ["GET"]]]));
  assert.equal(bare.match("GET", "/"), undefined);
  assert.equal(bare.match("GET", "/x")?.pathParameters?.proxy, "x");
});
