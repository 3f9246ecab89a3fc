/**
 * Every error Flint returns to an AWS client, named after its AWS error code.
 *
 * Services throw these; `api/render-error.ts` turns them into each protocol's wire shape. The body
 * fields follow what real AWS sends (see shared/reference/aws-recorded): Lambda's
 * ResourceNotFoundException carries `Message` (capital M), most others a lower-case `message`,
 * and modelled Lambda errors add `"Type": "User"`.
 */
export type Fault = "client" | "server";

export interface AwsErrorShape {
  code: string;
  status: number;
  fault: Fault;
  /** Name of the message field in a JSON body. */
  messageKey: "message" | "Message";
  /** Lambda's `Type` member: "User" or "Service"; omitted for unmodelled errors such as ValidationException. */
  type?: "User" | "Service";
  /**
   * The code the query protocol sends (XML `<Code>`, and `x-amzn-query-error` in query-compatible
   * JSON) when it differs from `code`: SQS's `AWS.SimpleQueueService.NonExistentQueue` for the
   * `QueueDoesNotExist` shape, the common `InvalidClientTokenId` for `UnrecognizedClientException`.
   */
  queryCode?: string;
  /** Smithy namespace of the shape, for the JSON 1.0 `__type` (`com.amazonaws.sqs#QueueDoesNotExist`). */
  namespace?: string;
}

export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  readonly fault: Fault;
  readonly messageKey: "message" | "Message";
  readonly type: "User" | "Service" | undefined;
  readonly queryCode: string;
  readonly namespace: string;
  /** Extra body members, e.g. `Reason` of a TooManyRequestsException. */
  readonly extra: Record<string, unknown>;
  /** Extra response headers, e.g. `Retry-After`. */
  readonly headers: Record<string, string>;

  constructor(shape: AwsErrorShape, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    super(message);
    this.name = shape.code;
    this.code = shape.code;
    this.status = shape.status;
    this.fault = shape.fault;
    this.messageKey = shape.messageKey;
    this.type = shape.type;
    this.queryCode = shape.queryCode ?? shape.code;
    this.namespace = shape.namespace ?? "com.amazon.coral.service";
    this.extra = extra;
    this.headers = headers;
  }
}

const user = (code: string, status: number, messageKey: "message" | "Message" = "message"): AwsErrorShape => ({
  code,
  status,
  fault: "client",
  messageKey,
  type: "User",
});
const plain = (code: string, status: number, queryCode?: string): AwsErrorShape => ({ code, status, fault: "client", messageKey: "message", queryCode });
/**
 * An SQS error from the sqs-2012-11-05 model: shape name, the query code its `awsQueryError` trait
 * names (`x-amzn-query-error` carries it in the JSON protocol), and status.
 */
const sqs = (code: string, status = 400, queryCode = code): AwsErrorShape => ({ code, status, fault: "client", messageKey: "message", queryCode, namespace: "com.amazonaws.sqs" });
/** An SNS error from the sns-2010-03-31 model: shape name, its query code (`error.code`) and status. */
const sns = (code: string, status: number, queryCode: string): AwsErrorShape => ({ code, status, fault: "client", messageKey: "message", queryCode, namespace: "com.amazonaws.sns" });

/** A Kinesis error from the kinesis-2013-12-02 model (JSON 1.1: `__type` is the bare shape name). */
const kinesis = (code: string, status = 400): AwsErrorShape => ({ code, status, fault: "client", messageKey: "message", namespace: "com.amazonaws.kinesis" });

/** An IAM error from the iam-2010-05-08 model: shape name, its query code (`error.code`) and status. */
const iam = (code: string, status: number, queryCode: string): AwsErrorShape => ({ code, status, fault: "client", messageKey: "message", queryCode, namespace: "com.amazonaws.iam" });

