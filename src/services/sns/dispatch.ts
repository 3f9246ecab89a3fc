/**
 * One delivery attempt to one subscription, by protocol: an asynchronous invoke for Lambda, a send
 * for SQS (the SNS envelope, or the raw message and its attributes), a POST for HTTP/S; and what a
 * failure means. Client-side failures (the queue or function does not exist, an HTTP 4xx) are not
 * retried; others follow the delivery policy. Given up deliveries go to the subscription's
 * dead-letter queue (RedrivePolicy) or are logged.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html
 */
import { randomUUID } from "node:crypto";
import { AwsError } from "../../errors.js";
import type { SendMessageInput } from "../sqs/inputs.js";
import type { AttemptOutcome } from "./deliveries.js";
import { MANAGED_RETRY, httpDeliveryPolicy, retryDelayMs, type RetryPolicy } from "./delivery-policy.js";
import { type EnvelopeContext, lambdaEvent, messageFor, notification, snsJson, subscriptionConfirmation } from "./envelopes.js";
import { sqsAttributes } from "./message-attributes.js";
import type { Delivery, StoredMessage, SubscriptionRecord } from "./model.js";
import type { MessageSigner } from "./signing.js";
import type { TopicRegistry } from "./topics.js";

/**
 * Where SNS hands messages over, in-process, as the SNS service for the topic `sourceArn` (the
 * target's own policy decides whether that topic may: a queue policy, a function's permissions).
 */
export interface DeliveryTargets {
  /** Send to the SQS queue an ARN names; resolves once the message is stored. */
  sqs: { sendMessage(queueArn: string, input: SendMessageInput, sourceArn: string): Promise<unknown> };
  /** Invoke the function an ARN names asynchronously; resolves once the event is stored. */
  invokeAsync(functionArn: string, payload: string, sourceArn: string): Promise<void>;
}

/** AWS waits 15 seconds for an HTTP/S endpoint to answer. */
const HTTP_TIMEOUT_MS = 15_000;
const USER_AGENT = "Amazon Simple Notification Service Agent";

type Sent = { ok: true } | { ok: false; retryable: boolean; error: string };

/** An AwsError of the caller's making (the target does not exist, the message does not fit) is not retried. */
function failed(err: unknown): Sent {
  return { ok: false, retryable: !(err instanceof AwsError && err.fault === "client"), error: (err as Error).message };
}

