/**
 * Where asynchronous invocation sends records and dead-letter messages, by the target's ARN:
 * an SQS queue, an SNS topic or a Lambda function (invoked asynchronously with the record).
 */
import type { Ask } from "../iam/authorizer.js";
import type { MessageAttribute } from "./records.js";

export type Send = (arn: string, body: string, attributes?: Record<string, MessageAttribute>) => Promise<void>;
/** Who a message is sent for: the function whose event it is (its execution role decides). */
export interface Sender {
  functionName: string;
  qualifier?: string;
}

export interface DestinationServices {
  sqs?: Send;
  sns?: Send;
  lambda?: Send;
}

/** The service an ARN names: arn:aws:<service>:<region>:<account>:<resource>. */
export function serviceOf(arn: string): string | undefined {
  return /^arn:aws[a-zA-Z-]*:([a-z0-9-]+):/.exec(arn)?.[1];
}

/** What sending to each kind of target asks of the sender's execution role. */
const ACTION = { sqs: "sqs:SendMessage", sns: "sns:Publish", lambda: "lambda:InvokeFunction" } as const;

export class Destinations {
  /** Decides whether the sender may do what a send asks (throws the refusal); none: every send is allowed. */
  authorize: (from: Sender, ask: Ask) => void = () => {};

  constructor(private readonly services: DestinationServices) {}

  /** Register a service once it exists (the composition root wires them in any order). */
  set(service: keyof DestinationServices, send: Send): void {
    this.services[service] = send;
  }

  deliver = async (arn: string, body: string, attributes: Record<string, MessageAttribute> | undefined, from: Sender): Promise<void> => {
    const service = serviceOf(arn);
    const send = service === "sqs" || service === "sns" || service === "lambda" ? this.services[service] : undefined;
    if (!send) throw new Error(`Flint cannot deliver to ${arn}: ${service ?? "unknown"} destinations are not supported`);
    this.authorize(from, { action: ACTION[service as keyof typeof ACTION], resource: arn });
    await send(arn, body, attributes);
  };
}
