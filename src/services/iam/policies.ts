/**
 * Managed policies: AWS's own (read-only, `aws-managed.ts`) and this account's, with up to five
 * versions each, in memory and in the store. How many roles and users use a policy is the
 * principals' to say (`usage`).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html
 */
import type { Clock } from "../../clock/clock.js";
import { awsError } from "../../errors.js";
import type { IamStore } from "../../store/iam-store.js";
import type { CacheSync } from "../../store/change-bus.js";
import { AWS_MANAGED_POLICIES } from "./aws-managed.js";
import { IdPrefix, newId, type ManagedPolicyRecord, type Tag } from "./model.js";
import { page, type Page, type PageRequest } from "./pages.js";
import { checkDescription, checkDocument, checkName, checkPath, checkPathPrefix, checkTags, policySize, PolicySizeQuota } from "./validation.js";

export interface CreatePolicyInput {
  PolicyName: string;
  PolicyDocument: string;
  Path?: string;
  Description?: string;
  Tags?: Tag[];
}

export interface ListPoliciesInput extends PageRequest {
  Scope?: string;
  OnlyAttached?: boolean;
  PathPrefix?: string;
}

/** A managed policy as the API shows it: its record and how many entities it is attached to. */
export interface PolicyView {
  policy: ManagedPolicyRecord;
  attachmentCount: number;
  boundaryUsageCount: number;
}

/** How many roles and users have a policy attached, and have it as their permissions boundary. */
export type PolicyUsage = (arn: string) => { attachments: number; boundaries: number };

const MAX_POLICY_VERSIONS = 5;
const POLICY_ARN = /^arn:aws:iam::(\d{12}|aws):policy(\/|\/[\u0021-\u007E]+\/)[\w+=,.@-]+$/;

export class ManagedPolicies {
  /** This account's, by ARN. */
  private readonly customer = new Map<string, ManagedPolicyRecord>();
  /** Counts changes to this account's policies (what authorization caches of them are keyed by). */
  changes = 0;

  constructor(
    private readonly account: { accountId: string },
    private readonly store: IamStore,
    private readonly clock: Clock,
    private readonly usage: PolicyUsage,
    /** The IAM service's: writes here tell the other nodes too. */
    private readonly sync: CacheSync,
    stored: ManagedPolicyRecord[],
  ) {
    this.replace(stored);
  }

  /** Every customer policy, as the store has them now (loading, and another node's change). */
  replace(stored: ManagedPolicyRecord[]): void {
    const before = JSON.stringify([...this.customer.values()]);
    this.customer.clear();
    for (const policy of stored) this.customer.set(policy.arn, policy);
    if (JSON.stringify(stored) !== before) this.changes++;
  }

  async create(input: CreatePolicyInput): Promise<PolicyView> {
    const name = checkName(input.PolicyName, "policyName", 128);
    const path = checkPath(input.Path);
    const description = checkDescription(input.Description);
    const tags = checkTags(input.Tags);
    const document = checkManagedPolicy(input.PolicyDocument);
    if ([...this.customer.values()].some((p) => p.name.toLowerCase() === name.toLowerCase())) {
      throw awsError("EntityAlreadyExists", `A policy called ${name} already exists. Duplicate names are not allowed.`);
    }
    const now = this.clock.now();
    const policy: ManagedPolicyRecord = {
      name,
      id: newId(IdPrefix.policy),
      path,
      arn: `arn:aws:iam::${this.account.accountId}:policy${path}${name}`,
      ...(description !== undefined ? { description } : {}),
      createDate: now,
      updateDate: now,
      defaultVersionId: "v1",
      versions: [{ versionId: "v1", document, createDate: now }],
      nextVersion: 2,
      tags,
    };
    await this.put(policy);
    return this.view(policy);
  }

  get(arn: string): PolicyView {
    return this.view(this.find(arn, `Policy ${arn} was not found.`));
  }

  async delete(arn: string): Promise<void> {
    const policy = this.customerPolicy(arn);
    const usage = this.usage(arn);
    if (usage.attachments > 0 || usage.boundaries > 0) throw awsError("DeleteConflict", "Cannot delete a policy attached to entities.");
    if (policy.versions.length > 1) {
      throw awsError("DeleteConflict", "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.");
    }
    await this.sync.write(arn, async () => {
      this.customer.delete(arn);
      this.changes++;
      await this.store.deletePolicy(arn);
    });
  }

  list(req: ListPoliciesInput): Page<PolicyView> {
    const scope = req.Scope ?? "All";
    if (scope !== "All" && scope !== "AWS" && scope !== "Local") {
      throw awsError("ValidationException", `1 validation error detected: Value '${scope}' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]`);
    }
    const prefix = checkPathPrefix(req.PathPrefix);
    const all = [...(scope === "Local" ? [] : AWS_MANAGED_POLICIES.values()), ...(scope === "AWS" ? [] : this.customer.values())];
    const views = all
      .filter((p) => p.path.startsWith(prefix))
      .map((p) => this.view(p))
      .filter((v) => !req.OnlyAttached || v.attachmentCount > 0)
      .sort((a, b) => (policyKey(a) < policyKey(b) ? -1 : 1));
    return page(views, policyKey, req);
  }

