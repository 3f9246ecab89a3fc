/**
 * The one module that turns an AwsError into each protocol's wire shape.
 * Anything that is not an AwsError is a Flint bug: it is logged and sent as ServiceException.
 */
import type { HttpResponse } from "../lib/http-server.js";
import { AwsError, awsError } from "../errors.js";
import { sendJson } from "./http.js";
import { escapeXml } from "./xml.js";
import { cbor } from "@smithy/core/cbor";
import type { Protocol, ServiceInfo } from "./catalogue.js";

export function asAwsError(err: unknown): AwsError {
  if (err instanceof AwsError) return err;
  console.error("flint: internal error:", err);
  return awsError("ServiceException", "An internal error occurred while processing the request.");
}

/** REST-JSON (Lambda): `x-amzn-ErrorType` header plus a JSON body with the error's modelled members. */
export function renderRestJsonError(res: HttpResponse, requestId: string, err: unknown): void {
  const e = asAwsError(err);
  const body: Record<string, unknown> = {};
  if (e.type) body.Type = e.type;
  body[e.messageKey] = e.message;
  Object.assign(body, e.extra);
  sendJson(res, requestId, e.status, body, { "x-amzn-ErrorType": e.code, ...e.headers });
}

/**
 * Query protocol (SQS, SNS): an XML `ErrorResponse` with the error's query code, `Sender`/`Receiver`
 * and the request id, under the service's XML namespace.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-responses.html
 */
export function renderQueryError(res: HttpResponse, requestId: string, err: unknown, xmlns: string | undefined): void {
  const e = asAwsError(err);
  const body =
    `<?xml version="1.0"?><ErrorResponse${xmlns ? ` xmlns="${xmlns}"` : ""}><Error><Type>${e.fault === "server" ? "Receiver" : "Sender"}</Type>` +
    `<Code>${escapeXml(e.queryCode)}</Code><Message>${escapeXml(e.message)}</Message><Detail/></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  res.send(e.status, { "Content-Type": "text/xml", "x-amzn-RequestId": requestId, ...e.headers }, body);
}

/**
 * AWS JSON 1.0 (SQS's JSON protocol): `__type` is the shape id, and a service that moved from the
 * query protocol (`awsQueryCompatible`) also sends its query code as `x-amzn-query-error: Code;Sender`,
 * which SDKs use to pick the modelled error.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-api-responses.html
 */
export function renderAwsJsonError(res: HttpResponse, requestId: string, err: unknown, queryCompatible: boolean): void {
  const e = asAwsError(err);
  const headers: Record<string, string> = { "Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": requestId, ...e.headers };
  if (queryCompatible) headers["x-amzn-query-error"] = `${e.queryCode};${e.fault === "server" ? "Receiver" : "Sender"}`;
  res.send(e.status, headers, JSON.stringify({ __type: `${e.namespace}#${e.code}`, message: e.message, ...e.extra }));
}

/**
 * AWS JSON 1.1 as Kinesis sends it: `{"__type": "<Shape>", "message": …}` with the bare shape name.
 * https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html
 */
export function renderAwsJson11Error(res: HttpResponse, requestId: string, err: unknown): void {
  const e = asAwsError(err);
  res.send(e.status, { "Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": requestId, ...e.headers }, JSON.stringify({ __type: e.code, message: e.message, ...e.extra }));
}

/**
 * Smithy RPC v2 CBOR (CloudWatch's first protocol in current SDKs): a CBOR map with `__type` and
 * `message`, marked by the `smithy-protocol` header.
 * https://smithy.io/2.0/additional-specs/protocols/smithy-rpc-v2.html
 */
export function renderCborError(res: HttpResponse, requestId: string, err: unknown, queryCompatible: boolean): void {
  const e = asAwsError(err);
  const headers: Record<string, string> = { "Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor", "x-amzn-RequestId": requestId, ...e.headers };
  if (queryCompatible) headers["x-amzn-query-error"] = `${e.queryCode};${e.fault === "server" ? "Receiver" : "Sender"}`;
  res.send(e.status, headers, Buffer.from(cbor.serialize({ __type: `${e.namespace}#${e.code}`, message: e.message })));
}

/** REST-XML (S3): `<Error><Code/><Message/><RequestId/></Error>`. */
export function renderRestXmlError(res: HttpResponse, requestId: string, err: unknown): void {
  const e = asAwsError(err);
  const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${escapeXml(e.queryCode)}</Code><Message>${escapeXml(e.message)}</Message><RequestId>${requestId}</RequestId></Error>`;
  res.send(e.status, { "Content-Type": "application/xml", "x-amz-request-id": requestId, ...e.headers }, body);
}

/** EC2's protocol: `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`. */
export function renderEc2Error(res: HttpResponse, requestId: string, err: unknown): void {
  const e = asAwsError(err);
  const body = `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${escapeXml(e.queryCode)}</Code><Message>${escapeXml(e.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
  res.send(e.status, { "Content-Type": "text/xml", ...e.headers }, body);
}

/** An error in whichever protocol the request's client speaks. */
export function renderProtocolError(protocol: Protocol, service: ServiceInfo, res: HttpResponse, requestId: string, err: unknown): void {
  switch (protocol) {
    case "rest-json":
      return renderRestJsonError(res, requestId, err);
    case "json":
      return renderAwsJsonError(res, requestId, err, service.queryCompatible === true);
    case "query":
      return renderQueryError(res, requestId, err, service.xmlns);
    case "cbor":
      return renderCborError(res, requestId, err, service.queryCompatible === true);
    case "rest-xml":
      return renderRestXmlError(res, requestId, err);
    case "ec2":
      return renderEc2Error(res, requestId, err);
  }
}
