/**
 * Published versions: immutable snapshots of `$LATEST`'s code and configuration, numbered from 1 per
 * function and never renumbered. https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html
 */
import { randomUUID } from "node:crypto";
import { awsError } from "../../errors.js";
import { type Account, parseFunctionRef } from "./arns.js";
import { type CodeRef, type FunctionRecord, type FunctionVersion, FunctionState, UpdateStatus, awsTimestamp, toFunctionConfiguration } from "./model.js";
import { paginate } from "./pagination.js";
import type { FunctionRegistry } from "./registry.js";
import { member } from "./validation.js";

/** Published versions, oldest first. */
export function sortedVersions(record: FunctionRecord): FunctionVersion[] {
  return Object.values(record.versions).sort((a, b) => Number(a.version) - Number(b.version));
}

/**
 * The settings of `$LATEST` that make a new version worth publishing. AWS returns the newest version
 * instead of publishing when none of them (its description included) changed since that version.
 */
function fingerprint(v: FunctionVersion): string {
  const { runtime, handler, role, description, timeout, memorySize, environment, ephemeralStorage, architectures, loggingConfig, tracingMode, vpcConfig, deadLetterTargetArn } = v;
  return JSON.stringify([v.code.id, runtime, handler, role, description, timeout, memorySize, environment ?? null, ephemeralStorage, architectures, loggingConfig, tracingMode, vpcConfig ?? null, deadLetterTargetArn ?? null]);
}

/**
 * Snapshot `$LATEST` as the next version. A version published while `$LATEST` is still being
 * created or updated is Pending until that package is ready (activateVersions). Publishing gives
 * `$LATEST` a new revision id, as AWS does (recorded: TestLambdaRevisions::test_function_revisions_version_and_alias).
 */
export function publishSnapshot(record: FunctionRecord, description: string): { record: FunctionRecord; version: FunctionVersion } {
  const latest = record.latest;
  const number = String(record.nextVersion);
  const pending = latest.state === FunctionState.Pending || latest.lastUpdateStatus === UpdateStatus.InProgress;
  const version: FunctionVersion = {
    ...latest,
    version: number,
    description,
    publishedFrom: fingerprint(latest),
    revisionId: randomUUID(),
    lastModified: awsTimestamp(Date.now()),
    ...(pending
      ? { state: FunctionState.Pending, stateReason: "The function is being created.", stateReasonCode: "Creating", lastUpdateStatus: undefined }
      : { state: FunctionState.Active, stateReason: undefined, stateReasonCode: undefined, lastUpdateStatus: UpdateStatus.Successful }),
    lastUpdateStatusReason: undefined,
    lastUpdateStatusReasonCode: undefined,
  };
  return {
    record: { ...record, latest: { ...latest, revisionId: randomUUID() }, nextVersion: record.nextVersion + 1, versions: { ...record.versions, [number]: version } },
    version,
  };
}

/** Versions waiting for a package become Active once it is unpacked. */
export function activateVersions(versions: Record<string, FunctionVersion>, code: CodeRef): Record<string, FunctionVersion> {
  const out: Record<string, FunctionVersion> = {};
  for (const [n, v] of Object.entries(versions)) {
    out[n] =
      v.state === FunctionState.Pending && v.code.id === code.id
        ? { ...v, state: FunctionState.Active, stateReason: undefined, stateReasonCode: undefined, lastUpdateStatus: UpdateStatus.Successful, revisionId: randomUUID() }
        : v;
  }
  return out;
}

export interface PublishVersionInput {
  codeSha256?: string;
  description?: string;
  revisionId?: string;
}

export function decodePublishVersion(body: Record<string, unknown>): PublishVersionInput {
  return { codeSha256: member(body, "CodeSha256", "string"), description: member(body, "Description", "string"), revisionId: member(body, "RevisionId", "string") };
}

export class VersionsService {
  constructor(private readonly registry: FunctionRegistry) {}

  private get account(): Account {
    return this.registry.account;
  }

  async publishVersion(functionName: string, input: PublishVersionInput) {
    const ref = parseFunctionRef(this.account, functionName);
    if (ref.qualifier !== undefined) {
      throw awsError("InvalidParameterValueException", "Current operation does not support versions other than $LATEST. Please set version to $LATEST or do not set a version in your request.");
    }
    if (input.description !== undefined && input.description.length > 256) {
      throw awsError("ValidationException", `1 validation error detected: Value '${input.description}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 256`);
    }
    return this.registry.withLock(ref.name, async () => {
      const record = this.registry.require(ref.name);
      const latest = record.latest;
      if (input.revisionId !== undefined && input.revisionId !== latest.revisionId) {
        throw awsError("PreconditionFailedException", "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id");
      }
      if (input.codeSha256 !== undefined && input.codeSha256 !== latest.code.sha256) {
        throw awsError(
          "InvalidParameterValueException",
          `CodeSHA256 (${input.codeSha256}) is different from current CodeSHA256 in $LATEST (${latest.code.sha256}). Please try again with the CodeSHA256 in $LATEST.`,
        );
      }
      if (latest.state !== FunctionState.Active || latest.lastUpdateStatus === UpdateStatus.InProgress) {
        throw awsError("ResourceConflictException", `The operation cannot be performed at this time. An update is in progress for resource: ${toFunctionConfiguration(this.account, latest).FunctionArn}`);
      }
      // Nothing changed since the newest version: AWS returns that version instead of a new one.
      const newest = sortedVersions(record).at(-1);
      if (newest && newest.publishedFrom === fingerprint(latest)) return toFunctionConfiguration(this.account, newest);
      const { record: next, version } = publishSnapshot(record, input.description ?? latest.description);
      await this.registry.save(next);
      this.registry.listener.deployed(next);
      return toFunctionConfiguration(this.account, version);
    });
  }

  listVersionsByFunction(functionName: string, marker: string | undefined, maxItems: string | undefined) {
    const ref = parseFunctionRef(this.account, functionName);
    const record = this.registry.require(ref.name);
    const { page, nextMarker } = paginate([record.latest, ...sortedVersions(record)], (v) => v.version, marker, maxItems);
    const out: Record<string, unknown> = { Versions: page.map((v) => toFunctionConfiguration(this.account, v, { forList: true, qualifiedArn: true })) };
    if (nextMarker) out.NextMarker = nextMarker;
    return out;
  }
}