  async createVersion(arn: string, document: string, setAsDefault: boolean): Promise<{ versionId: string; isDefault: boolean; createDate: number }> {
    checkManagedPolicy(document);
    const policy = this.customerPolicy(arn);
    if (policy.versions.length >= MAX_POLICY_VERSIONS) {
      throw awsError("LimitExceeded", `A managed policy can have up to ${MAX_POLICY_VERSIONS} versions. Before you create a new version, you must delete an existing version.`);
    }
    const now = this.clock.now();
    const versionId = `v${policy.nextVersion}`;
    await this.put({
      ...policy,
      versions: [...policy.versions, { versionId, document, createDate: now }],
      nextVersion: policy.nextVersion + 1,
      ...(setAsDefault ? { defaultVersionId: versionId, updateDate: now } : {}),
    });
    return { versionId, isDefault: setAsDefault, createDate: now };
  }

  getVersion(arn: string, versionId: string): { versionId: string; document: string; createDate: number; isDefault: boolean } {
    const policy = this.find(arn, `Policy ${arn} was not found.`);
    const version = this.version(policy, versionId);
    return { ...version, isDefault: version.versionId === policy.defaultVersionId };
  }

  listVersions(arn: string, req: PageRequest): Page<{ versionId: string; createDate: number; isDefault: boolean }> {
    const policy = this.find(arn, `Policy ${arn} was not found.`);
    const versions = policy.versions
      .map((v) => ({ versionId: v.versionId, createDate: v.createDate, isDefault: v.versionId === policy.defaultVersionId }))
      .sort((a, b) => Number(b.versionId.slice(1)) - Number(a.versionId.slice(1)));
    // Newest first, as AWS lists them; the marker names a version by a key that sorts the same way.
    const key = (v: { versionId: string }) => String(1e9 - Number(v.versionId.slice(1))).padStart(10, "0");
    return page(versions, key, req);
  }

  async deleteVersion(arn: string, versionId: string): Promise<void> {
    const policy = this.customerPolicy(arn);
    const version = this.version(policy, versionId);
    if (version.versionId === policy.defaultVersionId) throw awsError("DeleteConflict", "Cannot delete the default version of a policy.");
    await this.put({ ...policy, versions: policy.versions.filter((v) => v !== version) });
  }

  async setDefaultVersion(arn: string, versionId: string): Promise<void> {
    const policy = this.customerPolicy(arn);
    const version = this.version(policy, versionId);
    await this.put({ ...policy, defaultVersionId: version.versionId, updateDate: this.clock.now() });
  }

  /** A managed policy, AWS's or this account's; `missing` is the NoSuchEntity text the caller's operation uses. */
  find(arn: string, missing: string): ManagedPolicyRecord {
    checkPolicyArn(arn);
    const policy = AWS_MANAGED_POLICIES.get(arn) ?? this.customer.get(arn);
    if (!policy) throw awsError("NoSuchEntity", missing);
    return policy;
  }

  /** A policy this account may change: AWS's own are read-only. */
  private customerPolicy(arn: string): ManagedPolicyRecord {
    const policy = this.find(arn, `Policy ${arn} was not found.`);
    if (AWS_MANAGED_POLICIES.has(arn)) throw awsError("AccessDeniedException", `Policy ${arn} is an AWS managed policy and cannot be modified.`);
    return policy;
  }

  private version(policy: ManagedPolicyRecord, versionId: string) {
    if (!/^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/.test(versionId)) {
      throw awsError("ValidationException", `1 validation error detected: Value '${versionId}' at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?`);
    }
    const version = policy.versions.find((v) => v.versionId === versionId);
    if (!version) throw awsError("NoSuchEntity", `Policy ${policy.arn} version ${versionId} does not exist or is not attachable.`);
    return version;
  }

  private view(policy: ManagedPolicyRecord): PolicyView {
    const usage = this.usage(policy.arn);
    return { policy, attachmentCount: usage.attachments, boundaryUsageCount: usage.boundaries };
  }

  /** The default version's document of a managed policy, AWS's or this account's; undefined if there is no such policy. */
  defaultDocument(arn: string): string | undefined {
    const policy = AWS_MANAGED_POLICIES.get(arn) ?? this.customer.get(arn);
    return policy?.versions.find((v) => v.versionId === policy.defaultVersionId)?.document;
  }

  private put(policy: ManagedPolicyRecord): Promise<void> {
    return this.sync.write(policy.arn, async () => {
      this.changes++;
      this.customer.set(policy.arn, policy);
      await this.store.putPolicy(policy);
    });
  }
}

function checkManagedPolicy(document: string): string {
  checkDocument(document, "policyDocument", "identity");
  if (policySize(document) > PolicySizeQuota.managed) throw awsError("LimitExceeded", `Cannot exceed quota for PolicySize: ${PolicySizeQuota.managed}`);
  return document;
}

/** Policies sort by name; a customer policy may share its name with one of AWS's, so the ARN follows. */
const policyKey = (v: PolicyView) => `${v.policy.name}\u0000${v.policy.arn}`;

/** AWS's text for an ARN that is not a policy's (two spaces, recorded). */
export function checkPolicyArn(arn: string): void {
  if (!POLICY_ARN.test(arn)) throw awsError("ValidationException", "Invalid ARN:  Could not be parsed!");
}
