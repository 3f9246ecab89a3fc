/**
 * The control plane's records and their AWS wire rendering.
 *
 * A FunctionVersion is one configuration of a function: `$LATEST` (mutable) or, later, a published
 * version (immutable). It is what the API shows and, once deployed, what the data plane runs.
 */
import { createHash } from "node:crypto";
import { StateMachine } from "../../lib/state-machine.js";
import { type Account, functionArn } from "./arns.js";

export const FunctionState = { Pending: "Pending", Active: "Active", Failed: "Failed", Inactive: "Inactive" } as const;
export type FunctionState = (typeof FunctionState)[keyof typeof FunctionState];

/** https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html */
export const functionStates = new StateMachine<FunctionState>("function", {
  Pending: ["Active", "Failed"],
  Active: ["Inactive", "Failed"],
  Inactive: ["Pending", "Active"],
  Failed: [],
});

export const UpdateStatus = { InProgress: "InProgress", Successful: "Successful", Failed: "Failed" } as const;
export type UpdateStatus = (typeof UpdateStatus)[keyof typeof UpdateStatus];

export const updateStatuses = new StateMachine<UpdateStatus>("function update", {
  InProgress: ["Successful", "Failed"],
  Successful: ["InProgress"],
  Failed: ["InProgress"],
});

export interface CodeRef {
  /** Hex SHA-256 of the zip: the key of the package on disk. */
  id: string;
  /** Base64 SHA-256, as AWS reports CodeSha256. */
  sha256: string;
  /** Zip size in bytes. */
  size: number;
}

export interface LoggingConfig {
  LogFormat: "Text" | "JSON";
  LogGroup: string;
  ApplicationLogLevel?: string;
  SystemLogLevel?: string;
}

export interface FunctionVersion {
  functionName: string;
  version: string;
  runtime: string;
  handler: string;
  role: string;
  description: string;
  timeout: number;
  memorySize: number;
  /** undefined when the function was created without an Environment member (AWS then omits it). */
  environment?: Record<string, string>;
  ephemeralStorage: number;
  architectures: string[];
  code: CodeRef;
  lastModified: string;
  revisionId: string;
  state: FunctionState;
  stateReason?: string;
  stateReasonCode?: string;
  lastUpdateStatus?: UpdateStatus;
  lastUpdateStatusReason?: string;
  lastUpdateStatusReasonCode?: string;
  loggingConfig: LoggingConfig;
  tracingMode: "PassThrough" | "Active";
  /** Set once a VpcConfig was given (AWS then always shows it, empty lists once removed). */
  vpcConfig?: { SubnetIds: string[]; SecurityGroupIds: string[] };
  /** DeadLetterConfig.TargetArn: an SQS queue or SNS topic for events that failed asynchronous invocation. */
  deadLetterTargetArn?: string;
  /** Published versions: the fingerprint of `$LATEST` they were published from (see versions.ts). */
  publishedFrom?: string;
}

export interface AliasRecord {
  name: string;
  functionVersion: string;
  description: string;
  revisionId: string;
  /** AdditionalVersionWeights: version → share of invocations routed to it. */
  weights?: Record<string, number>;
}

export interface ProvisionedConfigRecord {
  /** The version or alias it applies to. */
  qualifier: string;
  requested: number;
  lastModified: string;
}

/** Asynchronous invocation settings of a function, version or alias (FunctionEventInvokeConfig). */
export interface EventInvokeConfigRecord {
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  /** DestinationConfig.OnSuccess.Destination / OnFailure.Destination ARNs. */
  onSuccess?: string;
  onFailure?: string;
  /** Epoch milliseconds. */
  lastModified: number;
}

/** A statement of a resource-based policy, its keys in AWS's order (Sid, Effect, Principal, Action, Resource, Condition). */
export type PolicyStatement = Record<string, unknown> & { Sid: string };

/** The resource-based policy of the function, a version or an alias (AddPermission). */
export interface PolicyRecord {
  /** In the order they were added. */
  statements: PolicyStatement[];
  /** What GetPolicy reports: the RevisionId the function (or alias) got with the policy's last change. */
  revisionId: string;
}

