/**
 * IAM-compatible roles, users and their access keys, inline policies and attachments of managed
 * policies (which are `policies.ts`'s), in memory and in the store (every
 * write is on disk before its promise resolves). IAM is global: ARNs carry the account, no region.
 * What it holds is enforced by `iam/authorizer.ts`, which reads it through `accessKeyOwner` and `policiesOf`.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html
 */
import { randomBytes } from "node:crypto";
import type { Clock } from "../../clock/clock.js";
import { awsError } from "../../errors.js";
import type { IamStore } from "../../store/iam-store.js";
import { aloneBus, CacheSync, type ChangeBus } from "../../store/change-bus.js";
import type { NamedPolicy } from "../../iam/types.js";
import { parsePolicy } from "../../iam/policy.js";
import { KNOWN_SERVICE_PRINCIPALS } from "../../iam/service-principals.js";
import { checkPolicyArn, ManagedPolicies } from "./policies.js";
import { AccessKeyStatus, IdPrefix, newId, type AccessKeyRecord, type ManagedPolicyRecord, type PrincipalRecord, type RoleRecord, type Tag, type UserRecord } from "./model.js";
import { page, type Page, type PageRequest } from "./pages.js";
import { checkDescription, checkDocument, checkName, checkPath, checkPathPrefix, checkRange, checkTags, policySize, PolicySizeQuota } from "./validation.js";

/** What a role's or user's own calls are evaluated against. */
export interface PrincipalPolicies {
  identity: NamedPolicy[];
  boundary?: NamedPolicy;
}

export interface IamAccount {
  accountId: string;
}

export interface CreateRoleInput {
  RoleName: string;
  PermissionsBoundary?: string;
  AssumeRolePolicyDocument: string;
  Path?: string;
  Description?: string;
  MaxSessionDuration?: number;
  Tags?: Tag[];
}

/** Roles and users hold policies and tags the same way; the operations on them take which. */
export type PrincipalKind = "role" | "user";

