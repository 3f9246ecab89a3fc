/**
 * Every SQS operation Flint serves: request members (JSON form) → one service call → result members
 * (JSON form). Queue URLs are rendered for the host the client used.
 */
import {
  decodeChangeVisibility,
  decodeEntries,
  decodeReceiveMessage,
  decodeSendMessage,
  optInt,
  optString,
  optStringList,
  optStringMap,
  reqString,
} from "../../services/sqs/inputs.js";
import type { Page, SqsService } from "../../services/sqs/service.js";

type Members = Record<string, unknown>;

export interface OperationContext {
  /** `http://host:port` as the client reached Flint. */
  baseUrl: string;
  /** Aborted when the client goes away (ends a long poll). */
  signal: AbortSignal;
}

/** Resolves the result members, or undefined for an operation without output. */
export type Operation = (sqs: SqsService, m: Members, ctx: OperationContext) => Promise<Members | undefined> | Members | undefined;

const queueUrl = (m: Members) => reqString(m, "QueueUrl");
const pageOf = (m: Members) => ({ MaxResults: optInt(m, "MaxResults"), NextToken: optString(m, "NextToken") });
const urls = (sqs: SqsService, p: Page, ctx: OperationContext) => p.queues.map((q) => sqs.urlOf(q, ctx.baseUrl));

export const OPERATIONS: Record<string, Operation> = {
  async CreateQueue(sqs, m, ctx) {
    const q = await sqs.createQueue({ QueueName: reqString(m, "QueueName"), Attributes: optStringMap(m, "Attributes"), tags: optStringMap(m, "tags") });
    return { QueueUrl: sqs.urlOf(q, ctx.baseUrl) };
  },
  async GetQueueUrl(sqs, m, ctx) {
    return { QueueUrl: sqs.urlOf(await sqs.getQueueUrl(reqString(m, "QueueName"), optString(m, "QueueOwnerAWSAccountId")), ctx.baseUrl) };
  },
  ListQueues(sqs, m, ctx) {
    const p = sqs.listQueues({ QueueNamePrefix: optString(m, "QueueNamePrefix"), ...pageOf(m) });
    return { QueueUrls: p.queues.length ? urls(sqs, p, ctx) : undefined, NextToken: p.nextToken };
  },
  async ListDeadLetterSourceQueues(sqs, m, ctx) {
    const p = await sqs.listDeadLetterSourceQueues(queueUrl(m), pageOf(m));
    return { queueUrls: urls(sqs, p, ctx), NextToken: p.nextToken };
  },
  async DeleteQueue(sqs, m) {
    await sqs.deleteQueue(queueUrl(m));
    return undefined;
  },
  async PurgeQueue(sqs, m) {
    await sqs.purgeQueue(queueUrl(m));
    return undefined;
  },
  async GetQueueAttributes(sqs, m) {
    const attributes = await sqs.getQueueAttributes(queueUrl(m), optStringList(m, "AttributeNames"));
    return { Attributes: Object.keys(attributes).length ? attributes : undefined };
  },
  async SetQueueAttributes(sqs, m) {
    await sqs.setQueueAttributes(queueUrl(m), optStringMap(m, "Attributes") ?? {});
    return undefined;
  },
  async TagQueue(sqs, m) {
    await sqs.tagQueue(queueUrl(m), optStringMap(m, "Tags") ?? {});
    return undefined;
  },
  async UntagQueue(sqs, m) {
    await sqs.untagQueue(queueUrl(m), optStringList(m, "TagKeys") ?? []);
    return undefined;
  },
  async ListQueueTags(sqs, m) {
    const tags = await sqs.listQueueTags(queueUrl(m));
    return { Tags: Object.keys(tags).length ? tags : undefined };
  },
  async SendMessage(sqs, m) {
    return { ...(await sqs.sendMessage(queueUrl(m), decodeSendMessage(m))) };
  },
  async SendMessageBatch(sqs, m) {
    return { ...(await sqs.sendMessageBatch(queueUrl(m), decodeEntries(m, decodeSendMessage))) };
  },
  async ReceiveMessage(sqs, m, ctx) {
    const messages = await sqs.receiveMessage(queueUrl(m), decodeReceiveMessage(m), ctx.signal);
    return { Messages: messages.length ? messages : undefined };
  },
  async DeleteMessage(sqs, m) {
    await sqs.deleteMessage(queueUrl(m), reqString(m, "ReceiptHandle"));
    return undefined;
  },
  async DeleteMessageBatch(sqs, m) {
    return { ...(await sqs.deleteMessageBatch(queueUrl(m), decodeEntries(m, (e) => ({ ReceiptHandle: reqString(e, "ReceiptHandle") })))) };
  },
  async ChangeMessageVisibility(sqs, m) {
    const { ReceiptHandle, VisibilityTimeout } = decodeChangeVisibility(m);
    await sqs.changeMessageVisibility(queueUrl(m), ReceiptHandle, VisibilityTimeout);
    return undefined;
  },
  StartMessageMoveTask(sqs, m) {
    return sqs.startMessageMoveTask({
      SourceArn: reqString(m, "SourceArn"),
      DestinationArn: optString(m, "DestinationArn"),
      MaxNumberOfMessagesPerSecond: optInt(m, "MaxNumberOfMessagesPerSecond"),
    }) as Promise<Members>;
  },
  ListMessageMoveTasks(sqs, m) {
    return { Results: sqs.listMessageMoveTasks(reqString(m, "SourceArn"), optInt(m, "MaxResults")) };
  },
  async CancelMessageMoveTask(sqs, m) {
    return { ...(await sqs.cancelMessageMoveTask(reqString(m, "TaskHandle"))) };
  },
  async ChangeMessageVisibilityBatch(sqs, m) {
    return { ...(await sqs.changeMessageVisibilityBatch(queueUrl(m), decodeEntries(m, decodeChangeVisibility))) };
  },
};