/** Everything Flint keeps about one function. */
export interface FunctionRecord {
  name: string;
  /** `$LATEST` as the API shows it. */
  latest: FunctionVersion;
  /** The `$LATEST` configuration invocations run: the last one whose code was ready. */
  deployed?: FunctionVersion;
  tags: Record<string, string>;
  createdAt: number;
  /** The number the next published version gets; numbers are never reused. */
  nextVersion: number;
  /** Published versions, immutable once Active, by number. */
  versions: Record<string, FunctionVersion>;
  aliases: Record<string, AliasRecord>;
  /** ReservedConcurrentExecutions, when set (0 turns the function off). */
  reservedConcurrency?: number;
  /** Provisioned concurrency configurations by qualifier. */
  provisioned: Record<string, ProvisionedConfigRecord>;
  /** Asynchronous invocation settings by qualifier (`$LATEST`, a version or an alias). */
  eventInvokeConfigs: Record<string, EventInvokeConfigRecord>;
  /** Resource-based policies by qualifier (`$LATEST` for the unqualified function, a version or an alias). */
  policies?: Record<string, PolicyRecord>;
}

/** Records written before versions existed get their empty collections. */
export function normaliseRecord(r: FunctionRecord): FunctionRecord {
  return { ...r, nextVersion: r.nextVersion ?? 1, versions: r.versions ?? {}, aliases: r.aliases ?? {}, provisioned: r.provisioned ?? {}, eventInvokeConfigs: r.eventInvokeConfigs ?? {}, policies: r.policies ?? {} };
}

/** Every code package a function still references. */
export function codeRefsOf(r: FunctionRecord): CodeRef[] {
  const byId = new Map<string, CodeRef>();
  for (const v of [r.latest, r.deployed, ...Object.values(r.versions ?? {})]) if (v) byId.set(v.code.id, v.code);
  return [...byId.values()];
}

/** AWS's timestamp format: 2024-01-31T12:34:56.789+0000 */
export function awsTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+0000");
}

function runtimeVersionArn(acct: Account, runtime: string): string {
  return `arn:aws:lambda:${acct.region}::runtime:${createHash("sha256").update(`flint:${runtime}`).digest("hex")}`;
}

/** Render a FunctionVersion as AWS's FunctionConfiguration. */
export function toAliasConfiguration(acct: Account, functionName: string, a: AliasRecord) {
  const out: Record<string, unknown> = {
    AliasArn: functionArn(acct, functionName, a.name),
    Name: a.name,
    FunctionVersion: a.functionVersion,
    Description: a.description,
  };
  if (a.weights && Object.keys(a.weights).length) out.RoutingConfig = { AdditionalVersionWeights: { ...a.weights } };
  out.RevisionId = a.revisionId;
  return out;
}

export function toFunctionConfiguration(acct: Account, v: FunctionVersion, opts: { qualifiedArn?: boolean; forList?: boolean } = {}) {
  const out: Record<string, unknown> = {
    FunctionName: v.functionName,
    FunctionArn: functionArn(acct, v.functionName, opts.qualifiedArn || v.version !== "$LATEST" ? v.version : undefined),
    Runtime: v.runtime,
    Role: v.role,
    Handler: v.handler,
    CodeSize: v.code.size,
    Description: v.description,
    Timeout: v.timeout,
    MemorySize: v.memorySize,
    LastModified: v.lastModified,
    CodeSha256: v.code.sha256,
    Version: v.version,
  };
  if (v.environment) out.Environment = { Variables: { ...v.environment } };
  out.TracingConfig = { Mode: v.tracingMode };
  out.RevisionId = v.revisionId;
  if (!opts.forList) {
    out.State = v.state;
    if (v.stateReason) out.StateReason = v.stateReason;
    if (v.stateReasonCode) out.StateReasonCode = v.stateReasonCode;
    if (v.lastUpdateStatus) out.LastUpdateStatus = v.lastUpdateStatus;
    if (v.lastUpdateStatusReason) out.LastUpdateStatusReason = v.lastUpdateStatusReason;
    if (v.lastUpdateStatusReasonCode) out.LastUpdateStatusReasonCode = v.lastUpdateStatusReasonCode;
  }
  out.PackageType = "Zip";
  out.Architectures = [...v.architectures];
  out.EphemeralStorage = { Size: v.ephemeralStorage };
  out.SnapStart = { ApplyOn: "None", OptimizationStatus: "Off" };
  if (!opts.forList) out.RuntimeVersionConfig = { RuntimeVersionArn: runtimeVersionArn(acct, v.runtime) };
  out.LoggingConfig = { ...v.loggingConfig };
  if (v.deadLetterTargetArn) out.DeadLetterConfig = { TargetArn: v.deadLetterTargetArn };
  if (v.vpcConfig) {
    const { SubnetIds, SecurityGroupIds } = v.vpcConfig;
    out.VpcConfig = {
      SubnetIds: [...SubnetIds],
      SecurityGroupIds: [...SecurityGroupIds],
      VpcId: SubnetIds.length ? `vpc-${createHash("sha256").update(SubnetIds.join(",")).digest("hex").slice(0, 17)}` : "",
      Ipv6AllowedForDualStack: false,
    };
  }
  return out;
}
