/**
 * Every CloudWatch Logs operation Flint serves, but StartLiveTail (an event stream: live-tail.ts):
 * request members (JSON 1.1) → decoded, checked input → one service call → result members.
 */
import * as inputs from "../../services/logs/inputs.js";
import type { LogsService } from "../../services/logs/service.js";

type Members = Record<string, unknown>;

/** Resolves the result members, or undefined for an operation without output. */
export type Operation = (logs: LogsService, m: Members) => Promise<Members | undefined>;

const none = async (p: Promise<void>) => void (await p);

export const OPERATIONS: Record<string, Operation> = {
  CreateLogGroup: (l, m) => none(l.createLogGroup(inputs.decodeCreateLogGroup(m))),
  DescribeLogGroups: (l, m) => l.describeLogGroups(inputs.decodeDescribeLogGroups(m)),
  DeleteLogGroup: (l, m) => none(l.deleteLogGroup(inputs.decodeGroupName(m).logGroupName)),
  PutRetentionPolicy: (l, m) => {
    const input = inputs.decodePutRetentionPolicy(m);
    return none(l.putRetentionPolicy(input.logGroupName, input.retentionInDays));
  },
  DeleteRetentionPolicy: (l, m) => none(l.deleteRetentionPolicy(inputs.decodeGroupName(m).logGroupName)),
  CreateLogStream: (l, m) => {
    const input = inputs.decodeStreamName(m);
    return none(l.createLogStream(input.logGroupName, input.logStreamName));
  },
  DescribeLogStreams: (l, m) => l.describeLogStreams(inputs.decodeDescribeLogStreams(m)),
  DeleteLogStream: (l, m) => {
    const input = inputs.decodeStreamName(m);
    return none(l.deleteLogStream(input.logGroupName, input.logStreamName));
  },
  PutLogEvents: (l, m) => l.putLogEvents(inputs.decodePutLogEvents(m)),
  GetLogEvents: (l, m) => l.getLogEvents(inputs.decodeGetLogEvents(m)),
  FilterLogEvents: (l, m) => l.filterLogEvents(inputs.decodeFilterLogEvents(m)),
  TagLogGroup: (l, m) => {
    const input = inputs.decodeTagLogGroup(m);
    return none(l.tagGroup(input.logGroupName, input.tags));
  },
  UntagLogGroup: (l, m) => {
    const input = inputs.decodeUntagLogGroup(m);
    return none(l.untagGroup(input.logGroupName, input.tags));
  },
  ListTagsLogGroup: async (l, m) => ({ tags: await l.listTags(inputs.decodeGroupName(m).logGroupName) }),
  TagResource: (l, m) => {
    const input = inputs.decodeTagResource(m);
    return none(l.tagGroup(l.groupOfResource(input.resourceArn), input.tags));
  },
  UntagResource: (l, m) => {
    const input = inputs.decodeUntagResource(m);
    return none(l.untagGroup(l.groupOfResource(input.resourceArn), input.tagKeys));
  },
  ListTagsForResource: async (l, m) => ({ tags: await l.listTags(l.groupOfResource(inputs.decodeResourceArn(m).resourceArn)) }),
};
