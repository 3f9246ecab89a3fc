/**
 * The Lambda control plane: functions, their configuration, code and tags. Knows nothing about HTTP.
 *
 * Records live in the Store and in an in-memory map that the data plane reads on every invoke.
 * Writes to one function are serialised. Creation and updates follow AWS's lifecycles: a new
 * function is `Pending` until its package is unpacked, then `Active`; an update is `InProgress`
 * until the new package or configuration is ready, then `Successful`. Invocations run the last
 * deployed configuration meanwhile.
 */
import { randomUUID } from "node:crypto";
import { awsError } from "../../errors.js";
import { type Account, type FunctionRef, functionArn, parseFunctionRef, parseTaggableArn } from "./arns.js";
import { CodeStore, MAX_UNZIPPED_BYTES, MAX_ZIPPED_BYTES } from "./code.js";
import { paginate } from "./pagination.js";
import { FunctionRegistry, isVersionNumber } from "./registry.js";
import { activateVersions, publishSnapshot, sortedVersions } from "./versions.js";
import type { CodeInput, CreateFunctionInput, FunctionSettingsInput, UpdateFunctionCodeInput, UpdateFunctionConfigurationInput } from "./inputs.js";
import {
  type CodeRef,
  type FunctionRecord,
  type FunctionVersion,
  codeRefsOf,
  type LoggingConfig,
  FunctionState,
  UpdateStatus,
  awsTimestamp,
  functionStates,
  toFunctionConfiguration,
  updateStatuses,
} from "./model.js";
import { AWS_RUNTIMES, FLINT_RUNTIMES, RETIRED_RUNTIMES } from "./runtimes.js";
import { Violations, checkTagValues, fullMatch } from "./validation.js";

export type CodeUrlSigner = (baseUrl: string, path: string) => Promise<string>;

/** What one invocation runs: the function, the version chosen, and the qualifier it was asked by. */
export interface InvokeTarget {
  record: FunctionRecord;
  version: FunctionVersion;
  qualifier?: string;
}

const ROLE_PATTERN = String.raw`arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+`;
const HANDLER_PATTERN = String.raw`[^\s]+`;
const ENV_KEY_PATTERN = String.raw`[a-zA-Z]([a-zA-Z0-9_])+`;
/** An alias name: AWS's `(?!^[0-9]+$)([a-zA-Z0-9-_]+)`, i.e. not a version number. */
const ALIAS_RE = /^(?!\d+$)[a-zA-Z0-9-_]+$/;
const ROLE_RE = fullMatch(ROLE_PATTERN);
const HANDLER_RE = fullMatch(HANDLER_PATTERN);
const ENV_KEY_RE = fullMatch(ENV_KEY_PATTERN);
const LOG_GROUP_PATTERN = String.raw`[\.\-_/#A-Za-z0-9]+`;
const LOG_GROUP_RE = fullMatch(LOG_GROUP_PATTERN);
const ENV_LIMIT_BYTES = 4096;
const MAX_TAGS = 50;
/** https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime */
const RESERVED_ENV_KEYS = new Set([
  "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
]);
const BEING_CREATED = { reason: "The function is being created.", code: "Creating" };

export class LambdaService {
  /** Parsed invoke targets: parsing a name is pure, and it is on every invoke. */
  private readonly invokeRefs = new Map<string, FunctionRef>();

  constructor(
    private readonly registry: FunctionRegistry,
    private readonly code: CodeStore,
    private readonly signCodeUrl: CodeUrlSigner,
  ) {}

  /**
   * Judges an execution role before a function takes it: throws AWS's InvalidParameterValueException
   * for a role that does not exist or that Lambda may not assume (wired to IAM by the composition root).
   */
  checkRole: (roleArn: string) => void = () => {};

  get account(): Account {
    return this.registry.account;
  }

  /** Finish deployments a previous process accepted but did not complete (crash or restart). */
  resumeDeployments(): void {
    for (const record of this.registry.all()) {
      if (record.latest.state === FunctionState.Pending || record.latest.lastUpdateStatus === UpdateStatus.InProgress) {
        this.scheduleDeploy(record.name);
      }
    }
  }

  /** The package's extracted directory on this node (fetched from a shared store the first time). */
  codeDir(code: CodeRef): Promise<string> {
    return this.code.extract(code);
  }

