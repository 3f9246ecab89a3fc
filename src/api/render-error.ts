/**
 * The one module that turns an AwsError into each protocol's wire shape.
 * Anything that is not an AwsError is a Flint bug: it is logged and sent as ServiceException.
 */
import type { ServerResponse } from "node:http";
import { AwsError, awsError } from "../errors.js";
import { sendJson } from "./http.js";

export function asAwsError(err: unknown): AwsError {
  if (err instanceof AwsError) return err;
  console.error("flint: internal error:", err);
  return awsError("ServiceException", "An internal error occurred while processing the request.");
}

/** REST-JSON (Lambda): `x-amzn-ErrorType` header plus a JSON body with the error's modelled members. */
export function renderRestJsonError(res: ServerResponse, requestId: string, err: unknown): void {
  const e = asAwsError(err);
  const body: Record<string, unknown> = {};
  if (e.type) body.Type = e.type;
  body[e.messageKey] = e.message;
  Object.assign(body, e.extra);
  sendJson(res, requestId, e.status, body, { "x-amzn-ErrorType": e.code, ...e.headers });
}
