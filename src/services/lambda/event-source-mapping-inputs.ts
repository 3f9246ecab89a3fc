/**
 * What a CreateEventSourceMapping or UpdateEventSourceMapping request says, decoded and checked as
 * AWS checks it: model constraints first (ValidationException), then what depends on the source
 * (per-source members and limits). The service (event-source-mappings.ts) applies it.
 */
import { awsError } from "../../errors.js";
import type { MappingRecord, SourceFacts, SourceKind, StreamSettings } from "./event-source-mappings.js";
import { Violations, checkTagValues, member } from "./validation.js";

const MAX_TAGS = 50;

export const STARTING_POSITIONS = ["LATEST", "AT_TIMESTAMP", "TRIM_HORIZON"] as const;
export type StartingPosition = (typeof STARTING_POSITIONS)[number];

const RANGES = {
  BatchSize: ["batchSize", 1, 10000],
  MaximumBatchingWindowInSeconds: ["maximumBatchingWindowInSeconds", 0, 300],
  ParallelizationFactor: ["parallelizationFactor", 1, 10],
  MaximumRecordAgeInSeconds: ["maximumRecordAgeInSeconds", -1, 604800],
  MaximumRetryAttempts: ["maximumRetryAttempts", -1, 10000],
  TumblingWindowInSeconds: ["tumblingWindowInSeconds", 0, 900],
} as const;
const STREAM_ONLY = ["ParallelizationFactor", "MaximumRecordAgeInSeconds", "MaximumRetryAttempts", "TumblingWindowInSeconds", "BisectBatchOnFunctionError"] as const;

/** The members of a Create or Update request, type-checked (ranges are checked by `validate`). */
export interface MappingInput extends StreamSettings {
  functionName?: string;
  eventSourceArn?: string;
  enabled?: boolean;
  batchSize?: number;
  maximumBatchingWindowInSeconds?: number;
  functionResponseTypes?: string[];
  /** null: FilterCriteria given with no (or an empty list of) filters, which clears them. */
  filters?: { Pattern: string }[] | null;
  maximumConcurrency?: number | null;
  startingPosition?: string;
  startingPositionTimestamp?: number;
  /** null: DestinationConfig.OnFailure given without a Destination (clears it). */
  onFailure?: string | null;
  onSuccess?: string;
  tags?: Record<string, string>;
  /** Which stream-only members were given (SQS refuses them). */
  given: Set<string>;
}

export function decodeMapping(body: Record<string, unknown>): MappingInput {
  const given = new Set(Object.keys(body).filter((k) => body[k] !== undefined && body[k] !== null));
  const out: MappingInput = { given };
  const set = <K extends keyof MappingInput>(key: K, value: MappingInput[K] | undefined) => {
    if (value !== undefined) out[key] = value;
  };
  set("functionName", member(body, "FunctionName", "string"));
  set("eventSourceArn", member(body, "EventSourceArn", "string"));
  set("enabled", member(body, "Enabled", "boolean"));
  set("batchSize", member(body, "BatchSize", "integer"));
  set("maximumBatchingWindowInSeconds", member(body, "MaximumBatchingWindowInSeconds", "integer"));
  set("functionResponseTypes", member(body, "FunctionResponseTypes", "stringArray"));
  set("startingPosition", member(body, "StartingPosition", "string"));
  const ts = body.StartingPositionTimestamp;
  if (ts !== undefined && ts !== null) {
    if (typeof ts !== "number") throw awsError("InvalidRequestContentException", "Could not parse request body into json: Cannot deserialize value of type `java.util.Date` at 'StartingPositionTimestamp'");
    out.startingPositionTimestamp = ts;
  }
  set("parallelizationFactor", member(body, "ParallelizationFactor", "integer"));
  set("bisectBatchOnFunctionError", member(body, "BisectBatchOnFunctionError", "boolean"));
  set("maximumRetryAttempts", member(body, "MaximumRetryAttempts", "integer"));
  set("maximumRecordAgeInSeconds", member(body, "MaximumRecordAgeInSeconds", "integer"));
  set("tumblingWindowInSeconds", member(body, "TumblingWindowInSeconds", "integer"));
  set("tags", member(body, "Tags", "stringMap"));
  const criteria = member(body, "FilterCriteria", "object");
  if (criteria) {
    const filters = criteria.Filters;
    if (filters !== undefined && filters !== null && !Array.isArray(filters)) throw awsError("InvalidRequestContentException", "Could not parse request body into json: Cannot deserialize value of type `java.util.List` at 'FilterCriteria.Filters'");
    const list = (filters ?? []) as unknown[];
    out.filters = list.length === 0 ? null : list.map((f) => ({ Pattern: typeof f === "object" && f !== null && typeof (f as { Pattern?: unknown }).Pattern === "string" ? (f as { Pattern: string }).Pattern : "" }));
  }
  const scaling = member(body, "ScalingConfig", "object");
  if (scaling) out.maximumConcurrency = member(scaling, "MaximumConcurrency", "integer") ?? null;
  const destinations = member(body, "DestinationConfig", "object");
  if (destinations) {
    const onFailure = member(destinations, "OnFailure", "object");
    const onSuccess = member(destinations, "OnSuccess", "object");
    if (onFailure) out.onFailure = member(onFailure, "Destination", "string") ?? null;
    const success = onSuccess && member(onSuccess, "Destination", "string");
    if (success) out.onSuccess = success;
  }
  return out;
}

