/** REST APIs' control plane in-process, on a real SQLite store and a clock the tests move. */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ManualClock } from "../../clock/manual-clock.js";
import { SqliteStore } from "../../store/sqlite.js";
import { RestApisService } from "./rest-apis.js";
import { putIntegration, putMethod } from "./methods.js";
import { createDeployment, createStage, updateStage } from "./stages.js";

const ACCOUNT = { region: "us-east-1", accountId: "123456789012" };

describe("REST APIs service", () => {
  let dir: string;
  let store: SqliteStore;
  let clock: ManualClock;
  let apis: RestApisService;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "flint-restapi-"));
    store = SqliteStore.open(dir);
    clock = new ManualClock();
    apis = await RestApisService.create(ACCOUNT, store.restApis, clock);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** An API with GET / proxied to a function, deployed to `dev`. */
  async function deployed() {
    const api = await apis.createRestApi({ name: "a" });
    await apis.change(api.id, (a) => {
      putMethod(a, a.rootResourceId, "GET", { authorizationType: "NONE" });
      putIntegration(a, a.rootResourceId, "GET", { type: "MOCK" });
      createDeployment(a, { stageName: "dev", variables: { v: "1" } }, apis.now());
    });
    return api.id;
  }

  test("a deployment keeps the resources as they were; later changes wait for the next one", async () => {
    const id = await deployed();
    const root = apis.get(id).rootResourceId;
    await apis.createResource(id, root, "later");
    const api = apis.get(id);
    const deployment = api.deployments[api.stages.dev!.deploymentId]!;
    assert.deepEqual(Object.values(deployment.resources).map((r) => r.path), ["/"]);
    await apis.change(id, (a) => createDeployment(a, { stageName: "dev" }, apis.now()));
    const next = apis.get(id);
    assert.deepEqual(Object.values(next.deployments[next.stages.dev!.deploymentId]!.resources).map((r) => r.path).sort(), ["/", "/later"]);
    // Redeploying to a stage keeps its variables.
    assert.deepEqual(next.stages.dev!.variables, { v: "1" });
  });

  test("a refused change changes nothing, in memory or in the store", async () => {
    const id = await deployed();
    await assert.rejects(apis.change(id, (a) => createStage(a, { stageName: "dev", deploymentId: a.stages.dev!.deploymentId }, apis.now())), { name: "ConflictException" });
    await assert.rejects(apis.change(id, (a) => updateStage(a, "dev", { patchOperations: [{ op: "replace", path: "/variables/w", value: "2" }, { op: "replace", path: "/nope", value: "x" }] }, apis.now())), {
      name: "BadRequestException",
    });
    assert.deepEqual(apis.get(id).stages.dev!.variables, { v: "1" });
    const reloaded = await RestApisService.create(ACCOUNT, store.restApis, clock);
    assert.deepEqual(reloaded.get(id).stages.dev!.variables, { v: "1" });
    assert.deepEqual(Object.keys(reloaded.get(id).stages), ["dev"]);
  });

  test("deleting a resource deletes everything under it; the root stays", async () => {
    const api = await apis.createRestApi({ name: "t" });
    const a = await apis.createResource(api.id, api.rootResourceId, "a");
    const b = await apis.createResource(api.id, a.id, "{b}");
    await apis.createResource(api.id, b.id, "c");
    await apis.deleteResource(api.id, a.id);
    assert.deepEqual(apis.getResources(api.id, {}).items.map((r) => r.path), ["/"]);
    await assert.rejects(apis.deleteResource(api.id, api.rootResourceId), { message: "Cannot delete root resource" });
  });

  test("pages of APIs follow position until the last", async () => {
    for (let i = 0; i < 5; i++) {
      await apis.createRestApi({ name: `api${i}` });
      clock.advance(1000);
    }
    const first = apis.listRestApis({ limit: 2 });
    assert.equal(first.items.length, 2);
    const second = apis.listRestApis({ limit: 2, position: first.position! });
    const third = apis.listRestApis({ limit: 2, position: second.position! });
    assert.deepEqual([...first.items, ...second.items, ...third.items].map((a) => a.name), ["api0", "api1", "api2", "api3", "api4"]);
    assert.equal(third.position, undefined);
  });

  test("an unknown API is AWS's NotFoundException naming the account", () => {
    assert.throws(() => apis.get("nope"), { name: "NotFoundException", message: "Invalid API identifier specified 123456789012:nope" });
  });
});
