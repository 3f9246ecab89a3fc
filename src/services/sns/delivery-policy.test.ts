import { test } from "node:test";
import assert from "node:assert/strict";
import { checkSubscriptionDeliveryPolicy, checkTopicDeliveryPolicy } from "./delivery-policy.js";

test("numRetries is at most 100 (AWS's range), however the retries are spread", () => {
  const subscription = (retry: Record<string, unknown>) => () => checkSubscriptionDeliveryPolicy(JSON.stringify({ healthyRetryPolicy: { minDelayTarget: 1, maxDelayTarget: 1, ...retry } }));
  subscription({ numRetries: 100, numNoDelayRetries: 100 })();
  assert.throws(subscription({ numRetries: 101, numNoDelayRetries: 101 }), { message: "Invalid parameter: DeliveryPolicy: healthyRetryPolicy.numRetries must be less than or equal to 100" });
  // All immediate: no total retry time ever passes the hour, and the retries were counted one by one.
  assert.throws(subscription({ numRetries: 1e15, numNoDelayRetries: 1e15 }), { message: /healthyRetryPolicy\.numRetries must be less than or equal to 100/ });
  const topic = (numRetries: number) => () => checkTopicDeliveryPolicy(JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries, numNoDelayRetries: numRetries } } }));
  topic(100)();
  assert.throws(topic(1e9), { message: "Invalid parameter: DeliveryPolicy: http.defaultHealthyRetryPolicy.numRetries must be less than or equal to 100" });
});