  private config(v: FunctionVersion) {
    return toFunctionConfiguration(this.account, v);
  }

  // ---- validation -------------------------------------------------------------------------------

  private checkSettings(input: FunctionSettingsInput, v: Violations): void {
    if (input.role !== undefined && !ROLE_RE.test(input.role)) v.pattern("role", input.role, ROLE_PATTERN);
    if (input.handler !== undefined) {
      if (input.handler.length > 128) v.maxLength("handler", input.handler, 128);
      else if (!HANDLER_RE.test(input.handler)) v.pattern("handler", input.handler, HANDLER_PATTERN);
    }
    if (input.description !== undefined && input.description.length > 256) v.maxLength("description", input.description, 256);
    if (input.timeout !== undefined) v.range("timeout", input.timeout, 1, 900);
    if (input.memorySize !== undefined) v.range("memorySize", input.memorySize, 128, 10240);
    if (input.ephemeralStorage !== undefined) v.range("ephemeralStorage.size", input.ephemeralStorage, 512, 10240);
    if (input.environment && Object.keys(input.environment).some((k) => !ENV_KEY_RE.test(k))) {
      v.add(`Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: ${ENV_KEY_PATTERN}]`);
    }
    if (input.tracingMode !== undefined && !["Active", "PassThrough"].includes(input.tracingMode)) {
      v.add(`Value '${input.tracingMode}' at 'tracingConfig.mode' failed to satisfy constraint: Member must satisfy enum value set: [Active, PassThrough]`);
    }
    if (input.vpcConfig) {
      const show = (ids: string[]) => `[${ids.join(", ")}]`;
      const { SubnetIds, SecurityGroupIds } = input.vpcConfig;
      if (SubnetIds.length > 16 || SubnetIds.some((id) => !/^subnet-[0-9a-z]*$/.test(id) || id.length > 1024)) {
        v.add(`Value '${show(SubnetIds)}' at 'vpcConfig.subnetIds' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 0, Member must satisfy regular expression pattern: subnet-[0-9a-z]*]`);
      }
      if (SecurityGroupIds.length > 5 || SecurityGroupIds.some((id) => !/^sg-[0-9a-zA-Z]*$/.test(id) || id.length > 1024)) {
        v.add(`Value '${show(SecurityGroupIds)}' at 'vpcConfig.securityGroupIds' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 0, Member must satisfy regular expression pattern: sg-[0-9a-zA-Z]*]`);
      }
    }
    if (input.deadLetterTargetArn && !/^arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*$/.test(input.deadLetterTargetArn)) {
      v.pattern("deadLetterConfig.targetArn", input.deadLetterTargetArn, String.raw`(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()`);
    }
    const lc = input.loggingConfig;
    if (lc?.LogFormat !== undefined && !["JSON", "Text"].includes(lc.LogFormat)) {
      v.add(`Value '${lc.LogFormat}' at 'loggingConfig.logFormat' failed to satisfy constraint: Member must satisfy enum value set: [JSON, Text]`);
    }
    if (lc?.ApplicationLogLevel !== undefined && !["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"].includes(lc.ApplicationLogLevel)) {
      v.add(`Value '${lc.ApplicationLogLevel}' at 'loggingConfig.applicationLogLevel' failed to satisfy constraint: Member must satisfy enum value set: [TRACE, DEBUG, INFO, WARN, ERROR, FATAL]`);
    }
    if (lc?.SystemLogLevel !== undefined && !["DEBUG", "INFO", "WARN"].includes(lc.SystemLogLevel)) {
      v.add(`Value '${lc.SystemLogLevel}' at 'loggingConfig.systemLogLevel' failed to satisfy constraint: Member must satisfy enum value set: [DEBUG, INFO, WARN]`);
    }
    if (lc?.LogGroup !== undefined) {
      if (lc.LogGroup.length === 0) v.add("Value '' at 'loggingConfig.logGroup' failed to satisfy constraint: Member must have length greater than or equal to 1");
      else if (lc.LogGroup.length > 512) v.maxLength("loggingConfig.logGroup", lc.LogGroup, 512);
      else if (!LOG_GROUP_RE.test(lc.LogGroup)) v.pattern("loggingConfig.logGroup", lc.LogGroup, LOG_GROUP_PATTERN);
    }
  }

