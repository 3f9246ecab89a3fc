/**
 * Asynchronous invocation settings per function, version or alias (FunctionEventInvokeConfig):
 * retries, maximum event age and OnSuccess/OnFailure destinations. Put replaces, Update merges.
 * https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html
 */
import { awsError } from "../../errors.js";
import { type Account, type FunctionRef, functionArn, parseFunctionRef } from "./arns.js";
import type { EventInvokeConfigRecord, FunctionRecord } from "./model.js";
import { paginate } from "./pagination.js";
import type { FunctionRegistry } from "./registry.js";
import { Violations, fullMatch, member } from "./validation.js";

const DESTINATION_PATTERN = String.raw`$|kafka://([^.]([a-zA-Z0-9\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)`;
const DESTINATION_RE = fullMatch(DESTINATION_PATTERN);
/** Services a destination may be (S3 only for failures, as AWS). */
const DESTINATION_SERVICES = new Set(["sqs", "sns", "lambda", "events", "s3"]);

export interface EventInvokeConfigInput {
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  /** `null`: the member was given without a Destination (clears it on Update). */
  onSuccess?: string | null;
  onFailure?: string | null;
  /** A DestinationConfig was given, even one without destinations: a Put needs it or an error handling setting. */
  destinationConfig?: true;
}

export function decodeEventInvokeConfig(body: Record<string, unknown>): EventInvokeConfigInput {
  const destinations = member(body, "DestinationConfig", "object");
  const destination = (name: string) => {
    if (!destinations || !(name in destinations) || destinations[name] === null) return undefined;
    const d = member(destinations, name, "object")!;
    return member(d, "Destination", "string") ?? null;
  };
  const out: EventInvokeConfigInput = destinations ? { destinationConfig: true } : {};
  const retries = member(body, "MaximumRetryAttempts", "integer");
  const age = member(body, "MaximumEventAgeInSeconds", "integer");
  if (retries !== undefined) out.maximumRetryAttempts = retries;
  if (age !== undefined) out.maximumEventAgeInSeconds = age;
  const onSuccess = destination("OnSuccess");
  const onFailure = destination("OnFailure");
  if (onSuccess !== undefined) out.onSuccess = onSuccess;
  if (onFailure !== undefined) out.onFailure = onFailure;
  return out;
}

export function toEventInvokeConfig(acct: Account, functionName: string, qualifier: string, c: EventInvokeConfigRecord) {
  const out: Record<string, unknown> = {
    LastModified: c.lastModified / 1000,
    FunctionArn: functionArn(acct, functionName, qualifier),
  };
  if (c.maximumRetryAttempts !== undefined) out.MaximumRetryAttempts = c.maximumRetryAttempts;
  if (c.maximumEventAgeInSeconds !== undefined) out.MaximumEventAgeInSeconds = c.maximumEventAgeInSeconds;
  out.DestinationConfig = { OnSuccess: c.onSuccess ? { Destination: c.onSuccess } : {}, OnFailure: c.onFailure ? { Destination: c.onFailure } : {} };
  return out;
}

const NO_FUNCTION = "The function doesn't exist.";

export class EventInvokeConfigService {
  constructor(private readonly registry: FunctionRegistry) {}

  private get account(): Account {
    return this.registry.account;
  }

  /** The function and the qualifier the config belongs to ($LATEST when none). */
  private target(ref: FunctionRef): { record: FunctionRecord; qualifier: string } {
    const record = this.registry.get(ref.name);
    if (!record) throw awsError("ResourceNotFoundException", NO_FUNCTION);
    const q = ref.qualifier ?? "$LATEST";
    if (q !== "$LATEST" && !record.versions[q] && !record.aliases[q]) throw awsError("ResourceNotFoundException", NO_FUNCTION);
    return { record, qualifier: q };
  }

  private noConfig(name: string, qualifier: string): never {
    throw awsError("ResourceNotFoundException", `The function ${functionArn(this.account, name, qualifier)} doesn't have an EventInvokeConfig`);
  }

  /** The model's constraints (ValidationException), checked before anything is looked up. */
  private checkModel(input: EventInvokeConfigInput): void {
    const v = new Violations();
    if (input.maximumRetryAttempts !== undefined) v.range("maximumRetryAttempts", input.maximumRetryAttempts, 0, 2);
    if (input.maximumEventAgeInSeconds !== undefined) v.range("maximumEventAgeInSeconds", input.maximumEventAgeInSeconds, 60, 21600);
    for (const [field, arn] of [["destinationConfig.onSuccess.destination", input.onSuccess], ["destinationConfig.onFailure.destination", input.onFailure]] as const) {
      if (typeof arn !== "string") continue;
      if (arn.length > 350) v.maxLength(field, arn, 350);
      else if (!DESTINATION_RE.test(arn)) v.pattern(field, arn, DESTINATION_PATTERN);
    }
    v.throwIfAny();
  }

