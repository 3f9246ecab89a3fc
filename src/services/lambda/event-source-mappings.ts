/**
 * Event source mappings, the control plane: Create/Get/Update/Delete/List with AWS's fields, ranges,
 * per-source defaults, errors and states. The pollers that act on them live in `event-sources/`;
 * they hear of every change through `listener` and report what they see (`report`).
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
 * Recorded AWS responses: shared/reference/aws-recorded/esm-recorded.json.
 */
import { randomUUID } from "node:crypto";
import { awsError } from "../../errors.js";
import { StateMachine } from "../../lib/state-machine.js";
import { KeyedLock } from "../../lib/keyed-lock.js";
import type { Clock } from "../../clock/clock.js";
import type { MappingStore } from "../../store/mapping-store.js";
import { aloneBus, CacheSync, type ChangeBus } from "../../store/change-bus.js";
import { type Account, functionArn, parseFunctionRef } from "./arns.js";
import { paginate } from "./pagination.js";
import type { FunctionRegistry } from "./registry.js";
import { Violations } from "./validation.js";
import { checkForSource, checkTags, type MappingInput, sourceKind, type StartingPosition, validate } from "./event-source-mapping-inputs.js";

export type SourceKind = "sqs" | "kinesis" | "dynamodb";
export type MappingState = "Creating" | "Enabling" | "Enabled" | "Disabling" | "Disabled" | "Updating" | "Deleting";

/** Each state a mapping may move to; the transitional ones settle once the pollers have applied the change. */
export const MAPPING_TRANSITIONS = new StateMachine<MappingState>("event source mapping", {
  Creating: ["Enabled", "Disabled", "Deleting"],
  Enabling: ["Enabled", "Deleting"],
  Enabled: ["Updating", "Disabling", "Deleting"],
  Disabling: ["Disabled", "Deleting"],
  Disabled: ["Enabling", "Updating", "Deleting"],
  Updating: ["Enabled", "Disabled", "Deleting"],
  Deleting: [],
});


/** How a stream mapping handles what fails, as stored and as given (absent on SQS mappings). */
export interface StreamSettings {
  parallelizationFactor?: number;
  bisectBatchOnFunctionError?: boolean;
  maximumRetryAttempts?: number;
  maximumRecordAgeInSeconds?: number;
  tumblingWindowInSeconds?: number;
}

/** What a mapping is, as stored. Stream-only settings are present only on stream mappings. */
export interface MappingRecord extends StreamSettings {
  uuid: string;
  eventSourceArn: string;
  source: SourceKind;
  functionName: string;
  /** The qualifier the caller gave (`$LATEST`, a version, an alias), kept in FunctionArn as AWS keeps it. */
  qualifier?: string;
  enabled: boolean;
  state: MappingState;
  stateTransitionReason: string;
  lastProcessingResult?: string;
  /** Epoch ms. */
  lastModified: number;
  /** Epoch ms, for List's order. */
  created: number;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  functionResponseTypes: string[];
  /** The patterns as given (their compiled form lives with the pollers). */
  filters?: { Pattern: string }[];
  maximumConcurrency?: number;
  startingPosition?: StartingPosition;
  /** Epoch seconds. */
  startingPositionTimestamp?: number;
  onFailure?: string;
  tags: Record<string, string>;
}

/** What the control plane needs to know of a source, through its service. */
export interface SourceFacts {
  /** An SQS FIFO queue. */
  fifo?: boolean;
  /** An SQS queue's VisibilityTimeout (seconds): the function's timeout must fit in it. */
  visibilityTimeout?: number;
}

