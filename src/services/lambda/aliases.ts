/**
 * Aliases: named pointers to a version, optionally sending a share of invocations to a second one.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-aliases.html
 */
import { randomUUID } from "node:crypto";
import { awsError, untypedAwsError } from "../../errors.js";
import { type Account, functionArn, parseFunctionRef } from "./arns.js";
import { type AliasRecord, type FunctionRecord, toAliasConfiguration } from "./model.js";
import { paginate } from "./pagination.js";
import type { FunctionRegistry } from "./registry.js";
import { Violations, badContent, fullMatch, jsonStart, member } from "./validation.js";

const ALIAS_PATTERN = String.raw`(?!^[0-9]+$)([a-zA-Z0-9-_]+)`;
const ALIAS_RE = fullMatch(ALIAS_PATTERN);
const VERSION_PATTERN = String.raw`(\$LATEST|[0-9]+)`;
const VERSION_RE = fullMatch(VERSION_PATTERN);

export interface AliasInput {
  name?: string;
  functionVersion?: string;
  description?: string;
  /** `undefined`: not given; `{}`: given empty (removes the routing). */
  weights?: Record<string, number>;
  revisionId?: string;
}

export function decodeAlias(body: Record<string, unknown>): AliasInput {
  const routing = member(body, "RoutingConfig", "object");
  let weights: Record<string, number> | undefined;
  if (routing) {
    const raw = member(routing, "AdditionalVersionWeights", "object") ?? {};
    weights = {};
    for (const [k, v] of Object.entries(raw)) {
      if (typeof v !== "number") badContent(`Cannot deserialize value of type \`java.lang.Double\` from ${jsonStart(v)} at 'AdditionalVersionWeights'`);
      weights[k] = v;
    }
  }
  return {
    name: member(body, "Name", "string"),
    functionVersion: member(body, "FunctionVersion", "string"),
    description: member(body, "Description", "string"),
    weights,
    revisionId: member(body, "RevisionId", "string"),
  };
}

/** Java's Double.toString, as AWS echoes map values ("{2=2.0}"). */
const javaDouble = (n: number) => (Number.isInteger(n) ? `${n}.0` : String(n));

export class AliasesService {
  constructor(private readonly registry: FunctionRegistry) {}

  private get account(): Account {
    return this.registry.account;
  }

  private unqualified(functionName: string) {
    const ref = parseFunctionRef(this.account, functionName);
    if (ref.qualifier !== undefined) {
      throw awsError("InvalidParameterValueException", "Alias operations are permitted on Lambda functions only. Please specify either a function name or an unqualified function ARN.");
    }
    return ref;
  }

  private checkName(name: string, v: Violations): void {
    if (name.length > 128) v.maxLength("name", name, 128);
    else if (!ALIAS_RE.test(name)) v.pattern("name", name, ALIAS_PATTERN);
  }

  /** Model constraints, then the references, in AWS's order. */
  private check(record: FunctionRecord, functionVersion: string, weights: Record<string, number> | undefined): void {
    const v = new Violations();
    if (!VERSION_RE.test(functionVersion) || functionVersion.length > 1024) v.pattern("functionVersion", functionVersion, VERSION_PATTERN);
    if (weights) {
      const shown = `{${Object.entries(weights).map(([k, w]) => `${k}=${javaDouble(w)}`).join(", ")}}`;
      if (Object.keys(weights).some((k) => !/^[0-9]+$/.test(k))) {
        v.add(`Value '${shown}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]`);
      } else if (Object.values(weights).some((w) => !(w >= 0 && w <= 1))) {
        v.add(`Value '${shown}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]`);
      }
    }
    v.throwIfAny();
    if (functionVersion !== "$LATEST" && !record.versions[functionVersion]) this.registry.notFound(record.name, functionVersion);
    if (!weights || Object.keys(weights).length === 0) return;
    if (Object.keys(weights).length > 1) throw awsError("InvalidParameterValueException", "Number of items in AdditionalVersionWeights cannot be greater than 1");
    if (functionVersion === "$LATEST") throw untypedAwsError("InvalidParameterValueException", "$LATEST is not supported for an alias pointing to more than 1 version");
    const extra = Object.keys(weights)[0]!;
    if (extra === functionVersion) {
      throw awsError("InvalidParameterValueException", `Invalid function version ${extra}. Function version ${extra} is already included in routing configuration.`);
    }
    if (!record.versions[extra]) this.registry.notFound(record.name, extra);
  }

