/**
 * The policies of `iam-ab.ts`'s caller, also timed alone by `iam-eval.ts`: 10 customer managed
 * policies of 20 statements each, with conditions. The statement that allows `lambda:InvokeFunction`
 * on the benchmark function and `sqs:SendMessage` on its queue is the last policy's last but one;
 * many statements before it name the same actions on other resources, or these resources under a
 * condition that does not hold (a tag the caller lacks, an address it is not at), so a decision
 * tries most of them. AWS's quota of 6,144 characters a policy keeps each statement short.
 */

/** Where the allowing statement sits: the last policy, its last statement but one. */
export const ALLOW_AT = { policy: 9, statement: 18 };

export interface BenchResources {
  account: string;
  region: string;
  functionName: string;
  queueName: string;
}

/** Policy `p` (0–9) as its JSON text. */
export function benchPolicy(p: number, r: BenchResources): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: Array.from({ length: 20 }, (_, s) => statement(p, s, r)) });
}

/** The caller's tags the policies' conditions expect. */
export const BENCH_TAGS = { team: "bench" };

/**
 * Statement `s` of policy `p`. Most name lambda:InvokeFunction or sqs:SendMessage (directly or by a
 * wildcard) on other resources, or on these ones under a condition that does not hold, so that
 * looking statements up by action still leaves most of them to be tried.
 */
function statement(p: number, s: number, r: BenchResources): object {
  const { account: ACCOUNT, region: REGION } = r;
  const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${r.functionName}`;
  const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:${r.queueName}`;
  if (p === ALLOW_AT.policy && s === ALLOW_AT.statement) {
    return {
      Sid: "Bench",
      Effect: "Allow",
      Action: ["lambda:InvokeFunction", "sqs:SendMessage"],
      Resource: [FUNCTION_ARN, `${FUNCTION_ARN}:*`, QUEUE_ARN],
      Condition: {
        StringEquals: { "aws:PrincipalTag/team": "bench" },
        StringLike: { "aws:RequestedRegion": "us-*" },
        IpAddress: { "aws:SourceIp": "127.0.0.0/8" },
        DateGreaterThan: { "aws:CurrentTime": "2020-01-01T00:00:00Z" },
        ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:*/bench-*` },
      },
    };
  }
  // Policies are at most 6,144 characters (AWS's quota), so each of these is short.
  const fn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:`;
  const queue = `arn:aws:sqs:${REGION}:${ACCOUNT}:`;
  switch (s % 5) {
    case 0: // the action, other functions
      return {
        Effect: "Allow",
        Action: ["lambda:InvokeFunction", "lambda:InvokeAsync"],
        Resource: `${fn}other-${p}-${s}*`,
        Condition: { StringEquals: { "aws:PrincipalTag/team": "bench" }, IpAddress: { "aws:SourceIp": "127.0.0.0/8" } },
      };
    case 1: // the action, other queues
      return {
        Effect: "Allow",
        Action: ["sqs:SendMessage", "sqs:ReceiveMessage"],
        Resource: `${queue}other-${p}-${s}-*`,
        Condition: { StringLike: { "aws:RequestedRegion": "us-*" }, DateGreaterThan: { "aws:CurrentTime": "2020-01-01T00:00:00Z" } },
      };
    case 2: // wildcards that name these resources, under a tag the caller does not have
      return {
        Effect: "Allow",
        Action: ["lambda:*", "sqs:Send*"],
        Resource: ["arn:aws:lambda:*:*:function:bench-*", "arn:aws:sqs:*:*:bench-*"],
        Condition: { StringEquals: { "aws:PrincipalTag/team": `t${p}-${s}` }, ArnLike: { "aws:PrincipalArn": `arn:aws:iam::*:*/bench-*` } },
      };
    case 3: // these resources, from an address the caller is not at
      return {
        Effect: "Allow",
        Action: ["lambda:Invoke*", "sqs:*"],
        Resource: [FUNCTION_ARN, QUEUE_ARN],
        Condition: { IpAddress: { "aws:SourceIp": `10.${p}.${s}.0/24` }, StringEquals: { "aws:RequestedRegion": REGION } },
      };
    default: // other services' actions
      return {
        Effect: "Allow",
        Action: ["sns:Publish", "logs:PutLogEvents"],
        Resource: `arn:aws:sns:${REGION}:${ACCOUNT}:t-${p}-${s}`,
        Condition: { StringLike: { "aws:PrincipalTag/team": ["bench", "ops-*"] } },
      };
  }
}