export interface MappingDeps {
  account: Account;
  registry: FunctionRegistry;
  store: MappingStore;
  clock: Clock;
  /** The source behind an ARN of this kind, or undefined when it does not exist (in a cluster, after reading the store). */
  source(kind: SourceKind, arn: string): SourceFacts | undefined | Promise<SourceFacts | undefined>;
  /** Throws AWS's error when the function's execution role may not read the source (iam/'s mode decides). */
  checkRole?(mapping: MappingRecord, role: string): void;
  /** Validates FilterCriteria.Filters, throwing "Invalid filter pattern definition." (event-sources/filter.ts). */
  checkFilters?(filters: { Pattern: string }[]): void;
  /** The cluster's change bus (Store.changes): mappings are shared with the other nodes, whose pollers follow them. */
  changes?: ChangeBus;
}

/** What a poller saw (event-sources/batch.ts's RESULT texts), and why a mapping cannot poll. */
export interface Report {
  lastProcessingResult?: string;
  stateTransitionReason?: string;
}

/** What the pollers are told: a mapping's settings changed (or it was deleted: `undefined`). */
export type MappingListener = (uuid: string, record: MappingRecord | undefined) => void;

const NOT_FOUND = "The resource you requested does not exist.";

export class EventSourceMappingService {
  private readonly mappings = new Map<string, MappingRecord>();
  private readonly settling = new Set<Promise<void>>();
  /**
   * Changes are made one at a time: a duplicate check and the write it guards, or a report and a
   * tag, must not interleave (each writes the whole record).
   */
  private readonly lock = new KeyedLock();
  private readonly serial = <T>(fn: () => Promise<T>) => this.lock.run("mappings", fn);
  listener: MappingListener = () => {};
  private readonly sync: CacheSync;

  private constructor(private readonly deps: MappingDeps) {
    this.sync = new CacheSync(deps.changes ?? aloneBus(), "event-source-mappings", () => this.serial(() => this.reload()));
  }

  /** Another node changed a mapping: read them all again, and tell the pollers of those whose settings changed. */
  private reload(): Promise<void> {
    return this.sync.reread(
      () => this.deps.store.listMappings(),
      (stored) => {
        const gone = new Set(this.mappings.keys());
        for (const m of stored.sort((a, b) => a.created - b.created)) {
          gone.delete(m.uuid);
          const known = this.mappings.get(m.uuid);
          this.mappings.set(m.uuid, m);
          if (!known || settingsOf(known) !== settingsOf(m)) this.listener(m.uuid, m);
        }
        for (const uuid of gone) {
          this.mappings.delete(uuid);
          this.listener(uuid, undefined);
        }
      },
    );
  }

  static async create(deps: MappingDeps): Promise<EventSourceMappingService> {
    const service = new EventSourceMappingService(deps);
    const stored = await deps.store.listMappings();
    for (const m of stored.sort((a, b) => a.created - b.created)) {
      // A change the last run accepted but did not apply is applied now.
      service.mappings.set(m.uuid, m.state === "Deleting" ? m : { ...m, state: m.enabled ? "Enabled" : "Disabled" });
    }
    for (const m of [...service.mappings.values()].filter((m) => m.state === "Deleting")) await service.remove(m.uuid);
    return service;
  }

  all(): IterableIterator<MappingRecord> {
    return this.mappings.values();
  }

  arnOf(uuid: string): string {
    return `arn:aws:lambda:${this.deps.account.region}:${this.deps.account.accountId}:event-source-mapping:${uuid}`;
  }

