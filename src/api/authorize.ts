/**
 * Authorization as one step of the request path: a protocol handler decodes its operation into
 * what it asks (actions on resource ARNs, with condition keys) and calls `authorize` once, before the
 * service runs; the decision is `iam/authorizer.ts`'s, the refusal is shaped here for the service's
 * protocol as AWS shapes it.
 */
import { awsError } from "../errors.js";
import type { Ask, Authorize, Authorizer, Denial, RequestContext } from "../iam/authorizer.js";
import type { Identity } from "../iam/types.js";

export type { Ask, Authorize };

/** Letting everything through: a request taken unsigned (SNS's links) asks nothing. */
export const UNCHECKED: Authorize = () => {};

/**
 * AWS's refusal for `service`: Lambda's and IAM's AccessDenied(Exception); STS's, which says no
 * reason ("User: … is not authorized to perform: sts:AssumeRole on resource: <role>"); SQS's, which
 * prints the action lower-cased; SNS's AuthorizationError, which prints it `SNS:Publish`.
 */
export function denialError(service: string, { ask, decision }: Denial): Error {
  const message = decision.message ?? `User: is not authorized to perform: ${ask.action} on resource: ${ask.resource}`;
  if (service === "sts") {
    const head = message.indexOf(` on resource: ${ask.resource}`);
    return awsError("AccessDeniedException", head < 0 ? message : message.slice(0, head + ` on resource: ${ask.resource}`.length));
  }
  if (service === "sqs") return awsError("AccessDeniedException", message.replaceAll(ask.action, ask.action.toLowerCase()));
  if (service === "sns") return awsError("AuthorizationErrorException", message.replaceAll(ask.action, `SNS:${ask.action.slice(4)}`));
  return awsError("AccessDeniedException", message);
}

/**
 * A call Flint makes on `identity`'s behalf (an SNS delivery as the SNS service, a destination as a
 * function's execution role): decided as a request would be; throws the target service's refusal.
 */
export function authorizeOnBehalf(authorizer: Authorizer, identity: Identity, ask: Ask): void {
  const denial = authorizer.check(identity, [ask]);
  if (denial) throw denialError(ask.action.slice(0, ask.action.indexOf(":")), denial);
}

/** The `authorize` for one request of `service` signed by `identity` (none: unsigned, nothing asked). */
export function authorizeRequest(authorizer: Authorizer, service: string, identity: Identity | undefined, request: RequestContext): Authorize {
  if (!identity || authorizer.mode === "off") return UNCHECKED;
  return (asks) => {
    const denial = authorizer.check(identity, asks(), request);
    if (denial) throw denialError(service, denial);
  };
}

