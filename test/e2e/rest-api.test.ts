/**
 * API Gateway REST APIs end to end: the control plane with the AWS CLI v2 and `@aws-sdk/client-api-gateway`,
 * and the invoke side with curl (host form), Node's fetch and Python's urllib (path form): a
 * `{proxy+}` ANY method answering through Node.js and Python functions with the proxy event 1.0,
 * stage variables, MOCK integrations, AWS's 502 for a malformed result, and the function permission
 * API Gateway needs where IAM is enforced.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  CreateStageCommand,
  DeleteDeploymentCommand,
  DeleteMethodCommand,
  DeleteResourceCommand,
  DeleteRestApiCommand,
  DeleteStageCommand,
  GetDeploymentsCommand,
  GetIntegrationCommand,
  GetIntegrationResponseCommand,
  GetMethodCommand,
  GetResourceCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  GetRestApisCommand,
  GetStageCommand,
  GetStagesCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateStageCommand,
} from "@aws-sdk/client-api-gateway";
import { ACCOUNT, type FlintProcess, REGION, startFlint, TEST_CREDENTIALS } from "../harness/flint.js";
import { zipFixture } from "../harness/zip.js";
import { createFunction } from "../harness/functions.js";

const run = promisify(execFile);

/** The error an SDK call fails with: its name, status and message. */
async function failure(p: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error("expected the call to fail");
}

