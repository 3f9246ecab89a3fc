/**
 * Every Kinesis operation Flint serves: request members (JSON 1.1) → decoded, validated input → one
 * service call → result members. Blobs stay Buffers here; the handler writes them as base64.
 */
import * as inputs from "../../services/kinesis/inputs.js";
import type { KinesisService } from "../../services/kinesis/service.js";

type Members = Record<string, unknown>;

/** Resolves the result members, or undefined for an operation without output. */
export type Operation = (kinesis: KinesisService, m: Members) => Promise<Members | undefined> | Members | undefined;

const none = async (p: Promise<void>) => void (await p);

export const OPERATIONS: Record<string, Operation> = {
  CreateStream: (k, m) => none(k.createStream(inputs.decodeCreateStream(m))),
  DeleteStream: (k, m) => none(k.deleteStream(inputs.decodeRef(m))),
  DescribeStream: (k, m) => k.describeStream(inputs.decodeDescribeStream(m)),
  DescribeStreamSummary: (k, m) => k.describeStreamSummary(inputs.decodeRef(m)),
  ListShards: (k, m) => k.listShards(inputs.decodeListShards(m)),
  ListStreams: (k, m) => k.listStreams(inputs.decodeListStreams(m)),
  IncreaseStreamRetentionPeriod: (k, m) => none(k.increaseRetention(inputs.decodeRetention(m))),
  DecreaseStreamRetentionPeriod: (k, m) => none(k.decreaseRetention(inputs.decodeRetention(m))),
  AddTagsToStream: (k, m) => {
    const input = inputs.decodeAddTags(m);
    return none(k.addTags(input, input.Tags));
  },
  RemoveTagsFromStream: (k, m) => {
    const input = inputs.decodeRemoveTags(m);
    return none(k.removeTags(input, input.TagKeys));
  },
  ListTagsForStream: (k, m) => k.listTags(inputs.decodeListTags(m)),
  TagResource: (k, m) => {
    const input = inputs.decodeTagResource(m);
    return none(k.addTags(input, input.Tags));
  },
  UntagResource: (k, m) => {
    const input = inputs.decodeUntagResource(m);
    return none(k.removeTags(input, input.TagKeys));
  },
  ListTagsForResource: async (k, m) => ({ Tags: (await k.listTags(inputs.decodeResourceRef(m))).Tags }),
  PutRecord: (k, m) => k.putRecord(inputs.decodePutRecord(m)),
  PutRecords: (k, m) => k.putRecords(inputs.decodePutRecords(m)),
  GetShardIterator: (k, m) => k.getShardIterator(inputs.decodeGetShardIterator(m)),
  GetRecords: (k, m) => k.getRecords(inputs.decodeGetRecords(m)),
};
