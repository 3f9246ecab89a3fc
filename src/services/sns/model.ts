/**
 * What an SNS topic, a subscription, a published message and a pending delivery are, as stored.
 * Inputs and outputs keep AWS's member names; stored records use Flint's.
 * https://docs.aws.amazon.com/sns/latest/api/Welcome.html
 */

/** A message attribute as Publish takes it; binary values as bytes. */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Uint8Array;
}

export type MessageAttributes = Record<string, MessageAttributeValue>;

export interface TopicRecord {
  arn: string;
  name: string;
  fifo: boolean;
  /** Settable attributes as the caller set them (DisplayName, Policy, DeliveryPolicy, …). */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  /** Subscriptions removed from it, for `SubscriptionsDeleted`. */
  deletedSubscriptions: number;
}

export const PROTOCOLS = ["lambda", "sqs", "http", "https"] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export interface SubscriptionRecord {
  arn: string;
  topicArn: string;
  protocol: Protocol;
  endpoint: string;
  /** HTTP/S subscriptions wait for ConfirmSubscription with this token. */
  pending: boolean;
  token?: string;
  /** Flint time it was created (epoch ms): unconfirmed subscriptions expire after 3 days. */
  createdAt: number;
  confirmationWasAuthenticated: boolean;
  /** Set by ConfirmSubscription's AuthenticateOnUnsubscribe: an unsigned Unsubscribe link is refused. */
  authenticateOnUnsubscribe: boolean;
  /** Settable attributes as the caller set them (FilterPolicy, RawMessageDelivery, …). */
  attributes: Record<string, string>;
}

/** A published message as it waits for its deliveries. */
export interface StoredMessage {
  messageId: string;
  topicArn: string;
  /** The message; with MessageStructure=json, one per protocol and a `default`. */
  message: string;
  perProtocol?: Partial<Record<Protocol | "default", string>>;
  subject?: string;
  /** Binary values base64, as the envelope carries them. */
  attributes: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
  /** Flint time it was published (epoch ms). */
  timestamp: number;
  groupId?: string;
  dedupId?: string;
  sequenceNumber?: string;
}

export type DeliveryKind = "notification" | "confirmation";

/** One message (or a subscription confirmation) on its way to one subscription. */
export interface Delivery {
  seq: number;
  kind: DeliveryKind;
  subscriptionArn: string;
  messageId?: string;
  /** Attempts made so far. */
  attempts: number;
  /** Flint time of the next attempt. */
  dueAt: number;
  /** Deliveries with the same key are made one after another, in seq order (FIFO topics: subscription and group). */
  orderKey?: string;
}

export type NewDelivery = Omit<Delivery, "seq">;