  /** The API's view of a mapping: SQS answers with a minimal shape, streams echo every default. */
  toApi(m: MappingRecord): Record<string, unknown> {
    const out: Record<string, unknown> = {
      UUID: m.uuid,
      BatchSize: m.batchSize,
      EventSourceArn: m.eventSourceArn,
      EventSourceMappingArn: this.arnOf(m.uuid),
      FunctionArn: functionArn(this.deps.account, m.functionName, m.qualifier),
      FunctionResponseTypes: m.functionResponseTypes,
      LastModified: m.lastModified / 1000,
      MaximumBatchingWindowInSeconds: m.maximumBatchingWindowInSeconds,
      State: m.state,
      StateTransitionReason: m.stateTransitionReason,
    };
    if (m.filters) out.FilterCriteria = { Filters: m.filters };
    if (m.maximumConcurrency !== undefined) out.ScalingConfig = { MaximumConcurrency: m.maximumConcurrency };
    if (m.lastProcessingResult !== undefined) out.LastProcessingResult = m.lastProcessingResult;
    if (m.source !== "sqs") {
      out.StartingPosition = m.startingPosition;
      if (m.startingPositionTimestamp !== undefined) out.StartingPositionTimestamp = m.startingPositionTimestamp;
      out.ParallelizationFactor = m.parallelizationFactor;
      out.BisectBatchOnFunctionError = m.bisectBatchOnFunctionError;
      out.MaximumRetryAttempts = m.maximumRetryAttempts;
      out.MaximumRecordAgeInSeconds = m.maximumRecordAgeInSeconds;
      out.TumblingWindowInSeconds = m.tumblingWindowInSeconds;
      out.DestinationConfig = { OnFailure: m.onFailure ? { Destination: m.onFailure } : {} };
    }
    return out;
  }

  private require(uuid: string): MappingRecord {
    const m = this.mappings.get(uuid);
    if (!m) throw awsError("ResourceNotFoundException", NOT_FOUND, { Message: NOT_FOUND });
    return m;
  }

  /** The function a FunctionName names, which must exist (a 400, not a 404, as AWS answers). */
  private target(name: string): { functionName: string; qualifier?: string; role: string; timeout: number } {
    const ref = parseFunctionRef(this.deps.account, name);
    const record = this.deps.registry.get(ref.name);
    let version;
    try {
      version = record && this.deps.registry.resolve(record, ref.qualifier).version;
    } catch {
      version = undefined;
    }
    if (!version) throw awsError("InvalidParameterValueException", "Function does not exist");
    return { functionName: ref.name, ...(ref.qualifier !== undefined ? { qualifier: ref.qualifier } : {}), role: version.role, timeout: version.timeout };
  }

  createEventSourceMapping(input: MappingInput): Promise<Record<string, unknown>> {
    return this.serial(() => this.createEventSourceMappingSerial(input));
  }