  /** What AWS checks of the destinations once the function is known (InvalidParameterValueException). */
  private checkDestinations(input: EventInvokeConfigInput, record: FunctionRecord): void {
    for (const arn of [input.onSuccess, input.onFailure]) {
      if (typeof arn !== "string" || arn === "") continue;
      const service = arn.split(":")[2];
      if (!DESTINATION_SERVICES.has(service ?? "") || (service === "s3" && arn === input.onSuccess)) {
        const show = (d: string | null | undefined, name: string) => (typeof d === "string" && d ? `${name}(destination=${d})` : "null");
        throw awsError(
          "InvalidParameterValueException",
          `The provided destination config DestinationConfig(onSuccess=${show(input.onSuccess, "OnSuccess")}, onFailure=${show(input.onFailure, "OnFailure")}) is invalid.`,
        );
      }
      if (service === "lambda") {
        const name = arn.split(":")[6];
        if (name === record.name) throw awsError("InvalidParameterValueException", "You can't specify the function as a destination for itself.");
        if (!name || !this.registry.get(name)) throw awsError("InvalidParameterValueException", `The destination ARN ${arn} is invalid.`);
      }
    }
  }

  /** Put (`merge` false: replaces the whole configuration) or Update (`merge` true: changes only what is given). */
  async put(functionName: string, qualifier: string | undefined, input: EventInvokeConfigInput, merge: boolean) {
    const ref = parseFunctionRef(this.account, functionName, qualifier);
    this.checkModel(input);
    // Recorded: a Put with nothing to set is refused before the function is looked up.
    if (!merge && input.maximumRetryAttempts === undefined && input.maximumEventAgeInSeconds === undefined && !input.destinationConfig) {
      throw awsError("InvalidParameterValueException", "You must specify at least one of error handling or destination setting.");
    }
    const { record, qualifier: q } = this.target(ref);
    if (merge && !record.eventInvokeConfigs[q]) this.noConfig(record.name, q);
    this.checkDestinations(input, record);
    return this.registry.withLock(record.name, async () => {
      const current = this.registry.get(record.name);
      if (!current) throw awsError("ResourceNotFoundException", NO_FUNCTION);
      const existing = current.eventInvokeConfigs[q];
      if (merge && !existing) this.noConfig(record.name, q);
      const base: EventInvokeConfigRecord = merge ? { ...existing! } : { lastModified: 0 };
      if (input.maximumRetryAttempts !== undefined) base.maximumRetryAttempts = input.maximumRetryAttempts;
      if (input.maximumEventAgeInSeconds !== undefined) base.maximumEventAgeInSeconds = input.maximumEventAgeInSeconds;
      for (const key of ["onSuccess", "onFailure"] as const) {
        const d = input[key];
        if (d === undefined) continue;
        if (d) base[key] = d;
        else delete base[key];
      }
      base.lastModified = this.registry.clock.now();
      await this.registry.save({ ...current, eventInvokeConfigs: { ...current.eventInvokeConfigs, [q]: base } });
      return toEventInvokeConfig(this.account, record.name, q, base);
    });
  }

  get(functionName: string, qualifier: string | undefined) {
    const ref = parseFunctionRef(this.account, functionName, qualifier);
    const q = ref.qualifier ?? "$LATEST";
    const config = this.registry.get(ref.name)?.eventInvokeConfigs[q];
    if (!config) this.noConfig(ref.name, q);
    return toEventInvokeConfig(this.account, ref.name, q, config);
  }

  async delete(functionName: string, qualifier: string | undefined): Promise<void> {
    const ref = parseFunctionRef(this.account, functionName, qualifier);
    const q = ref.qualifier ?? "$LATEST";
    if (!this.registry.get(ref.name)?.eventInvokeConfigs[q]) this.noConfig(ref.name, q);
    await this.registry.withLock(ref.name, async () => {
      const current = this.registry.get(ref.name);
      if (!current?.eventInvokeConfigs[q]) this.noConfig(ref.name, q);
      const { [q]: _gone, ...rest } = current.eventInvokeConfigs;
      await this.registry.save({ ...current, eventInvokeConfigs: rest });
    });
  }

  list(functionName: string, marker: string | undefined, maxItems: string | undefined) {
    const ref = parseFunctionRef(this.account, functionName);
    const record = this.registry.get(ref.name);
    if (!record) throw awsError("ResourceNotFoundException", NO_FUNCTION);
    const entries = Object.entries(record.eventInvokeConfigs);
    const { page, nextMarker } = paginate(entries, ([q]) => q, marker, maxItems, 50, 50);
    const out: Record<string, unknown> = { FunctionEventInvokeConfigs: page.map(([q, c]) => toEventInvokeConfig(this.account, record.name, q, c)) };
    if (nextMarker) out.NextMarker = nextMarker;
    return out;
  }
}
