/**
 * Reserved and provisioned concurrency settings (the control plane side; counting executions is
 * invoke/concurrency.ts). https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
 */
import { awsError, untypedAwsError } from "../../errors.js";
import { type Account, functionArn, parseFunctionRef } from "./arns.js";
import { type FunctionRecord, awsTimestamp } from "./model.js";
import { type FunctionRegistry, isVersionNumber } from "./registry.js";
import { Violations } from "./validation.js";

/** AWS keeps at least this many executions for functions without a reservation. */
export const MIN_UNRESERVED = 100;

/** What the data plane reports about a provisioned configuration. */
export interface ProvisionedProgress {
  allocated: number;
  available: number;
  failed?: string;
}

export class ConcurrencyService {
  constructor(
    private readonly registry: FunctionRegistry,
    /** The account's concurrent executions limit. */
    readonly limit: number,
    private readonly progress: (functionName: string, qualifier: string) => ProvisionedProgress,
  ) {}

  private get reservedTotal(): number {
    return this.registry.reservedTotal;
  }

  private get account(): Account {
    return this.registry.account;
  }

  /** Executions left to functions without a reservation (AccountLimit.UnreservedConcurrentExecutions). */
  get unreserved(): number {
    return this.limit - this.reservedTotal - this.registry.provisionedUnreservedTotal;
  }

  /**
   * The capacity functions without a reservation share at run time: what reservations and the
   * provisioned concurrency of unreserved functions leave (those run in their own share first).
   */
  get unreservedCapacity(): number {
    return this.unreserved;
  }

  private functionOnly(functionName: string) {
    const ref = parseFunctionRef(this.account, functionName);
    if (ref.qualifier !== undefined) {
      throw awsError(
        "InvalidParameterValueException",
        "This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.",
      );
    }
    return ref;
  }

  async putFunctionConcurrency(functionName: string, reserved: number | undefined) {
    const ref = this.functionOnly(functionName);
    this.registry.require(ref.name, "$LATEST");
    const v = new Violations();
    if (reserved === undefined) v.add("Value null at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must not be null");
    else if (reserved < 0) v.range("reservedConcurrentExecutions", reserved, 0, Number.MAX_SAFE_INTEGER);
    v.throwIfAny();
    return this.registry.withLock(ref.name, async () => {
      const record = this.registry.require(ref.name, "$LATEST");
      const others = this.reservedTotal - (record.reservedConcurrency ?? 0);
      // AWS has no separate message for a reservation above the account limit (recorded), and sends these without `Type`.
      if (this.limit - others - reserved! < MIN_UNRESERVED) {
        throw untypedAwsError(
          "InvalidParameterValueException",
          `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${MIN_UNRESERVED}].`,
        );
      }
      await this.save({ ...record, reservedConcurrency: reserved! });
      return { ReservedConcurrentExecutions: reserved! };
    });
  }

  getFunctionConcurrency(functionName: string) {
    const ref = this.functionOnly(functionName);
    const record = this.registry.require(ref.name);
    return record.reservedConcurrency === undefined ? {} : { ReservedConcurrentExecutions: record.reservedConcurrency };
  }

  async deleteFunctionConcurrency(functionName: string): Promise<void> {
    const ref = this.functionOnly(functionName);
    await this.registry.withLock(ref.name, async () => {
      const record = this.registry.require(ref.name);
      const next = { ...record };
      delete next.reservedConcurrency;
      await this.save(next);
    });
  }

  private async save(record: FunctionRecord): Promise<void> {
    await this.registry.save(record);
    this.registry.listener.configured(record);
  }

  /** Resolve a provisioned concurrency target: a published version or an alias, never $LATEST. */
  private target(functionName: string, qualifier: string | undefined, latestMessage: string) {
    const ref = parseFunctionRef(this.account, functionName, qualifier);
    const q = ref.qualifier;
    if (q === undefined || q === "$LATEST") throw awsError("InvalidParameterValueException", latestMessage);
    const cannotFindAlias = () => {
      throw awsError("ResourceNotFoundException", `Cannot find alias arn: ${functionArn(this.account, ref.name, q)}`);
    };
    const record = this.registry.get(ref.name);
    if (!record) return isVersionNumber(q) ? this.registry.notFound(ref.name, q) : cannotFindAlias();
    if (isVersionNumber(q) ? !record.versions[q] : !record.aliases[q]) return isVersionNumber(q) ? this.registry.notFound(ref.name, q) : cannotFindAlias();
    return { name: ref.name, qualifier: q };
  }