/** Managed policies per role and per user (the default quotas). */
const MAX_ATTACHED = 10;
const MAX_ACCESS_KEYS = 2;
const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export class IamService {
  /** By lower-cased name: IAM role and user names are unique regardless of case. */
  private readonly roles = new Map<string, RoleRecord>();
  private readonly users = new Map<string, UserRecord>();
  /** Managed policies (CreatePolicy, GetPolicy, versions, ListPolicies …). */
  readonly policies: ManagedPolicies;
  /** Users by access key id, rebuilt after a user changes. */
  private keyIndex: Map<string, { user: UserRecord; key: AccessKeyRecord }> | undefined;
  private readonly policyCache = new WeakMap<PrincipalRecord, { changes: number; policies: PrincipalPolicies }>();
  /** Roles, users (with their access keys) and policies are a cache of the store, shared with the other nodes. */
  private readonly sync: CacheSync;

  private constructor(
    private readonly account: IamAccount,
    private readonly store: IamStore,
    private readonly clock: Clock,
    changes: ChangeBus,
    stored: Stored,
  ) {
    this.sync = new CacheSync(changes, "iam", () => this.reload());
    this.policies = new ManagedPolicies(account, store, clock, (arn) => this.usage(arn), this.sync, stored.policies);
    this.remember(stored);
  }

  /** `changes`: the cluster's change bus (Store.changes). */
  static async create(account: IamAccount, store: IamStore, clock: Clock, changes: ChangeBus = aloneBus()): Promise<IamService> {
    return new IamService(account, store, clock, changes, await readAll(store));
  }

  /**
   * Hold what the store holds. A record that did not change stays the same object: identities and
   * authorization decisions are cached by record (credentials.ts, policiesOf).
   */
  private remember(stored: Stored): void {
    const replace = <T extends PrincipalRecord>(map: Map<string, T>, records: T[]) => {
      const before = new Map(map);
      map.clear();
      for (const record of records) {
        const key = record.name.toLowerCase();
        const known = before.get(key);
        map.set(key, known && JSON.stringify(known) === JSON.stringify(record) ? known : record);
      }
    };
    replace(this.roles, stored.roles);
    replace(this.users, stored.users);
    this.keyIndex = undefined;
  }

  /** Another node changed an entity: read them all again. */
  private reload(): Promise<void> {
    return this.sync.reread(
      () => readAll(this.store),
      (stored) => {
        this.remember(stored);
        this.policies.replace(stored.policies);
      },
    );
  }

  // Roles

  async createRole(input: CreateRoleInput): Promise<RoleRecord> {
    const name = checkName(input.RoleName, "roleName");
    const path = checkPath(input.Path);
    const description = checkDescription(input.Description);
    const maxSessionDuration = checkRange(input.MaxSessionDuration, "maxSessionDuration", 3600, 43200) ?? 3600;
    const tags = checkTags(input.Tags);
    const document = this.checkTrustPolicy(input.AssumeRolePolicyDocument, "assumeRolePolicyDocument");
    const boundary = input.PermissionsBoundary === undefined ? {} : { permissionsBoundary: this.boundary(input.PermissionsBoundary) };
    if (this.roles.has(name.toLowerCase())) throw awsError("EntityAlreadyExists", `Role with name ${name} already exists.`);
    const role: RoleRecord = {
      ...this.newPrincipal("role", name, path, tags),
      ...boundary,
      assumeRolePolicyDocument: document,
      ...(description !== undefined ? { description } : {}),
      maxSessionDuration,
    };
    await this.putPrincipal("role", role);
    return role;
  }

  getRole(name: string): RoleRecord {
    return this.principal("role", name) as RoleRecord;
  }

  listRoles(req: PageRequest & { PathPrefix?: string }): Page<RoleRecord> {
    return this.listPrincipals(this.roles, req);
  }

  async deleteRole(name: string): Promise<void> {
    const role = this.getRole(name);
    checkDeletable(role);
    await this.sync.write(role.arn, async () => {
      this.roles.delete(role.name.toLowerCase());
      await this.store.deleteRole(role.name);
    });
  }

  /** UpdateRole: the description and maximum session duration, each only when given. */
  async updateRole(name: string, changes: { Description?: string; MaxSessionDuration?: number }): Promise<void> {
    const role = this.getRole(name);
    const description = checkDescription(changes.Description);
    const maxSessionDuration = checkRange(changes.MaxSessionDuration, "maxSessionDuration", 3600, 43200);
    await this.putPrincipal("role", { ...role, ...(description !== undefined ? { description } : {}), ...(maxSessionDuration !== undefined ? { maxSessionDuration } : {}) });
  }

  async updateAssumeRolePolicy(name: string, document: string): Promise<void> {
    const role = this.getRole(name);
    await this.putPrincipal("role", { ...role, assumeRolePolicyDocument: this.checkTrustPolicy(document, "policyDocument") });
  }

  // Users and their access keys

  async createUser(input: { UserName: string; Path?: string; PermissionsBoundary?: string; Tags?: Tag[] }): Promise<UserRecord> {
    const name = checkName(input.UserName, "userName");
    const path = checkPath(input.Path);
    const tags = checkTags(input.Tags);
    const boundary = input.PermissionsBoundary === undefined ? {} : { permissionsBoundary: this.boundary(input.PermissionsBoundary) };
    if (this.users.has(name.toLowerCase())) throw awsError("EntityAlreadyExists", `User with name ${name} already exists.`);
    const user: UserRecord = { ...this.newPrincipal("user", name, path, tags), ...boundary, accessKeys: [] };
    await this.putPrincipal("user", user);
    return user;
  }

  getUser(name: string): UserRecord {
    return this.principal("user", name) as UserRecord;
  }

  listUsers(req: PageRequest & { PathPrefix?: string }): Page<UserRecord> {
    return this.listPrincipals(this.users, req);
  }

  async deleteUser(name: string): Promise<void> {
    const user = this.getUser(name);
    checkDeletable(user);
    if (user.accessKeys.length > 0) throw awsError("DeleteConflict", "Cannot delete entity, must delete access keys first.");
    await this.sync.write(user.arn, async () => {
      this.users.delete(user.name.toLowerCase());
      this.keyIndex = undefined;
      await this.store.deleteUser(user.name);
    });
  }

  async createAccessKey(userName: string): Promise<AccessKeyRecord> {
    const user = this.getUser(userName);
    if (user.accessKeys.length >= MAX_ACCESS_KEYS) throw awsError("LimitExceeded", `Cannot exceed quota for AccessKeysPerUser: ${MAX_ACCESS_KEYS}`);
    const key: AccessKeyRecord = { accessKeyId: newId(IdPrefix.accessKey), secretAccessKey: randomBytes(30).toString("base64"), status: AccessKeyStatus.Active, createDate: this.clock.now() };
    await this.putPrincipal("user", { ...user, accessKeys: [...user.accessKeys, key] });
    return key;
  }

  listAccessKeys(userName: string, req: PageRequest): Page<AccessKeyRecord> {
    const keys = [...this.getUser(userName).accessKeys].sort((a, b) => (a.accessKeyId < b.accessKeyId ? -1 : 1));
    return page(keys, (k) => k.accessKeyId, req);
  }

  async deleteAccessKey(userName: string, accessKeyId: string): Promise<void> {
    const user = this.getUser(userName);
    accessKeyOf(user, accessKeyId);
    await this.putPrincipal("user", { ...user, accessKeys: user.accessKeys.filter((k) => k.accessKeyId !== accessKeyId) });
  }

  async updateAccessKey(userName: string, accessKeyId: string, status: string): Promise<void> {
    const user = this.getUser(userName);
    if (status !== AccessKeyStatus.Active && status !== AccessKeyStatus.Inactive) {
      throw awsError("ValidationException", `1 validation error detected: Value '${status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]`);
    }
    const key = accessKeyOf(user, accessKeyId);
    await this.putPrincipal("user", { ...user, accessKeys: user.accessKeys.map((k) => (k === key ? { ...k, status } : k)) });
  }

  // Tags of roles and users

  async tag(kind: PrincipalKind, name: string, tags: Tag[]): Promise<void> {
    const principal = this.principal(kind, name);
    const merged = new Map(principal.tags.map((t) => [t.Key.toLowerCase(), t]));
    for (const tag of checkTags(tags)) merged.set(tag.Key.toLowerCase(), tag);
    if (merged.size > 50) throw awsError("LimitExceeded", "The number of tags has reached the maximum limit.");
    await this.putPrincipal(kind, { ...principal, tags: [...merged.values()] });
  }

  async untag(kind: PrincipalKind, name: string, keys: string[]): Promise<void> {
    const principal = this.principal(kind, name);
    const gone = new Set(keys.map((k) => k.toLowerCase()));
    await this.putPrincipal(kind, { ...principal, tags: principal.tags.filter((t) => !gone.has(t.Key.toLowerCase())) });
  }

  listTags(kind: PrincipalKind, name: string, req: PageRequest): Page<Tag> {
    return page(this.principal(kind, name).tags, (t) => t.Key, req);
  }

  // Inline policies of roles and users

  async putInlinePolicy(kind: PrincipalKind, name: string, policyName: string, document: string): Promise<void> {
    const principal = this.principal(kind, name);
    checkName(policyName, "policyName", 128);
    checkDocument(document, "policyDocument", "identity");
    const inlinePolicies = { ...principal.inlinePolicies };
    // A name differing only in case replaces the policy, as IAM's names are case-insensitive.
    for (const existing of Object.keys(inlinePolicies)) if (existing.toLowerCase() === policyName.toLowerCase()) delete inlinePolicies[existing];
    inlinePolicies[policyName] = document;
    // The quota is on all of a role's (or user's) inline policies together.
    const quota = kind === "role" ? PolicySizeQuota.roleInline : PolicySizeQuota.userInline;
    if (Object.values(inlinePolicies).reduce((n, d) => n + policySize(d), 0) > quota) {
      throw awsError("LimitExceeded", `Maximum policy size of ${quota} bytes exceeded for ${kind} ${principal.name}`);
    }
    await this.putPrincipal(kind, { ...principal, inlinePolicies });
  }

  getInlinePolicy(kind: PrincipalKind, name: string, policyName: string): { name: string; policyName: string; document: string } {
    const principal = this.principal(kind, name);
    const found = inlinePolicyName(kind, principal, policyName);
    return { name: principal.name, policyName: found, document: principal.inlinePolicies[found]! };
  }

  async deleteInlinePolicy(kind: PrincipalKind, name: string, policyName: string): Promise<void> {
    const principal = this.principal(kind, name);
    const found = inlinePolicyName(kind, principal, policyName);
    const inlinePolicies = { ...principal.inlinePolicies };
    delete inlinePolicies[found];
    await this.putPrincipal(kind, { ...principal, inlinePolicies });
  }

  listInlinePolicies(kind: PrincipalKind, name: string, req: PageRequest): Page<string> {
    const names = Object.keys(this.principal(kind, name).inlinePolicies).sort();
    return page(names, (n) => n, req);
  }

  // Permissions boundaries of roles and users

  async putPermissionsBoundary(kind: PrincipalKind, name: string, arn: string): Promise<void> {
    const principal = this.principal(kind, name);
    await this.putPrincipal(kind, { ...principal, permissionsBoundary: this.boundary(arn) });
  }

  async deletePermissionsBoundary(kind: PrincipalKind, name: string): Promise<void> {
    const { permissionsBoundary: _removed, ...rest } = this.principal(kind, name);
    await this.putPrincipal(kind, rest);
  }

  // Attached managed policies of roles and users

  async attachPolicy(kind: PrincipalKind, name: string, arn: string): Promise<void> {
    const principal = this.principal(kind, name);
    this.policies.find(arn, `Policy ${arn} does not exist or is not attachable.`);
    if (principal.attachedPolicies.includes(arn)) return;
    if (principal.attachedPolicies.length >= MAX_ATTACHED) {
      throw awsError("LimitExceeded", `Cannot exceed quota for PoliciesPer${kind === "role" ? "Role" : "User"}: ${MAX_ATTACHED}`);
    }
    await this.putPrincipal(kind, { ...principal, attachedPolicies: [...principal.attachedPolicies, arn] });
  }

  async detachPolicy(kind: PrincipalKind, name: string, arn: string): Promise<void> {
    const principal = this.principal(kind, name);
    checkPolicyArn(arn);
    if (!principal.attachedPolicies.includes(arn)) throw awsError("NoSuchEntity", `Policy ${arn} was not found.`);
    await this.putPrincipal(kind, { ...principal, attachedPolicies: principal.attachedPolicies.filter((a) => a !== arn) });
  }

  listAttachedPolicies(kind: PrincipalKind, name: string, req: PageRequest & { PathPrefix?: string }): Page<ManagedPolicyRecord> {
    const prefix = checkPathPrefix(req.PathPrefix);
    const attached = this.principal(kind, name)
      .attachedPolicies.map((arn) => this.policies.find(arn, ""))
      .filter((p) => p.path.startsWith(prefix))
      .sort((a, b) => (a.arn < b.arn ? -1 : 1));
    return page(attached, (p) => p.arn, req);
  }

  // What authorization reads: absent is undefined, never an error

  findRole(name: string): RoleRecord | undefined {
    return this.roles.get(name.toLowerCase());
  }

  findUser(name: string): UserRecord | undefined {
    return this.users.get(name.toLowerCase());
  }

  /** The user an access key was issued to, and the key. */
  accessKeyOwner(accessKeyId: string): { user: UserRecord; key: AccessKeyRecord } | undefined {
    if (!this.keyIndex) {
      this.keyIndex = new Map();
      for (const user of this.users.values()) for (const key of user.accessKeys) this.keyIndex.set(key.accessKeyId, { user, key });
    }
    return this.keyIndex.get(accessKeyId);
  }

  /**
   * The policies a role's or user's calls are evaluated against: its inline policies, the default
   * versions of its attached managed policies, and its permissions boundary. Kept per record until
   * the record or a managed policy changes.
   */
  policiesOf(record: PrincipalRecord): PrincipalPolicies {
    const known = this.policyCache.get(record);
    if (known && known.changes === this.policies.changes) return known.policies;
    const kind = "assumeRolePolicyDocument" in record ? "role" : "user";
    const identity: NamedPolicy[] = Object.entries(record.inlinePolicies).map(([name, document]) => ({ name: `${kind}/${record.name}/${name}`, kind: "identity", document }));
    for (const arn of record.attachedPolicies) {
      const document = this.policies.defaultDocument(arn);
      if (document !== undefined) identity.push({ name: arn, kind: "identity", document });
    }
    const boundaryDocument = record.permissionsBoundary && this.policies.defaultDocument(record.permissionsBoundary);
    const policies: PrincipalPolicies = { identity, ...(boundaryDocument ? { boundary: { name: record.permissionsBoundary!, kind: "boundary", document: boundaryDocument } } : {}) };
    this.policyCache.set(record, { changes: this.policies.changes, policies });
    return policies;
  }

  // Internals

  /**
   * A trust policy: its grammar and size, then its principals as AWS checks them: a service AWS
   * knows; a user or role of this account that exists (AWS binds the principal to it); an account.
   */
  private checkTrustPolicy(document: string, member: string): string {
    checkDocument(document, member, "trust");
    if (policySize(document) > PolicySizeQuota.trust) throw awsError("LimitExceeded", `Cannot exceed quota for ACLSizePerRole: ${PolicySizeQuota.trust}`);
    for (const s of parsePolicy(document, "trust").statements) {
      for (const spec of [s.principal, s.notPrincipal]) {
        if (spec === undefined || spec === "*") continue;
        for (const service of spec.Service ?? []) {
          if (!KNOWN_SERVICE_PRINCIPALS.has(service)) throw awsError("MalformedPolicyDocument", `Invalid principal in policy: "SERVICE":"${service}"`);
        }
        for (const aws of spec.AWS ?? []) {
          if (aws === "*" || /^\d{12}$/.test(aws) || /^arn:aws:iam::\d{12}:root$/.test(aws)) continue;
          const m = /^arn:aws:(iam|sts)::(\d{12}):(user|role|assumed-role)\/(?:.*\/)?([\w+=,.@-]+?)(?:\/[\w+=,.@-]+)?$/.exec(aws);
          if (!m) throw awsError("MalformedPolicyDocument", `Invalid principal in policy: "AWS":"${aws}"`);
          if (m[2] !== this.account.accountId || m[3] === "assumed-role") continue;
          const name = aws.slice(aws.lastIndexOf("/") + 1);
          const found = m[3] === "user" ? this.findUser(name) : this.findRole(name);
          if (!found || found.arn !== aws) throw awsError("MalformedPolicyDocument", `Invalid principal in policy: "AWS":"${aws}"`);
        }
      }
    }
    return document;
  }

  /** How many roles and users have the policy attached, and as their boundary. */
  private usage(arn: string): { attachments: number; boundaries: number } {
    let attachments = 0;
    let boundaries = 0;
    for (const p of [...this.roles.values(), ...this.users.values()]) {
      if (p.attachedPolicies.includes(arn)) attachments++;
      if (p.permissionsBoundary === arn) boundaries++;
    }
    return { attachments, boundaries };
  }

  /** A permissions boundary is a managed policy that exists. */
  private boundary(arn: string): string {
    return this.policies.find(arn, `Scope ARN: ${arn} does not exist or is not attachable.`).arn;
  }

  private newPrincipal(kind: PrincipalKind, name: string, path: string, tags: Tag[]): PrincipalRecord {
    const id = newId(kind === "role" ? IdPrefix.role : IdPrefix.user);
    return { name, id, path, arn: `arn:aws:iam::${this.account.accountId}:${kind}${path}${name}`, createDate: this.clock.now(), tags, inlinePolicies: {}, attachedPolicies: [] };
  }

  private principal(kind: PrincipalKind, name: string): PrincipalRecord {
    const found = (kind === "role" ? this.roles : this.users).get(checkName(name, `${kind}Name`).toLowerCase());
    if (!found) throw awsError("NoSuchEntity", `The ${kind} with name ${name} cannot be found.`);
    return found;
  }

  private listPrincipals<T extends PrincipalRecord>(all: Map<string, T>, req: PageRequest & { PathPrefix?: string }): Page<T> {
    const prefix = checkPathPrefix(req.PathPrefix);
    return page([...all.values()].filter((p) => p.path.startsWith(prefix)).sort(byName), (p) => p.name, req);
  }

  /** Writes a changed copy of a role or user (a role's copy keeps its role fields, a user's its keys). */
  private async putPrincipal<T extends PrincipalRecord>(kind: PrincipalKind, changed: T): Promise<void> {
    const record: PrincipalRecord = changed;
    await this.sync.write(record.arn, async () => {
      if (kind === "role") {
        this.roles.set(record.name.toLowerCase(), record as RoleRecord);
        await this.store.putRole(record as RoleRecord);
      } else {
        this.keyIndex = undefined;
        this.users.set(record.name.toLowerCase(), record as UserRecord);
        await this.store.putUser(record as UserRecord);
      }
    });
  }
}

