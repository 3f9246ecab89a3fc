/**
 * The function URL trigger: a request to `<url-id>.lambda-url.<region>.localhost:<port>` (or
 * `/_aws/lambda-url/<url-id>/…`) becomes a payload 2.0 event, the function's result the response.
 * Order as AWS serves it: the URL id, CORS preflight (answered here), the body's 6 MB limit, the
 * caller (anonymous for NONE; the SigV4 signer, service `lambda`, for AWS_IAM), the function's
 * resource policy (and the caller's policies) on both `lambda:InvokeFunctionUrl` and
 * `lambda:InvokeFunction`, then the invocation.
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
 */
import { AwsError, awsError } from "../errors.js";
import type { BodyBudget } from "../lib/body-budget.js";
import type { Exchange, HttpResponse, ResponseHeaders } from "../lib/http-server.js";
import { newRequestId } from "../lib/request-id.js";
import { functionErrorOf } from "../lib/function-error.js";
import { parseQuery } from "../api/http.js";
import type { SigV4Verifier } from "../api/sigv4.js";
import type { Ask, Authorizer } from "../iam/authorizer.js";
import type { Identity } from "../iam/types.js";
import { MAX_SYNC_PAYLOAD, type Invoker, type StreamingInvokeResult } from "../invoke/invoker.js";
import type { Account } from "../services/lambda/arns.js";
import type { FunctionUrlRecord, FunctionUrlService } from "../services/lambda/function-urls.js";
import type { TriggerAddress } from "./address.js";
import { isPreflight, preflightHeaders, withCors } from "./cors.js";
import { buildEventV2, responseFromResult } from "./payload-v2.js";
import { sendStreamedHttp } from "./streamed-http.js";
import { type HttpTrigger, readBody, requestContext, sourceIp } from "./trigger.js";

export interface FunctionUrlTriggerDeps {
  urls: Pick<FunctionUrlService, "find" | "arnOf">;
  invoker: Pick<Invoker, "resolve" | "invokeResolved">;
  verifier: SigV4Verifier;
  authorizer: Authorizer;
  account: Account;
  /** The port the server listens on (`x-forwarded-port`). */
  port(): number;
  /** Flint time, epoch ms. */
  now(): number;
}

/** Recorded `lambda-url-forbidden-no-policy`: no grant, or an alias that is gone. */
const FORBIDDEN = JSON.stringify({ Message: "Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html" });
const ANONYMOUS: Identity = { accessKeyId: "", caller: { kind: "anonymous", arn: "anonymous" }, policies: () => ({ identity: [] }) };

/** A refusal in the URL endpoint's own shape: JSON `{"Message": …}` with the error's code in `x-amzn-ErrorType`. */
function refuse(res: HttpResponse, requestId: string, status: number, errorType: string, body: string): void {
  res.send(status, { "Content-Type": "application/json", "x-amzn-ErrorType": errorType, "x-amzn-RequestId": requestId }, body);
}

const TEXT = "text/plain; charset=utf-8";

export class FunctionUrlTrigger implements HttpTrigger {
  constructor(private readonly deps: FunctionUrlTriggerDeps) {}

  async serve(exchange: Exchange, address: TriggerAddress, rawQuery: string, budget: BodyBudget): Promise<void> {
    const { head, response: res } = exchange;
    const requestId = newRequestId();
    const url = this.deps.urls.find(address.id);
    // An unknown URL id: AWS's 403 with a null message.
    if (!url) return refuse(res, requestId, 403, "AccessDeniedException", '{"Message":null}');
    if (url.cors && isPreflight(head.method, head.headers)) {
      return res.send(200, { ...preflightHeaders(url.cors, head.headers), "x-amzn-RequestId": requestId });
    }
    const body = await readBody(exchange, MAX_SYNC_PAYLOAD, budget);
    if (!body) return this.tooLarge(res, requestId);
    const caller = await this.caller(exchange, url, body);
    if (caller instanceof AwsError) return refuse(res, requestId, 403, caller.code, JSON.stringify({ Message: caller.message }));
    const request = requestContext(exchange);
    const arn = this.deps.urls.arnOf(url);
    const asks: Ask[] = [
      { action: "lambda:InvokeFunctionUrl", resource: arn, context: { "lambda:FunctionUrlAuthType": url.authType } },
      { action: "lambda:InvokeFunction", resource: arn, context: { "lambda:InvokedViaFunctionUrl": "true" } },
    ];
    if (this.deps.authorizer.check(caller, asks, request)) return refuse(res, requestId, 403, "AccessDeniedException", FORBIDDEN);
    let target;
    try {
      target = this.deps.invoker.resolve(url.functionName, url.qualifier);
    } catch (err) {
      // The alias the URL invokes is gone (recorded `lambda-url-deleted-alias`).
      if (err instanceof AwsError && err.code === "ResourceNotFoundException") return refuse(res, requestId, 403, "AccessDeniedException", FORBIDDEN);
      throw err;
    }
    const time = this.deps.now();
    const domainName = `${url.urlId}.lambda-url.${this.deps.account.region}.localhost`;
    const event = buildEventV2(
      { method: head.method, rawPath: address.rawPath, rawQuery, headers: head.headers, body, sourceIp: sourceIp(exchange), protocol: "HTTP/1.1", port: this.deps.port(), requestId, time },
      { accountId: caller === ANONYMOUS ? "anonymous" : this.deps.account.accountId, apiId: url.urlId, domainName, domainPrefix: url.urlId, ...(caller === ANONYMOUS ? {} : { authorizer: { iam: iamAuthorizer(caller) } }) },
    );
    const payload = Buffer.from(JSON.stringify(event));
    // The event, with a binary body in base64, must fit the synchronous payload limit too.
    if (payload.length > MAX_SYNC_PAYLOAD) return this.tooLarge(res, requestId);
    let out: StreamingInvokeResult;
    try {
      out = await this.deps.invoker.invokeResolved(target, requestId, payload, url.invokeMode === "RESPONSE_STREAM");
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      if (err.code === "TooManyRequestsException") return refuse(res, requestId, 429, err.code, JSON.stringify({ Message: "Rate Exceeded." }));
      return refuse(res, requestId, err.status, err.code, JSON.stringify({ Message: err.message }));
    }
    return this.respond(res, url, head.headers.origin, out);
  }

