/**
 * API Gateway HTTP APIs as users build and call them: one `flint serve` (IAM enforced), the AWS CLI
 * v2 (`aws apigatewayv2 …`) and the SDK v3 for the control plane; curl (host form), Node's fetch and
 * Python's urllib (path form) for requests, answered by Node.js and Python functions.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  GetApiCommand,
  GetApisCommand,
  UpdateIntegrationCommand,
} from "@aws-sdk/client-apigatewayv2";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { ACCOUNT, REGION, TEST_CREDENTIALS, startFlint, uniqueName, type FlintProcess } from "../harness/flint.js";
import { createFunction } from "../harness/functions.js";
import { zipFixture } from "../harness/zip.js";

const run = promisify(execFile);
const FN_ARN = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const INTERNAL = { message: "Internal Server Error" };

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
  json(): any;
}
const reply = (status: number, headers: Record<string, string>, body: string): Reply => ({ status, headers, body, json: () => JSON.parse(body) });

/** curl on the API's host (`<api-id>.execute-api.localhost:<port>`, which curl resolves to loopback). */
async function curl(port: number, apiId: string, path: string, args: string[] = []): Promise<Reply> {
  const { stdout } = await run("curl", ["-s", "-i", ...args, `http://${apiId}.execute-api.localhost:${port}${path}`]);
  const split = stdout.indexOf("\r\n\r\n");
  const [statusLine, ...lines] = stdout.slice(0, split).split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return reply(Number(statusLine!.split(" ")[1]), headers, stdout.slice(split + 4));
}

/** Node's fetch on the path form (Node does not resolve `*.localhost`). */
async function fetchApi(endpoint: string, apiId: string, path: string, init: RequestInit = {}): Promise<Reply> {
  const res = await fetch(`${endpoint}/_aws/execute-api/${apiId}${path}`, init);
  return reply(res.status, Object.fromEntries(res.headers), await res.text());
}

/** Python's urllib on the path form. */
async function urllib(endpoint: string, apiId: string, path: string, body?: string): Promise<Reply> {
  const script = `
import json, sys, urllib.request, urllib.error
data = sys.argv[2].encode() if len(sys.argv) > 2 else None
req = urllib.request.Request(sys.argv[1], data=data, headers={"Content-Type": "application/json"} if data else {})
try:
    r = urllib.request.urlopen(req)
except urllib.error.HTTPError as e:
    r = e
print(json.dumps({"status": r.status, "headers": dict(r.headers), "body": r.read().decode()}))
`;
  const { stdout } = await run("/usr/bin/python3", ["-c", script, `${endpoint}/_aws/execute-api/${apiId}${path}`, ...(body === undefined ? [] : [body])]);
  const r = JSON.parse(stdout) as { status: number; headers: Record<string, string>; body: string };
  return reply(r.status, Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v])), r.body);
}

