/**
 * An integration's timeout is a wall-clock limit between API Gateway and Lambda: under
 * `--time-scale 60` (Flint's clock 60 times faster, for retries and expiry) a function that works
 * 200 ms still answers through a REST API and an HTTP API whose integrations wait 5 s.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { APIGatewayClient, CreateDeploymentCommand, CreateRestApiCommand, PutIntegrationCommand, PutMethodCommand } from "@aws-sdk/client-api-gateway";
import { ACCOUNT, type FlintProcess, REGION, startFlint, TEST_CREDENTIALS } from "../harness/flint.js";
import { zipFixture } from "../harness/zip.js";
import { createFunction } from "../harness/functions.js";

describe("integration timeouts run on real time, whatever --time-scale", () => {
  let flint: FlintProcess;
  let apigw: APIGatewayClient;
  let fn: string;
  const fnArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;

  before(async () => {
    flint = await startFlint({ args: ["--time-scale", "60"] });
    apigw = new APIGatewayClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    fn = await createFunction(flint, await zipFixture("nodejs"), "slow-proxy.handler");
    const granted = await flint.aws(["lambda", "add-permission", "--function-name", fn, "--statement-id", "apigw", "--action", "lambda:InvokeFunction", "--principal", "apigateway.amazonaws.com"]);
    assert.equal(granted.code, 0, granted.stderr);
  });
  after(async () => {
    apigw.destroy();
    await flint.stop();
  });

  test("a REST API whose integration waits 5 s answers a function that works 200 ms", async () => {
    const api = await apigw.send(new CreateRestApiCommand({ name: "scaled" }));
    await apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: "GET", authorizationType: "NONE" }));
    const uri = `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${fnArn(fn)}/invocations`;
    await apigw.send(new PutIntegrationCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: "GET", type: "AWS_PROXY", integrationHttpMethod: "POST", uri, timeoutInMillis: 5000 }));
    await apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: "v1" }));
    const res = await fetch(`${flint.endpoint}/_aws/execute-api/${api.id}/v1/`);
    assert.deepEqual([res.status, await res.text()], [200, "done"]);
  });

  test("an HTTP API whose integration waits 5 s answers a function that works 200 ms", async () => {
    const created = await flint.aws(["apigatewayv2", "create-api", "--name", "scaled", "--protocol-type", "HTTP", "--target", fnArn(fn)]);
    assert.equal(created.code, 0, created.stderr);
    const apiId = (JSON.parse(created.stdout) as { ApiId: string }).ApiId;
    const integrations = await flint.aws(["apigatewayv2", "get-integrations", "--api-id", apiId]);
    const integrationId = (JSON.parse(integrations.stdout) as { Items: { IntegrationId: string }[] }).Items[0]!.IntegrationId;
    assert.equal((await flint.aws(["apigatewayv2", "update-integration", "--api-id", apiId, "--integration-id", integrationId, "--timeout-in-millis", "5000"])).code, 0);
    const res = await fetch(`${flint.endpoint}/_aws/execute-api/${apiId}/`);
    assert.deepEqual([res.status, await res.text()], [200, "done"]);
  });
});
