/**
 * APIs and URLs: an HTTP API (integration, `GET /hello` route, auto-deployed `dev` stage, made with the
 * SDK as a deploy script would) and a function URL appear on /apis (a function without one says so); the API's page shows its route
 * and the stage's invoke URL, and both URLs the console shows answer with the function's response.
 * A REST API's page shows its resources, methods, integrations and stage, whose URL answers too.
 */
import assert from "node:assert/strict";
import { AddPermissionCommand, CreateFunctionUrlConfigCommand } from "@aws-sdk/client-lambda";
import { APIGatewayClient, CreateDeploymentCommand, CreateResourceCommand, CreateRestApiCommand, PutIntegrationCommand, PutMethodCommand } from "@aws-sdk/client-api-gateway";
import { ApiGatewayV2Client, CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from "@aws-sdk/client-apigatewayv2";
import { ACCOUNT, REGION, TEST_CREDENTIALS, uniqueName } from "../../harness/flint.js";
import { createFunction } from "../../harness/functions.js";
import { zipFixture } from "../../harness/zip.js";
import type { ConsoleContext } from "./context.js";

export async function apisScenario(ctx: ConsoleContext): Promise<void> {
  const { flint, page, base, shot } = ctx;
  const [fn, other] = await Promise.all([
    createFunction(flint, await zipFixture("nodejs"), "api-echo.handler", { FunctionName: uniqueName("console-api") }),
    createFunction(flint, await zipFixture("nodejs"), "echo.handler", { FunctionName: uniqueName("console-no-url") }),
  ]);
  const fnArn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fn}`;
  const v2 = new ApiGatewayV2Client({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS });
  const apiName = uniqueName("console-http");
  let apiId: string;
  try {
    apiId = (await v2.send(new CreateApiCommand({ Name: apiName, ProtocolType: "HTTP" }))).ApiId!;
    const { IntegrationId } = await v2.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: "AWS_PROXY", IntegrationUri: fnArn, PayloadFormatVersion: "2.0" }));
    await v2.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: "GET /hello", Target: `integrations/${IntegrationId}` }));
    await v2.send(new CreateStageCommand({ ApiId: apiId, StageName: "dev", AutoDeploy: true }));
  } finally {
    v2.destroy();
  }
  // API Gateway may invoke the function for this API's routes (what `aws lambda add-permission` grants).
  await flint.lambda.send(new AddPermissionCommand({ FunctionName: fn, StatementId: "apigateway", Action: "lambda:InvokeFunction", Principal: "apigateway.amazonaws.com", SourceArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${apiId}/*` }));
  // A public function URL: the URL and the two statements AWS's console adds for AuthType NONE.
  const url = await flint.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: fn, AuthType: "NONE" }));
  await flint.lambda.send(new AddPermissionCommand({ FunctionName: fn, StatementId: "url", Action: "lambda:InvokeFunctionUrl", Principal: "*", FunctionUrlAuthType: "NONE" }));
  await flint.lambda.send(new AddPermissionCommand({ FunctionName: fn, StatementId: "invoke", Action: "lambda:InvokeFunction", Principal: "*", InvokedViaFunctionUrl: true }));

  await page.goto(`${base}/apis`);
  await page.getByRole("heading", { level: 1, name: "APIs and URLs" }).waitFor();
  const apiRow = page.getByRole("row").filter({ has: page.getByRole("link", { name: apiName }) });
  await apiRow.waitFor();
  assert.deepEqual((await apiRow.getByRole("cell").allTextContents()).slice(1, 4), [apiId, "HTTP", `http://${apiId}.execute-api.localhost:${flint.port}`]);
  // Function URLs: the functions are listed, and the rows on screen asked for their URLs (searched
  // here by name); this function's row shows its URL once asked, a function without one says so.
  const urlTable = page.getByRole("table", { name: /functions? (so far )?and their URLs$/ });
  await page.getByLabel("Search functions by name").fill(fn);
  const urlRow = urlTable.getByRole("row").filter({ has: page.getByRole("link", { name: fn, exact: true }) });
  const urlId = /^http:\/\/([a-z0-9]+)\.lambda-url\./.exec(url.FunctionUrl!)![1]!;
  const pathForm = `${flint.endpoint}/_aws/lambda-url/${urlId}/`;
  const urlLink = urlRow.getByRole("link", { name: pathForm });
  await urlLink.waitFor();
  assert.equal(await urlLink.getAttribute("href"), pathForm);
  assert.match(await urlRow.textContent() ?? "", new RegExp(`also ${url.FunctionUrl!.replace(/[.]/g, "\\.")}`));
  assert.deepEqual((await urlRow.getByRole("cell").allTextContents()).slice(2, 5), ["NONE", "BUFFERED", "none"]);
  await shot("apis");
  await page.getByLabel("Search functions by name").fill(other);
  const otherRow = urlTable.getByRole("row").filter({ has: page.getByRole("link", { name: other, exact: true }) });
  await otherRow.getByRole("cell").nth(1).filter({ hasText: /^none$/ }).waitFor();
  assert.deepEqual(await otherRow.getByRole("cell").allTextContents(), [other, "none", "—", "—", "—"]);
  // The URL the page shows answers with the function's response (payload 2.0 event echoed).
  const viaUrl = await fetch(`${pathForm}from-console?x=1`);
  assert.equal(viaUrl.status, 200);
  const urlEvent = (await viaUrl.json()) as { version: string; rawPath: string; rawQueryString: string };
  assert.deepEqual([urlEvent.version, urlEvent.rawPath, urlEvent.rawQueryString], ["2.0", "/from-console", "x=1"]);

  // The API's page: its route with the function, the stage's invoke URL.
  await apiRow.getByRole("link", { name: apiName }).click();
  await page.getByRole("heading", { level: 1, name: `HTTP API ${apiName}` }).waitFor();
  const route = page.getByRole("table", { name: /route/ }).getByRole("row").filter({ hasText: "GET /hello" });
  // The function column fills in once the integrations have loaded.
  await route.getByRole("link", { name: fn }).waitFor();
  const [key, auth, target, targetFn] = await route.getByRole("cell").allTextContents();
  assert.deepEqual([key, auth, targetFn], ["GET /hello", "NONE", fn]);
  assert.match(target!, /^integrations\/[a-z0-9]+$/);
  const stage = page.getByRole("table", { name: /stage/ }).getByRole("row").filter({ hasText: "dev" });
  const invokeUrl = `${flint.endpoint}/_aws/execute-api/${apiId}/dev/`;
  const invokeLink = stage.getByRole("link", { name: invokeUrl });
  await invokeLink.waitFor();
  assert.match((await stage.textContent())!, new RegExp(`also http://${apiId}\\.execute-api\\.localhost:${flint.port}/dev/`));
  await shot("api-http");
  const viaApi = await fetch(`${(await invokeLink.getAttribute("href"))!}hello`);
  assert.equal(viaApi.status, 200);
  const apiEvent = (await viaApi.json()) as { routeKey: string; rawPath: string; requestContext: { apiId: string; stage: string } };
  assert.deepEqual([apiEvent.routeKey, apiEvent.requestContext.apiId, apiEvent.requestContext.stage], ["GET /hello", apiId, "dev"]);

  await restApi(ctx, fn);
}