  private checkArchitectures(architectures: string[] | undefined, v: Violations): void {
    if (architectures === undefined) return;
    const shown = `[${architectures.join(", ")}]`;
    if (architectures.length > 1) v.add(`Value '${shown}' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1`);
    else if (architectures.length === 0) v.add(`Value '${shown}' at 'architectures' failed to satisfy constraint: Member must have length greater than or equal to 1`);
    else if (!["x86_64", "arm64"].includes(architectures[0]!)) {
      v.add(`Value '${shown}' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]`);
    }
  }

  /** Semantic checks AWS reports as InvalidParameterValueException, after the model constraints. */
  private checkSemantics(input: FunctionSettingsInput, creating = false): void {
    if (input.runtime !== undefined) {
      if (RETIRED_RUNTIMES.includes(input.runtime)) {
        throw awsError(
          "InvalidParameterValueException",
          `The runtime parameter of ${input.runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.`,
        );
      }
      if (!(AWS_RUNTIMES as readonly string[]).includes(input.runtime) && !FLINT_RUNTIMES[input.runtime]) {
        throw awsError(
          "InvalidParameterValueException",
          `Value ${input.runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [${AWS_RUNTIMES.join(", ")}] or be a valid ARN`,
        );
      }
      if (!FLINT_RUNTIMES[input.runtime]) {
        throw awsError(
          "InvalidParameterValueException",
          `The runtime parameter of ${input.runtime} is not supported by Flint. Supported runtimes: ${Object.keys(FLINT_RUNTIMES).join(", ")}.`,
        );
      }
    }
    if (input.deadLetterTargetArn !== undefined) checkDeadLetterTarget(input.deadLetterTargetArn, creating);
    if (input.environment) {
      const reserved = Object.keys(input.environment).filter((k) => RESERVED_ENV_KEYS.has(k));
      if (reserved.length) {
        throw awsError(
          "InvalidParameterValueException",
          `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(", ")}`,
        );
      }
      const measured = JSON.stringify(input.environment);
      if (Buffer.byteLength(measured) > ENV_LIMIT_BYTES) {
        throw awsError(
          "InvalidParameterValueException",
          `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`,
        );
      }
    }
  }


  private async inspectCode(code: CodeInput | undefined): Promise<{ zip: Buffer; ref: CodeRef }> {
    if (code?.imageUri !== undefined) {
      throw awsError("InvalidParameterValueException", "Flint runs .zip packages only: container images (ImageUri) are not supported.");
    }
    if (code?.s3) {
      throw awsError("InvalidParameterValueException", "Flint has no S3: upload the package inline with ZipFile (for example --zip-file fileb://function.zip).");
    }
    if (!code?.zipFile) throw awsError("InvalidParameterValueException", "Please provide a source for function code.");
    return { zip: code.zipFile, ref: await this.code.inspect(code.zipFile) };
  }

  // ---- functions --------------------------------------------------------------------------------

