/**
 * DynamoDB's errors as its JSON 1.0 protocol sends them: every client error is a 400 (even a missing
 * table or a refused signature), the body `{"__type": "<namespace>#<Code>", "message": …}`. The
 * namespace depends on who modelled the error: DynamoDB's own (`com.amazonaws.dynamodb.v20120810`),
 * the request validator (`com.amazon.coral.validate`), or the service framework
 * (`com.amazon.coral.service`: unknown operations, bad JSON, authentication and authorisation).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
 */
import { AwsError, type AwsErrorShape } from "../../errors.js";

export const DYNAMODB_NAMESPACE = "com.amazonaws.dynamodb.v20120810";
const VALIDATE_NAMESPACE = "com.amazon.coral.validate";
const CORAL_NAMESPACE = "com.amazon.coral.service";

/** DynamoDB's (and DynamoDB Streams') modelled errors. */
const MODELLED = new Set([
  "ConditionalCheckFailedException",
  "ResourceNotFoundException",
  "ResourceInUseException",
  "LimitExceededException",
  "ProvisionedThroughputExceededException",
  "ItemCollectionSizeLimitExceededException",
  "TransactionCanceledException",
  "TransactionConflictException",
  "TransactionInProgressException",
  "IdempotentParameterMismatchException",
  "RequestLimitExceeded",
  "InternalServerError",
  "ContinuousBackupsUnavailableException",
  "TableNotFoundException",
  "TableInUseException",
  "ExpiredIteratorException",
  "TrimmedDataAccessException",
  "PolicyNotFoundException",
  "ReplicatedWriteConflictException",
  "DuplicateItemException",
]);

/** The `__type` namespace of an error code as DynamoDB sends it. */
export function namespaceOf(code: string): string {
  if (MODELLED.has(code)) return DYNAMODB_NAMESPACE;
  if (code === "ValidationException") return VALIDATE_NAMESPACE;
  return CORAL_NAMESPACE;
}

/** An error of DynamoDB's (any code above, or ValidationException), with extra body members (`Item`, `CancellationReasons`). */
export function dynamoError(code: string, message: string, extra: Record<string, unknown> = {}): AwsError {
  const shape: AwsErrorShape = { code, status: code === "InternalServerError" ? 500 : 400, fault: code === "InternalServerError" ? "server" : "client", messageKey: "message", namespace: namespaceOf(code) };
  return new AwsError(shape, message, extra);
}

/** ValidationException, DynamoDB's most common answer. */
export const validation = (message: string): AwsError => dynamoError("ValidationException", message);

/** What DescribeTable, DeleteTable and the other control-plane calls say of a table that is not there. */
export const tableNotFound = (name: string): AwsError => dynamoError("ResourceNotFoundException", `Requested resource not found: Table: ${name} not found`);

/** What the item operations say of a table that is not there. */
export const resourceNotFound = (): AwsError => dynamoError("ResourceNotFoundException", "Requested resource not found");