/** The catalogue: one entry per AWS error code Flint can send. */
export const Errors = {
  ValidationException: plain("ValidationException", 400, "ValidationError"),
  InvalidParameterValueException: user("InvalidParameterValueException", 400),
  InvalidRequestContentException: user("InvalidRequestContentException", 400),
  ResourceNotFoundException: user("ResourceNotFoundException", 404, "Message"),
  ResourceConflictException: user("ResourceConflictException", 409),
  // Lambda's (a mapping still settling); Kinesis's shares the code.
  LambdaResourceInUse: user("ResourceInUseException", 400),
  PreconditionFailedException: user("PreconditionFailedException", 412),
  PolicyLengthExceededException: user("PolicyLengthExceededException", 400),
  RequestEntityTooLargeException: { code: "RequestEntityTooLargeException", status: 413, fault: "client", messageKey: "Message" } as AwsErrorShape,
  UnsupportedMediaTypeException: user("UnsupportedMediaTypeException", 415),
  // `message`, as Lambda's model has it (botocore's TooManyRequestsException: retryAfterSeconds, Type, message, Reason).
  TooManyRequestsException: user("TooManyRequestsException", 429),
  ProvisionedConcurrencyConfigNotFoundException: user("ProvisionedConcurrencyConfigNotFoundException", 404),
  AccessDeniedException: { code: "AccessDeniedException", status: 403, fault: "client", messageKey: "Message", queryCode: "AccessDenied" } as AwsErrorShape,
  UnrecognizedClientException: plain("UnrecognizedClientException", 403, "InvalidClientTokenId"),
  ExpiredTokenException: plain("ExpiredTokenException", 403, "ExpiredToken"),
  InvalidSignatureException: plain("InvalidSignatureException", 403, "SignatureDoesNotMatch"),
  IncompleteSignatureException: plain("IncompleteSignatureException", 403, "IncompleteSignature"),
  MissingAuthenticationTokenException: plain("MissingAuthenticationTokenException", 403, "MissingAuthenticationToken"),
  UnknownOperationException: plain("UnknownOperationException", 404),
  // An AWS service Flint does not provide (400, not 501: clients would retry a 5xx).
  NotImplemented: plain("NotImplemented", 400),
  // The query protocol's common error for a malformed parameter set (too many, too deep, bad names).
  InvalidQueryParameter: plain("InvalidQueryParameter", 400),
  ServiceException: { code: "ServiceException", status: 500, fault: "server", messageKey: "Message", type: "Service", queryCode: "InternalError" } as AwsErrorShape,

  // Query-protocol common errors (AWS "Common Errors"); in query-compatible JSON their `__type` is
  // coral's `…Exception` shape and `x-amzn-query-error` the query code.
  InvalidParameterValue: plain("InvalidParameterValueException", 400, "InvalidParameterValue"),
  // CloudWatch (monitoring-2010-08-01) beside the common InvalidParameterValue and MissingParameter.
  InvalidParameterCombination: plain("InvalidParameterCombinationException", 400, "InvalidParameterCombination"),
  InvalidNextToken: plain("InvalidNextToken", 400),
  MissingParameter: plain("MissingRequiredParameterException", 400, "MissingParameter"),
  InvalidAction: plain("InvalidAction", 400),
  SerializationException: plain("SerializationException", 400),
  // SQS (sqs-2012-11-05).
  QueueDoesNotExist: sqs("QueueDoesNotExist", 400, "AWS.SimpleQueueService.NonExistentQueue"),
  QueueNameExists: sqs("QueueNameExists", 400, "QueueAlreadyExists"),
  PurgeQueueInProgress: sqs("PurgeQueueInProgress", 403, "AWS.SimpleQueueService.PurgeQueueInProgress"),
  InvalidAttributeName: sqs("InvalidAttributeName"),
  InvalidAttributeValue: sqs("InvalidAttributeValue"),
  InvalidMessageContents: sqs("InvalidMessageContents"),
  ReceiptHandleIsInvalid: sqs("ReceiptHandleIsInvalid", 404),
  MessageNotInflight: sqs("MessageNotInflight", 400, "AWS.SimpleQueueService.MessageNotInflight"),
  EmptyBatchRequest: sqs("EmptyBatchRequest", 400, "AWS.SimpleQueueService.EmptyBatchRequest"),
  TooManyEntriesInBatchRequest: sqs("TooManyEntriesInBatchRequest", 400, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"),
  BatchEntryIdsNotDistinct: sqs("BatchEntryIdsNotDistinct", 400, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"),
  InvalidBatchEntryId: sqs("InvalidBatchEntryId", 400, "AWS.SimpleQueueService.InvalidBatchEntryId"),
  BatchRequestTooLong: sqs("BatchRequestTooLong", 400, "AWS.SimpleQueueService.BatchRequestTooLong"),
  // The message move tasks' (StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask): 404, as AWS answers.
  SqsResourceNotFound: sqs("ResourceNotFoundException", 404),
  UnsupportedOperation: sqs("UnsupportedOperation", 400, "AWS.SimpleQueueService.UnsupportedOperation"),
  // SNS (sns-2010-03-31). Its InvalidParameterValueException and ResourceNotFoundException share
  // their shape names with Lambda's, so those two are keyed by their query codes.
  NotFoundException: sns("NotFoundException", 404, "NotFound"),
  InvalidParameterException: sns("InvalidParameterException", 400, "InvalidParameter"),
  ParameterValueInvalid: sns("InvalidParameterValueException", 400, "ParameterValueInvalid"),
  ResourceNotFound: sns("ResourceNotFoundException", 404, "ResourceNotFound"),
  AuthorizationErrorException: sns("AuthorizationErrorException", 403, "AuthorizationError"),
  TagLimitExceededException: sns("TagLimitExceededException", 400, "TagLimitExceeded"),
  EmptyBatchRequestException: sns("EmptyBatchRequestException", 400, "EmptyBatchRequest"),
  TooManyEntriesInBatchRequestException: sns("TooManyEntriesInBatchRequestException", 400, "TooManyEntriesInBatchRequest"),
  BatchEntryIdsNotDistinctException: sns("BatchEntryIdsNotDistinctException", 400, "BatchEntryIdsNotDistinct"),
  InvalidBatchEntryIdException: sns("InvalidBatchEntryIdException", 400, "InvalidBatchEntryId"),
  BatchRequestTooLongException: sns("BatchRequestTooLongException", 400, "BatchRequestTooLong"),
  // Kinesis (kinesis-2013-12-02). Its ResourceNotFoundException (400, `message`) shares its shape
  // name with Lambda's, so it is keyed StreamNotFound.
  StreamNotFound: kinesis("ResourceNotFoundException"),
  ResourceInUseException: kinesis("ResourceInUseException"),
  InvalidArgumentException: kinesis("InvalidArgumentException"),
  ExpiredIteratorException: kinesis("ExpiredIteratorException"),
  ExpiredNextTokenException: kinesis("ExpiredNextTokenException"),
  LimitExceededException: kinesis("LimitExceededException"),
  // CloudWatch Logs (logs-2014-03-28, JSON 1.1; every status 400). Its ResourceNotFoundException
  // shares its shape name with Lambda's, so it is keyed LogsResourceNotFound; its
  // InvalidParameterException and LimitExceededException are SNS's and Kinesis's entries above.
  LogsResourceNotFound: plain("ResourceNotFoundException", 400),
  ResourceAlreadyExistsException: plain("ResourceAlreadyExistsException", 400),
  TooManyTagsException: plain("TooManyTagsException", 400),
  // StartLiveTail's stream ends with it, as an exception event, after three hours.
  SessionTimeoutException: plain("SessionTimeoutException", 400),
  // API Gateway (apigateway-2015-07-09): REST-JSON, `{"message": …}`. Its NotFoundException shares
  // its shape name with SNS's, so it is keyed GatewayNotFound.
  GatewayNotFound: plain("NotFoundException", 404),
  BadRequestException: plain("BadRequestException", 400),
  ConflictException: plain("ConflictException", 409),
  InternalFailure: { code: "InternalFailure", status: 500, fault: "server", messageKey: "message" } as AwsErrorShape,
  // IAM (iam-2010-05-08), keyed by their query codes. Its validation failures are the common
  // ValidationError (ValidationException above).
  NoSuchEntity: iam("NoSuchEntityException", 404, "NoSuchEntity"),
  EntityAlreadyExists: iam("EntityAlreadyExistsException", 409, "EntityAlreadyExists"),
  DeleteConflict: iam("DeleteConflictException", 409, "DeleteConflict"),
  MalformedPolicyDocument: iam("MalformedPolicyDocumentException", 400, "MalformedPolicyDocument"),
  LimitExceeded: iam("LimitExceededException", 409, "LimitExceeded"),
  InvalidInput: iam("InvalidInputException", 400, "InvalidInput"),
} as const;

export type ErrorCode = keyof typeof Errors;

export function awsError(code: ErrorCode, message: string, extra?: Record<string, unknown>, headers?: Record<string, string>): AwsError {
  return new AwsError(Errors[code], message, extra, headers);
}

/**
 * The error as AWS sends it from outside Lambda's modelled errors: no `Type` member. Recorded for the
 * concurrency limit checks and for `$LATEST` in a weighted alias.
 */
export function untypedAwsError(code: ErrorCode, message: string): AwsError {
  return new AwsError({ ...Errors[code], type: undefined }, message);
}