  async createFunction(input: CreateFunctionInput) {
    const v = new Violations();
    if (input.functionName === undefined) v.add("Value null at 'functionName' failed to satisfy constraint: Member must not be null");
    if (input.role === undefined) v.add("Value null at 'role' failed to satisfy constraint: Member must not be null");
    if (input.code === undefined) v.add("Value null at 'code' failed to satisfy constraint: Member must not be null");
    v.throwIfAny();
    const ref = parseFunctionRef(this.account, input.functionName!, undefined, { create: true });
    if (ref.qualifier !== undefined) {
      throw awsError("InvalidParameterValueException", "Function name with qualifier is not supported for CreateFunction.");
    }
    this.checkSettings(input, v);
    this.checkArchitectures(input.architectures, v);
    v.throwIfAny();
    if (input.packageType !== undefined && input.packageType !== "Zip") {
      throw awsError("InvalidParameterValueException", "Flint runs .zip packages only: PackageType Image is not supported.");
    }
    if (input.runtime === undefined || input.handler === undefined) {
      throw awsError("InvalidParameterValueException", "Runtime and Handler are mandatory parameters for functions created with deployment packages.");
    }
    this.checkSemantics(input, true);
    this.checkRole(input.role!);
    if (input.tags) {
      if (Object.keys(input.tags).length > MAX_TAGS) throw awsError("InvalidParameterValueException", "Number of tags exceeds resource tag limit.");
      checkTagValues(input.tags);
    }
    const loggingConfig = mergeLoggingConfig({ LogFormat: "Text", LogGroup: `/aws/lambda/${ref.name}` }, input.loggingConfig);
    const { zip, ref: code } = await this.inspectCode(input.code);

    return this.registry.withLock(ref.name, async () => {
      if (this.registry.get(ref.name)) throw awsError("ResourceConflictException", `Function already exist: ${ref.name}`);
      await this.code.save(zip, code);
      const now = this.registry.clock.now();
      const latest: FunctionVersion = {
        functionName: ref.name,
        version: "$LATEST",
        runtime: input.runtime!,
        handler: input.handler!,
        role: input.role!,
        description: input.description ?? "",
        timeout: input.timeout ?? 3,
        memorySize: input.memorySize ?? 128,
        environment: input.environment,
        ephemeralStorage: input.ephemeralStorage ?? 512,
        architectures: input.architectures ?? ["x86_64"],
        code,
        lastModified: awsTimestamp(now),
        revisionId: randomUUID(),
        state: FunctionState.Pending,
        stateReason: BEING_CREATED.reason,
        stateReasonCode: BEING_CREATED.code,
        loggingConfig,
        tracingMode: (input.tracingMode as "Active" | "PassThrough" | undefined) ?? "PassThrough",
        ...(input.vpcConfig ? { vpcConfig: input.vpcConfig } : {}),
        ...(input.deadLetterTargetArn ? { deadLetterTargetArn: input.deadLetterTargetArn } : {}),
      };
      let record: FunctionRecord = { name: ref.name, latest, tags: { ...input.tags }, createdAt: now, nextVersion: 1, versions: {}, aliases: {}, provisioned: {}, eventInvokeConfigs: {} };
      let published: FunctionVersion | undefined;
      if (input.publish) ({ record, version: published } = publishSnapshot(record, latest.description));
      if (!(await this.registry.insert(record))) throw awsError("ResourceConflictException", `Function already exist: ${ref.name}`);
      this.scheduleDeploy(ref.name);
      // Created with Publish, AWS answers with version 1, under the function's unqualified ARN.
      return published ? { ...this.config(published), FunctionArn: functionArn(this.account, ref.name) } : this.config(latest);
    });
  }

  /** Unpack the package (if needed) and make `$LATEST`'s pending state or update current. */
  private scheduleDeploy(name: string): void {
    setImmediate(() => {
      void this.deploy(name).catch((err) => console.error(`flint: deploying ${name} failed:`, err));
    });
  }

  private async deploy(name: string): Promise<void> {
    const snapshot = this.registry.get(name);
    if (!snapshot) return;
    let failure: string | undefined;
    try {
      await this.code.extract(snapshot.latest.code);
    } catch (err) {
      failure = `Flint could not unpack the function package: ${(err as Error).message}`;
    }
    await this.registry.withLock(name, async () => {
      const record = this.registry.get(name);
      // A later update or a delete (and create) has taken over; that one finishes the deployment. The
      // revision id cannot tell: tagging, publishing and policy changes change it without deploying anything.
      if (!record || record.createdAt !== snapshot.createdAt || record.latest.lastModified !== snapshot.latest.lastModified) return;
      const previousCode = record.deployed?.code;
      const latest: FunctionVersion = { ...record.latest, revisionId: randomUUID() };
      if (latest.state === FunctionState.Pending) {
        latest.state = functionStates.move(latest.state, failure ? FunctionState.Failed : FunctionState.Active);
        delete latest.stateReason;
        delete latest.stateReasonCode;
        if (failure) Object.assign(latest, { stateReason: failure, stateReasonCode: "InternalError" });
        else latest.lastUpdateStatus = UpdateStatus.Successful;
      } else if (latest.lastUpdateStatus === UpdateStatus.InProgress) {
        latest.lastUpdateStatus = updateStatuses.move(latest.lastUpdateStatus, failure ? UpdateStatus.Failed : UpdateStatus.Successful);
        delete latest.lastUpdateStatusReason;
        delete latest.lastUpdateStatusReasonCode;
        if (failure) Object.assign(latest, { lastUpdateStatusReason: failure, lastUpdateStatusReasonCode: "InternalError" });
      } else return;
      const next: FunctionRecord = failure ? { ...record, latest } : { ...record, latest, deployed: latest, versions: activateVersions(record.versions, latest.code) };
      await this.registry.save(next);
      if (!failure) this.registry.listener.deployed(next);
      if (previousCode && previousCode.id !== latest.code.id) await this.collectCode(previousCode);
    });
  }

