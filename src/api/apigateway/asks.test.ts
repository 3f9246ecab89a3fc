import { test } from "node:test";
import assert from "node:assert/strict";
import { RestApiGatewayApi } from "./rest.js";
import type { RestApisService } from "../../services/apigateway/rest-apis.js";

const api = new RestApiGatewayApi({} as RestApisService, { region: "us-east-1", accountId: "123456789012" });

test("a REST API call asks apigateway:<HTTP method> on the ARN of the path it names", () => {
  assert.deepEqual(api.asks("POST", "/restapis"), [{ action: "apigateway:POST", resource: "arn:aws:apigateway:us-east-1::/restapis" }]);
  assert.deepEqual(api.asks("PUT", "/restapis/a1b2c3d4e5/resources/r1/methods/GET"), [
    { action: "apigateway:PUT", resource: "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/resources/r1/methods/GET" },
  ]);
  assert.deepEqual(api.asks("PATCH", "/restapis/a1b2c3d4e5/stages/dev"), [{ action: "apigateway:PATCH", resource: "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/dev" }]);
});
