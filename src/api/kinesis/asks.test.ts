import { test } from "node:test";
import assert from "node:assert/strict";
import { IteratorCodec } from "../../services/kinesis/iterators.js";
import { pageToken } from "../../services/kinesis/names.js";
import { kinesisAsks } from "./handler.js";

const ACCOUNT = { region: "us-east-1", accountId: "123456789012" };
const ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/orders";

test("a Kinesis operation asks kinesis:<Op> on the stream it names, however it names it", () => {
  assert.deepEqual(kinesisAsks(ACCOUNT, "PutRecords", { StreamName: "orders" }), [{ action: "kinesis:PutRecords", resource: ARN }]);
  assert.deepEqual(kinesisAsks(ACCOUNT, "DescribeStreamSummary", { StreamARN: ARN }), [{ action: "kinesis:DescribeStreamSummary", resource: ARN }]);
  assert.deepEqual(kinesisAsks(ACCOUNT, "ListTagsForResource", { ResourceARN: ARN }), [{ action: "kinesis:ListTagsForResource", resource: ARN }]);
  const iterator = new IteratorCodec("s").encode({ stream: "orders", streamCreatedAt: 1, shardIndex: 0, after: 0, issuedAt: 1 });
  assert.deepEqual(kinesisAsks(ACCOUNT, "GetRecords", { ShardIterator: iterator }), [{ action: "kinesis:GetRecords", resource: ARN }]);
  assert.deepEqual(kinesisAsks(ACCOUNT, "ListShards", { NextToken: pageToken({ stream: "orders", after: "shardId-000000000000" }) }), [{ action: "kinesis:ListShards", resource: ARN }]);
  assert.deepEqual(kinesisAsks(ACCOUNT, "ListStreams", {}), [{ action: "kinesis:ListStreams", resource: "*" }]);
});

test("tagging asks carry the tags as condition keys", () => {
  assert.deepEqual(kinesisAsks(ACCOUNT, "AddTagsToStream", { StreamName: "orders", Tags: { team: "a" } }), [
    { action: "kinesis:AddTagsToStream", resource: ARN, context: { "aws:RequestTag/team": "a", "aws:TagKeys": ["team"] } },
  ]);
  assert.deepEqual(kinesisAsks(ACCOUNT, "UntagResource", { ResourceARN: ARN, TagKeys: ["team"] }), [{ action: "kinesis:UntagResource", resource: ARN, context: { "aws:TagKeys": ["team"] } }]);
});