  private async collectCode(code: CodeRef): Promise<void> {
    if (!(await this.registry.codeInUse(code.id))) await this.code.remove(code);
  }

  async getFunction(functionName: string, qualifier: string | undefined, baseUrl: string) {
    const ref = parseFunctionRef(this.account, functionName, qualifier);
    const record = this.registry.require(ref.name, ref.qualifier);
    const { version } = this.registry.resolve(record, ref.qualifier);
    const out: Record<string, unknown> = {
      Configuration: this.configAs(version, ref.qualifier),
      Code: { RepositoryType: "S3", Location: await this.signCodeUrl(baseUrl, `/_flint/code/${version.code.id}.zip`) },
    };
    if (Object.keys(record.tags).length) out.Tags = { ...record.tags };
    if (record.reservedConcurrency !== undefined) out.Concurrency = { ReservedConcurrentExecutions: record.reservedConcurrency };
    return out;
  }

  /** A version's configuration, under the ARN it was asked by (`:$LATEST`, `:7`, `:alias` or none). */
  private configAs(version: FunctionVersion, qualifier: string | undefined) {
    const config = this.config(version);
    return qualifier === undefined ? config : { ...config, FunctionArn: functionArn(this.account, version.functionName, qualifier) };
  }

  getFunctionConfiguration(functionName: string, qualifier: string | undefined) {
    const ref = parseFunctionRef(this.account, functionName, qualifier);
    const record = this.registry.require(ref.name, ref.qualifier);
    return this.configAs(this.registry.resolve(record, ref.qualifier).version, ref.qualifier);
  }

  /** Path of a stored package, for the presigned Code.Location download; undefined when no function uses it. */
  async codeZipPath(codeId: string): Promise<string | undefined> {
    if (!/^[0-9a-f]{64}$/.test(codeId) || !(await this.registry.codeInUse(codeId))) return undefined;
    return this.code.localZip({ id: codeId, sha256: "", size: 0 });
  }

  private refuseWhileChanging(record: FunctionRecord): void {
    const arn = functionArn(this.account, record.name);
    if (record.latest.state === FunctionState.Pending) {
      throw awsError(
        "ResourceConflictException",
        `The operation cannot be performed at this time. The resource ${arn} is currently in the following state: 'Pending'. StateReasonCode: 'Creating'`,
      );
    }
    if (record.latest.lastUpdateStatus === UpdateStatus.InProgress) {
      throw awsError("ResourceConflictException", `The operation cannot be performed at this time. An update is in progress for resource: ${arn}`);
    }
  }

  private checkRevision(record: FunctionRecord, revisionId: string | undefined): void {
    if (revisionId !== undefined && revisionId !== record.latest.revisionId) {
      throw awsError(
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
      );
    }
  }

  private unqualified(functionName: string): FunctionRef {
    const ref = parseFunctionRef(this.account, functionName);
    if (ref.qualifier !== undefined) {
      throw awsError("InvalidParameterValueException", "Current operation does not support versions other than $LATEST. Please set version to $LATEST or do not set a version in your request.");
    }
    return ref;
  }

  async updateFunctionCode(functionName: string, input: UpdateFunctionCodeInput) {
    const ref = this.unqualified(functionName);
    this.registry.require(ref.name);
    const v = new Violations();
    this.checkArchitectures(input.architectures, v);
    v.throwIfAny();
    const { zip, ref: code } = await this.inspectCode(input.code);
    return this.registry.withLock(ref.name, async () => {
      const record = this.registry.require(ref.name);
      this.checkRevision(record, input.revisionId);
      this.refuseWhileChanging(record);
      if (input.dryRun) return this.config({ ...record.latest, code });
      await this.code.save(zip, code);
      const latest: FunctionVersion = {
        ...record.latest,
        code,
        ...(input.architectures ? { architectures: input.architectures } : {}),
        ...this.inProgress(),
      };
      if (!input.publish) {
        await this.commit({ ...record, latest });
        return this.config(latest);
      }
      // Published with the update: the version is Pending until the new package is ready.
      const { record: next, version } = publishSnapshot({ ...record, latest }, latest.description);
      await this.commit(next);
      return this.config(version);
    });
  }

