/**
 * DynamoDB's errors as the data plane throws them (JSON 1.0, `__type`
 * `com.amazonaws.dynamodb.v20120810#<Code>`). Kept beside the items code until the catalogue in
 * src/errors.ts has DynamoDB entries; the shapes are the same AwsError the renderer already knows.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html
 */
import { AwsError, type AwsErrorShape } from "../../errors.js";

const NAMESPACE = "com.amazonaws.dynamodb.v20120810";
const shape = (code: string, namespace = NAMESPACE): AwsErrorShape => ({ code, status: 400, fault: "client", messageKey: "message", namespace });

const SHAPES = {
  // DynamoDB's validation errors come from its coral front end: `com.amazon.coral.validate#ValidationException`.
  ValidationException: shape("ValidationException", "com.amazon.coral.validate"),
  ResourceNotFoundException: shape("ResourceNotFoundException"),
  ConditionalCheckFailedException: shape("ConditionalCheckFailedException"),
  TransactionCanceledException: shape("TransactionCanceledException"),
  IdempotentParameterMismatchException: shape("IdempotentParameterMismatchException"),
  TransactionInProgressException: shape("TransactionInProgressException"),
} as const;

export type DynamoErrorCode = keyof typeof SHAPES;

export function dynamoError(code: DynamoErrorCode, message: string, extra?: Record<string, unknown>): AwsError {
  return new AwsError(SHAPES[code], message, extra);
}

export const invalid = (message: string): AwsError => dynamoError("ValidationException", message);

export const CONDITION_FAILED = "The conditional request failed";
