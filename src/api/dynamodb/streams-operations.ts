/**
 * Every DynamoDB Streams operation Flint serves (`DynamoDBStreams_20120810.<Op>`, JSON 1.0):
 * request members → validated input → one service call → result members. The members are checked
 * as AWS's model constrains them, with its messages ("1 validation error detected: Value 'x' at
 * 'limit' failed to satisfy constraint: …", every violation of a request in one message).
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB_Streams.html
 */
import type { DynamoStreamsService, ShardIteratorType } from "../../services/dynamodb/streams.js";
import { streamsError } from "../../services/dynamodb/streams.js";

type Members = Record<string, unknown>;

export type StreamsOperation = (streams: DynamoStreamsService, m: Members) => Promise<Members>;

const ITERATOR_TYPES: ShardIteratorType[] = ["TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"];

/** Collects a request's constraint violations; `done()` throws them as one ValidationException. */
class Checks {
  private readonly problems: string[] = [];

  constructor(private readonly m: Members) {}

  private fail(value: unknown, member: string, constraint: string): void {
    const shown = value === undefined || value === null ? "null" : `'${String(value)}'`;
    this.problems.push(`Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`);
  }

  private typed<T>(name: string, type: "string" | "number"): T | undefined {
    const v = this.m[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== type || (type === "number" && !Number.isInteger(v))) {
      throw streamsError("ValidationException", `Invalid type for parameter ${name}: expected ${type === "string" ? "a string" : "an integer"}`);
    }
    return v as T;
  }

  string(name: string, member: string, o: { required?: boolean; min?: number; max?: number; pattern?: RegExp; patternText?: string; values?: string[] }): string | undefined {
    const v = this.typed<string>(name, "string");
    if (v === undefined) {
      if (o.required) this.fail(undefined, member, "Member must not be null");
      return undefined;
    }
    if (o.values && !o.values.includes(v)) this.fail(v, member, `Member must satisfy enum value set: [${o.values.join(", ")}]`);
    if (o.min !== undefined && v.length < o.min) this.fail(v, member, `Member must have length greater than or equal to ${o.min}`);
    if (o.max !== undefined && v.length > o.max) this.fail(v, member, `Member must have length less than or equal to ${o.max}`);
    if (o.pattern && !o.pattern.test(v)) this.fail(v, member, `Member must satisfy regular expression pattern: ${o.patternText}`);
    return v;
  }

  integer(name: string, member: string, min: number, max?: number): number | undefined {
    const v = this.typed<number>(name, "number");
    if (v === undefined) return undefined;
    if (v < min) this.fail(v, member, `Member must have value greater than or equal to ${min}`);
    if (max !== undefined && v > max) this.fail(v, member, `Member must have value less than or equal to ${max}`);
    return v;
  }

  done(): void {
    const n = this.problems.length;
    if (n > 0) throw streamsError("ValidationException", `${n} validation error${n > 1 ? "s" : ""} detected: ${this.problems.join("; ")}`);
  }
}

const streamArn = (c: Checks, name: string, member: string, required: boolean) => c.string(name, member, { required, min: 37, max: 1024 });
const shardId = (c: Checks, name: string, member: string, required: boolean) => c.string(name, member, { required, min: 28, max: 65 });

export const STREAMS_OPERATIONS: Record<string, StreamsOperation> = {
  ListStreams: async (s, m) => {
    const c = new Checks(m);
    const TableName = c.string("TableName", "tableName", { min: 3, max: 255, pattern: /^[a-zA-Z0-9_.-]+$/, patternText: "[a-zA-Z0-9_.-]+" });
    const Limit = c.integer("Limit", "limit", 1);
    const ExclusiveStartStreamArn = streamArn(c, "ExclusiveStartStreamArn", "exclusiveStartStreamArn", false);
    c.done();
    return s.listStreams({ TableName, Limit: Limit === undefined ? undefined : Math.min(Limit, 100), ExclusiveStartStreamArn });
  },
  DescribeStream: async (s, m) => {
    const c = new Checks(m);
    const StreamArn = streamArn(c, "StreamArn", "streamArn", true);
    const Limit = c.integer("Limit", "limit", 1);
    const ExclusiveStartShardId = shardId(c, "ExclusiveStartShardId", "exclusiveStartShardId", false);
    c.done();
    return s.describeStream({ StreamArn: StreamArn!, Limit, ExclusiveStartShardId });
  },
  GetShardIterator: async (s, m) => {
    const c = new Checks(m);
    const StreamArn = streamArn(c, "StreamArn", "streamArn", true);
    const ShardId = shardId(c, "ShardId", "shardId", true);
    const ShardIteratorType = c.string("ShardIteratorType", "shardIteratorType", { required: true, values: ITERATOR_TYPES }) as ShardIteratorType | undefined;
    const SequenceNumber = c.string("SequenceNumber", "sequenceNumber", { min: 21, max: 40 });
    c.done();
    return s.getShardIterator({ StreamArn: StreamArn!, ShardId: ShardId!, ShardIteratorType: ShardIteratorType!, SequenceNumber });
  },
  GetRecords: async (s, m) => {
    const c = new Checks(m);
    const ShardIterator = c.string("ShardIterator", "shardIterator", { required: true, min: 1, max: 2048 });
    const Limit = c.integer("Limit", "limit", 1, 1000);
    c.done();
    return s.getRecords({ ShardIterator: ShardIterator!, Limit });
  },
};
