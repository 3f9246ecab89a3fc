/**
 * The SNS clients the end-to-end tests drive, with the call shape of sqs-clients.ts (an operation
 * and its input in AWS's member names; errors as SqsCallError with the query error code the client
 * reports). All four speak SNS's query protocol: the AWS CLI v2 2.9 and v1, Debian's boto3 and
 * @aws-sdk/client-sns.
 */
import * as sdk from "@aws-sdk/client-sns";
import { AWS_CLI_V2, REGION, TEST_CREDENTIALS } from "./flint.js";
import { boto3Driver, boto3Version, cliDriver, findAwsCliV1, sdkDriverFor, SqsCallError, type SqsDriver } from "./sqs-clients.js";

export { SqsCallError as SnsCallError, type SqsDriver as SnsDriver };

export function snsSdkClient(endpoint: string): sdk.SNSClient {
  return new sdk.SNSClient({ endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
}

const v1 = findAwsCliV1();
const boto3 = boto3Version();

/** Every SNS client, each with why it is skipped here, if it is. */
export const SNS_CLIENTS: { label: string; skip?: string; make: (endpoint: string) => SqsDriver }[] = [
  { label: "AWS CLI v2", make: (endpoint) => cliDriver("AWS CLI v2", AWS_CLI_V2, "query", endpoint, "sns") },
  // The CLI v1 takes a blob in JSON input as the text given, not base64.
  { label: "AWS CLI v1", skip: v1.reason, make: (endpoint) => ({ ...cliDriver("AWS CLI v1", v1.path!, "query", endpoint, "sns"), binary: false }) },
  { label: "@aws-sdk/client-sns", make: (endpoint) => sdkDriverFor("@aws-sdk/client-sns", "query", sdk, snsSdkClient(endpoint)) },
  {
    label: "boto3",
    skip: boto3 ? undefined : "/usr/bin/python3 cannot import boto3 (Debian package python3-boto3; scripts/setup.mjs test installs it)",
    make: (endpoint) => boto3Driver(endpoint, "sns"),
  },
];
