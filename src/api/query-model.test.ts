import { test } from "node:test";
import assert from "node:assert/strict";
import { paramTree } from "./query.js";
import { membersFromQuery, xmlResponse as respond } from "./query-model.js";

const xmlResponse = (operation: string, result: Record<string, unknown> | undefined, requestId: string) => respond(operation, result, requestId, "http://sns.amazonaws.com/doc/2010-03-31/");

const members = (qs: string) => membersFromQuery(paramTree(new Map(new URLSearchParams(qs))));

test("query parameters become members: lists of `member`, maps of `entry`", () => {
  assert.deepEqual(
    members(
      "Action=CreateTopic&Version=2010-03-31&Name=t&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=Shown" +
        "&Attributes.entry.2.key=FifoTopic&Attributes.entry.2.value=false&Tags.member.1.Key=team&Tags.member.1.Value=flint",
    ),
    { Name: "t", Attributes: { DisplayName: "Shown", FifoTopic: "false" }, Tags: [{ Key: "team", Value: "flint" }] },
  );
  assert.deepEqual(
    members(
      "Action=PublishBatch&TopicArn=arn&PublishBatchRequestEntries.member.2.Id=b&PublishBatchRequestEntries.member.2.Message=two" +
        "&PublishBatchRequestEntries.member.1.Id=a&PublishBatchRequestEntries.member.1.Message=one" +
        "&PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Name=k&PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value.DataType=String" +
        "&PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value.StringValue=v",
    ),
    {
      TopicArn: "arn",
      PublishBatchRequestEntries: [
        { Id: "a", Message: "one", MessageAttributes: { k: { DataType: "String", StringValue: "v" } } },
        { Id: "b", Message: "two" },
      ],
    },
  );
  assert.deepEqual(members("Action=UntagResource&ResourceArn=a&TagKeys.member.1=x&TagKeys.member.2=y"), { ResourceArn: "a", TagKeys: ["x", "y"] });
  assert.deepEqual(members("Action=TagResource&ResourceArn=a&Tags="), { ResourceArn: "a", Tags: [] });
  assert.deepEqual(members("Action=Publish&MessageAttributes.entry.1.Name=__proto__&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=v").MessageAttributes, JSON.parse('{"__proto__": {"DataType": "String", "StringValue": "v"}}'));
});

test("results become the query model's XML", () => {
  assert.equal(
    xmlResponse("ListTopics", { Topics: [{ TopicArn: "arn:a" }, { TopicArn: "arn:b" }], NextToken: undefined }, "rid"),
    '<?xml version="1.0"?><ListTopicsResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ListTopicsResult><Topics><member><TopicArn>arn:a</TopicArn></member><member><TopicArn>arn:b</TopicArn></member></Topics></ListTopicsResult><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></ListTopicsResponse>',
  );
  assert.match(xmlResponse("GetTopicAttributes", { Attributes: { Policy: '{"a":"<b>"}' } }, "rid"), /<Attributes><entry><key>Policy<\/key><value>\{&quot;a&quot;:&quot;&lt;b&gt;&quot;\}<\/value><\/entry><\/Attributes>/);
  assert.match(xmlResponse("DeleteTopic", undefined, "rid"), /^<\?xml version="1.0"\?><DeleteTopicResponse xmlns="[^"]+"><ResponseMetadata>/);
  assert.match(xmlResponse("TagResource", {}, "rid"), /<TagResourceResult><\/TagResourceResult>/);
});
