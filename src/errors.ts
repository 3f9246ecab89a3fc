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
}

export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  readonly fault: Fault;
  readonly messageKey: "message" | "Message";
  readonly type: "User" | "Service" | undefined;
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
const plain = (code: string, status: number): AwsErrorShape => ({ code, status, fault: "client", messageKey: "message" });

/** The catalogue: one entry per AWS error code Flint can send. */
export const Errors = {
  ValidationException: plain("ValidationException", 400),
  InvalidParameterValueException: user("InvalidParameterValueException", 400),
  InvalidRequestContentException: user("InvalidRequestContentException", 400),
  ResourceNotFoundException: user("ResourceNotFoundException", 404, "Message"),
  ResourceConflictException: user("ResourceConflictException", 409),
  PreconditionFailedException: user("PreconditionFailedException", 412),
  RequestEntityTooLargeException: { code: "RequestEntityTooLargeException", status: 413, fault: "client", messageKey: "Message" } as AwsErrorShape,
  UnsupportedMediaTypeException: user("UnsupportedMediaTypeException", 415),
  TooManyRequestsException: user("TooManyRequestsException", 429, "Message"),
  ProvisionedConcurrencyConfigNotFoundException: user("ProvisionedConcurrencyConfigNotFoundException", 404),
  AccessDeniedException: { code: "AccessDeniedException", status: 403, fault: "client", messageKey: "Message" } as AwsErrorShape,
  UnrecognizedClientException: plain("UnrecognizedClientException", 403),
  InvalidSignatureException: plain("InvalidSignatureException", 403),
  IncompleteSignatureException: plain("IncompleteSignatureException", 403),
  MissingAuthenticationTokenException: plain("MissingAuthenticationTokenException", 403),
  UnknownOperationException: plain("UnknownOperationException", 404),
  ServiceException: { code: "ServiceException", status: 500, fault: "server", messageKey: "Message", type: "Service" } as AwsErrorShape,
} as const;

export type ErrorCode = keyof typeof Errors;

export function awsError(code: ErrorCode, message: string, extra?: Record<string, unknown>, headers?: Record<string, string>): AwsError {
  return new AwsError(Errors[code], message, extra, headers);
}
