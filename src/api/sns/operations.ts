/**
 * Every SNS operation Flint serves: request members → one service call → result members.
 */
import { decodeBatchEntries, decodePublish, optBoolean, optString, optStringList, optStringMap, optTags, required } from "../../services/sns/inputs.js";
import type { SnsService } from "../../services/sns/service.js";

type Members = Record<string, unknown>;

export interface OperationContext {
  /** Whether the request was signed (ConfirmSubscription and Unsubscribe links are not). */
  authenticated: boolean;
}

/** Resolves the result members, or undefined for an operation without output. */
export type Operation = (sns: SnsService, m: Members, ctx: OperationContext) => Promise<Members | undefined> | Members | undefined;

/** Operations AWS serves without a signature, from the links in SNS messages. */
export const UNSIGNED_OPERATIONS = new Set(["ConfirmSubscription", "Unsubscribe"]);

export const OPERATIONS: Record<string, Operation> = {
  async CreateTopic(sns, m) {
    const t = await sns.createTopic({ Name: required(m, "Name"), Attributes: optStringMap(m, "Attributes"), Tags: optTags(m) });
    return { TopicArn: t.arn };
  },
  ListTopics(sns, m) {
    const p = sns.listTopics(optString(m, "NextToken"));
    return { Topics: p.topics.map((t) => ({ TopicArn: t.arn })), NextToken: p.nextToken };
  },
  async DeleteTopic(sns, m) {
    await sns.deleteTopic(required(m, "TopicArn"));
    return undefined;
  },
  async GetTopicAttributes(sns, m) {
    return { Attributes: await sns.getTopicAttributes(required(m, "TopicArn")) };
  },
  async SetTopicAttributes(sns, m) {
    await sns.setTopicAttributes(required(m, "TopicArn"), required(m, "AttributeName"), optString(m, "AttributeValue") ?? "");
    return undefined;
  },
  async Subscribe(sns, m) {
    const input = { TopicArn: required(m, "TopicArn"), Protocol: required(m, "Protocol"), Endpoint: optString(m, "Endpoint"), Attributes: optStringMap(m, "Attributes"), ReturnSubscriptionArn: optBoolean(m, "ReturnSubscriptionArn") };
    return { SubscriptionArn: await sns.subscribe(input) };
  },
  async ConfirmSubscription(sns, m, ctx) {
    const authenticate = optString(m, "AuthenticateOnUnsubscribe")?.toLowerCase() === "true";
    return { SubscriptionArn: await sns.confirmSubscription(required(m, "TopicArn"), required(m, "Token"), authenticate, ctx.authenticated) };
  },
  async Unsubscribe(sns, m, ctx) {
    await sns.unsubscribe(required(m, "SubscriptionArn"), ctx.authenticated);
    return undefined;
  },
  ListSubscriptions(sns, m) {
    const p = sns.listSubscriptions(optString(m, "NextToken"));
    return { Subscriptions: p.subscriptions, NextToken: p.nextToken };
  },
  async ListSubscriptionsByTopic(sns, m) {
    const p = await sns.listSubscriptionsByTopic(required(m, "TopicArn"), optString(m, "NextToken"));
    return { Subscriptions: p.subscriptions, NextToken: p.nextToken };
  },
  async GetSubscriptionAttributes(sns, m) {
    return { Attributes: await sns.getSubscriptionAttributes(required(m, "SubscriptionArn")) };
  },
  async SetSubscriptionAttributes(sns, m) {
    await sns.setSubscriptionAttributes(required(m, "SubscriptionArn"), required(m, "AttributeName"), optString(m, "AttributeValue") ?? "");
    return undefined;
  },
  async Publish(sns, m) {
    return { ...(await sns.publish(decodePublish(m))) };
  },
  async PublishBatch(sns, m) {
    return { ...(await sns.publishBatch(required(m, "TopicArn"), decodeBatchEntries(m))) };
  },
  async TagResource(sns, m) {
    await sns.tagResource(required(m, "ResourceArn"), optTags(m) ?? []);
    return {};
  },
  async UntagResource(sns, m) {
    await sns.untagResource(required(m, "ResourceArn"), optStringList(m, "TagKeys") ?? []);
    return {};
  },
  async ListTagsForResource(sns, m) {
    return { Tags: await sns.listTagsForResource(required(m, "ResourceArn")) };
  },
};