/** At most `limit` calls of `fn` at once; the rest wait their turn. */
function limited<A extends unknown[], R>(limit: number, fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (...args) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await fn(...args);
    } finally {
      // The slot passes straight to the next waiter, if any.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

async function post(url: string, headers: Record<string, string>, body: string): Promise<Sent> {
  try {
    const res = await fetch(url, { method: "POST", headers: { "User-Agent": USER_AGENT, ...headers }, body, redirect: "manual", signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true };
    // 5xx and statuses outside 200-599 are failed attempts and retried; other answers are the endpoint's refusal.
    return { ok: false, retryable: res.status >= 500 || res.status < 200, error: `HTTP ${res.status} from ${url}` };
  } catch (err) {
    return { ok: false, retryable: true, error: `${url}: ${(err as Error).message}` };
  }
}

export class Dispatcher {
  /** POSTs to HTTP/S endpoints, at most `httpConcurrency` in flight (a slow endpoint holds a socket up to 15 s). */
  private readonly post: typeof post;

  constructor(
    private readonly reg: TopicRegistry,
    private readonly targets: DeliveryTargets,
    private readonly signer: MessageSigner,
    private readonly endpoint: () => string,
    httpConcurrency: number,
  ) {
    this.post = limited(httpConcurrency, post);
  }

  private context(topicArn: string): EnvelopeContext {
    const version = this.reg.get(topicArn)?.attributes.SignatureVersion === "2" ? "2" : "1";
    return { endpoint: this.endpoint(), signer: this.signer, signatureVersion: version };
  }

  private retryPolicy(sub: SubscriptionRecord): RetryPolicy {
    if (sub.protocol !== "http" && sub.protocol !== "https") return MANAGED_RETRY;
    return httpDeliveryPolicy(this.reg.get(sub.topicArn)?.attributes.DeliveryPolicy, sub.attributes.DeliveryPolicy).retry;
  }

  attempt = async (d: Delivery): Promise<AttemptOutcome> => {
    await this.signer.ready;
    const sub = this.reg.subscription(d.subscriptionArn)?.record;
    // Unsubscribed (or its topic deleted) since: nothing is owed any more.
    if (!sub) return { done: true };
    let sent: Sent;
    if (d.kind === "confirmation") {
      if (!sub.pending) return { done: true };
      sent = await this.confirm(sub);
    } else {
      const m = await this.reg.store.getMessage(d.messageId!);
      if (!m) return { done: true };
      sent = await this.send(sub, m);
    }
    if (sent.ok) return { done: true };
    const retryInMs = sent.retryable ? retryDelayMs(this.retryPolicy(sub), d.attempts + 1) : undefined;
    return retryInMs === undefined ? { done: false, error: sent.error } : { done: false, error: sent.error, retryInMs };
  };

  private async confirm(sub: SubscriptionRecord): Promise<Sent> {
    const doc = await subscriptionConfirmation(sub, randomUUID(), this.reg.clock.now(), this.context(sub.topicArn));
    const headers = { "Content-Type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "SubscriptionConfirmation", "x-amz-sns-message-id": doc.MessageId as string, "x-amz-sns-topic-arn": sub.topicArn };
    return this.post(sub.endpoint, headers, snsJson(doc));
  }

  /** What an SQS queue receives: the envelope, or with RawMessageDelivery the message and its attributes. */
  private async sqsInput(sub: SubscriptionRecord, m: StoredMessage): Promise<SendMessageInput> {
    const raw = sub.attributes.RawMessageDelivery === "true";
    const input: SendMessageInput = raw
      ? { MessageBody: messageFor(m, sub.protocol), ...(Object.keys(m.attributes).length ? { MessageAttributes: sqsAttributes(m.attributes) } : {}) }
      : { MessageBody: snsJson(await notification(m, sub, this.context(m.topicArn))) };
    if (m.groupId !== undefined && sub.endpoint.endsWith(".fifo")) Object.assign(input, { MessageGroupId: m.groupId, MessageDeduplicationId: m.dedupId });
    return input;
  }

  private async send(sub: SubscriptionRecord, m: StoredMessage): Promise<Sent> {
    try {
      switch (sub.protocol) {
        case "sqs":
          await this.targets.sqs.sendMessage(sub.endpoint, await this.sqsInput(sub, m), m.topicArn);
          return { ok: true };
        case "lambda":
          await this.targets.invokeAsync(sub.endpoint, await lambdaEvent(m, sub, this.context(m.topicArn)), m.topicArn);
          return { ok: true };
        case "http":
        case "https":
          return await this.notify(sub, m);
      }
    } catch (err) {
      return failed(err);
    }
  }

  private async notify(sub: SubscriptionRecord, m: StoredMessage): Promise<Sent> {
    const raw = sub.attributes.RawMessageDelivery === "true";
    const { contentType } = httpDeliveryPolicy(this.reg.get(sub.topicArn)?.attributes.DeliveryPolicy, sub.attributes.DeliveryPolicy);
    const headers: Record<string, string> = {
      "Content-Type": contentType,
      "x-amz-sns-message-type": "Notification",
      "x-amz-sns-message-id": m.messageId,
      "x-amz-sns-topic-arn": m.topicArn,
      "x-amz-sns-subscription-arn": sub.arn,
    };
    if (raw) headers["x-amz-sns-rawdelivery"] = "true";
    return this.post(sub.endpoint, headers, raw ? messageFor(m, sub.protocol) : snsJson(await notification(m, sub, this.context(m.topicArn))));
  }

  /** The policy gave up: the subscription's dead-letter queue gets what the endpoint would have, else a log line. */
  giveUp = async (d: Delivery, error: string): Promise<void> => {
    await this.signer.ready;
    const sub = this.reg.subscription(d.subscriptionArn)?.record;
    const dlq = sub?.attributes.RedrivePolicy ? (JSON.parse(sub.attributes.RedrivePolicy) as { deadLetterTargetArn: string }).deadLetterTargetArn : undefined;
    const m = d.messageId ? await this.reg.store.getMessage(d.messageId) : undefined;
    if (sub && dlq && m) {
      try {
        await this.targets.sqs.sendMessage(dlq, await this.sqsInput(sub, m), sub.topicArn);
        return;
      } catch (err) {
        console.error(`flint: sns could not move message ${m.messageId} to dead-letter queue ${dlq}: ${(err as Error).message}`);
      }
    }
    console.error(`flint: sns gave up ${d.kind} ${d.messageId ?? ""} to ${d.subscriptionArn} after ${d.attempts} attempt(s): ${error}`);
  };
}