  private render(name: string, qualifier: string, requested: number, lastModified: string, withArn: boolean) {
    const p = this.progress(name, qualifier);
    const status = p.failed ? "FAILED" : p.available >= requested ? "READY" : "IN_PROGRESS";
    return {
      ...(withArn ? { FunctionArn: functionArn(this.account, name, qualifier) } : {}),
      RequestedProvisionedConcurrentExecutions: requested,
      AvailableProvisionedConcurrentExecutions: Math.min(p.available, requested),
      AllocatedProvisionedConcurrentExecutions: Math.min(p.allocated, requested),
      Status: status,
      ...(p.failed ? { StatusReason: p.failed } : {}),
      LastModified: lastModified,
    };
  }

  async putProvisionedConcurrencyConfig(functionName: string, qualifier: string | undefined, requested: number | undefined) {
    const v = new Violations();
    if (requested === undefined) v.add("Value null at 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must not be null");
    else if (requested < 1) v.range("provisionedConcurrentExecutions", requested, 1, Number.MAX_SAFE_INTEGER);
    v.throwIfAny();
    const t = this.target(functionName, qualifier, "Provisioned Concurrency Configs cannot be applied to unpublished function versions.");
    return this.registry.withLock(t.name, async () => {
      const record = this.registry.require(t.name);
      const version = isVersionNumber(t.qualifier) ? t.qualifier : record.aliases[t.qualifier]!.functionVersion;
      for (const other of Object.keys(record.provisioned)) {
        if (other === t.qualifier) continue;
        const otherVersion = isVersionNumber(other) ? other : record.aliases[other]?.functionVersion;
        if (otherVersion !== version) continue;
        throw awsError(
          "ResourceConflictException",
          isVersionNumber(t.qualifier) ? "Version is pointed by a Provisioned Concurrency alias" : "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version",
        );
      }
      const already = provisionedTotal(record) - (record.provisioned[t.qualifier]?.requested ?? 0);
      if (record.reservedConcurrency !== undefined) {
        if (already + requested! > record.reservedConcurrency) {
          // AWS's text, as LocalStack's AWS-validated provider has it: no number, no full stop.
          throw awsError("InvalidParameterValueException", "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function");
        }
      } else {
        const unreserved = this.unreserved + (record.provisioned[t.qualifier]?.requested ?? 0);
        if (requested! > unreserved) {
          throw untypedAwsError("InvalidParameterValueException", `Specified ConcurrentExecutions for function is greater than account's unreserved concurrency [${unreserved}].`);
        }
        if (unreserved - requested! < MIN_UNRESERVED) {
          throw untypedAwsError(
            "InvalidParameterValueException",
            `Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${MIN_UNRESERVED}].`,
          );
        }
      }
      const config = { qualifier: t.qualifier, requested: requested!, lastModified: awsTimestamp(this.registry.clock.now()) };
      const next = { ...record, provisioned: { ...record.provisioned, [t.qualifier]: config } };
      await this.registry.save(next);
      this.registry.listener.configured(next);
      return this.render(t.name, t.qualifier, config.requested, config.lastModified, false);
    });
  }

  getProvisionedConcurrencyConfig(functionName: string, qualifier: string | undefined) {
    const t = this.target(functionName, qualifier, "The function resource provided must be an alias or a published version.");
    const config = this.registry.require(t.name).provisioned[t.qualifier];
    if (!config) throw awsError("ProvisionedConcurrencyConfigNotFoundException", "No Provisioned Concurrency Config found for this function");
    return this.render(t.name, t.qualifier, config.requested, config.lastModified, false);
  }

  /** Deleting a configuration that does not exist succeeds (AWS answers 204, recorded: delete_provisioned_config_doesnotexist). */
  async deleteProvisionedConcurrencyConfig(functionName: string, qualifier: string | undefined): Promise<void> {
    const t = this.target(functionName, qualifier, "The function resource provided must be an alias or a published version.");
    await this.registry.withLock(t.name, async () => {
      const record = this.registry.require(t.name);
      if (!record.provisioned[t.qualifier]) return;
      const provisioned = { ...record.provisioned };
      delete provisioned[t.qualifier];
      const next = { ...record, provisioned };
      await this.registry.save(next);
      this.registry.listener.configured(next);
    });
  }

  listProvisionedConcurrencyConfigs(functionName: string) {
    const ref = parseFunctionRef(this.account, functionName);
    const record = this.registry.require(ref.name);
    return {
      ProvisionedConcurrencyConfigs: Object.values(record.provisioned).map((c) => this.render(ref.name, c.qualifier, c.requested, c.lastModified, true)),
    };
  }
}

export function provisionedTotal(record: FunctionRecord): number {
  return Object.values(record.provisioned).reduce((sum, c) => sum + c.requested, 0);
}