  private inProgress(): Partial<FunctionVersion> {
    return {
      lastModified: awsTimestamp(this.registry.clock.now()),
      revisionId: randomUUID(),
      lastUpdateStatus: UpdateStatus.InProgress,
      lastUpdateStatusReason: BEING_CREATED.reason,
      lastUpdateStatusReasonCode: BEING_CREATED.code,
    };
  }

  private async commit(record: FunctionRecord): Promise<void> {
    await this.registry.save(record);
    this.scheduleDeploy(record.name);
  }

  async updateFunctionConfiguration(functionName: string, input: UpdateFunctionConfigurationInput) {
    const ref = this.unqualified(functionName);
    this.registry.require(ref.name);
    const v = new Violations();
    this.checkSettings(input, v);
    v.throwIfAny();
    this.checkSemantics(input);
    if (input.role !== undefined) this.checkRole(input.role);
    return this.registry.withLock(ref.name, async () => {
      const record = this.registry.require(ref.name);
      this.checkRevision(record, input.revisionId);
      this.refuseWhileChanging(record);
      const prev = record.latest;
      const latest: FunctionVersion = {
        ...prev,
        runtime: input.runtime ?? prev.runtime,
        handler: input.handler ?? prev.handler,
        role: input.role ?? prev.role,
        description: input.description ?? prev.description,
        timeout: input.timeout ?? prev.timeout,
        memorySize: input.memorySize ?? prev.memorySize,
        environment: input.environment ?? prev.environment,
        ephemeralStorage: input.ephemeralStorage ?? prev.ephemeralStorage,
        tracingMode: (input.tracingMode as FunctionVersion["tracingMode"] | undefined) ?? prev.tracingMode,
        loggingConfig: mergeLoggingConfig(prev.loggingConfig, input.loggingConfig),
        vpcConfig: input.vpcConfig ?? prev.vpcConfig,
        deadLetterTargetArn: input.deadLetterTargetArn === undefined ? prev.deadLetterTargetArn : input.deadLetterTargetArn || undefined,
        ...this.inProgress(),
      };
      await this.commit({ ...record, latest });
      return this.config(latest);
    });
  }

  async deleteFunction(functionName: string, qualifier: string | undefined): Promise<void> {
    const ref = parseFunctionRef(this.account, functionName, qualifier);
    if (ref.qualifier !== undefined) {
      // AWS's order (recorded): $LATEST and alias-shaped qualifiers are refused before the function is
      // looked up; a version that does not exist is deleted idempotently.
      if (ref.qualifier === "$LATEST") throw awsError("InvalidParameterValueException", "$LATEST version cannot be deleted without deleting the function.");
      if (ALIAS_RE.test(ref.qualifier)) throw awsError("InvalidParameterValueException", "Deletion of aliases is not currently supported.");
      this.registry.require(ref.name);
      if (isVersionNumber(ref.qualifier)) return this.deleteVersion(ref.name, ref.qualifier);
      this.registry.notFound(ref.name, ref.qualifier);
    }
    await this.registry.withLock(ref.name, async () => {
      const record = this.registry.require(ref.name);
      await this.registry.remove(ref.name);
      this.registry.listener.deleted(ref.name);
      for (const code of codeRefsOf(record)) await this.collectCode(code);
    });
  }

  /** Delete one published version; one an alias points to stays (AWS: 409). Deleting a missing one is a no-op. */
  private deleteVersion(name: string, number: string): Promise<void> {
    return this.registry.withLock(name, async () => {
      const record = this.registry.require(name);
      const version = record.versions[number];
      if (!version) return;
      const referencing = Object.values(record.aliases)
        .filter((a) => a.functionVersion === number || a.weights?.[number] !== undefined)
        .map((a) => a.name);
      if (referencing.length) {
        throw awsError("ResourceConflictException", `Unable to delete version because the following aliases reference it: [${referencing.join(", ")}]`);
      }
      const versions = { ...record.versions };
      delete versions[number];
      const provisioned = { ...record.provisioned };
      delete provisioned[number];
      const next = { ...record, versions, provisioned };
      await this.registry.save(next);
      this.registry.listener.configured(next);
      await this.collectCode(version.code);
    });
  }

