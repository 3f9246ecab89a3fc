/**
 * What REST APIs and HTTP APIs share on the way to a function: API Gateway's request body limit
 * and its permission on the function.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import { type Authorizer, serviceIdentity } from "../iam/authorizer.js";
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