/** The source an ARN names, by its service and resource type. */
export function sourceKind(arn: string): SourceKind | undefined {
  const parts = arn.split(":");
  if (parts[0] !== "arn" || parts.length < 6) return undefined;
  if (parts[2] === "sqs" && parts.length === 6 && parts[5]) return "sqs";
  if (parts[2] === "kinesis" && parts[5]?.startsWith("stream/")) return "kinesis";
  if (parts[2] === "dynamodb" && /^table\/[^/]+\/stream\/.+/.test(parts[5] ?? "")) return "dynamodb";
  return undefined;
}

/** Model constraints, reported together as AWS's ValidationException. */
export function validate(input: MappingInput): void {
  const v = new Violations();
  for (const [field, min, max] of Object.values(RANGES)) {
    const value = input[field];
    if (typeof value === "number") v.range(field, value, min, max);
  }
  if (input.startingPosition !== undefined && !(STARTING_POSITIONS as readonly string[]).includes(input.startingPosition)) {
    v.add(`Value '${input.startingPosition}' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum value set: [${STARTING_POSITIONS.join(", ")}]`);
  }
  const types = input.functionResponseTypes ?? [];
  if (types.some((t) => t !== "ReportBatchItemFailures")) v.add(`Value '[${types.join(", ")}]' at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]`);
  if (types.length > 1) v.add(`Value '[${types.join(", ")}]' at 'functionResponseTypes' failed to satisfy constraint: Member must have length less than or equal to 1`);
  if (typeof input.maximumConcurrency === "number") v.range("scalingConfig.maximumConcurrency", input.maximumConcurrency, 2, 1000);
  for (const [i, f] of (input.filters ?? []).entries()) {
    if (f.Pattern.length > 4096) v.maxLength(`filterCriteria.filters.${i + 1}.member.pattern`, f.Pattern, 4096);
  }
  if (input.onFailure && input.onFailure.length > 350) v.maxLength("destinationConfig.onFailure.destination", input.onFailure, 350);
  v.throwIfAny();
  // MaximumRecordAgeInSeconds: -1 (forever) or at least a minute.
  if (input.maximumRecordAgeInSeconds !== undefined && input.maximumRecordAgeInSeconds >= 0 && input.maximumRecordAgeInSeconds < 60) {
    throw awsError("InvalidParameterValueException", "MaximumRecordAgeInSeconds must be -1 or between 60 and 604800.");
  }
}

const unsupported = (parameter: string) => awsError("InvalidParameterValueException", `Unsupported ${parameter} parameter for given event source mapping type.`);

/** Checks what depends on the source: its members, limits and destinations. */
export function checkForSource(m: MappingRecord, input: MappingInput, facts: SourceFacts, functionTimeout?: number): void {
  if (m.source === "sqs") {
    if (functionTimeout !== undefined && facts.visibilityTimeout !== undefined && facts.visibilityTimeout < functionTimeout) {
      throw awsError("InvalidParameterValueException", `Queue visibility timeout: ${facts.visibilityTimeout} seconds is less than Function timeout: ${functionTimeout} seconds`);
    }
    if (input.onSuccess !== undefined || input.onFailure) throw unsupported("DestinationConfig");
    for (const name of STREAM_ONLY) if (input.given.has(name)) throw unsupported(name);
    // AWS's words (quoted in boto/boto3#1613 and motdotla/node-lambda#466).
    if (input.startingPosition !== undefined) throw awsError("InvalidParameterValueException", "StartingPosition is not valid for SQS event sources.");
    // AWS refuses a window on FIFO before it looks at the batch size (BatchSize 100 with a window: this message).
    if (facts.fifo && m.maximumBatchingWindowInSeconds > 0) throw awsError("InvalidParameterValueException", "Batching window is not supported for FIFO queues");
    if (facts.fifo && m.batchSize > 10) throw awsError("InvalidParameterValueException", "Batch size cannot be greater than 10 for an SQS FIFO queue.");
    if (m.batchSize > 10 && m.maximumBatchingWindowInSeconds === 0) {
      throw awsError("InvalidParameterValueException", "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10");
    }
  } else {
    if (input.onSuccess !== undefined) throw unsupported("DestinationConfig");
    if (input.given.has("ScalingConfig")) throw unsupported("ScalingConfig");
    if (m.onFailure && !/^arn:aws[a-zA-Z-]*:(sqs|sns):/.test(m.onFailure)) throw awsError("InvalidParameterValueException", "The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure(destination=" + m.onFailure + ")) is invalid.");
  }
  }

export function checkTags(tags: Record<string, string>): Record<string, string> {
  checkTagValues(tags);
  if (Object.keys(tags).length > MAX_TAGS) throw awsError("InvalidParameterValueException", "Number of tags exceeds resource tag limit.");
  return tags;
}