  private async createEventSourceMappingSerial(input: MappingInput): Promise<Record<string, unknown>> {
    validate(input);
    if (input.functionName === undefined) {
      const v = new Violations();
      v.add("Value null at 'functionName' failed to satisfy constraint: Member must not be null");
      v.throwIfAny();
    }
    const arn = input.eventSourceArn;
    const source = arn === undefined ? undefined : sourceKind(arn);
    if (!arn || !source) throw awsError("InvalidParameterValueException", "Unrecognized event source.");
    const fn = this.target(input.functionName!);
    const facts = await this.deps.source(source, arn);
    if (!facts) {
      if (source === "sqs") throw awsError("InvalidParameterValueException", "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.");
      throw awsError("InvalidParameterValueException", `Stream not found: ${arn}`);
    }
    if (source !== "sqs") {
      if (input.startingPosition === undefined) throw awsError("InvalidParameterValueException", "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.");
      if (source === "dynamodb" && input.startingPosition === "AT_TIMESTAMP") throw awsError("InvalidParameterValueException", `Unsupported starting position for arn type: ${arn}`);
      if (input.startingPosition === "AT_TIMESTAMP" && input.startingPositionTimestamp === undefined) throw awsError("InvalidParameterValueException", "StartingPositionTimestamp must be set when StartingPosition is AT_TIMESTAMP.");
    }
    const now = this.deps.clock.now();
    const enabled = input.enabled ?? true;
    const stream = source !== "sqs";
    const m: MappingRecord = {
      uuid: randomUUID(),
      eventSourceArn: arn,
      source,
      functionName: fn.functionName,
      ...(fn.qualifier !== undefined ? { qualifier: fn.qualifier } : {}),
      enabled,
      state: enabled ? "Creating" : "Disabled",
      stateTransitionReason: stream ? "User action" : "USER_INITIATED",
      ...(stream ? { lastProcessingResult: "No records processed" } : {}),
      lastModified: now,
      created: now,
      batchSize: input.batchSize ?? (stream ? 100 : 10),
      maximumBatchingWindowInSeconds: input.maximumBatchingWindowInSeconds ?? 0,
      functionResponseTypes: input.functionResponseTypes ?? [],
      ...(input.filters ? { filters: input.filters } : {}),
      ...(typeof input.maximumConcurrency === "number" ? { maximumConcurrency: input.maximumConcurrency } : {}),
      ...(stream
        ? {
            startingPosition: input.startingPosition as StartingPosition,
            ...(input.startingPositionTimestamp !== undefined ? { startingPositionTimestamp: input.startingPositionTimestamp } : {}),
            parallelizationFactor: input.parallelizationFactor ?? 1,
            bisectBatchOnFunctionError: input.bisectBatchOnFunctionError ?? false,
            maximumRetryAttempts: input.maximumRetryAttempts ?? -1,
            maximumRecordAgeInSeconds: input.maximumRecordAgeInSeconds ?? -1,
            tumblingWindowInSeconds: input.tumblingWindowInSeconds ?? 0,
            ...(input.onFailure ? { onFailure: input.onFailure } : {}),
          }
        : {}),
      tags: {},
    };
    checkForSource(m, input, facts, fn.timeout);
    if (m.filters) this.deps.checkFilters?.(m.filters);
    for (const other of this.mappings.values()) {
      if (other.eventSourceArn === arn && other.functionName === m.functionName && other.qualifier === m.qualifier) {
        // AWS names the function by its bare name, qualified or not (recorded; LocalStack does the same).
        const fnName = m.functionName;
        throw awsError(
          "ResourceConflictException",
          source === "sqs"
            ? `An event source mapping with SQS arn (" ${arn} ") and function (" ${fnName} ") already exists. Please update or delete the existing mapping with UUID ${other.uuid}`
            : `The event source arn (" ${arn} ") and function (" ${fnName} ") provided mapping already exists. Please update or delete the existing mapping with UUID ${other.uuid}`,
        );
      }
    }
    if (input.tags) m.tags = checkTags(input.tags);
    this.deps.checkRole?.(m, fn.role);
    await this.save(m);
    return this.toApi(m);
  }

  /** The FunctionArn of a mapping (the condition key lambda:FunctionArn of the operations on it). */
  functionArnOf(uuid: string): string | undefined {
    const m = this.mappings.get(uuid);
    return m && functionArn(this.deps.account, m.functionName, m.qualifier);
  }

  getEventSourceMapping(uuid: string): Record<string, unknown> {
    return this.toApi(this.require(uuid));
  }

  updateEventSourceMapping(uuid: string, input: MappingInput): Promise<Record<string, unknown>> {
    return this.serial(() => this.updateEventSourceMappingSerial(uuid, input));
  }

