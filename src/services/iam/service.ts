/**
 * IAM-compatible roles, inline policies and managed policies, in memory and in the store (every
 * write is on disk before its promise resolves). IAM is global: ARNs carry the account, no region.
 * Nothing here is enforced yet; evaluation is `iam/evaluate.ts`'s and the listener's (issue 14).
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html
 */
import type { Clock } from "../../clock/clock.js";
import { awsError } from "../../errors.js";
import type { IamStore } from "../../store/iam-store.js";
import { AWS_MANAGED_POLICIES } from "./aws-managed.js";
import { IdPrefix, newId, type ManagedPolicyRecord, type RoleRecord, type Tag } from "./model.js";
import { page, type Page, type PageRequest } from "./pages.js";
import { checkDescription, checkDocument, checkName, checkPath, checkPathPrefix, checkRange, checkTags } from "./validation.js";

export interface IamAccount {
  accountId: string;
}

export interface CreateRoleInput {
  RoleName: string;
  AssumeRolePolicyDocument: string;
  Path?: string;
  Description?: string;
  MaxSessionDuration?: number;
  Tags?: Tag[];
}

export interface CreatePolicyInput {
  PolicyName: string;
  PolicyDocument: string;
  Path?: string;
  Description?: string;
  Tags?: Tag[];
}

export type PolicyScope = "All" | "AWS" | "Local";

export interface ListPoliciesInput extends PageRequest {
  Scope?: string;
  OnlyAttached?: boolean;
  PathPrefix?: string;
}

/** A managed policy as the API shows it: its record and how many entities it is attached to. */
export interface PolicyView {
  policy: ManagedPolicyRecord;
  attachmentCount: number;
}

