/**
 * The Lambda function an API Gateway integration invokes, REST APIs and HTTP APIs alike: its
 * invocation URI `arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations`
 * (or, for HTTP APIs, the function ARN itself).
 * https://docs.aws.amazon.com/apigateway/latest/api/API_PutIntegration.html#apigw-PutIntegration-request-uri
 */
const INVOCATION = /^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/;
const FUNCTION_ARN = /^arn:(aws[a-z-]*):lambda:([a-z0-9-]+):(\d{12}):function:[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9$_-]+)?$/;

export interface LambdaTarget {
  /** The function's ARN, qualified or not. */
  arn: string;
  partition: string;
  region: string;
  accountId: string;
}

/** The function `uri` names: an invocation URI's, or (`arnAlone`) a function ARN given as such. */
export function lambdaTarget(uri: string | undefined, arnAlone = false): LambdaTarget | undefined {
  if (uri === undefined) return undefined;
  const invocation = INVOCATION.exec(uri);
  const arn = invocation ? invocation[1]! : arnAlone ? uri : undefined;
  const m = arn === undefined ? null : FUNCTION_ARN.exec(arn);
  return m ? { arn: arn!, partition: m[1]!, region: m[2]!, accountId: m[3]! } : undefined;
}