describe("API Gateway REST APIs", () => {
  let flint: FlintProcess;
  let apigw: APIGatewayClient;
  let nodeZip: Buffer;
  let pythonZip: Buffer;
  const fnArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
  const lambdaUri = (name: string) => `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${fnArn(name)}/invocations`;
  const hostUrl = (apiId: string, path: string) => `http://${apiId}.execute-api.localhost:${flint.port}${path}`;
  const pathUrl = (apiId: string, path: string) => `${flint.endpoint}/_aws/execute-api/${apiId}${path}`;

  /** What API Gateway needs to invoke `fn` for `apiId`, as the console grants it. */
  const allow = (fn: string, apiId: string) =>
    flint.aws(["lambda", "add-permission", "--function-name", fn, "--statement-id", `apigw-${apiId}`, "--action", "lambda:InvokeFunction", "--principal", "apigateway.amazonaws.com", "--source-arn", `arn:aws:execute-api:${REGION}:${ACCOUNT}:${apiId}/*/*/*`]);

  /** A REST API whose `{proxy+}` ANY method proxies to `fn`, deployed to `stage`. */
  async function proxyApi(fn: string, stage: string, variables?: Record<string, string>): Promise<string> {
    const api = await apigw.send(new CreateRestApiCommand({ name: `proxy-${fn}` }));
    const proxy = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: "{proxy+}" }));
    await apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: proxy.id, httpMethod: "ANY", authorizationType: "NONE" }));
    await apigw.send(new PutIntegrationCommand({ restApiId: api.id, resourceId: proxy.id, httpMethod: "ANY", type: "AWS_PROXY", integrationHttpMethod: "POST", uri: lambdaUri(fn) }));
    await apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: stage, ...(variables ? { variables } : {}) }));
    return api.id!;
  }

  before(async () => {
    flint = await startFlint();
    apigw = new APIGatewayClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    [nodeZip, pythonZip] = await Promise.all([zipFixture("nodejs"), zipFixture("python")]);
  });
  after(async () => {
    apigw.destroy();
    await flint.stop();
  });

  describe("control plane", () => {
    test("CreateRestApi answers 201 with AWS's defaults; GetRestApi, GetRestApis and DeleteRestApi (202) follow it", async () => {
      const created = await apigw.send(new CreateRestApiCommand({ name: "pets", description: "my api" }));
      assert.equal(created.$metadata.httpStatusCode, 201);
      assert.match(created.id!, /^[a-z0-9]{10}$/);
      assert.match(created.rootResourceId!, /^[a-z0-9]{10}$/);
      assert.equal(created.apiKeySource, "HEADER");
      assert.equal(created.disableExecuteApiEndpoint, false);
      assert.deepEqual(created.endpointConfiguration?.types, ["EDGE"]);
      assert.ok(created.createdDate instanceof Date);
      const got = await apigw.send(new GetRestApiCommand({ restApiId: created.id }));
      assert.equal(got.name, "pets");
      assert.equal(got.description, "my api");
      const listed = await apigw.send(new GetRestApisCommand({}));
      assert.ok(listed.items!.some((a) => a.id === created.id));
      const deleted = await apigw.send(new DeleteRestApiCommand({ restApiId: created.id }));
      assert.equal(deleted.$metadata.httpStatusCode, 202);
      assert.deepEqual(await failure(apigw.send(new GetRestApiCommand({ restApiId: created.id }))), {
        name: "NotFoundException",
        status: 404,
        message: `Invalid API identifier specified ${ACCOUNT}:${created.id}`,
      });
      assert.equal((await failure(apigw.send(new DeleteRestApiCommand({ restApiId: created.id })))).status, 404);
    });

    test("a bad endpoint type is a ValidationException and creates nothing", async () => {
      const before = (await apigw.send(new GetRestApisCommand({}))).items!.length;
      const e = await failure(apigw.send(new CreateRestApiCommand({ name: "x", endpointConfiguration: { types: ["wrong" as "EDGE"] } })));
      assert.deepEqual(e, {
        name: "ValidationException",
        status: 400,
        message: "1 validation error detected: Value '[wrong]' at 'createRestApiInput.endpointConfiguration.types' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [PRIVATE, EDGE, REGIONAL]]",
      });
      assert.equal((await apigw.send(new GetRestApisCommand({}))).items!.length, before);
    });

    test("resources: the root, children with their full path, AWS's refusals, and deletion with the subtree", async () => {
      const api = await apigw.send(new CreateRestApiCommand({ name: "tree" }));
      const root = await apigw.send(new GetResourcesCommand({ restApiId: api.id }));
      assert.deepEqual(root.items, [{ id: api.rootResourceId, path: "/" }]);
      const pets = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: "pets" }));
      assert.equal(pets.$metadata.httpStatusCode, 201);
      assert.deepEqual({ parentId: pets.parentId, path: pets.path, pathPart: pets.pathPart }, { parentId: api.rootResourceId, path: "/pets", pathPart: "pets" });
      const pet = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: pets.id, pathPart: "{petId}" }));
      assert.equal(pet.path, "/pets/{petId}");
      assert.equal((await apigw.send(new GetResourceCommand({ restApiId: api.id, resourceId: pet.id }))).path, "/pets/{petId}");
      assert.deepEqual(await failure(apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: "pets" }))), {
        name: "ConflictException",
        status: 409,
        message: "Another resource with the same parent already has this name: pets",
      });
      const proxy = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: "{proxy+}" }));
      assert.deepEqual(await failure(apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: "{other}" }))), {
        name: "BadRequestException",
        status: 400,
        message: "A sibling ({proxy+}) of this resource already has a variable path part -- only one is allowed",
      });
      assert.deepEqual(await failure(apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: proxy.id, pathPart: "child" }))), {
        name: "BadRequestException",
        status: 400,
        message: "Cannot create a child of a resource with a greedy path variable: {proxy+}",
      });
      assert.deepEqual(await failure(apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: "nope00", pathPart: "x" }))), {
        name: "NotFoundException",
        status: 404,
        message: "Invalid Resource identifier specified",
      });
      const deleted = await apigw.send(new DeleteResourceCommand({ restApiId: api.id, resourceId: pets.id }));
      assert.equal(deleted.$metadata.httpStatusCode, 202);
      const left = await apigw.send(new GetResourcesCommand({ restApiId: api.id }));
      assert.deepEqual(left.items!.map((r) => r.path).sort(), ["/", "/{proxy+}"]);
      assert.equal((await failure(apigw.send(new GetResourceCommand({ restApiId: api.id, resourceId: pet.id })))).message, "Invalid Resource identifier specified");
    });

    test("methods and integrations: Put (201), Get, Delete (204), with AWS's messages for what is missing or wrong", async () => {
      const api = await apigw.send(new CreateRestApiCommand({ name: "methods" }));
      const r = { restApiId: api.id, resourceId: api.rootResourceId };
      const put = await apigw.send(new PutMethodCommand({ ...r, httpMethod: "GET", authorizationType: "NONE" }));
      assert.equal(put.$metadata.httpStatusCode, 201);
      assert.deepEqual({ httpMethod: put.httpMethod, authorizationType: put.authorizationType, apiKeyRequired: put.apiKeyRequired }, { httpMethod: "GET", authorizationType: "NONE", apiKeyRequired: false });
      assert.deepEqual(await failure(apigw.send(new PutMethodCommand({ ...r, httpMethod: "FETCH", authorizationType: "NONE" }))), {
        name: "BadRequestException",
        status: 400,
        message: "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY",
      });
      assert.deepEqual(await failure(apigw.send(new GetIntegrationCommand({ ...r, httpMethod: "GET" }))), { name: "NotFoundException", status: 404, message: "Invalid Integration identifier specified" });
      assert.deepEqual(await failure(apigw.send(new PutIntegrationCommand({ ...r, httpMethod: "GET", type: "AWS_PROXY", uri: lambdaUri("f") }))), {
        name: "BadRequestException",
        status: 400,
        message: "Enumeration value for HttpMethod must be non-empty",
      });
      const integration = await apigw.send(new PutIntegrationCommand({ ...r, httpMethod: "GET", type: "AWS_PROXY", integrationHttpMethod: "POST", uri: lambdaUri("f") }));
      assert.equal(integration.$metadata.httpStatusCode, 201);
      assert.deepEqual(
        { type: integration.type, httpMethod: integration.httpMethod, uri: integration.uri, timeoutInMillis: integration.timeoutInMillis, passthroughBehavior: integration.passthroughBehavior, cacheNamespace: integration.cacheNamespace },
        { type: "AWS_PROXY", httpMethod: "POST", uri: lambdaUri("f"), timeoutInMillis: 29000, passthroughBehavior: "WHEN_NO_MATCH", cacheNamespace: api.rootResourceId },
      );
      assert.equal((await apigw.send(new GetIntegrationCommand({ ...r, httpMethod: "GET" }))).uri, lambdaUri("f"));
      assert.equal((await apigw.send(new GetMethodCommand({ ...r, httpMethod: "GET" }))).methodIntegration?.type, "AWS_PROXY");
      assert.equal((await apigw.send(new DeleteMethodCommand({ ...r, httpMethod: "GET" }))).$metadata.httpStatusCode, 204);
      assert.deepEqual(await failure(apigw.send(new GetMethodCommand({ ...r, httpMethod: "GET" }))), { name: "NotFoundException", status: 404, message: "Invalid Method identifier specified" });
      assert.deepEqual(await failure(apigw.send(new GetMethodCommand({ restApiId: "nope000000", resourceId: api.rootResourceId, httpMethod: "GET" }))), {
        name: "NotFoundException",
        status: 404,
        message: "Invalid Resource identifier specified",
      });
    });

    test("deployments and stages: CreateDeployment with a stage and variables, CreateStage, GetStage(s), UpdateStage patches, DeleteStage (202)", async () => {
      const api = await apigw.send(new CreateRestApiCommand({ name: "stages" }));
      assert.deepEqual(await failure(apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: "dev" }))), {
        name: "BadRequestException",
        status: 400,
        message: "The REST API doesn't contain any methods",
      });
      await apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: "GET", authorizationType: "NONE" }));
      assert.equal((await failure(apigw.send(new CreateDeploymentCommand({ restApiId: api.id })))).message, "No integration defined for method");
      await apigw.send(new PutIntegrationCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: "GET", type: "MOCK", requestTemplates: { "application/json": '{"statusCode": 200}' } }));
      const d = await apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: "dev", variables: { color: "blue" } }));
      assert.equal(d.$metadata.httpStatusCode, 201);
      assert.match(d.id!, /^[a-z0-9]+$/);
      assert.deepEqual((await apigw.send(new GetDeploymentsCommand({ restApiId: api.id }))).items!.map((x) => x.id), [d.id]);
      const dev = await apigw.send(new GetStageCommand({ restApiId: api.id, stageName: "dev" }));
      assert.deepEqual({ deploymentId: dev.deploymentId, variables: dev.variables, cacheClusterStatus: dev.cacheClusterStatus }, { deploymentId: d.id, variables: { color: "blue" }, cacheClusterStatus: "NOT_AVAILABLE" });
      const prod = await apigw.send(new CreateStageCommand({ restApiId: api.id, stageName: "prod", deploymentId: d.id, description: "live" }));
      assert.equal(prod.$metadata.httpStatusCode, 201);
      assert.deepEqual(await failure(apigw.send(new CreateStageCommand({ restApiId: api.id, stageName: "prod", deploymentId: d.id }))), { name: "ConflictException", status: 409, message: "Stage already exists" });
      assert.deepEqual((await apigw.send(new GetStagesCommand({ restApiId: api.id }))).item!.map((s) => s.stageName).sort(), ["dev", "prod"]);
      const updated = await apigw.send(
        new UpdateStageCommand({ restApiId: api.id, stageName: "dev", patchOperations: [{ op: "replace", path: "/variables/size", value: "L" }, { op: "remove", path: "/variables/color" }] }),
      );
      assert.deepEqual(updated.variables, { size: "L" });
      assert.equal((await failure(apigw.send(new UpdateStageCommand({ restApiId: api.id, stageName: "dev", patchOperations: [{ op: "replace", path: "/tags/a", value: "b" }] })))).name, "BadRequestException");
      assert.deepEqual(await failure(apigw.send(new DeleteDeploymentCommand({ restApiId: api.id, deploymentId: d.id }))), {
        name: "BadRequestException",
        status: 400,
        message: "Active stages pointing to this deployment must be moved or deleted",
      });
      assert.equal((await apigw.send(new DeleteStageCommand({ restApiId: api.id, stageName: "prod" }))).$metadata.httpStatusCode, 202);
      assert.deepEqual(await failure(apigw.send(new GetStageCommand({ restApiId: api.id, stageName: "prod" }))), { name: "NotFoundException", status: 404, message: "Invalid Stage identifier specified" });
    });

    test("the AWS CLI v2 drives the same operations and reads the same errors", async () => {
      const created = await flint.aws(["apigateway", "create-rest-api", "--name", "cli-api"]);
      assert.equal(created.code, 0, created.stderr);
      const apiId = created.json().id as string;
      const resources = await flint.aws(["apigateway", "get-resources", "--rest-api-id", apiId]);
      const rootId = resources.json().items[0].id as string;
      const proxy = await flint.aws(["apigateway", "create-resource", "--rest-api-id", apiId, "--parent-id", rootId, "--path-part", "{proxy+}"]);
      assert.equal(proxy.json().path, "/{proxy+}");
      const proxyId = proxy.json().id as string;
      assert.equal((await flint.aws(["apigateway", "put-method", "--rest-api-id", apiId, "--resource-id", proxyId, "--http-method", "ANY", "--authorization-type", "NONE"])).code, 0);
      const integration = await flint.aws(["apigateway", "put-integration", "--rest-api-id", apiId, "--resource-id", proxyId, "--http-method", "ANY", "--type", "AWS_PROXY", "--integration-http-method", "POST", "--uri", lambdaUri("f")]);
      assert.equal(integration.json().type, "AWS_PROXY");
      const bad = await flint.aws(["apigateway", "put-integration", "--rest-api-id", apiId, "--resource-id", proxyId, "--http-method", "ANY", "--type", "HTTPS_PROXY"]);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /BadRequestException|ValidationException/);
      const deployment = await flint.aws(["apigateway", "create-deployment", "--rest-api-id", apiId, "--stage-name", "test", "--variables", "mode=cli"]);
      assert.equal(deployment.code, 0, deployment.stderr);
      const stage = await flint.aws(["apigateway", "get-stage", "--rest-api-id", apiId, "--stage-name", "test"]);
      assert.deepEqual(stage.json().variables, { mode: "cli" });
      const stages = await flint.aws(["apigateway", "get-stages", "--rest-api-id", apiId]);
      assert.equal(stages.json().item.length, 1);
      const missing = await flint.aws(["apigateway", "get-rest-api", "--rest-api-id", "abc"]);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, new RegExp(`NotFoundException\\) when calling the GetRestApi operation: Invalid API identifier specified ${ACCOUNT}:abc`));
      assert.equal((await flint.aws(["apigateway", "delete-stage", "--rest-api-id", apiId, "--stage-name", "test"])).code, 0);
      assert.equal((await flint.aws(["apigateway", "delete-rest-api", "--rest-api-id", apiId])).code, 0);
      const gone = await flint.aws(["apigateway", "get-rest-apis"]);
      assert.ok(!gone.json().items.some((a: { id: string }) => a.id === apiId));
    });
  });

  describe("invoking", () => {
    let nodeFn: string;
    let pythonFn: string;
    let nodeApi: string;
    let pythonApi: string;
    before(async () => {
      [nodeFn, pythonFn] = await Promise.all([createFunction(flint, nodeZip, "rest-echo.handler"), createFunction(flint, pythonZip, "rest_echo.handler", { runtime: "python3.12" })]);
      [nodeApi, pythonApi] = await Promise.all([proxyApi(nodeFn, "test", { color: "blue" }), proxyApi(pythonFn, "test")]);
      for (const [fn, api] of [[nodeFn, nodeApi], [pythonFn, pythonApi]] as const) assert.equal((await allow(fn, api)).code, 0);
    });

    test("curl by host: a {proxy+} ANY method hands the Node.js function AWS's proxy event 1.0", async () => {
      const { stdout } = await run("curl", ["-s", "-X", "POST", "-H", "tEsT-HEADeR: aValUE", "-H", "Content-Type: application/json", "--data", '{"a":1}', hostUrl(nodeApi, "/test/pets/7?urlparam=test&multi=1&multi=2")]);
      const event = JSON.parse(stdout);
      assert.equal(event.resource, "/{proxy+}");
      assert.equal(event.path, "/pets/7");
      assert.equal(event.httpMethod, "POST");
      assert.equal(event.headers["tEsT-HEADeR"], "aValUE");
      assert.deepEqual(event.multiValueHeaders["tEsT-HEADeR"], ["aValUE"]);
      assert.match(event.headers["User-Agent"], /^curl\//);
      assert.deepEqual(event.queryStringParameters, { urlparam: "test", multi: "2" });
      assert.deepEqual(event.multiValueQueryStringParameters, { urlparam: ["test"], multi: ["1", "2"] });
      assert.deepEqual(event.pathParameters, { proxy: "pets/7" });
      assert.deepEqual(event.stageVariables, { color: "blue" });
      assert.equal(event.body, '{"a":1}');
      assert.equal(event.isBase64Encoded, false);
      const ctx = event.requestContext;
      assert.equal(ctx.accountId, ACCOUNT);
      assert.equal(ctx.apiId, nodeApi);
      assert.equal(ctx.domainPrefix, nodeApi);
      assert.equal(ctx.path, "/test/pets/7");
      assert.equal(ctx.stage, "test");
      assert.equal(ctx.resourcePath, "/{proxy+}");
      assert.equal(ctx.httpMethod, "POST");
      assert.equal(ctx.protocol, "HTTP/1.1");
      assert.match(ctx.deploymentId, /^[a-z0-9]+$/);
      assert.match(ctx.requestTime, /^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
      assert.equal(typeof ctx.requestTimeEpoch, "number");
      assert.equal(ctx.identity.sourceIp, "127.0.0.1");
      assert.equal(ctx.identity.userArn, null);
      // As behind API Gateway: the client's address and the connection's port and scheme.
      assert.equal(event.headers["X-Forwarded-For"], "127.0.0.1");
      assert.equal(event.headers["X-Forwarded-Port"], String(flint.port));
      assert.equal(event.headers["X-Forwarded-Proto"], "http");
    });

    test("Node's fetch by path form reaches the Python function; the answer carries the function's headers", async () => {
      const res = await fetch(pathUrl(pythonApi, "/test/hello"));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("x-runtime"), "python");
      const event = (await res.json()) as Record<string, any>;
      assert.equal(event.path, "/hello");
      assert.equal(event.httpMethod, "GET");
      assert.equal(event.body, null);
      assert.equal(event.queryStringParameters, null);
      assert.equal(event.multiValueQueryStringParameters, null);
      assert.equal(event.stageVariables, null);
      assert.equal(event.requestContext.path, "/test/hello");
      // By path form too, the API's domain is its host form's.
      assert.equal(event.requestContext.domainPrefix, pythonApi);
      assert.equal(event.requestContext.domainName, `${pythonApi}.execute-api.localhost:${flint.port}`);
      assert.ok(res.headers.get("x-amzn-requestid"));
      assert.ok(res.headers.get("x-amz-apigw-id"));
    });

    test("Python's urllib by path form reaches the Node.js function with a binary body as base64", async () => {
      const script = `import json, sys, urllib.request
req = urllib.request.Request(sys.argv[1], data=bytes([0xff, 0x00, 0x10]), method="PUT", headers={"Content-Type": "application/octet-stream"})
with urllib.request.urlopen(req) as r:
    print(json.dumps({"status": r.status, "event": json.loads(r.read())}))`;
      const { stdout } = await run("/usr/bin/python3", ["-c", script, pathUrl(nodeApi, "/test/upload")]);
      const { status, event } = JSON.parse(stdout);
      assert.equal(status, 200);
      assert.equal(event.httpMethod, "PUT");
      assert.equal(event.isBase64Encoded, true);
      assert.equal(event.body, Buffer.from([0xff, 0x00, 0x10]).toString("base64"));
    });

    test("stage variables follow UpdateStage without a new deployment", async () => {
      await apigw.send(new UpdateStageCommand({ restApiId: nodeApi, stageName: "test", patchOperations: [{ op: "replace", path: "/variables/color", value: "green" }] }));
      const event = (await (await fetch(pathUrl(nodeApi, "/test/x"))).json()) as Record<string, any>;
      assert.deepEqual(event.stageVariables, { color: "green" });
    });

    test("no route is 403 Missing Authentication Token, an unknown stage 403 Forbidden, an unknown API 403", async () => {
      const noRoute = await fetch(pathUrl(nodeApi, "/test"));
      assert.equal(noRoute.status, 403);
      assert.equal(noRoute.headers.get("x-amzn-errortype"), "MissingAuthenticationTokenException");
      assert.deepEqual(await noRoute.json(), { message: "Missing Authentication Token" });
      const noStage = await fetch(pathUrl(nodeApi, "/nostage/x"));
      assert.equal(noStage.status, 403);
      assert.deepEqual(await noStage.json(), { message: "Forbidden" });
      assert.equal((await fetch(pathUrl("zzzzzzzzzz", "/test/x"))).status, 403);
      assert.equal((await fetch(pathUrl(nodeApi, "/%zz/x"))).status, 403);
      assert.equal((await fetch(pathUrl(nodeApi, "/test/%zz"))).status, 200);
    });

    test("changes take effect with the next deployment, not before", async () => {
      const api = await apigw.send(new GetRestApiCommand({ restApiId: nodeApi }));
      const hello = await apigw.send(new CreateResourceCommand({ restApiId: nodeApi, parentId: api.rootResourceId, pathPart: "mock" }));
      await apigw.send(new PutMethodCommand({ restApiId: nodeApi, resourceId: hello.id, httpMethod: "GET", authorizationType: "NONE" }));
      await apigw.send(new PutIntegrationCommand({ restApiId: nodeApi, resourceId: hello.id, httpMethod: "GET", type: "MOCK", requestTemplates: { "application/json": '{"statusCode": 201}' } }));
      await apigw.send(new PutMethodResponseCommand({ restApiId: nodeApi, resourceId: hello.id, httpMethod: "GET", statusCode: "201" }));
      await apigw.send(new PutIntegrationResponseCommand({ restApiId: nodeApi, resourceId: hello.id, httpMethod: "GET", statusCode: "201", responseTemplates: { "application/json": '{"mocked": true}' } }));
      // Not deployed yet: the {proxy+} method still answers /mock.
      const before = (await (await fetch(pathUrl(nodeApi, "/test/mock"))).json()) as Record<string, any>;
      assert.equal(before.resource, "/{proxy+}");
      await apigw.send(new CreateDeploymentCommand({ restApiId: nodeApi, stageName: "test" }));
      const mocked = await fetch(pathUrl(nodeApi, "/test/mock"));
      assert.equal(mocked.status, 201);
      assert.deepEqual(await mocked.json(), { mocked: true });
      const response = await apigw.send(new GetIntegrationResponseCommand({ restApiId: nodeApi, resourceId: hello.id, httpMethod: "GET", statusCode: "201" }));
      assert.deepEqual(response.responseTemplates, { "application/json": '{"mocked": true}' });
    });

    test("a malformed function result is AWS's 502 Internal server error; a valid one maps status, headers and body", async () => {
      const fn = await createFunction(flint, nodeZip, "reply-from-body.handler");
      const api = await proxyApi(fn, "v1");
      assert.equal((await allow(fn, api)).code, 0);
      const reply = (result: unknown) => fetch(pathUrl(api, "/v1/r"), { method: "POST", body: JSON.stringify(result) });
      for (const malformed of [{ statusCode: 200, wrongValue: "value" }, { statusCode: "test" }, "justAString", { statusCode: 200, multiValueHeaders: { "test-multi-invalid": "value1" } }]) {
        const res = await reply(malformed);
        assert.equal(res.status, 502, JSON.stringify(malformed));
        assert.deepEqual(await res.json(), { message: "Internal server error" });
      }
      const ok = await reply({ statusCode: "201", headers: { "header-bool": true }, multiValueHeaders: { "test-multi": ["value1", "value2"] }, body: "made" });
      assert.equal(ok.status, 201);
      assert.equal(ok.headers.get("header-bool"), "true");
      assert.equal(ok.headers.get("test-multi"), "value1, value2");
      assert.equal(ok.headers.get("content-type"), "application/json");
      assert.equal(await ok.text(), "made");
    });

    test("a function error is a 502", async () => {
      const fn = await createFunction(flint, nodeZip, "throw.handler");
      const api = await proxyApi(fn, "v1");
      assert.equal((await allow(fn, api)).code, 0);
      const res = await fetch(pathUrl(api, "/v1/boom"));
      assert.equal(res.status, 502);
      assert.deepEqual(await res.json(), { message: "Internal server error" });
    });

    test("past the integration's timeout the answer is 504", async () => {
      const fn = await createFunction(flint, nodeZip, "slow.handler");
      const api = await apigw.send(new CreateRestApiCommand({ name: "slow" }));
      await apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: "GET", authorizationType: "NONE" }));
      // The function works 200 ms; the integration waits 50.
      await apigw.send(new PutIntegrationCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: "GET", type: "AWS_PROXY", integrationHttpMethod: "POST", uri: lambdaUri(fn), timeoutInMillis: 50 }));
      await apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: "v1" }));
      assert.equal((await allow(fn, api.id!)).code, 0);
      const res = await fetch(pathUrl(api.id!, "/v1/"));
      assert.equal(res.status, 504);
      assert.deepEqual(await res.json(), { message: "Endpoint request timed out" });
    });

    test("without a permission for apigateway.amazonaws.com the answer is 500; add-permission with the API's source ARN makes it 200", async () => {
      const fn = await createFunction(flint, nodeZip, "rest-echo.handler");
      const api = await proxyApi(fn, "v1");
      const denied = await fetch(pathUrl(api, "/v1/x"));
      assert.equal(denied.status, 500);
      assert.deepEqual(await denied.json(), { message: "Internal server error" });
      // Another API's source ARN does not do.
      assert.equal((await flint.aws(["lambda", "add-permission", "--function-name", fn, "--statement-id", "other", "--action", "lambda:InvokeFunction", "--principal", "apigateway.amazonaws.com", "--source-arn", `arn:aws:execute-api:${REGION}:${ACCOUNT}:otherapi00/*/*/*`])).code, 0);
      assert.equal((await fetch(pathUrl(api, "/v1/x"))).status, 500);
      const granted = await flint.aws(["lambda", "add-permission", "--function-name", fn, "--statement-id", "mine", "--action", "lambda:InvokeFunction", "--principal", "apigateway.amazonaws.com", "--source-arn", `arn:aws:execute-api:${REGION}:${ACCOUNT}:${api}/*/ANY/{proxy+}`]);
      assert.equal(granted.code, 0, granted.stderr);
      const res = await fetch(pathUrl(api, "/v1/x"));
      assert.equal(res.status, 200);
    });
  });
});

describe("REST APIs under --iam off", () => {
  let flint: FlintProcess;
  before(async () => {
    flint = await startFlint({ args: ["--iam", "off"] });
  });
  after(() => flint.stop());

  test("a function answers without any permission for API Gateway", async () => {
    const apigw = new APIGatewayClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    try {
      const fn = await createFunction(flint, await zipFixture("nodejs"), "rest-echo.handler");
      const api = await apigw.send(new CreateRestApiCommand({ name: "open" }));
      await apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: "GET", authorizationType: "NONE" }));
      const uri = `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fn}/invocations`;
      await apigw.send(new PutIntegrationCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: "GET", type: "AWS_PROXY", integrationHttpMethod: "POST", uri }));
      await apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: "v1" }));
      const res = await fetch(`${flint.endpoint}/_aws/execute-api/${api.id}/v1`);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { resource: string }).resource, "/");
    } finally {
      apigw.destroy();
    }
  });
});