  private async updateEventSourceMappingSerial(uuid: string, input: MappingInput): Promise<Record<string, unknown>> {
    validate(input);
    const current = this.require(uuid);
    if (!(current.state === "Enabled" || current.state === "Disabled")) {
      throw awsError("LambdaResourceInUse", `Cannot update the event source mapping because it is in use.`);
    }
    const fn = input.functionName !== undefined ? this.target(input.functionName) : undefined;
    const m: MappingRecord = { ...current, lastModified: this.deps.clock.now() };
    if (fn) {
      m.functionName = fn.functionName;
      if (fn.qualifier !== undefined) m.qualifier = fn.qualifier;
      else delete m.qualifier;
    }
    const assign = <K extends keyof MappingRecord>(key: K, value: MappingRecord[K] | undefined) => {
      if (value !== undefined) m[key] = value;
    };
    assign("batchSize", input.batchSize);
    assign("maximumBatchingWindowInSeconds", input.maximumBatchingWindowInSeconds);
    assign("functionResponseTypes", input.functionResponseTypes);
    if (input.filters !== undefined) {
      if (input.filters === null) delete m.filters;
      else m.filters = input.filters;
    }
    if (input.maximumConcurrency !== undefined) {
      if (input.maximumConcurrency === null) delete m.maximumConcurrency;
      else m.maximumConcurrency = input.maximumConcurrency;
    }
    if (m.source !== "sqs") {
      assign("parallelizationFactor", input.parallelizationFactor);
      assign("bisectBatchOnFunctionError", input.bisectBatchOnFunctionError);
      assign("maximumRetryAttempts", input.maximumRetryAttempts);
      assign("maximumRecordAgeInSeconds", input.maximumRecordAgeInSeconds);
      assign("tumblingWindowInSeconds", input.tumblingWindowInSeconds);
      if (input.onFailure !== undefined) {
        if (input.onFailure === null) delete m.onFailure;
        else m.onFailure = input.onFailure;
      }
    }
    const facts = (await this.deps.source(m.source, m.eventSourceArn)) ?? {};
    checkForSource(m, { ...input, startingPosition: undefined }, facts, fn?.timeout);
    if (m.filters) this.deps.checkFilters?.(m.filters);
    if (fn) this.deps.checkRole?.(m, fn.role);
    const enabling = input.enabled === true && !current.enabled;
    const disabling = input.enabled === false && current.enabled;
    m.enabled = input.enabled ?? current.enabled;
    m.state = MAPPING_TRANSITIONS.move(current.state, enabling ? "Enabling" : disabling ? "Disabling" : "Updating");
    await this.save(m);
    return this.toApi(m);
  }

  deleteEventSourceMapping(uuid: string): Promise<Record<string, unknown>> {
    return this.serial(() => this.deleteEventSourceMappingSerial(uuid));
  }

  private async deleteEventSourceMappingSerial(uuid: string): Promise<Record<string, unknown>> {
    const current = this.require(uuid);
    if (current.state === "Deleting") throw awsError("LambdaResourceInUse", "Cannot delete the event source mapping because it is in use.");
    const m = { ...current, state: MAPPING_TRANSITIONS.move(current.state, "Deleting") };
    this.mappings.set(uuid, m);
    await this.remove(uuid);
    return this.toApi(m);
  }

  listEventSourceMappings(eventSourceArn: string | undefined, functionName: string | undefined, marker: string | undefined, maxItems: string | undefined) {
    const ref = functionName === undefined ? undefined : parseFunctionRef(this.deps.account, functionName);
    const matching = [...this.mappings.values()].filter(
      (m) => (eventSourceArn === undefined || m.eventSourceArn === eventSourceArn) && (!ref || (m.functionName === ref.name && (ref.qualifier === undefined || m.qualifier === ref.qualifier))),
    );
    // MaxItems may be up to 10,000, but a page holds at most 100 "even if you set the number higher" (API reference).
    const pageSize = maxItems !== undefined && Number(maxItems) > 100 && Number(maxItems) <= 10000 ? "100" : maxItems;
    const { page, nextMarker } = paginate(matching, (m) => m.uuid, marker, pageSize, 100, 10000);
    return { EventSourceMappings: page.map((m) => this.toApi(m)), ...(nextMarker ? { NextMarker: nextMarker } : {}) };
  }

  /** Tags on a mapping, by its ARN (TagResource, UntagResource, ListTags). */
  tagsOf(arn: string): Record<string, string> {
    return { ...this.require(this.uuidOf(arn)).tags };
  }

  tag(arn: string, tags: Record<string, string>): Promise<void> {
    return this.serial(() => this.tagSerial(arn, tags));
  }

  private async tagSerial(arn: string, tags: Record<string, string>): Promise<void> {
    const m = this.require(this.uuidOf(arn));
    const merged = checkTags({ ...m.tags, ...tags });
    await this.save({ ...m, tags: merged }, false);
  }

  untag(arn: string, keys: string[]): Promise<void> {
    return this.serial(() => this.untagSerial(arn, keys));
  }

