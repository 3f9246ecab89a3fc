import { test } from "node:test";
import assert from "node:assert/strict";
import { logsAsks } from "./handler.js";

const ACCOUNT = { region: "us-east-1", accountId: "123456789012" };
const GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f";

test("a Logs operation asks logs:<Op> on the group it names, however it names it, or on the stream for the stream's events", () => {
  // As AWS's denials name a group: what a policy's `log-group:<name>:*` covers.
  assert.deepEqual(logsAsks(ACCOUNT, "CreateLogGroup", { logGroupName: "/aws/lambda/f" }), [{ action: "logs:CreateLogGroup", resource: `${GROUP}:log-stream:` }]);
  assert.deepEqual(logsAsks(ACCOUNT, "FilterLogEvents", { logGroupIdentifier: `${GROUP}:*` }), [{ action: "logs:FilterLogEvents", resource: `${GROUP}:log-stream:` }]);
  assert.deepEqual(logsAsks(ACCOUNT, "PutLogEvents", { logGroupName: "/aws/lambda/f", logStreamName: "2024/01/01/[$LATEST]ab" }), [
    { action: "logs:PutLogEvents", resource: `${GROUP}:log-stream:2024/01/01/[$LATEST]ab` },
  ]);
  assert.deepEqual(logsAsks(ACCOUNT, "DescribeLogGroups", {}), [{ action: "logs:DescribeLogGroups", resource: "*" }]);
  assert.deepEqual(logsAsks(ACCOUNT, "StartLiveTail", { logGroupIdentifiers: [GROUP, "other"] }), [
    { action: "logs:StartLiveTail", resource: `${GROUP}:log-stream:` },
    { action: "logs:StartLiveTail", resource: "arn:aws:logs:us-east-1:123456789012:log-group:other:log-stream:" },
  ]);
});

test("tagging asks carry the tags as condition keys", () => {
  assert.deepEqual(logsAsks(ACCOUNT, "TagResource", { resourceArn: GROUP, tags: { team: "a" } }), [
    { action: "logs:TagResource", resource: GROUP, context: { "aws:RequestTag/team": "a", "aws:TagKeys": ["team"] } },
  ]);
  assert.deepEqual(logsAsks(ACCOUNT, "UntagLogGroup", { logGroupName: "/aws/lambda/f", tags: ["team"] }), [{ action: "logs:UntagLogGroup", resource: `${GROUP}:log-stream:`, context: { "aws:TagKeys": ["team"] } }]);
});
