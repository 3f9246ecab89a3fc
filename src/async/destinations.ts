/**
 * Where asynchronous invocation sends records and dead-letter messages, by the target's ARN:
 * an SQS queue, an SNS topic or a Lambda function (invoked asynchronously with the record).
 */
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

export class Destinations {
  /** Decides whether the sender may send to the target (throws the refusal); none: every send is allowed. */
  authorize: (target: string, from: Sender) => void = () => {};

  constructor(private readonly services: DestinationServices) {}

  /** Register a service once it exists (the composition root wires them in any order). */
  set(service: keyof DestinationServices, send: Send): void {
    this.services[service] = send;
  }

  deliver = async (arn: string, body: string, attributes: Record<string, MessageAttribute> | undefined, from: Sender): Promise<void> => {
    const service = serviceOf(arn);
    const send = service === "sqs" || service === "sns" || service === "lambda" ? this.services[service] : undefined;
    if (!send) throw new Error(`Flint cannot deliver to ${arn}: ${service ?? "unknown"} destinations are not supported`);
    this.authorize(arn, from);
    await send(arn, body, attributes);
  };
}