  /** The one place an invocation's result is written to the client: streamed as written, or mapped whole. */
  private async respond(res: HttpResponse, url: FunctionUrlRecord, origin: string | undefined, out: StreamingInvokeResult): Promise<void> {
    const requestId = out.requestId;
    if (out.stream) {
      const overrides: ResponseHeaders = { ...(url.cors ? withCors(url.cors, origin, {}) : {}), "x-amzn-RequestId": requestId };
      return sendStreamedHttp(res, out.stream, overrides, (end) => this.failed(res, requestId, end));
    }
    const mapped = out.functionError ? undefined : responseFromResult(out.payload ?? Buffer.alloc(0));
    if (!mapped) return this.failed(res, requestId, out);
    let headers: ResponseHeaders = { ...mapped.headers, "x-amzn-RequestId": requestId };
    if (url.cors) headers = withCors(url.cors, origin, headers);
    res.send(mapped.statusCode, headers, mapped.body);
  }

  /** A function that failed, or whose result (or streamed head) cannot be a response: AWS's answer for it. */
  private failed(res: HttpResponse, requestId: string, out: { functionError?: string; payload?: Buffer }): void {
    const { errorType, errorMessage } = (out.functionError ? functionErrorOf(out.payload) : undefined) ?? {};
    if (errorType === "Sandbox.Timedout") return res.send(504, { "Content-Type": TEXT, "x-amzn-RequestId": requestId }, "Gateway Timeout");
    if (errorType === "Function.ResponseSizeTooLarge") return refuse(res, requestId, 413, "RequestEntityTooLargeException", JSON.stringify({ Message: errorMessage }));
    // A function error, or a result that cannot be a response (recorded: plain "Internal Server Error").
    res.send(502, { "Content-Type": TEXT, "x-amzn-RequestId": requestId }, "Internal Server Error");
  }

  private tooLarge(res: HttpResponse, requestId: string): void {
    refuse(res, requestId, 413, "RequestEntityTooLargeException", JSON.stringify({ Message: `Request must be smaller than ${MAX_SYNC_PAYLOAD} bytes for the InvokeFunction operation` }));
  }

  /** Who calls: anonymous for NONE; for AWS_IAM the request's SigV4 signer (service `lambda`), or the error that refuses it. */
  private async caller(exchange: Exchange, url: FunctionUrlRecord, body: Buffer): Promise<Identity | AwsError> {
    if (url.authType === "NONE") return ANONYMOUS;
    const { head } = exchange;
    const qi = head.url.indexOf("?");
    const wirePath = (qi < 0 ? head.url : head.url.slice(0, qi)).replace(/^https?:\/\/[^/?#]*/i, "") || "/";
    try {
      const verified = await this.deps.verifier.verify({ method: head.method, rawPath: wirePath, query: parseQuery(qi < 0 ? "" : head.url.slice(qi + 1)), headers: head.headers, body }, head.headers.host ?? "", "lambda");
      return verified.principal;
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      // An unsigned request gets AWS's bare Forbidden; a bad signature, the verifier's reason.
      return err.code === "MissingAuthenticationTokenException" ? awsError("AccessDeniedException", "Forbidden") : err;
    }
  }
}

/** `requestContext.authorizer.iam` of an AWS_IAM URL's event (docs: urls-invocation, "Request payload"). */
function iamAuthorizer(identity: Identity): Record<string, unknown> {
  const { caller } = identity;
  const userId = caller.userid ?? null;
  return { accessKey: identity.accessKeyId, accountId: caller.account ?? null, callerId: userId, cognitoIdentity: null, principalOrgId: null, userArn: caller.arn, userId };
}