/** A REST API with `GET /pets` proxied to `fn`, deployed to `v1`: its page, and its stage's URL answering. */
async function restApi({ flint, page, base, shot }: ConsoleContext, fn: string): Promise<void> {
  const fnArn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fn}`;
  const gw = new APIGatewayClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS });
  const name = uniqueName("console-rest");
  let id: string;
  try {
    const api = await gw.send(new CreateRestApiCommand({ name, description: "made by the console test" }));
    id = api.id!;
    const pets = await gw.send(new CreateResourceCommand({ restApiId: id, parentId: api.rootResourceId, pathPart: "pets" }));
    await gw.send(new PutMethodCommand({ restApiId: id, resourceId: pets.id, httpMethod: "GET", authorizationType: "NONE" }));
    const uri = `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${fnArn}/invocations`;
    await gw.send(new PutIntegrationCommand({ restApiId: id, resourceId: pets.id, httpMethod: "GET", type: "AWS_PROXY", integrationHttpMethod: "POST", uri }));
    await gw.send(new CreateDeploymentCommand({ restApiId: id, stageName: "v1", description: "first" }));
  } finally {
    gw.destroy();
  }
  await flint.lambda.send(new AddPermissionCommand({ FunctionName: fn, StatementId: "rest", Action: "lambda:InvokeFunction", Principal: "apigateway.amazonaws.com", SourceArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${id}/*/*/*` }));
  await page.goto(`${base}/apis`);
  await page.getByRole("table", { name: /REST API/ }).getByRole("link", { name }).click();
  await page.getByRole("heading", { level: 1, name: `REST API ${name}` }).waitFor();
  const method = page.getByRole("table", { name: /resource/ }).getByRole("row").filter({ has: page.getByRole("link", { name: fn }) });
  await method.waitFor();
  assert.deepEqual(await method.getByRole("cell").allTextContents(), ["/pets", "GET", "NONE", "AWS_PROXY", fn]);
  const invokeUrl = `${flint.endpoint}/_aws/execute-api/${id}/v1/`;
  await page.getByRole("table", { name: /stage/ }).getByRole("link", { name: invokeUrl }).waitFor();
  await page.getByRole("table", { name: /deployment/ }).getByRole("cell", { name: "first" }).waitFor();
  await shot("api-rest");
  const res = await fetch(`${invokeUrl}pets`);
  assert.equal(res.status, 200);
  const event = (await res.json()) as { resource: string; requestContext: { stage: string } };
  assert.deepEqual([event.resource, event.requestContext.stage], ["/pets", "v1"]);
}