interface Stored {
  roles: RoleRecord[];
  users: UserRecord[];
  policies: ManagedPolicyRecord[];
}

async function readAll(store: IamStore): Promise<Stored> {
  const [roles, users, policies] = await Promise.all([store.listRoles(), store.listUsers(), store.listPolicies()]);
  return { roles, users, policies };
}


function accessKeyOf(user: UserRecord, accessKeyId: string): AccessKeyRecord {
  const key = user.accessKeys.find((k) => k.accessKeyId === accessKeyId);
  if (!key) throw awsError("NoSuchEntity", `The Access Key with id ${accessKeyId} cannot be found.`);
  return key;
}

/** A role or user keeps its policies until they are removed one by one. */
function checkDeletable(principal: PrincipalRecord): void {
  if (Object.keys(principal.inlinePolicies).length > 0) throw awsError("DeleteConflict", "Cannot delete entity, must delete policies first.");
  if (principal.attachedPolicies.length > 0) throw awsError("DeleteConflict", "Cannot delete entity, must detach all policies first.");
}

function inlinePolicyName(kind: PrincipalKind, principal: PrincipalRecord, policyName: string): string {
  checkName(policyName, "policyName", 128);
  const name = Object.keys(principal.inlinePolicies).find((n) => n.toLowerCase() === policyName.toLowerCase());
  if (name === undefined) throw awsError("NoSuchEntity", `The ${kind} policy with name ${policyName} cannot be found.`);
  return name;
}