  private async untagSerial(arn: string, keys: string[]): Promise<void> {
    const m = this.require(this.uuidOf(arn));
    const tags = { ...m.tags };
    for (const k of keys) delete tags[k];
    await this.save({ ...m, tags }, false);
  }

  private uuidOf(arn: string): string {
    return arn.slice(arn.lastIndexOf(":") + 1);
  }

  /**
   * What the pollers saw: the last result (`OK`, `PROBLEM: …`) and, for a mapping that cannot poll,
   * why (`stateTransitionReason`). A batch that succeeded means the source can be read again: the
   * reason goes back to the user's. SQS mappings carry no LastProcessingResult on AWS: theirs is
   * shown only while the queue cannot be read. Kept in memory and stored when it changes.
   */
  report(uuid: string, report: Report): Promise<void> {
    // The common case, a batch like the last one: nothing to store, nothing to wait for.
    if (!this.reported(uuid, report)) return Promise.resolve();
    return this.serial(async () => {
      const next = this.reported(uuid, report);
      if (!next) return;
      await this.sync.write(uuid, async () => {
        this.mappings.set(uuid, next);
        await this.deps.store.putMapping(next);
      });
    });
  }

  /** The mapping as a report leaves it; undefined when it changes nothing. */
  private reported(uuid: string, report: Report): MappingRecord | undefined {
    const m = this.mappings.get(uuid);
    if (!m || m.state === "Deleting") return undefined;
    const userReason = m.source === "sqs" ? "USER_INITIATED" : "User action";
    const ok = report.lastProcessingResult === "OK";
    const reason = report.stateTransitionReason ?? (ok ? userReason : m.stateTransitionReason);
    let result = report.lastProcessingResult ?? m.lastProcessingResult;
    if (m.source === "sqs" && report.stateTransitionReason === undefined) result = ok ? undefined : m.lastProcessingResult;
    if (result === m.lastProcessingResult && reason === m.stateTransitionReason) return undefined;
    const { lastProcessingResult: _, ...rest } = m;
    return { ...rest, stateTransitionReason: reason, ...(result !== undefined ? { lastProcessingResult: result } : {}) };
  }

  /** Store, tell the pollers, and settle a transitional state once they have it. */
  private async save(m: MappingRecord, notify = true): Promise<void> {
    await this.sync.write(m.uuid, async () => {
      await this.deps.store.putMapping(m);
      this.mappings.set(m.uuid, m);
    });
    if (!notify) return;
    this.listener(m.uuid, m);
    if (m.state === "Enabled" || m.state === "Disabled") return;
    const settling = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.serial(() => this.settle(m.uuid)))
      .catch((err) => console.error("flint: event source mapping:", err))
      .finally(() => this.settling.delete(settling));
    this.settling.add(settling);
  }

  /** Resolves once every accepted change has settled (before the store closes). */
  async idle(): Promise<void> {
    while (this.settling.size) await Promise.all(this.settling);
  }

  private async settle(uuid: string): Promise<void> {
    const m = this.mappings.get(uuid);
    if (!m || m.state === "Enabled" || m.state === "Disabled" || m.state === "Deleting") return;
    const settled = { ...m, state: MAPPING_TRANSITIONS.move(m.state, m.enabled ? "Enabled" : "Disabled") };
    await this.sync.write(uuid, async () => {
      this.mappings.set(uuid, settled);
      await this.deps.store.putMapping(settled);
    });
  }

  private async remove(uuid: string): Promise<void> {
    this.listener(uuid, undefined);
    await this.sync.write(uuid, async () => {
      await this.deps.store.deleteMapping(uuid);
      this.mappings.delete(uuid);
    });
  }
}

/** What a poller runs by: everything but the state's progress, the pollers' reports and the tags. */
function settingsOf(m: MappingRecord): string {
  const { state: _s, stateTransitionReason: _r, lastProcessingResult: _l, tags: _t, ...settings } = m;
  return JSON.stringify(settings);
}
