/**
 * What asynchronous invocation sends on: invocation records for destinations, and the original event
 * with AWS's attributes for dead-letter queues.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 */

export type Condition = "Success" | "RetriesExhausted" | "EventAgeExceeded";

export interface RecordInput {
  requestId: string;
  functionArn: string;
  condition: Condition;
  approximateInvokeCount: number;
  requestPayload: Buffer;
  /** The last response, when the function ran. */
  response?: { executedVersion: string; payload: string; functionError?: string };
  at: number;
}

/** A payload as the record shows it: its JSON when it is JSON, else its text. */
function asJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The same, written out. JSON.parse takes any depth but JSON.stringify recurses, and throws on JSON
 * nested deeper than the call stack (an event of 100,000 nested arrays is 200 KB): such a payload
 * goes into the record as it was sent.
 */
function payloadJson(text: string): string {
  const value = asJson(text);
  try {
    return JSON.stringify(value);
  } catch {
    return text;
  }
}

export function invocationRecord(r: RecordInput): string {
  const head = {
    version: "1.0",
    timestamp: new Date(r.at).toISOString(),
    requestContext: {
      requestId: r.requestId,
      functionArn: r.functionArn,
      condition: r.condition,
      approximateInvokeCount: r.approximateInvokeCount,
    },
  };
  let record = `${JSON.stringify(head).slice(0, -1)},"requestPayload":${payloadJson(r.requestPayload.toString("utf8"))}`;
  if (r.response) {
    const responseContext = {
      statusCode: 200,
      executedVersion: r.response.executedVersion,
      ...(r.response.functionError ? { functionError: r.response.functionError } : {}),
    };
    record += `,"responseContext":${JSON.stringify(responseContext)},"responsePayload":${payloadJson(r.response.payload)}`;
  }
  return `${record}}`;
}

export interface MessageAttribute {
  DataType: "String" | "Number";
  StringValue: string;
}

/** Dead-letter message: the event as is, with RequestID, ErrorCode (HTTP status) and the first 1 KB of ErrorMessage. */
export function deadLetterMessage(requestId: string, payload: Buffer, errorMessage: string): { body: string; attributes: Record<string, MessageAttribute> } {
  return {
    body: payload.toString("utf8"),
    attributes: {
      RequestID: { DataType: "String", StringValue: requestId },
      ErrorCode: { DataType: "Number", StringValue: "200" },
      ErrorMessage: { DataType: "String", StringValue: Buffer.from(errorMessage).subarray(0, 1024).toString("utf8").replace(/\uFFFD+$/, "") || "Unknown error" },
    },
  };
}

/** The error message a failed response carries, for the dead-letter attribute. */
export function errorMessageOf(payload: string | undefined, fallback: string): string {
  if (payload === undefined) return fallback;
  const parsed = asJson(payload);
  if (parsed && typeof parsed === "object" && typeof (parsed as { errorMessage?: unknown }).errorMessage === "string") {
    return (parsed as { errorMessage: string }).errorMessage;
  }
  return payload || fallback;
}