  private aliasNotFound(name: string, alias: string): never {
    throw awsError("ResourceNotFoundException", `Alias not found: ${functionArn(this.account, name, alias)}`);
  }

  async createAlias(functionName: string, input: AliasInput) {
    const ref = this.unqualified(functionName);
    const v = new Violations();
    if (input.name === undefined) v.add("Value null at 'name' failed to satisfy constraint: Member must not be null");
    else this.checkName(input.name, v);
    if (input.functionVersion === undefined) v.add("Value null at 'functionVersion' failed to satisfy constraint: Member must not be null");
    if (input.description !== undefined && input.description.length > 256) v.maxLength("description", input.description, 256);
    v.throwIfAny();
    return this.registry.withLock(ref.name, async () => {
      // AWS names the version asked for (recorded: routing_config_exc_fn_doesnotexist).
      const record = this.registry.require(ref.name, input.functionVersion);
      this.check(record, input.functionVersion!, input.weights);
      if (record.aliases[input.name!]) throw awsError("ResourceConflictException", `Alias already exists: ${functionArn(this.account, ref.name, input.name)}`);
      const alias: AliasRecord = {
        name: input.name!,
        functionVersion: input.functionVersion!,
        description: input.description ?? "",
        revisionId: randomUUID(),
        ...(input.weights && Object.keys(input.weights).length ? { weights: input.weights } : {}),
      };
      const next = { ...record, aliases: { ...record.aliases, [alias.name]: alias } };
      await this.registry.save(next);
      this.registry.listener.configured(next);
      return toAliasConfiguration(this.account, ref.name, alias);
    });
  }

  getAlias(functionName: string, name: string) {
    const ref = this.unqualified(functionName);
    const alias = this.registry.require(ref.name).aliases[name];
    if (!alias) throw awsError("ResourceNotFoundException", `Cannot find alias arn: ${functionArn(this.account, ref.name, name)}`);
    return toAliasConfiguration(this.account, ref.name, alias);
  }

  async updateAlias(functionName: string, name: string, input: AliasInput) {
    const ref = this.unqualified(functionName);
    if (input.description !== undefined && input.description.length > 256) {
      const v = new Violations();
      v.maxLength("description", input.description, 256);
      v.throwIfAny();
    }
    return this.registry.withLock(ref.name, async () => {
      const record = this.registry.require(ref.name);
      const current = record.aliases[name];
      if (!current) this.aliasNotFound(ref.name, name);
      if (input.revisionId !== undefined && input.revisionId !== current.revisionId) {
        throw awsError("PreconditionFailedException", "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id");
      }
      const functionVersion = input.functionVersion ?? current.functionVersion;
      const weights = input.weights ?? current.weights;
      this.check(record, functionVersion, weights);
      const alias: AliasRecord = {
        name,
        functionVersion,
        description: input.description ?? current.description,
        revisionId: randomUUID(),
        ...(weights && Object.keys(weights).length ? { weights } : {}),
      };
      const next = { ...record, aliases: { ...record.aliases, [name]: alias } };
      await this.registry.save(next);
      this.registry.listener.configured(next);
      return toAliasConfiguration(this.account, ref.name, alias);
    });
  }

  /** Deleting an alias that does not exist succeeds (AWS answers 204). */
  async deleteAlias(functionName: string, name: string): Promise<void> {
    const ref = this.unqualified(functionName);
    await this.registry.withLock(ref.name, async () => {
      const record = this.registry.require(ref.name);
      if (!record.aliases[name]) return;
      const aliases = { ...record.aliases };
      delete aliases[name];
      const provisioned = { ...record.provisioned };
      delete provisioned[name];
      const next = { ...record, aliases, provisioned };
      await this.registry.save(next);
      this.registry.listener.configured(next);
    });
  }

  listAliases(functionName: string, functionVersion: string | undefined, marker: string | undefined, maxItems: string | undefined) {
    const ref = this.unqualified(functionName);
    const record = this.registry.require(ref.name);
    const aliases = Object.values(record.aliases)
      .filter((a) => functionVersion === undefined || a.functionVersion === functionVersion || a.weights?.[functionVersion] !== undefined)
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const { page, nextMarker } = paginate(aliases, (a) => a.name, marker, maxItems);
    const out: Record<string, unknown> = { Aliases: page.map((a) => toAliasConfiguration(this.account, ref.name, a)) };
    if (nextMarker) out.NextMarker = nextMarker;
    return out;
  }
}
