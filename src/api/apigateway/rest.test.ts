import { test } from "node:test";
import assert from "node:assert/strict";
import { RestApiGatewayApi } from "./rest.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { RestApisService } from "../../services/apigateway/rest-apis.js";
import { SqliteStore } from "../../store/sqlite.js";
import { ManualClock } from "../../clock/manual-clock.js";
import { AwsError } from "../../errors.js";

const api = new RestApiGatewayApi({} as RestApisService, { region: "us-east-1", accountId: "123456789012" });

test("a REST API call asks apigateway:<HTTP method> on the ARN of the path it names", () => {
  assert.deepEqual(api.asks("POST", "/restapis"), [{ action: "apigateway:POST", resource: "arn:aws:apigateway:us-east-1::/restapis" }]);
  assert.deepEqual(api.asks("PUT", "/restapis/a1b2c3d4e5/resources/r1/methods/GET"), [
    { action: "apigateway:PUT", resource: "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/resources/r1/methods/GET" },
  ]);
  assert.deepEqual(api.asks("PATCH", "/restapis/a1b2c3d4e5/stages/dev"), [{ action: "apigateway:PATCH", resource: "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/dev" }]);
});

test("members of the wrong type get AWS errors or are left out, never a crash", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "flint-restapi-wire-"));
  const store = SqliteStore.open(dir);
  try {
    const svc = await RestApisService.create({ region: "us-east-1", accountId: "123456789012" }, store.restApis, new ManualClock());
    const wire = new RestApiGatewayApi(svc, { region: "us-east-1", accountId: "123456789012" });
    const call = async (method: string, rawPath: string, body: unknown, query: Record<string, string> = {}) => {
      let sent: { status: number; body: string } | undefined;
      const res = { send: (status: number, _h: unknown, b?: Buffer | string) => (sent = { status, body: String(b ?? "") }) } as never;
      const req = { method, rawPath, rawQuery: "", query, headers: {}, body: Buffer.from(body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body)), requestId: "r", authorize: () => {} };
      try {
        await wire.handle(req, res);
        return sent!;
      } catch (err) {
        assert.ok(err instanceof AwsError, `${method} ${rawPath} ${JSON.stringify(body)}: ${String(err)}`);
        return { status: err.status, body: err.message };
      }
    };
    const created = JSON.parse((await call("POST", "/restapis", { name: "w", endpointConfiguration: "x", tags: 3, binaryMediaTypes: [{}] })).body);
    const root = `/restapis/${created.id}/resources/${created.rootResourceId}`;
    for (const body of ["[1]", "nope", "null", { pathPart: 7 }, { pathPart: "{a+}{b}" }]) assert.ok((await call("POST", root, body)).status >= 400);
    assert.equal((await call("PUT", `${root}/methods/GET`, { authorizationType: ["NONE"], requestParameters: "x" })).status, 201);
    assert.equal((await call("PUT", `${root}/methods/GET/integration`, { type: "MOCK", requestTemplates: { "application/json": { statusCode: 200 } }, cacheKeyParameters: [{}], timeoutInMillis: "x" })).status, 400);
    assert.equal((await call("PUT", `${root}/methods/GET/integration`, { type: "MOCK", requestTemplates: { "application/json": { statusCode: 200 } } })).status, 201);
    const response = await call("PUT", `${root}/methods/GET/integration/responses/200`, { responseTemplates: { "application/json": { x: 1 }, "text/plain": null, "text/html": "" } });
    assert.deepEqual(JSON.parse(response.body).responseTemplates, { "text/plain": null, "text/html": null });
    for (const body of [{ variables: "x" }, { stageName: 5 }, { stageName: "bad name" }]) assert.ok([201, 400].includes((await call("POST", `/restapis/${created.id}/deployments`, body)).status));
    assert.equal((await call("PATCH", `/restapis/${created.id}/stages/none`, { patchOperations: "x" })).status, 404);
    assert.equal((await call("GET", "/restapis/%zz", undefined)).status, 404);
    assert.equal((await call("GET", "/restapis", "", { limit: "abc" })).status, 200);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