const MAX_POLICY_VERSIONS = 5;
const MAX_ATTACHED_PER_ROLE = 10;
const POLICY_ARN = /^arn:aws:iam::(\d{12}|aws):policy(\/|\/[\u0021-\u007E]+\/)[\w+=,.@-]+$/;
const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export class IamService {
  /** By lower-cased name: IAM role names are unique regardless of case. */
  private readonly roles = new Map<string, RoleRecord>();
  /** Customer managed policies by ARN. */
  private readonly policies = new Map<string, ManagedPolicyRecord>();

  private constructor(
    private readonly account: IamAccount,
    private readonly store: IamStore,
    private readonly clock: Clock,
  ) {}

  static async create(account: IamAccount, store: IamStore, clock: Clock): Promise<IamService> {
    const service = new IamService(account, store, clock);
    for (const role of await store.listRoles()) service.roles.set(role.name.toLowerCase(), role);
    for (const policy of await store.listPolicies()) service.policies.set(policy.arn, policy);
    return service;
  }

  // Roles

  async createRole(input: CreateRoleInput): Promise<RoleRecord> {
    const name = checkName(input.RoleName, "roleName");
    const path = checkPath(input.Path);
    const description = checkDescription(input.Description);
    const maxSessionDuration = checkRange(input.MaxSessionDuration, "maxSessionDuration", 3600, 43200) ?? 3600;
    const tags = checkTags(input.Tags);
    const document = checkDocument(input.AssumeRolePolicyDocument, "assumeRolePolicyDocument", "trust");
    if (this.roles.has(name.toLowerCase())) throw awsError("EntityAlreadyExists", `Role with name ${name} already exists.`);
    const role: RoleRecord = {
      name,
      id: newId(IdPrefix.role),
      path,
      arn: `arn:aws:iam::${this.account.accountId}:role${path}${name}`,
      createDate: this.clock.now(),
      assumeRolePolicyDocument: document,
      ...(description !== undefined ? { description } : {}),
      maxSessionDuration,
      tags,
      inlinePolicies: {},
      attachedPolicies: [],
    };
    await this.putRole(role);
    return role;
  }

  getRole(name: string): RoleRecord {
    const role = this.roles.get(checkName(name, "roleName").toLowerCase());
    if (!role) throw awsError("NoSuchEntity", `The role with name ${name} cannot be found.`);
    return role;
  }

  listRoles(req: PageRequest & { PathPrefix?: string }): Page<RoleRecord> {
    const prefix = checkPathPrefix(req.PathPrefix);
    const roles = [...this.roles.values()].filter((r) => r.path.startsWith(prefix)).sort(byName);
    return page(roles, (r) => r.name, req);
  }

  async deleteRole(name: string): Promise<void> {
    const role = this.getRole(name);
    if (Object.keys(role.inlinePolicies).length > 0) throw awsError("DeleteConflict", "Cannot delete entity, must delete policies first.");
    if (role.attachedPolicies.length > 0) throw awsError("DeleteConflict", "Cannot delete entity, must detach all policies first.");
    this.roles.delete(role.name.toLowerCase());
    await this.store.deleteRole(role.name);
  }

  async updateAssumeRolePolicy(name: string, document: string): Promise<void> {
    const role = this.getRole(name);
    await this.putRole({ ...role, assumeRolePolicyDocument: checkDocument(document, "policyDocument", "trust") });
  }

  async tagRole(name: string, tags: Tag[]): Promise<void> {
    const role = this.getRole(name);
    const merged = new Map(role.tags.map((t) => [t.Key.toLowerCase(), t]));
    for (const tag of checkTags(tags)) merged.set(tag.Key.toLowerCase(), tag);
    if (merged.size > 50) throw awsError("LimitExceeded", "The number of tags has reached the maximum limit.");
    await this.putRole({ ...role, tags: [...merged.values()] });
  }

  async untagRole(name: string, keys: string[]): Promise<void> {
    const role = this.getRole(name);
    const gone = new Set(keys.map((k) => k.toLowerCase()));
    await this.putRole({ ...role, tags: role.tags.filter((t) => !gone.has(t.Key.toLowerCase())) });
  }

  listRoleTags(name: string, req: PageRequest): Page<Tag> {
    return page(this.getRole(name).tags, (t) => t.Key, req);
  }

  // Inline policies of a role

  async putRolePolicy(roleName: string, policyName: string, document: string): Promise<void> {
    const role = this.getRole(roleName);
    checkName(policyName, "policyName", 128);
    checkDocument(document, "policyDocument", "identity");
    const inlinePolicies = { ...role.inlinePolicies };
    // A name differing only in case replaces the policy, as IAM's names are case-insensitive.
    for (const existing of Object.keys(inlinePolicies)) if (existing.toLowerCase() === policyName.toLowerCase()) delete inlinePolicies[existing];
    inlinePolicies[policyName] = document;
    await this.putRole({ ...role, inlinePolicies });
  }

  getRolePolicy(roleName: string, policyName: string): { roleName: string; policyName: string; document: string } {
    const role = this.getRole(roleName);
    const name = this.inlinePolicyName(role, policyName);
    return { roleName: role.name, policyName: name, document: role.inlinePolicies[name]! };
  }

  async deleteRolePolicy(roleName: string, policyName: string): Promise<void> {
    const role = this.getRole(roleName);
    const name = this.inlinePolicyName(role, policyName);
    const inlinePolicies = { ...role.inlinePolicies };
    delete inlinePolicies[name];
    await this.putRole({ ...role, inlinePolicies });
  }

  listRolePolicies(roleName: string, req: PageRequest): Page<string> {
    const names = Object.keys(this.getRole(roleName).inlinePolicies).sort();
    return page(names, (n) => n, req);
  }

  private inlinePolicyName(role: RoleRecord, policyName: string): string {
    checkName(policyName, "policyName", 128);
    const name = Object.keys(role.inlinePolicies).find((n) => n.toLowerCase() === policyName.toLowerCase());
    if (name === undefined) throw awsError("NoSuchEntity", `The role policy with name ${policyName} cannot be found.`);
    return name;
  }

  // Managed policies

  async createPolicy(input: CreatePolicyInput): Promise<PolicyView> {
    const name = checkName(input.PolicyName, "policyName", 128);
    const path = checkPath(input.Path);
    const description = checkDescription(input.Description);
    const tags = checkTags(input.Tags);
    const document = checkDocument(input.PolicyDocument, "policyDocument", "identity");
    if ([...this.policies.values()].some((p) => p.name.toLowerCase() === name.toLowerCase())) {
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
    await this.putPolicy(policy);
    return this.view(policy);
  }

  getPolicy(arn: string): PolicyView {
    return this.view(this.policy(arn, `Policy ${arn} was not found.`));
  }

  async deletePolicy(arn: string): Promise<void> {
    const policy = this.customerPolicy(arn);
    if (this.attachmentCount(arn) > 0) throw awsError("DeleteConflict", "Cannot delete a policy attached to entities.");
    if (policy.versions.length > 1) {
      throw awsError("DeleteConflict", "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.");
    }
    this.policies.delete(arn);
    await this.store.deletePolicy(arn);
  }

  listPolicies(req: ListPoliciesInput): Page<PolicyView> {
    const scope = req.Scope ?? "All";
    if (scope !== "All" && scope !== "AWS" && scope !== "Local") {
      throw awsError("ValidationException", `1 validation error detected: Value '${scope}' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]`);
    }
    const prefix = checkPathPrefix(req.PathPrefix);
    const all = [...(scope === "Local" ? [] : AWS_MANAGED_POLICIES.values()), ...(scope === "AWS" ? [] : this.policies.values())];
    const views = all
      .filter((p) => p.path.startsWith(prefix))
      .map((p) => this.view(p))
      .filter((v) => !req.OnlyAttached || v.attachmentCount > 0)
      .sort((a, b) => byName(a.policy, b.policy));
    return page(views, (v) => v.policy.name, req);
  }

  async createPolicyVersion(arn: string, document: string, setAsDefault: boolean): Promise<{ versionId: string; isDefault: boolean; createDate: number }> {
    checkDocument(document, "policyDocument", "identity");
    const policy = this.customerPolicy(arn);
    if (policy.versions.length >= MAX_POLICY_VERSIONS) {
      throw awsError("LimitExceeded", `A managed policy can have up to ${MAX_POLICY_VERSIONS} versions. Before you create a new version, you must delete an existing version.`);
    }
    const now = this.clock.now();
    const versionId = `v${policy.nextVersion}`;
    await this.putPolicy({
      ...policy,
      versions: [...policy.versions, { versionId, document, createDate: now }],
      nextVersion: policy.nextVersion + 1,
      ...(setAsDefault ? { defaultVersionId: versionId, updateDate: now } : {}),
    });
    return { versionId, isDefault: setAsDefault, createDate: now };
  }

  getPolicyVersion(arn: string, versionId: string): { versionId: string; document: string; createDate: number; isDefault: boolean } {
    const policy = this.policy(arn, `Policy ${arn} was not found.`);
    const version = this.version(policy, versionId);
    return { ...version, isDefault: version.versionId === policy.defaultVersionId };
  }

  listPolicyVersions(arn: string, req: PageRequest): Page<{ versionId: string; createDate: number; isDefault: boolean }> {
    const policy = this.policy(arn, `Policy ${arn} was not found.`);
    const versions = policy.versions
      .map((v) => ({ versionId: v.versionId, createDate: v.createDate, isDefault: v.versionId === policy.defaultVersionId }))
      .sort((a, b) => Number(b.versionId.slice(1)) - Number(a.versionId.slice(1)));
    // Newest first, as AWS lists them; the marker names a version by a key that sorts the same way.
    const key = (v: { versionId: string }) => String(1e9 - Number(v.versionId.slice(1))).padStart(10, "0");
    return page(versions, key, req);
  }

  async deletePolicyVersion(arn: string, versionId: string): Promise<void> {
    const policy = this.customerPolicy(arn);
    const version = this.version(policy, versionId);
    if (version.versionId === policy.defaultVersionId) throw awsError("DeleteConflict", "Cannot delete the default version of a policy.");
    await this.putPolicy({ ...policy, versions: policy.versions.filter((v) => v !== version) });
  }

  async setDefaultPolicyVersion(arn: string, versionId: string): Promise<void> {
    const policy = this.customerPolicy(arn);
    const version = this.version(policy, versionId);
    await this.putPolicy({ ...policy, defaultVersionId: version.versionId, updateDate: this.clock.now() });
  }

  // Attachments

  async attachRolePolicy(roleName: string, arn: string): Promise<void> {
    const role = this.getRole(roleName);
    this.policy(arn, `Policy ${arn} does not exist or is not attachable.`);
    if (role.attachedPolicies.includes(arn)) return;
    if (role.attachedPolicies.length >= MAX_ATTACHED_PER_ROLE) throw awsError("LimitExceeded", `Cannot exceed quota for PoliciesPerRole: ${MAX_ATTACHED_PER_ROLE}`);
    await this.putRole({ ...role, attachedPolicies: [...role.attachedPolicies, arn] });
  }

  async detachRolePolicy(roleName: string, arn: string): Promise<void> {
    const role = this.getRole(roleName);
    checkPolicyArn(arn);
    if (!role.attachedPolicies.includes(arn)) throw awsError("NoSuchEntity", `Policy ${arn} was not found.`);
    await this.putRole({ ...role, attachedPolicies: role.attachedPolicies.filter((a) => a !== arn) });
  }

  listAttachedRolePolicies(roleName: string, req: PageRequest & { PathPrefix?: string }): Page<ManagedPolicyRecord> {
    const prefix = checkPathPrefix(req.PathPrefix);
    const attached = this.getRole(roleName)
      .attachedPolicies.map((arn) => AWS_MANAGED_POLICIES.get(arn) ?? this.policies.get(arn))
      .filter((p): p is ManagedPolicyRecord => p !== undefined && p.path.startsWith(prefix))
      .sort((a, b) => (a.arn < b.arn ? -1 : 1));
    return page(attached, (p) => p.arn, req);
  }

  // Internals

  private policy(arn: string, missing: string): ManagedPolicyRecord {
    checkPolicyArn(arn);
    const policy = AWS_MANAGED_POLICIES.get(arn) ?? this.policies.get(arn);
    if (!policy) throw awsError("NoSuchEntity", missing);
    return policy;
  }

  /** A policy this account may change: AWS's own are read-only. */
  private customerPolicy(arn: string): ManagedPolicyRecord {
    const policy = this.policy(arn, `Policy ${arn} was not found.`);
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

  private attachmentCount(arn: string): number {
    let n = 0;
    for (const role of this.roles.values()) if (role.attachedPolicies.includes(arn)) n++;
    return n;
  }

  private view(policy: ManagedPolicyRecord): PolicyView {
    return { policy, attachmentCount: this.attachmentCount(policy.arn) };
  }

  private async putRole(role: RoleRecord): Promise<void> {
    this.roles.set(role.name.toLowerCase(), role);
    await this.store.putRole(role);
  }

  private async putPolicy(policy: ManagedPolicyRecord): Promise<void> {
    this.policies.set(policy.arn, policy);
    await this.store.putPolicy(policy);
  }
}

/** AWS's text for an ARN that is not a policy's (two spaces, recorded). */
function checkPolicyArn(arn: string): void {
  if (!POLICY_ARN.test(arn)) throw awsError("ValidationException", "Invalid ARN:  Could not be parsed!");
}