  listFunctions(marker: string | undefined, maxItems: string | undefined, functionVersion: string | undefined) {
    if (functionVersion !== undefined && functionVersion !== "ALL") {
      const v = new Violations();
      v.add(`Value '${functionVersion}' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]`);
      v.throwIfAny();
    }
    const all = functionVersion === "ALL";
    const records = [...this.registry.all()].sort((a, b) => (a.name < b.name ? -1 : 1));
    const items = records.flatMap((r) => (all ? [r.latest, ...sortedVersions(r)] : [r.latest]));
    const { page, nextMarker } = paginate(items, (v) => `${v.functionName}:${v.version}`, marker, maxItems);
    const out: Record<string, unknown> = { Functions: page.map((v) => toFunctionConfiguration(this.account, v, { forList: true, qualifiedArn: all })) };
    if (nextMarker) out.NextMarker = nextMarker;
    return out;
  }

  getAccountSettings(concurrency: { limit: number; unreserved: number }) {
    let total = 0;
    for (const r of this.registry.all()) for (const v of [r.latest, ...Object.values(r.versions)]) total += v.code.size;
    return {
      AccountLimit: {
        TotalCodeSize: 80_530_636_800,
        CodeSizeUnzipped: MAX_UNZIPPED_BYTES,
        CodeSizeZipped: MAX_ZIPPED_BYTES,
        ConcurrentExecutions: concurrency.limit,
        UnreservedConcurrentExecutions: concurrency.unreserved,
      },
      AccountUsage: { TotalCodeSize: total, FunctionCount: this.registry.size },
    };
  }

  // ---- invoke support ---------------------------------------------------------------------------

  /**
   * What an invocation of `functionName[:qualifier]` runs. Hot path: one regex match and a map lookup.
   */
  resolveForInvoke(functionName: string, qualifier: string | undefined): InvokeTarget {
    const key = qualifier === undefined ? functionName : `${functionName}\0${qualifier}`;
    let ref = this.invokeRefs.get(key);
    if (!ref) {
      ref = parseFunctionRef(this.account, functionName, qualifier);
      if (this.invokeRefs.size >= 10_000) this.invokeRefs.clear();
      this.invokeRefs.set(key, ref);
    }
    const record = this.registry.get(ref.name);
    if (!record) this.registry.notFound(ref.name, ref.qualifier ?? "$LATEST");
    const { version: addressed, alias } = this.registry.resolve(record, ref.qualifier);
    // A weighted alias sends a share of invocations to its additional version.
    let version = addressed;
    if (alias?.weights) {
      let roll = Math.random();
      for (const [number, weight] of Object.entries(alias.weights)) {
        if ((roll -= weight) < 0) {
          version = record.versions[number]!;
          break;
        }
      }
    }
    const runnable = version.version === "$LATEST" ? record.deployed : version;
    if (version.state === FunctionState.Pending || !runnable || runnable.state !== FunctionState.Active) {
      const state = version.state === FunctionState.Active ? FunctionState.Pending : version.state;
      throw awsError("ResourceConflictException", `The operation cannot be performed at this time. The function is currently in the following state: ${state}`);
    }
    return { record, version: runnable, qualifier: ref.qualifier };
  }

  // ---- tags -------------------------------------------------------------------------------------

  /** Tags of resources other than functions (event source mappings), by ARN. */
  otherTags?: {
    tagsOf(arn: string): Record<string, string>;
    tag(arn: string, tags: Record<string, string>): Promise<void>;
    untag(arn: string, keys: string[]): Promise<void>;
  };

  /** The function a taggable ARN names, or the other resource's ARN when Flint keeps that resource's tags. */
  private tagged(resource: string): FunctionRecord | { other: string } {
    const target = parseTaggableArn(this.account, resource);
    if (target.kind !== "function") {
      if (this.otherTags && /:event-source-mapping:/.test(target.arn)) return { other: target.arn };
      throw awsError("ResourceNotFoundException", `The resource you requested does not exist. (${target.arn})`);
    }
    if (target.qualifier !== undefined) {
      throw awsError("InvalidParameterValueException", "Tags on function aliases and versions are not supported. Please specify a function ARN.");
    }
    return this.registry.require(target.name);
  }

