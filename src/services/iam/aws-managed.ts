/**
 * The AWS managed policies Lambda users attach, with their documents and default versions as the
 * AWS Managed Policy Reference gives them
 * (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/; its times are to the minute).
 * Their policy ids are fixed and AWS-shaped, not necessarily AWS's. They are read-only: attachable
 * and listed under Scope AWS, never created, changed or deleted.
 */
import type { ManagedPolicyRecord } from "./model.js";

const LOGS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"];

interface Builtin {
  name: string;
  path: string;
  id: string;
  description: string;
  created: string;
  updated: string;
  version: string;
  statement: object;
}

const allow = (Action: string[] | string, Resource: string[] | string = "*") => ({ Effect: "Allow", Action, Resource });

const BUILTINS: Builtin[] = [
  { name: "AWSLambdaBasicExecutionRole", path: "/service-role/", id: "ANPAJNCQGXC42545SKXIK", description: "Provides write permissions to CloudWatch Logs.", created: "2015-04-09T15:03:43Z", updated: "2015-04-09T15:03:43Z", version: "v1", statement: allow(LOGS) },
  {
    name: "AWSLambdaSQSQueueExecutionRole",
    path: "/service-role/",
    id: "ANPAJFWJZI6JNND4TSELK",
    description: "Provides receive message, delete message, and read attribute access to SQS queues, and write permissions to CloudWatch logs.",
    created: "2018-06-14T21:50:45Z",
    updated: "2018-06-14T21:50:45Z",
    version: "v1",
    statement: allow(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", ...LOGS]),
  },
  {
    name: "AWSLambdaKinesisExecutionRole",
    path: "/service-role/",
    id: "ANPAJHOLKJPXV4GBRMJUQ",
    description: "Provides list and read access to Kinesis streams and write permissions to CloudWatch logs.",
    created: "2015-04-09T15:14:16Z",
    updated: "2018-11-19T20:09:24Z",
    version: "v2",
    statement: allow(["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:ListStreams", "kinesis:SubscribeToShard", ...LOGS]),
  },
  {
    name: "AWSLambdaDynamoDBExecutionRole",
    path: "/service-role/",
    id: "ANPAIP7WNAGMIPYNW4WQG",
    description: "Provides list and read access to DynamoDB streams and write permissions to CloudWatch logs.",
    created: "2015-04-09T15:09:29Z",
    updated: "2015-04-09T15:09:29Z",
    version: "v1",
    statement: allow(["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams", ...LOGS]),
  },
  { name: "AWSLambdaRole", path: "/service-role/", id: "ANPAJX4DPCRGTC4NFDUXI", description: "Default policy for AWS Lambda service role.", created: "2015-02-06T18:41:28Z", updated: "2015-02-06T18:41:28Z", version: "v1", statement: allow(["lambda:InvokeFunction"], ["*"]) },
  { name: "AdministratorAccess", path: "/", id: "ANPAIWMBCKSKIEE64ZLYK", description: "Provides full access to AWS services and resources.", created: "2015-02-06T18:39:46Z", updated: "2015-02-06T18:39:46Z", version: "v1", statement: allow("*") },
];

function record(b: Builtin): ManagedPolicyRecord {
  const createDate = Date.parse(b.created);
  const updateDate = Date.parse(b.updated);
  const document = JSON.stringify({ Version: "2012-10-17", Statement: [b.statement] });
  return {
    name: b.name,
    id: b.id,
    path: b.path,
    arn: `arn:aws:iam::aws:policy${b.path}${b.name}`,
    description: b.description,
    createDate,
    updateDate,
    defaultVersionId: b.version,
    versions: [{ versionId: b.version, document, createDate: updateDate }],
    nextVersion: Number(b.version.slice(1)) + 1,
    tags: [],
  };
}

/** By ARN. */
export const AWS_MANAGED_POLICIES: ReadonlyMap<string, ManagedPolicyRecord> = new Map(BUILTINS.map((b) => [`arn:aws:iam::aws:policy${b.path}${b.name}`, record(b)]));
