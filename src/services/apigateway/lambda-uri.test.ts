import { test } from "node:test";
import assert from "node:assert/strict";
import { lambdaTarget } from "./lambda-uri.js";

const ARN = "arn:aws:lambda:us-east-1:123456789012:function:pets:live";
const URI = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${ARN}/invocations`;

test("an invocation URI names its function, with the function's partition, region and account", () => {
  assert.deepEqual(lambdaTarget(URI), { arn: ARN, partition: "aws", region: "us-east-1", accountId: "123456789012" });
});

test("a function ARN alone names it only where an integration takes one (HTTP APIs)", () => {
  assert.equal(lambdaTarget(ARN), undefined);
  assert.equal(lambdaTarget(ARN, true)?.arn, ARN);
});

test("what is not a function is no target", () => {
  assert.equal(lambdaTarget(undefined), undefined);
  assert.equal(lambdaTarget("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:sqs:us-east-1:123456789012:q/invocations"), undefined);
  assert.equal(lambdaTarget("https://example.com/"), undefined);
});