describe("API Gateway HTTP APIs", () => {
  let flint: FlintProcess;
  let client: ApiGatewayV2Client;
  let nodeEcho: string;
  let pythonEcho: string;
  const cli = async (args: string[]) => {
    const r = await flint.aws(["apigatewayv2", ...args]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim() ? r.json() : undefined;
  };
  const cliFails = async (args: string[]) => {
    const r = await flint.aws(["apigatewayv2", ...args]);
    assert.notEqual(r.code, 0, `expected ${args[0]} to fail: ${r.stdout}`);
    return r.stderr.trim();
  };
  /** What `aws lambda add-permission` grants API Gateway: invoking `fn` from this API's routes. */
  const allow = async (fn: string, apiId: string, sourcePath = "*") => {
    const r = await flint.aws(["lambda", "add-permission", "--function-name", fn, "--statement-id", uniqueName("apigw"), "--action", "lambda:InvokeFunction", "--principal", "apigateway.amazonaws.com", "--source-arn", `arn:aws:execute-api:${REGION}:${ACCOUNT}:${apiId}/${sourcePath}`]);
    assert.equal(r.code, 0, r.stderr);
  };

  before(async () => {
    flint = await startFlint();
    client = new ApiGatewayV2Client({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS });
    nodeEcho = await createFunction(flint, await zipFixture("nodejs"), "api-echo.handler");
    pythonEcho = await createFunction(flint, await zipFixture("python"), "api_echo.handler", { runtime: "python3.12" });
  });
  after(async () => {
    client.destroy();
    await flint.stop();
  });

  test("quick create with the AWS CLI answers AWS's shape and makes the integration, route and auto-deployed stage", async () => {
    const api = await cli(["create-api", "--name", "quick", "--protocol-type", "HTTP", "--target", FN_ARN(nodeEcho)]);
    assert.deepEqual(Object.keys(api).sort(), ["ApiEndpoint", "ApiId", "ApiKeySelectionExpression", "CreatedDate", "DisableExecuteApiEndpoint", "Name", "ProtocolType", "RouteSelectionExpression"]);
    assert.match(api.ApiId, /^[a-z0-9]{10}$/);
    assert.equal(api.ApiEndpoint, `http://${api.ApiId}.execute-api.localhost:${flint.port}`);
    assert.equal(api.ApiKeySelectionExpression, "$request.header.x-api-key");
    assert.equal(api.RouteSelectionExpression, "$request.method $request.path");
    assert.equal(api.DisableExecuteApiEndpoint, false);
    assert.equal(api.ProtocolType, "HTTP");
    const integrations = (await cli(["get-integrations", "--api-id", api.ApiId])).Items;
    assert.equal(integrations.length, 1);
    assert.deepEqual(
      { ...integrations[0], IntegrationId: "id" },
      { ApiGatewayManaged: true, ConnectionType: "INTERNET", IntegrationId: "id", IntegrationMethod: "POST", IntegrationType: "AWS_PROXY", IntegrationUri: FN_ARN(nodeEcho), PayloadFormatVersion: "2.0", TimeoutInMillis: 30000 },
    );
    const routes = (await cli(["get-routes", "--api-id", api.ApiId])).Items;
    assert.deepEqual(routes.map((r: any) => [r.RouteKey, r.Target, r.AuthorizationType, r.ApiGatewayManaged]), [["$default", `integrations/${integrations[0].IntegrationId}`, "NONE", true]]);
    assert.match(routes[0].RouteId, /^[a-z0-9]{7}$/);
    const stages = (await cli(["get-stages", "--api-id", api.ApiId])).Items;
    assert.deepEqual(stages.map((s: any) => [s.StageName, s.AutoDeploy, typeof s.DeploymentId]), [["$default", true, "string"]]);
    const deployments = (await cli(["get-deployments", "--api-id", api.ApiId])).Items;
    assert.deepEqual(deployments.map((d: any) => [d.DeploymentId, d.AutoDeployed, d.DeploymentStatus]), [[stages[0].DeploymentId, true, "DEPLOYED"]]);
  });

  test("a quick-created API answers 500 until API Gateway may invoke the function, then through Node.js (curl on its host, fetch on the path form)", async () => {
    const { ApiId } = await cli(["create-api", "--name", "node", "--protocol-type", "HTTP", "--target", FN_ARN(nodeEcho)]);
    const refused = await curl(flint.port, ApiId, "/hello");
    assert.equal(refused.status, 500);
    assert.deepEqual(refused.json(), INTERNAL);
    await allow(nodeEcho, ApiId);
    const r = await curl(flint.port, ApiId, "/hello/world?a=1&a=2&b=x%20y", ["-H", "Cookie: c1=v1; c2=v2", "-H", "X-Custom: One"]);
    assert.equal(r.status, 200);
    assert.ok(r.headers["apigw-requestid"]);
    const event = r.json();
    assert.equal(event.version, "2.0");
    assert.equal(event.routeKey, "$default");
    assert.equal(event.rawPath, "/hello/world");
    assert.equal(event.rawQueryString, "a=1&a=2&b=x%20y");
    assert.deepEqual(event.queryStringParameters, { a: "1,2", b: "x y" });
    assert.deepEqual(event.cookies, ["c1=v1", "c2=v2"]);
    assert.equal(event.headers["x-custom"], "One");
    assert.equal(event.headers.cookie, undefined);
    assert.equal(event.pathParameters, undefined);
    assert.equal(event.stageVariables, undefined);
    assert.equal(event.isBase64Encoded, false);
    const ctx = event.requestContext;
    assert.deepEqual([ctx.accountId, ctx.apiId, ctx.domainPrefix, ctx.stage, ctx.routeKey], [ACCOUNT, ApiId, ApiId, "$default", "$default"]);
    assert.equal(ctx.domainName, `${ApiId}.execute-api.localhost`);
    assert.deepEqual([ctx.http.method, ctx.http.path, ctx.http.protocol, ctx.http.sourceIp], ["GET", "/hello/world", "HTTP/1.1", "127.0.0.1"]);
    assert.match(ctx.time, /^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
    assert.equal(typeof ctx.timeEpoch, "number");

    const posted = await fetchApi(flint.endpoint, ApiId, "/items", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ n: 1 }) });
    assert.equal(posted.status, 200);
    const e2 = posted.json();
    assert.deepEqual([e2.requestContext.http.method, e2.rawPath, e2.body, e2.isBase64Encoded], ["POST", "/items", '{"n":1}', false]);
    const binary = await fetchApi(flint.endpoint, ApiId, "/bin", { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: new Uint8Array([0, 255, 1]) });
    assert.deepEqual([binary.json().body, binary.json().isBase64Encoded], [Buffer.from([0, 255, 1]).toString("base64"), true]);
  });

  test("quick create with the SDK and a route key answers through Python (urllib on the path form)", async () => {
    const api = await client.send(new CreateApiCommand({ Name: "python", ProtocolType: "HTTP", Target: FN_ARN(pythonEcho), RouteKey: "ANY /things/{proxy+}" }));
    await allow(pythonEcho, api.ApiId!, "*/*/things/{proxy+}");
    const r = await urllib(flint.endpoint, api.ApiId!, "/things/a/b.txt", JSON.stringify({ from: "python" }));
    assert.equal(r.status, 200);
    const event = r.json();
    assert.equal(event.routeKey, "ANY /things/{proxy+}");
    assert.deepEqual(event.pathParameters, { proxy: "a/b.txt" });
    assert.equal(event.body, '{"from":"python"}');
    assert.equal(event.requestContext.http.method, "POST");
    const none = await urllib(flint.endpoint, api.ApiId!, "/elsewhere");
    assert.equal(none.status, 404);
    assert.deepEqual(none.json(), { message: "Not Found" });
    const got = await client.send(new GetApiCommand({ ApiId: api.ApiId }));
    assert.equal(got.Name, "python");
    assert.ok(got.CreatedDate instanceof Date);
    const listed = await client.send(new GetApisCommand({}));
    assert.ok(listed.Items?.some((a) => a.ApiId === api.ApiId));
  });

  test("the most specific route answers: literal paths, then parameters, then greedy paths, then ANY, then $default", async () => {
    const { ApiId } = await cli(["create-api", "--name", "routes", "--protocol-type", "HTTP"]);
    const { IntegrationId } = await cli(["create-integration", "--api-id", ApiId, "--integration-type", "AWS_PROXY", "--integration-uri", FN_ARN(nodeEcho), "--payload-format-version", "2.0"]);
    for (const key of ["GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}"]) {
      const route = await cli(["create-route", "--api-id", ApiId, "--route-key", key, "--target", `integrations/${IntegrationId}`]);
      assert.equal(route.RouteKey, key);
    }
    await cli(["create-stage", "--api-id", ApiId, "--stage-name", "$default", "--auto-deploy"]);
    await allow(nodeEcho, ApiId);
    const routeOf = async (method: string, path: string) => {
      const r = await fetchApi(flint.endpoint, ApiId, path, { method });
      assert.equal(r.status, 200, r.body);
      const e = r.json();
      return [e.routeKey, e.pathParameters];
    };
    assert.deepEqual(await routeOf("GET", "/pets/dog/1"), ["GET /pets/dog/1", undefined]);
    assert.deepEqual(await routeOf("GET", "/pets/dog/2"), ["GET /pets/dog/{id}", { id: "2" }]);
    assert.deepEqual(await routeOf("GET", "/pets/cat/1"), ["GET /pets/{proxy+}", { proxy: "cat/1" }]);
    assert.deepEqual(await routeOf("POST", "/pets/dog/1"), ["ANY /{proxy+}", { proxy: "pets/dog/1" }]);
    // No route for `/` and no $default route: API Gateway's 404.
    const root = await fetchApi(flint.endpoint, ApiId, "/");
    assert.deepEqual([root.status, root.json()], [404, { message: "Not Found" }]);
    // An auto-deploying stage serves a new route at once.
    await cli(["create-route", "--api-id", ApiId, "--route-key", "$default", "--target", `integrations/${IntegrationId}`]);
    assert.deepEqual(await routeOf("GET", "/"), ["$default", undefined]);
  });

  test("payload 1.0 hands the function the REST proxy event with version 1.0, and maps its result strictly", async () => {
    const { ApiId } = await cli(["create-api", "--name", "v1", "--protocol-type", "HTTP"]);
    const { IntegrationId } = await cli(["create-integration", "--api-id", ApiId, "--integration-type", "AWS_PROXY", "--integration-uri", FN_ARN(nodeEcho), "--payload-format-version", "1.0"]);
    await cli(["create-route", "--api-id", ApiId, "--route-key", "GET /users/{id}", "--target", `integrations/${IntegrationId}`]);
    await cli(["create-stage", "--api-id", ApiId, "--stage-name", "$default", "--auto-deploy"]);
    await allow(nodeEcho, ApiId, "*/GET/users/{id}");
    const r = await curl(flint.port, ApiId, "/users/7?tag=a&tag=b", ["-H", "X-Mixed-Case: Value"]);
    assert.equal(r.status, 200, r.body);
    const e = r.json();
    assert.equal(e.version, "1.0");
    assert.deepEqual([e.resource, e.path, e.httpMethod], ["/users/{id}", "/users/7", "GET"]);
    // HTTP APIs lower-case every header name, in payload 1.0 too.
    assert.equal(e.headers["x-mixed-case"], "Value");
    assert.deepEqual(e.multiValueHeaders["x-mixed-case"], ["Value"]);
    assert.equal(e.headers["user-agent"], e.requestContext.identity.userAgent);
    assert.deepEqual(Object.keys(e.headers).filter((k) => k !== k.toLowerCase()), []);
    assert.deepEqual(e.queryStringParameters, { tag: "b" });
    assert.deepEqual(e.multiValueQueryStringParameters, { tag: ["a", "b"] });
    assert.deepEqual(e.pathParameters, { id: "7" });
    assert.equal(e.stageVariables, null);
    assert.equal(e.body, null);
    assert.equal(e.isBase64Encoded, false);
    assert.deepEqual([e.requestContext.stage, e.requestContext.path, e.requestContext.resourcePath, e.requestContext.httpMethod, e.requestContext.apiId], ["$default", "/users/7", "/users/{id}", "GET", ApiId]);
    assert.equal(e.requestContext.identity.sourceIp, "127.0.0.1");
    // The plain echo function returns the event itself: not a 1.0 response, so API Gateway answers 500.
    const plainEcho = await createFunction(flint, await zipFixture("nodejs"), "echo.handler");
    await client.send(new UpdateIntegrationCommand({ ApiId, IntegrationId, IntegrationUri: FN_ARN(plainEcho) }));
    await allow(plainEcho, ApiId);
    const malformed = await curl(flint.port, ApiId, "/users/7");
    assert.deepEqual([malformed.status, malformed.json()], [500, INTERNAL]);
  });

  test("a named stage serves its own deployment under /<stage>, with its stage variables", async () => {
    const { ApiId } = await cli(["create-api", "--name", "staged", "--protocol-type", "HTTP"]);
    const { IntegrationId } = await cli(["create-integration", "--api-id", ApiId, "--integration-type", "AWS_PROXY", "--integration-uri", FN_ARN(nodeEcho), "--payload-format-version", "2.0"]);
    await cli(["create-route", "--api-id", ApiId, "--route-key", "GET /info", "--target", `integrations/${IntegrationId}`]);
    const stage = await cli(["create-stage", "--api-id", ApiId, "--stage-name", "prod", "--stage-variables", "env=production,color=blue"]);
    assert.deepEqual([stage.StageName, stage.AutoDeploy, stage.StageVariables], ["prod", false, { env: "production", color: "blue" }]);
    await allow(nodeEcho, ApiId);
    // Not deployed yet.
    assert.equal((await curl(flint.port, ApiId, "/prod/info")).status, 404);
    const deployment = await cli(["create-deployment", "--api-id", ApiId, "--stage-name", "prod", "--description", "first"]);
    assert.deepEqual([deployment.AutoDeployed, deployment.DeploymentStatus, deployment.Description], [false, "DEPLOYED", "first"]);
    const r = await curl(flint.port, ApiId, "/prod/info");
    assert.equal(r.status, 200, r.body);
    const e = r.json();
    assert.deepEqual([e.rawPath, e.routeKey, e.requestContext.stage, e.stageVariables], ["/prod/info", "GET /info", "prod", { env: "production", color: "blue" }]);
    // Without a $default stage, a path outside the stage is not served.
    assert.equal((await curl(flint.port, ApiId, "/info")).status, 404);
    // A route added later waits for the next deployment.
    await cli(["create-route", "--api-id", ApiId, "--route-key", "GET /later", "--target", `integrations/${IntegrationId}`]);
    assert.equal((await curl(flint.port, ApiId, "/prod/later")).status, 404);
    await cli(["create-deployment", "--api-id", ApiId, "--stage-name", "prod"]);
    assert.equal((await curl(flint.port, ApiId, "/prod/later")).status, 200);
    const updated = await cli(["update-stage", "--api-id", ApiId, "--stage-name", "prod", "--stage-variables", "color=green"]);
    assert.deepEqual(updated.StageVariables, { env: "production", color: "green" });
    assert.deepEqual((await curl(flint.port, ApiId, "/prod/info")).json().stageVariables, { env: "production", color: "green" });
  });

  test("CORS: API Gateway answers the preflight itself and puts the configured headers on responses", async () => {
    const api = await cli(["create-api", "--name", "cors", "--protocol-type", "HTTP", "--target", FN_ARN(nodeEcho), "--cors-configuration", "AllowOrigins=https://app.example,AllowMethods=GET,POST,AllowHeaders=content-type,ExposeHeaders=x-total,MaxAge=600"]);
    assert.deepEqual(api.CorsConfiguration, { AllowHeaders: ["content-type"], AllowMethods: ["GET", "POST"], AllowOrigins: ["https://app.example"], ExposeHeaders: ["x-total"], MaxAge: 600 });
    await allow(nodeEcho, api.ApiId);
    const pre = await curl(flint.port, api.ApiId, "/anything", ["-X", "OPTIONS", "-H", "Origin: https://app.example", "-H", "Access-Control-Request-Method: POST", "-H", "Access-Control-Request-Headers: content-type"]);
    assert.equal(pre.status, 204);
    assert.equal(pre.headers["access-control-allow-origin"], "https://app.example");
    assert.equal(pre.headers["access-control-allow-methods"], "GET,POST");
    assert.equal(pre.headers["access-control-allow-headers"], "content-type");
    assert.equal(pre.headers["access-control-max-age"], "600");
    const r = await curl(flint.port, api.ApiId, "/x", ["-H", "Origin: https://app.example"]);
    assert.equal(r.status, 200);
    assert.equal(r.headers["access-control-allow-origin"], "https://app.example");
    assert.equal(r.headers["access-control-expose-headers"], "x-total");
    const other = await curl(flint.port, api.ApiId, "/x", ["-H", "Origin: https://evil.example"]);
    assert.equal(other.headers["access-control-allow-origin"], undefined);
    await cli(["delete-cors-configuration", "--api-id", api.ApiId]);
    assert.equal((await cli(["get-api", "--api-id", api.ApiId])).CorsConfiguration, undefined);
  });

  test("a function error is API Gateway's 500; a function past the integration timeout, its 503", async () => {
    const zip = await zipFixture("nodejs");
    const thrower = await createFunction(flint, zip, "throw.handler");
    const { ApiId } = await cli(["create-api", "--name", "errors", "--protocol-type", "HTTP", "--target", FN_ARN(thrower)]);
    await allow(thrower, ApiId);
    const failed = await curl(flint.port, ApiId, "/");
    assert.deepEqual([failed.status, failed.json()], [500, INTERNAL]);
    // slow.js works 200 ms; the integration waits 50 ms.
    const slow = await createFunction(flint, zip, "slow.handler");
    const api = await client.send(new CreateApiCommand({ Name: "slow", ProtocolType: "HTTP" }));
    const integration = await client.send(new CreateIntegrationCommand({ ApiId: api.ApiId, IntegrationType: "AWS_PROXY", IntegrationUri: FN_ARN(slow), PayloadFormatVersion: "2.0", TimeoutInMillis: 50 }));
    assert.equal(integration.TimeoutInMillis, 50);
    await client.send(new CreateRouteCommand({ ApiId: api.ApiId, RouteKey: "$default", Target: `integrations/${integration.IntegrationId}` }));
    await cli(["create-stage", "--api-id", api.ApiId!, "--stage-name", "$default", "--auto-deploy"]);
    await allow(slow, api.ApiId!);
    const late = await fetchApi(flint.endpoint, api.ApiId!, "/");
    assert.deepEqual([late.status, late.json()], [503, { message: "Service Unavailable" }]);
  });

  test("the control plane asks IAM apigateway:<method> on the resource path's ARN", async () => {
    const iam = new IAMClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS });
    const mine = await client.send(new CreateApiCommand({ Name: "mine", ProtocolType: "HTTP" }));
    const other = await client.send(new CreateApiCommand({ Name: "other", ProtocolType: "HTTP" }));
    const name = uniqueName("apigw-user");
    await iam.send(new CreateUserCommand({ UserName: name }));
    const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["apigateway:GET", "apigateway:PATCH"], Resource: `arn:aws:apigateway:${REGION}::/apis/${mine.ApiId}*` }] };
    await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "one-api", PolicyDocument: JSON.stringify(policy) }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    const user = new ApiGatewayV2Client({ endpoint: flint.endpoint, region: REGION, credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! }, maxAttempts: 1 });
    try {
      assert.equal((await user.send(new GetApiCommand({ ApiId: mine.ApiId }))).Name, "mine");
      for (const call of [() => user.send(new GetApiCommand({ ApiId: other.ApiId })), () => user.send(new CreateApiCommand({ Name: "x", ProtocolType: "HTTP" })), () => user.send(new GetApisCommand({}))]) {
        await assert.rejects(call, (err: any) => err.name === "AccessDeniedException" && err.$metadata.httpStatusCode === 403 && /not authorized to perform: apigateway:(GET|POST)/.test(err.message));
      }
    } finally {
      user.destroy();
      iam.destroy();
    }
  });

  test("every operation, with AWS's errors for what does not exist or cannot be", async () => {
    const missing = await cliFails(["get-api", "--api-id", "nope123456"]);
    assert.match(missing, /\(NotFoundException\) when calling the GetApi operation: Invalid API identifier specified 000000000000:nope123456/);
    assert.match(await cliFails(["create-api", "--name", "x", "--protocol-type", "GRPC"]), /\(BadRequestException\)/);
    const api = await cli(["create-api", "--name", "ops", "--protocol-type", "HTTP", "--description", "d1", "--tags", "team=core"]);
    const id = api.ApiId;
    assert.deepEqual([api.Description, api.Tags], ["d1", { team: "core" }]);
    const renamed = await cli(["update-api", "--api-id", id, "--name", "ops2", "--description", "d2"]);
    assert.deepEqual([renamed.Name, renamed.Description, renamed.ApiId], ["ops2", "d2", id]);
    assert.ok((await cli(["get-apis"])).Items.some((a: any) => a.ApiId === id && a.Name === "ops2"));

    assert.match(await cliFails(["create-integration", "--api-id", id, "--integration-type", "AWS", "--integration-uri", FN_ARN(nodeEcho)]), /\(BadRequestException\).*only be associated with proxy integrations/);
    assert.match(await cliFails(["create-integration", "--api-id", id, "--integration-type", "AWS_PROXY", "--integration-uri", FN_ARN(nodeEcho), "--payload-format-version", "3.0"]), /\(BadRequestException\)/);
    assert.match(await cliFails(["create-integration", "--api-id", id, "--integration-type", "AWS_PROXY", "--integration-uri", FN_ARN(nodeEcho), "--payload-format-version", "2.0", "--timeout-in-millis", "30001"]), /\(BadRequestException\)/);
    const integration = await cli(["create-integration", "--api-id", id, "--integration-type", "AWS_PROXY", "--integration-uri", FN_ARN(nodeEcho), "--payload-format-version", "2.0"]);
    assert.equal(integration.TimeoutInMillis, 30000);
    assert.equal((await cli(["get-integration", "--api-id", id, "--integration-id", integration.IntegrationId])).PayloadFormatVersion, "2.0");
    assert.equal((await cli(["update-integration", "--api-id", id, "--integration-id", integration.IntegrationId, "--payload-format-version", "1.0", "--timeout-in-millis", "5000"])).TimeoutInMillis, 5000);
    assert.match(await cliFails(["get-integration", "--api-id", id, "--integration-id", "nope"]), /\(NotFoundException\).*Invalid Integration identifier specified/);

    const target = `integrations/${integration.IntegrationId}`;
    assert.match(await cliFails(["create-route", "--api-id", id, "--route-key", "GET pets"]), /\(BadRequestException\)/);
    assert.match(await cliFails(["create-route", "--api-id", id, "--route-key", "GET /pets", "--target", "integrations/nope"]), /\(BadRequestException\)/);
    const route = await cli(["create-route", "--api-id", id, "--route-key", "GET /pets", "--target", target]);
    assert.match(await cliFails(["create-route", "--api-id", id, "--route-key", "GET /pets"]), /\(ConflictException\)/);
    assert.equal((await cli(["get-route", "--api-id", id, "--route-id", route.RouteId])).Target, target);
    assert.equal((await cli(["update-route", "--api-id", id, "--route-id", route.RouteId, "--route-key", "POST /pets"])).RouteKey, "POST /pets");
    assert.match(await cliFails(["get-route", "--api-id", id, "--route-id", "nope"]), /\(NotFoundException\).*Invalid Route identifier specified/);
    assert.match(await cliFails(["delete-integration", "--api-id", id, "--integration-id", integration.IntegrationId]), /\(ConflictException\)/);

    assert.match(await cliFails(["create-deployment", "--api-id", "nope123456"]), /\(NotFoundException\)/);
    await cli(["create-stage", "--api-id", id, "--stage-name", "beta", "--description", "b"]);
    assert.match(await cliFails(["create-stage", "--api-id", id, "--stage-name", "beta"]), /\(ConflictException\)/);
    assert.match(await cliFails(["get-stage", "--api-id", id, "--stage-name", "gamma"]), /\(NotFoundException\)/);
    const deployment = await cli(["create-deployment", "--api-id", id, "--stage-name", "beta"]);
    assert.match(deployment.DeploymentId, /^[a-z0-9]+$/);
    assert.equal((await cli(["get-stage", "--api-id", id, "--stage-name", "beta"])).DeploymentId, deployment.DeploymentId);
    assert.equal((await cli(["get-deployment", "--api-id", id, "--deployment-id", deployment.DeploymentId])).DeploymentStatus, "DEPLOYED");
    assert.match(await cliFails(["delete-deployment", "--api-id", id, "--deployment-id", deployment.DeploymentId]), /\(BadRequestException\)/);
    assert.match(await cliFails(["get-deployment", "--api-id", id, "--deployment-id", "nope"]), /\(NotFoundException\)/);

    const arn = `arn:aws:apigateway:${REGION}::/apis/${id}`;
    await cli(["tag-resource", "--resource-arn", arn, "--tags", "env=test"]);
    assert.deepEqual((await cli(["get-tags", "--resource-arn", arn])).Tags, { team: "core", env: "test" });
    await cli(["untag-resource", "--resource-arn", arn, "--tag-keys", "team"]);
    assert.deepEqual((await cli(["get-tags", "--resource-arn", arn])).Tags, { env: "test" });

    await cli(["delete-stage", "--api-id", id, "--stage-name", "beta"]);
    await cli(["delete-deployment", "--api-id", id, "--deployment-id", deployment.DeploymentId]);
    assert.equal((await cli(["get-deployments", "--api-id", id])).Items.length, 0);
    await cli(["delete-route", "--api-id", id, "--route-id", route.RouteId]);
    await cli(["delete-integration", "--api-id", id, "--integration-id", integration.IntegrationId]);
    assert.deepEqual([(await cli(["get-routes", "--api-id", id])).Items, (await cli(["get-integrations", "--api-id", id])).Items], [[], []]);
    // Its execute-api endpoint turned off, an API answers API Gateway's 403.
    assert.equal((await cli(["update-api", "--api-id", id, "--disable-execute-api-endpoint"])).DisableExecuteApiEndpoint, true);
    const off = await curl(flint.port, id, "/");
    assert.deepEqual([off.status, off.json()], [403, { message: "Forbidden" }]);
    await cli(["delete-api", "--api-id", id]);
    assert.match(await cliFails(["get-api", "--api-id", id]), /\(NotFoundException\)/);
    assert.match(await cliFails(["delete-api", "--api-id", id]), /\(NotFoundException\)/);
    // A deleted API's host is API Gateway's 403.
    const gone = await curl(flint.port, id, "/");
    assert.deepEqual([gone.status, gone.json()], [403, { message: "Forbidden" }]);
  });
});