  async tagResource(resource: string, tags: Record<string, string> | undefined): Promise<void> {
    const found = this.tagged(resource);
    if (!tags || Object.keys(tags).length === 0) throw awsError("InvalidParameterValueException", "An error occurred and the request cannot be processed.");
    checkTagValues(tags);
    if ("other" in found) return this.otherTags!.tag(found.other, tags);
    await this.registry.withLock(found.name, async () => {
      const record = this.registry.require(found.name);
      const merged = { ...record.tags, ...tags };
      if (Object.keys(merged).length > MAX_TAGS) throw awsError("InvalidParameterValueException", "Number of tags exceeds resource tag limit.");
      await this.registry.save(withNewRevision({ ...record, tags: merged }));
    });
  }

  async untagResource(resource: string, keys: string[] | undefined): Promise<void> {
    const found = this.tagged(resource);
    if (!keys || keys.length === 0) {
      const v = new Violations();
      v.add("Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
      v.throwIfAny();
    }
    if ("other" in found) return this.otherTags!.untag(found.other, keys!);
    await this.registry.withLock(found.name, async () => {
      const record = this.registry.require(found.name);
      const tags = { ...record.tags };
      for (const k of keys!) delete tags[k];
      await this.registry.save(withNewRevision({ ...record, tags }));
    });
  }

  listTags(resource: string) {
    const found = this.tagged(resource);
    return { Tags: "other" in found ? this.otherTags!.tagsOf(found.other) : { ...found.tags } };
  }

}

/**
 * Tagging gives `$LATEST` a new revision id, as AWS does (recorded: TestLambdaTags::test_tag_lifecycle);
 * what invocations run (`deployed`) is unchanged, so warm environments stay.
 */
function withNewRevision(record: FunctionRecord): FunctionRecord {
  return { ...record, latest: { ...record.latest, revisionId: randomUUID() } };
}

/**
 * DeadLetterConfig.TargetArn beyond its pattern: an SQS queue or SNS topic (the API reference's
 * DeadLetterConfig). An empty TargetArn removes the queue on UpdateFunctionConfiguration; CreateFunction
 * refuses it (AWS's text as users reported it). AWS refuses FIFO queues (text as reported); its text
 * for other services is not known, so that one is Flint's.
 */
function checkDeadLetterTarget(arn: string, creating: boolean): void {
  const invalid = (why: string) => awsError("InvalidParameterValueException", `Invalid dead letter queue ARN: ${why}`);
  if (arn === "") {
    if (creating) throw invalid("ARNs must start with 'arn:':");
    return;
  }
  const [, , service, , , resource] = arn.split(":");
  if (service !== "sqs" && service !== "sns") throw invalid(`${arn} is not an Amazon SQS queue or Amazon SNS topic.`);
  if (service === "sqs" && resource?.endsWith(".fifo")) throw invalid("FIFO SQS queue is not supported for dead letter configuration");
}

/**
 * AWS sets both log levels to INFO when the format becomes JSON and drops them for Text
 * (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html); a level
 * given for a function whose format stays Text is refused (log-level filtering needs JSON). AWS
 * does not document that message's text: this is the one other emulators use.
 */
function mergeLoggingConfig(prev: LoggingConfig, input: FunctionSettingsInput["loggingConfig"]): LoggingConfig {
  const next: LoggingConfig = { ...prev };
  for (const [k, v] of Object.entries(input ?? {})) if (v !== undefined) (next as unknown as Record<string, unknown>)[k] = v;
  if (next.LogFormat === "Text" && (input?.ApplicationLogLevel !== undefined || input?.SystemLogLevel !== undefined)) {
    throw awsError("InvalidParameterValueException", "ApplicationLogLevel and SystemLogLevel can only be set for functions configured to use JSON log format.");
  }
  if (next.LogFormat === "Text") {
    delete next.ApplicationLogLevel;
    delete next.SystemLogLevel;
  } else {
    next.ApplicationLogLevel ??= "INFO";
    next.SystemLogLevel ??= "INFO";
  }
  return next;
}
