import { test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../clock/manual-clock.js";
import { AwsError } from "../../errors.js";
import type { HttpApiStore } from "../../store/http-api-store.js";
import type { HttpApiRecord } from "./http-api-model.js";
import { HttpApisService } from "./http-apis.js";
import { HttpApiParts } from "./http-api-parts.js";

const account = { region: "us-east-1", accountId: "000000000000" };
const FN = "arn:aws:lambda:us-east-1:000000000000:function:echo";

class MemoryStore implements HttpApiStore {
  readonly rows = new Map<string, string>();
  async listHttpApis() {
    return [...this.rows.values()].map((r) => JSON.parse(r) as HttpApiRecord);
  }
  async putHttpApi(record: HttpApiRecord) {
    this.rows.set(record.apiId, JSON.stringify(record));
  }
  async deleteHttpApi(apiId: string) {
    this.rows.delete(apiId);
  }
}

async function setup() {
  const store = new MemoryStore();
  const clock = new ManualClock();
  const apis = await HttpApisService.create({ account, store, clock });
  return { store, clock, apis, parts: new HttpApiParts(apis) };
}

const code = (err: unknown) => (err instanceof AwsError ? `${err.status} ${err.code}` : String(err));

test("quick create makes a payload 2.0 integration, the $default route and an auto-deployed $default stage", async () => {
  const { apis, parts } = await setup();
  const api = await apis.createApi({ name: "q", protocolType: "HTTP", target: FN });
  assert.match(api.apiId, /^[a-z0-9]{10}$/);
  const [integration] = parts.getIntegrations(api.apiId);
  assert.equal(integration?.payloadFormatVersion, "2.0");
  assert.equal(integration?.timeoutInMillis, 30000);
  const [route] = parts.getRoutes(api.apiId);
  assert.deepEqual([route?.routeKey, route?.target], ["$default", `integrations/${integration?.integrationId}`]);
  const stage = parts.getStage(api.apiId, "$default");
  assert.equal(stage.autoDeploy, true);
  assert.equal(parts.getDeployment(api.apiId, stage.deploymentId!).routes.length, 1);
});

test("quick create's route keeps its key", async () => {
  const { apis, parts } = await setup();
  const api = await apis.createApi({ name: "q", protocolType: "HTTP", target: FN });
  const [route] = parts.getRoutes(api.apiId);
  await assert.rejects(parts.updateRoute(api.apiId, route!.routeId, { routeKey: "GET /x" }), (e) => code(e) === "400 BadRequestException");
});

test("quick create takes a route key", async () => {
  const { apis, parts } = await setup();
  const api = await apis.createApi({ name: "q", protocolType: "HTTP", target: FN, routeKey: "GET /hello" });
  assert.equal(parts.getRoutes(api.apiId)[0]?.routeKey, "GET /hello");
});

test("an auto-deploying stage follows every route change; a manual one keeps its deployment", async () => {
  const { apis, parts } = await setup();
  const api = await apis.createApi({ name: "a", protocolType: "HTTP" });
  const i = await parts.createIntegration(api.apiId, { integrationType: "AWS_PROXY", integrationUri: FN, payloadFormatVersion: "1.0" });
  await parts.createStage(api.apiId, { stageName: "$default", autoDeploy: true });
  await parts.createRoute(api.apiId, { routeKey: "GET /a", target: `integrations/${i.integrationId}` });
  const manual = await parts.createStage(api.apiId, { stageName: "prod" });
  assert.equal(manual.deploymentId, undefined);
  const d = await parts.createDeployment(api.apiId, { stageName: "prod" });
  await parts.createRoute(api.apiId, { routeKey: "GET /b", target: `integrations/${i.integrationId}` });
  const auto = parts.getStage(api.apiId, "$default");
  assert.deepEqual(parts.getDeployment(api.apiId, auto.deploymentId!).routes.map((r) => r.routeKey).sort(), ["GET /a", "GET /b"]);
  assert.equal(parts.getStage(api.apiId, "prod").deploymentId, d.deploymentId);
  assert.deepEqual(parts.getDeployment(api.apiId, d.deploymentId).routes.map((r) => r.routeKey), ["GET /a"]);
});

test("a refused change changes nothing, in memory or in the store", async () => {
  const { apis, parts, store } = await setup();
  const api = await apis.createApi({ name: "a", protocolType: "HTTP", target: FN });
  const before = store.rows.get(api.apiId);
  await assert.rejects(parts.createRoute(api.apiId, { routeKey: "$default" }), (e) => code(e) === "409 ConflictException");
  await assert.rejects(parts.createRoute(api.apiId, { routeKey: "GET /x", target: "integrations/nope123" }), (e) => code(e) === "400 BadRequestException");
  await assert.rejects(parts.createRoute(api.apiId, { routeKey: "GET x" }), (e) => code(e) === "400 BadRequestException");
  assert.equal(parts.getRoutes(api.apiId).length, 1);
  assert.equal(store.rows.get(api.apiId), before);
});

test("unknown ids are AWS's NotFoundException naming the account", async () => {
  const { apis, parts } = await setup();
  assert.throws(() => apis.get("nope"), (e) => code(e) === "404 NotFoundException" && (e as Error).message === "Invalid API identifier specified 000000000000:nope");
  const api = await apis.createApi({ name: "a", protocolType: "HTTP" });
  assert.throws(() => parts.getRoute(api.apiId, "r"), /Invalid Route identifier specified 000000000000:r/);
  assert.throws(() => parts.getIntegration(api.apiId, "i"), /Invalid Integration identifier specified 000000000000:i/);
  assert.throws(() => parts.getStage(api.apiId, "s"), /Invalid stage identifier specified/);
});

test("an integration a route targets cannot be deleted, nor a deployment a stage serves", async () => {
  const { apis, parts } = await setup();
  const api = await apis.createApi({ name: "q", protocolType: "HTTP", target: FN });
  const [i] = parts.getIntegrations(api.apiId);
  await assert.rejects(parts.deleteIntegration(api.apiId, i!.integrationId), (e) => code(e) === "409 ConflictException");
  const stage = parts.getStage(api.apiId, "$default");
  await assert.rejects(parts.deleteDeployment(api.apiId, stage.deploymentId!), (e) => code(e) === "400 BadRequestException");
});

test("a deployment needs a route", async () => {
  const { apis, parts } = await setup();
  const api = await apis.createApi({ name: "a", protocolType: "HTTP" });
  await assert.rejects(parts.createDeployment(api.apiId, {}), /At least one route is required before deploying the Api\./);
});

test("APIs outlive a restart: they are loaded from the store", async () => {
  const { store, clock, apis } = await setup();
  const api = await apis.createApi({ name: "a", protocolType: "HTTP", target: FN });
  const again = await HttpApisService.create({ account, store, clock });
  assert.deepEqual(again.find(api.apiId), api);
});

test("integrations take function ARNs of this account and region, plain or as invocation URIs", async () => {
  const { apis, parts } = await setup();
  const api = await apis.createApi({ name: "a", protocolType: "HTTP" });
  const uri = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FN}:live/invocations`;
  assert.equal((await parts.createIntegration(api.apiId, { integrationType: "AWS_PROXY", integrationUri: uri, payloadFormatVersion: "2.0" })).integrationUri, `${FN}:live`);
  await assert.rejects(parts.createIntegration(api.apiId, { integrationType: "AWS_PROXY", integrationUri: "arn:aws:lambda:eu-west-1:000000000000:function:x", payloadFormatVersion: "2.0" }), (e) => code(e) === "400 BadRequestException");
  await assert.rejects(parts.createIntegration(api.apiId, { integrationType: "AWS_PROXY", integrationUri: FN }), /PayloadFormatVersion is required/);
});

test("names that are Object.prototype's own (__proto__, constructor) are plain stage, variable and tag names", async () => {
  const { apis, parts } = await setup();
  const api = await apis.createApi({ name: "a", protocolType: "HTTP", tags: JSON.parse('{"__proto__":"t"}') });
  await parts.createStage(api.apiId, { stageName: "__proto__", stageVariables: JSON.parse('{"__proto__":"v"}') });
  await parts.updateStage(api.apiId, "__proto__", { stageVariables: JSON.parse('{"__proto__":"w","constructor":"c"}') });
  await apis.tag(api.apiId, JSON.parse('{"__proto__":"u"}'));
  const stage = parts.getStage(api.apiId, "__proto__");
  assert.deepEqual(Object.entries(stage.stageVariables), [["__proto__", "w"], ["constructor", "c"]]);
  assert.deepEqual(Object.entries(apis.tagsOf(api.apiId)), [["__proto__", "u"]]);
  assert.equal(parts.getStages(api.apiId).length, 1);
  assert.throws(() => parts.getStage(api.apiId, "constructor"), /Invalid stage identifier specified/);
});
