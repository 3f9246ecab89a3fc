/**
 * What REST APIs and HTTP APIs share on the way to a function: API Gateway's request body limit,
 * its permission on the function, and the integration's invocation within its timeout.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import { AwsError } from "../errors.js";
import { type Authorizer, serviceIdentity } from "../iam/authorizer.js";
import type { Invoker, InvokeResult } from "../invoke/invoker.js";
import type { Account } from "../services/lambda/arns.js";

/**
 * 10 MB: API Gateway's request payload limit, REST and HTTP APIs alike.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
 */
export const MAX_REQUEST_BODY = 10 * 1024 * 1024;

/** Who invokes an integration's function: API Gateway, as a service principal. */
const APIGATEWAY = serviceIdentity("apigateway.amazonaws.com");

/** Where an API's route sits in its source ARN: `arn:aws:execute-api:<region>:<account>:<api-id>/<stage>/<route>`. */
export interface RouteOf {
  apiId: string;
  stage: string;
  /** `<METHOD>/<path>` as configured (`ANY` stays `ANY`), or `$default` for an HTTP API's `$default` route. */
  route: string;
}

/**
 * Where IAM is enforced, API Gateway invokes only what the function's resource policy lets
 * `apigateway.amazonaws.com` invoke for the route's source ARN; AWS answers a missing permission
 * with a 500 (both flavours).
 */
export function apiGatewayMayInvoke(authorizer: Pick<Authorizer, "mode" | "check">, account: Account, functionArn: string, at: RouteOf): boolean {
  if (authorizer.mode === "off") return true;
  const { region, accountId } = account;
  const sourceArn = `arn:aws:execute-api:${region}:${accountId}:${at.apiId}/${at.stage}/${at.route}`;
  const ask = { action: "lambda:InvokeFunction", resource: functionArn, context: { "aws:SourceArn": sourceArn, "aws:SourceAccount": accountId } };
  return authorizer.check(APIGATEWAY, [ask]) === undefined;
}

/** The integration outlived its timeout (the function runs on). */
export const TIMED_OUT = Symbol("integration timed out");

/**
 * The function's invocation within the integration's timeout: its result, the AWS error that
 * refused it (gone, not Active, throttled), or `TIMED_OUT`. The timeout is a network limit between
 * API Gateway and Lambda, so it runs on real time, never on Flint's clock (which `--time-scale`
 * speeds up): as the function's own timeout (clock/clock.ts), it is not scaled.
 */
export async function invokeWithin(
  invoker: Pick<Invoker, "resolve" | "invokeResolved">,
  functionArn: string,
  requestId: string,
  payload: Buffer,
  timeoutMs: number,
): Promise<InvokeResult | AwsError | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
    timer.unref();
  });
  const invoked = (async () => invoker.invokeResolved(invoker.resolve(functionArn, undefined), requestId, payload))().catch((err: unknown) => {
    if (err instanceof AwsError) return err;
    throw err;
  });
  try {
    return await Promise.race([invoked, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
