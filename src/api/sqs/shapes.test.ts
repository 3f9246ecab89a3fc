import { test } from "node:test";
import assert from "node:assert/strict";
import { paramTree } from "../query.js";
import { membersFromQuery, xmlResponse } from "./shapes.js";
import { sqsAsks } from "./handler.js";
import { taskHandle } from "../../services/sqs/move-tasks.js";

const params = (qs: string) => new Map(new URLSearchParams(qs));

test("query parameters become the JSON protocol's members (flattened lists and maps of the query model)", () => {
  const tree = paramTree(
    params(
      "Action=SendMessageBatch&Version=2012-11-05&QueueUrl=http%3A%2F%2Fh%2F000000000000%2Fq" +
        "&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=two&SendMessageBatchRequestEntry.2.DelaySeconds=5" +
        "&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=one" +
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=k&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String" +
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=v",
    ),
  );
  assert.deepEqual(membersFromQuery("SendMessageBatch", tree), {
    QueueUrl: "http://h/000000000000/q",
    Entries: [
      { Id: "a", MessageBody: "one", MessageAttributes: { k: { DataType: "String", StringValue: "v" } } },
      { Id: "b", MessageBody: "two", DelaySeconds: 5 },
    ],
  });
  assert.deepEqual(
    membersFromQuery("CreateQueue", paramTree(params("QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=3&Tag.1.Key=team&Tag.1.Value=flint"))),
    { QueueName: "q", Attributes: { DelaySeconds: "3" }, tags: { team: "flint" } },
  );
  assert.deepEqual(membersFromQuery("TagQueue", paramTree(params("Tag.1.Key=a&Tag.1.Value=b"))), { Tags: { a: "b" } });
  assert.deepEqual(
    membersFromQuery("ReceiveMessage", paramTree(params("AttributeName.1=All&MessageAttributeName.1=k&MaxNumberOfMessages=10&WaitTimeSeconds=2"))),
    { AttributeNames: ["All"], MessageAttributeNames: ["k"], MaxNumberOfMessages: 10, WaitTimeSeconds: 2 },
  );
  assert.throws(() => membersFromQuery("ReceiveMessage", paramTree(params("MaxNumberOfMessages=ten"))), { queryCode: "InvalidParameterValue" });
});

test("results are written as the query protocol's XML, flattened, escaped, binary as base64", () => {
  const xml = xmlResponse(
    "ReceiveMessage",
    {
      Messages: [
        {
          MessageId: "id",
          Body: "a<b>&\r\n",
          Attributes: { SentTimestamp: "1" },
          MessageAttributes: { bin: { DataType: "Binary", BinaryValue: Buffer.from("hi") } },
        },
      ],
    },
    "req-1",
  );
  assert.equal(
    xml,
    '<?xml version="1.0"?><ReceiveMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><ReceiveMessageResult><Message>' +
      "<MessageId>id</MessageId><Body>a&lt;b&gt;&amp;&#xD;\n</Body><Attribute><Name>SentTimestamp</Name><Value>1</Value></Attribute>" +
      "<MessageAttribute><Name>bin</Name><Value><DataType>Binary</DataType><BinaryValue>aGk=</BinaryValue></Value></MessageAttribute>" +
      "</Message></ReceiveMessageResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></ReceiveMessageResponse>",
  );
  assert.match(
    xmlResponse("SendMessageBatch", { Successful: [{ Id: "a", MessageId: "m" }], Failed: [{ Id: "b", SenderFault: true, Code: "C", Message: "M" }] }, "r"),
    /<SendMessageBatchResultEntry><Id>a<\/Id><MessageId>m<\/MessageId><\/SendMessageBatchResultEntry><BatchResultErrorEntry><Id>b<\/Id><SenderFault>true<\/SenderFault>/,
  );
  assert.match(xmlResponse("ListQueues", { QueueUrls: ["u1", "u2"] }, "r"), /<ListQueuesResult><QueueUrl>u1<\/QueueUrl><QueueUrl>u2<\/QueueUrl><\/ListQueuesResult>/);
  assert.equal(
    xmlResponse("DeleteQueue", undefined, "r"),
    '<?xml version="1.0"?><DeleteQueueResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteQueueResponse>',
  );
});

test("parameter names cannot reach object prototypes", () => {
  const members = membersFromQuery("SendMessage", paramTree(params("__proto__.polluted=1&constructor.prototype.polluted=1&MessageAttribute.1.Name=__proto__&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=v")));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(Object.keys(members.MessageAttributes as object), ["__proto__"]);
});

test("message move tasks: the rate is an integer in the query protocol, Results are flattened entries, and IAM is asked on the source queue", () => {
  assert.deepEqual(membersFromQuery("StartMessageMoveTask", paramTree(params("SourceArn=arn%3Aaws%3Asqs%3Aus-east-1%3A123456789012%3Adlq&MaxNumberOfMessagesPerSecond=5"))), {
    SourceArn: "arn:aws:sqs:us-east-1:123456789012:dlq",
    MaxNumberOfMessagesPerSecond: 5,
  });
  assert.equal(
    xmlResponse("ListMessageMoveTasks", { Results: [{ Status: "COMPLETED", ApproximateNumberOfMessagesMoved: 2 }, { Status: "FAILED", FailureReason: "CouldNotDetermineMessageSource" }] }, "r"),
    '<?xml version="1.0"?><ListMessageMoveTasksResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><ListMessageMoveTasksResult>' +
      "<ListMessageMoveTasksResultEntry><Status>COMPLETED</Status><ApproximateNumberOfMessagesMoved>2</ApproximateNumberOfMessagesMoved></ListMessageMoveTasksResultEntry>" +
      "<ListMessageMoveTasksResultEntry><Status>FAILED</Status><FailureReason>CouldNotDetermineMessageSource</FailureReason></ListMessageMoveTasksResultEntry>" +
      "</ListMessageMoveTasksResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ListMessageMoveTasksResponse>",
  );
  const account = { region: "us-east-1", accountId: "123456789012" };
  const dlq = "arn:aws:sqs:us-east-1:123456789012:dlq";
  assert.deepEqual(sqsAsks(account, "StartMessageMoveTask", { SourceArn: dlq, DestinationArn: "arn:aws:sqs:us-east-1:123456789012:other" }), [{ action: "sqs:StartMessageMoveTask", resource: dlq }]);
  assert.deepEqual(sqsAsks(account, "ListMessageMoveTasks", { SourceArn: dlq }), [{ action: "sqs:ListMessageMoveTasks", resource: dlq }]);
  assert.deepEqual(sqsAsks(account, "CancelMessageMoveTask", { TaskHandle: taskHandle("t", dlq) }), [{ action: "sqs:CancelMessageMoveTask", resource: dlq }]);
});
