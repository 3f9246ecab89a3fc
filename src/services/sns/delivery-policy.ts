/**
 * Delivery policies: how often and how fast a failed delivery is retried. Lambda and SQS endpoints
 * get AWS's fixed policy (3 immediate retries, 2 a second apart, 10 backing off from 1 to 20 seconds,
 * then 100,000 twenty seconds apart); HTTP/S endpoints get the topic's and subscription's
 * DeliveryPolicy over AWS's default (3 retries, 20 seconds apart) and its request content type.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html
 */
import { awsError } from "../../errors.js";

export interface RetryPolicy {
  minDelayTarget: number;
  maxDelayTarget: number;
  numRetries: number;
  numMaxDelayRetries: number;
  numNoDelayRetries: number;
  numMinDelayRetries: number;
  backoffFunction: "linear" | "arithmetic" | "geometric" | "exponential";
}

export const MANAGED_RETRY: RetryPolicy = {
  minDelayTarget: 1,
  maxDelayTarget: 20,
  numRetries: 100_015,
  numNoDelayRetries: 3,
  numMinDelayRetries: 2,
  numMaxDelayRetries: 100_000,
  backoffFunction: "exponential",
};

const DEFAULT_HTTP_RETRY: RetryPolicy = {
  minDelayTarget: 20,
  maxDelayTarget: 20,
  numRetries: 3,
  numMaxDelayRetries: 0,
  numNoDelayRetries: 0,
  numMinDelayRetries: 0,
  backoffFunction: "linear",
};
const DEFAULT_CONTENT_TYPE = "text/plain; charset=UTF-8";
const BACKOFF_FUNCTIONS = ["linear", "arithmetic", "geometric", "exponential"];
/** AWS's hard limit on an HTTP/S policy's total retry time. */
const MAX_HTTP_RETRY_SECONDS = 3600;
/** AWS's range for numRetries is 0 to 100; the total retry time is added up retry by retry. */
const MAX_HTTP_RETRIES = 100;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const invalid = (reason: string) => awsError("InvalidParameterException", `Invalid parameter: DeliveryPolicy: ${reason}`);

function parseJson(text: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid("failed to parse JSON.");
  }
  if (!isObject(value)) throw invalid("must be a JSON object.");
  return value;
}

function checkRetry(where: string, value: unknown): Partial<RetryPolicy> {
  if (value === undefined) return {};
  if (!isObject(value)) throw invalid(`${where} must be an object`);
  for (const [key, v] of Object.entries(value)) {
    if (key === "backoffFunction") {
      if (!BACKOFF_FUNCTIONS.includes(v as string)) throw invalid(`${where}.backoffFunction must be one of linear, arithmetic, geometric, exponential`);
    } else if (key in DEFAULT_HTTP_RETRY) {
      if (!Number.isInteger(v) || (v as number) < 0) throw invalid(`${where}.${key} must be a non-negative integer`);
      if (key === "numRetries" && (v as number) > MAX_HTTP_RETRIES) throw invalid(`${where}.numRetries must be less than or equal to ${MAX_HTTP_RETRIES}`);
    } else throw invalid(`${where}.${key} is not a valid attribute`);
  }
  const p = value as Partial<RetryPolicy>;
  if (p.minDelayTarget !== undefined && p.maxDelayTarget !== undefined && p.minDelayTarget > p.maxDelayTarget) {
    throw invalid(`${where}.minDelayTarget must be less than or equal to maxDelayTarget`);
  }
  return p;
}

/** Check a topic's DeliveryPolicy (`{"http": {"defaultHealthyRetryPolicy": …}}`). */
export function checkTopicDeliveryPolicy(text: string): void {
  const http = parseJson(text).http;
  if (http === undefined) return;
  if (!isObject(http)) throw invalid("http must be an object");
  checkRetry("http.defaultHealthyRetryPolicy", http.defaultHealthyRetryPolicy);
}

/** Check a subscription's DeliveryPolicy (`{"healthyRetryPolicy": …, "requestPolicy": …}`). */
export function checkSubscriptionDeliveryPolicy(text: string): void {
  const policy = parseJson(text);
  const retry = { ...DEFAULT_HTTP_RETRY, ...checkRetry("healthyRetryPolicy", policy.healthyRetryPolicy) };
  if (totalRetrySeconds(retry) > MAX_HTTP_RETRY_SECONDS) throw invalid(`healthyRetryPolicy total retry time must be at most ${MAX_HTTP_RETRY_SECONDS} seconds`);
}

function totalRetrySeconds(p: RetryPolicy): number {
  let total = 0;
  for (let retry = 1; retry <= p.numRetries; retry++) total += (retryDelayMs(p, retry) ?? 0) / 1000;
  return total;
}

/** The topic's effective policy for HTTP/S, as GetTopicAttributes reports it. */
export function effectiveTopicDeliveryPolicy(topicPolicy: string | undefined): string {
  const http = topicPolicy ? ((parseJson(topicPolicy).http as Json | undefined) ?? {}) : {};
  return JSON.stringify({
    http: {
      defaultHealthyRetryPolicy: { ...DEFAULT_HTTP_RETRY, ...((http.defaultHealthyRetryPolicy as Json | undefined) ?? {}) },
      disableSubscriptionOverrides: http.disableSubscriptionOverrides ?? false,
      defaultRequestPolicy: { headerContentType: DEFAULT_CONTENT_TYPE, ...((http.defaultRequestPolicy as Json | undefined) ?? {}) },
    },
  });
}

/** What an HTTP/S delivery follows: the subscription's policy over the topic's, unless the topic forbids overrides. */
export function httpDeliveryPolicy(topicPolicy: string | undefined, subscriptionPolicy: string | undefined): { retry: RetryPolicy; contentType: string } {
  const http = (JSON.parse(effectiveTopicDeliveryPolicy(topicPolicy)) as { http: Json }).http;
  let retry = http.defaultHealthyRetryPolicy as RetryPolicy;
  let contentType = (http.defaultRequestPolicy as { headerContentType: string }).headerContentType;
  if (subscriptionPolicy && http.disableSubscriptionOverrides !== true) {
    const sub = parseJson(subscriptionPolicy);
    retry = { ...retry, ...((sub.healthyRetryPolicy as Json | undefined) ?? {}) };
    contentType = ((sub.requestPolicy as Json | undefined)?.headerContentType as string | undefined) ?? contentType;
  }
  return { retry, contentType };
}

/**
 * The wait before retry number `retry` (1-based), or undefined when the policy is exhausted. The
 * phases: immediate retries, retries at the minimum delay, a backoff from the minimum to the
 * maximum delay, then retries at the maximum delay.
 */
export function retryDelayMs(p: RetryPolicy, retry: number): number | undefined {
  if (retry > p.numRetries) return undefined;
  if (retry <= p.numNoDelayRetries) return 0;
  let i = retry - p.numNoDelayRetries;
  if (i <= p.numMinDelayRetries) return p.minDelayTarget * 1000;
  i -= p.numMinDelayRetries;
  const backoff = p.numRetries - p.numNoDelayRetries - p.numMinDelayRetries - p.numMaxDelayRetries;
  if (i > backoff) return p.maxDelayTarget * 1000;
  const { minDelayTarget: min, maxDelayTarget: max } = p;
  const x = i / backoff;
  const curve = { linear: x, arithmetic: x * x, geometric: x ** 3, exponential: min > 0 ? (Math.pow(max / min, x) - 1) / (max / min - 1 || 1) : x }[p.backoffFunction];
  return Math.round((min + (max - min) * curve) * 1000);
}
