/**
 * Root credentials: from FLINT_ACCESS_KEY_ID / FLINT_SECRET_ACCESS_KEY, or generated at first start
 * and kept (mode 0600) in the data dir so they survive restarts; on a store nodes share, kept in its
 * settings by the first node to start, so one CLI profile works against every node.
 */
import { randomBytes } from "node:crypto";
import { IdPrefix, newId } from "./iam/ids.js";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Credentials, CredentialResolver, Principal } from "./api/sigv4.js";
import type { Identity, NamedPolicy } from "./iam/types.js";
import { parsePrincipalArn } from "./iam/principal-arn.js";
import { serviceIdentity } from "./iam/authorizer.js";
import { isTemporaryKey, type SessionClaims, type SessionTokens, temporaryKeyId } from "./iam/sessions.js";
import type { IamService } from "./services/iam/service.js";
import type { FlintConfig } from "./config/config.js";
import type { SettingsStore } from "./store/settings-store.js";
import { awsError } from "./errors.js";

function generate(): Credentials {
  return { accessKeyId: newId(IdPrefix.accessKey), secretAccessKey: randomBytes(30).toString("base64") };
}

/** The settings key a shared store keeps generated root credentials under. */
export const ROOT_CREDENTIALS_KEY = "root-credentials";

export async function rootCredentials(config: FlintConfig, shared?: SettingsStore): Promise<{ credentials: Credentials; generated: boolean; file?: string }> {
  if (config.rootAccessKeyId && config.rootSecretAccessKey) {
    return { credentials: { accessKeyId: config.rootAccessKeyId, secretAccessKey: config.rootSecretAccessKey }, generated: false };
  }
  if (shared) {
    const mine = generate();
    const stored = JSON.parse(await shared.putIfAbsent(ROOT_CREDENTIALS_KEY, JSON.stringify(mine))) as Credentials;
    return { credentials: stored, generated: stored.accessKeyId === mine.accessKeyId };
  }
  const file = path.join(config.dataDir, "credentials.json");
  try {
    const saved = JSON.parse(await readFile(file, "utf8")) as Credentials;
    if (typeof saved.accessKeyId === "string" && typeof saved.secretAccessKey === "string") return { credentials: saved, generated: false, file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  const credentials = generate();
  await writeFile(file, JSON.stringify(credentials, null, 2) + "\n", { mode: 0o600, flag: "wx" });
  return { credentials, generated: true, file };
}

/** Temporary credentials a function's environment gets (AWS_ACCESS_KEY_ID/…/AWS_SESSION_TOKEN). */
export interface IssuedCredentials extends Credentials {
  sessionToken: string;
  expiresAt: number;
}

/** Lambda environments get role credentials valid for hours; Flint's live 12 h (real time). */
export const FUNCTION_CREDENTIALS_TTL_MS = 12 * 3_600_000;

const INVALID_TOKEN = "The security token included in the request is invalid.";

/** Where identities come from: IAM's users, roles and policies (services/iam). */
export type IamDirectory = Pick<IamService, "findRole" | "findUser" | "accessKeyOwner" | "policiesOf" | "policies">;

/**
 * Every access key Flint accepts and whom it stands for: the account root, IAM users' keys, STS
 * sessions (stateless tokens, iam/sessions.ts) and the sessions of execution roles issued to
 * function environments (kept here: each is revoked when its environment is destroyed).
 */
export class CredentialAuthority implements CredentialResolver {
  private readonly functions = new Map<string, { credentials: IssuedCredentials; principal: Principal }>();
  private readonly rootIdentity: Identity;
  /**
   * Identities already resolved, by access key (users) or session token, with the record they were
   * built from: reused while that record is the same object (IAM replaces a record when it changes),
   * so a caller's requests share one identity and what is worked out from it.
   */
  private readonly resolved = new Map<string, { claims?: SessionClaims; basis: unknown; found: { credentials: Credentials; principal: Principal } }>();

  constructor(
    private readonly root: Credentials,
    private readonly account: string,
    private readonly iam: IamDirectory,
    readonly sessions: SessionTokens,
    private readonly now: () => number = Date.now,
  ) {
    this.rootIdentity = { accessKeyId: root.accessKeyId, caller: { kind: "root", account, arn: `arn:aws:iam::${account}:root`, userid: account }, policies: () => ({ identity: [] }) };
  }

  resolve(accessKeyId: string, sessionToken?: string): { credentials: Credentials; principal: Principal } | undefined {
    if (accessKeyId === this.root.accessKeyId) return { credentials: this.root, principal: this.rootIdentity };
    const issued = this.functions.get(accessKeyId);
    if (issued) {
      if (sessionToken !== issued.credentials.sessionToken) throw awsError("UnrecognizedClientException", INVALID_TOKEN);
      if (issued.credentials.expiresAt <= this.now()) {
        this.functions.delete(accessKeyId);
        throw awsError("ExpiredTokenException", "The security token included in the request is expired");
      }
      return issued;
    }
    if (isTemporaryKey(accessKeyId)) {
      if (sessionToken === undefined) return undefined;
      const known = this.resolved.get(sessionToken);
      const claims = known?.claims ?? this.sessions.open(accessKeyId, sessionToken);
      if (!claims || claims.account !== this.account || claims.accessKeyId !== accessKeyId) return undefined;
      if (claims.expiresAt <= this.now()) throw awsError("ExpiredTokenException", "The security token included in the request is expired");
      const basis = this.basisOf(claims);
      if (known && known.basis === basis) return known.found;
      return this.remember(sessionToken, claims, basis, { credentials: { accessKeyId, secretAccessKey: claims.secretAccessKey, sessionToken }, principal: this.sessionIdentity(claims) });
    }
    const owned = this.iam.accessKeyOwner(accessKeyId);
    if (!owned) return undefined;
    if (owned.key.status !== "Active") throw awsError("UnrecognizedClientException", INVALID_TOKEN);
    const known = this.resolved.get(accessKeyId);
    if (known && known.basis === owned.user) return known.found;
    return this.remember(accessKeyId, undefined, owned.user, { credentials: { accessKeyId, secretAccessKey: owned.key.secretAccessKey }, principal: this.userIdentity(accessKeyId, owned.user.name, owned.user.id) });
  }

  private remember(key: string, claims: SessionClaims | undefined, basis: unknown, found: { credentials: Credentials; principal: Principal }) {
    if (this.resolved.size >= 10_000) this.resolved.clear();
    this.resolved.set(key, { ...(claims ? { claims } : {}), basis, found });
    return found;
  }

  /** The record a session's identity is built from: its role's or user's, as IAM holds it now. */
  private basisOf(claims: SessionClaims): unknown {
    const s = claims.subject;
    return s.type === "role" ? this.iam.findRole(s.roleName) : s.type === "user" ? this.iam.findUser(s.userName) : this.rootIdentity;
  }

  /** A user's identity: its policies are read when a call is authorized, from the user as it is then. */
  private userIdentity(accessKeyId: string, userName: string, userId: string): Identity {
    const user = this.iam.findUser(userName);
    const tags = Object.fromEntries((user?.tags ?? []).map((t) => [t.Key, t.Value]));
    return {
      accessKeyId,
      caller: { kind: "user", account: this.account, arn: user?.arn ?? `arn:aws:iam::${this.account}:user/${userName}`, userid: userId, username: userName, tags },
      policies: () => {
        const now = this.iam.findUser(userName);
        return now && now.id === userId ? this.iam.policiesOf(now) : { identity: [] };
      },
    };
  }

  /** A session's identity: a role's (its policies, cut down by the session's policies) or a user's or the root's. */
  sessionIdentity(claims: Omit<SessionClaims, "secretAccessKey">): Identity {
    const s = claims.subject;
    if (s.type === "root") return { ...this.rootIdentity, accessKeyId: claims.accessKeyId };
    if (s.type === "user") return this.userIdentity(claims.accessKeyId, s.userName, s.userId);
    const role = this.iam.findRole(s.roleName);
    const live = role && role.id === s.roleId ? role : undefined;
    const tags = { ...Object.fromEntries((live?.tags ?? []).map((t) => [t.Key, t.Value])), ...claims.tags };
    return {
      accessKeyId: claims.accessKeyId,
      caller: {
        kind: "assumed-role",
        account: this.account,
        arn: `arn:aws:sts::${this.account}:assumed-role/${s.roleName}/${s.sessionName}`,
        principalArn: live?.arn ?? `arn:aws:iam::${this.account}:role/${s.roleName}`,
        userid: `${s.roleId}:${s.sessionName}`,
        tags,
      },
      policies: () => {
        // A role deleted (or deleted and made again) since the session began: the session may do nothing.
        const now = this.iam.findRole(s.roleName);
        if (!now || now.id !== s.roleId) return { identity: [] };
        const own = this.iam.policiesOf(now);
        if (claims.policy === undefined && !claims.policyArns?.length) return own;
        const session: NamedPolicy[] = [];
        if (claims.policy !== undefined) session.push({ name: "session policy", kind: "session", document: claims.policy });
        for (const arn of claims.policyArns ?? []) session.push({ name: arn, kind: "session", document: this.iam.policies.defaultDocument(arn) ?? '{"Statement":[]}' });
        return { ...own, session };
      },
    };
  }

  /**
   * Credentials for a function's environment: a session of its execution role named after the
   * function, as Lambda's are (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/FUNCTION`).
   */
  issue(functionName: string, roleArn: string, ttlMs = FUNCTION_CREDENTIALS_TTL_MS): IssuedCredentials {
    const now = this.now();
    const accessKeyId = temporaryKeyId();
    const credentials = { accessKeyId, secretAccessKey: randomBytes(30).toString("base64"), sessionToken: randomBytes(96).toString("base64"), expiresAt: now + ttlMs };
    this.functions.set(accessKeyId, { credentials, principal: this.roleSession(roleArn, functionName, accessKeyId, now, credentials.expiresAt) });
    return credentials;
  }

  /** The identity of a session of `roleArn` named `sessionName` (what Flint acts as for a function: destinations, dead-letter queues). */
  roleSession(roleArn: string, sessionName: string, accessKeyId = "", issuedAt = this.now(), expiresAt = issuedAt): Identity {
    const roleName = roleArn.slice(roleArn.lastIndexOf("/") + 1);
    const role = this.iam.findRole(roleName);
    return this.sessionIdentity({ accessKeyId, account: this.account, subject: { type: "role", roleName, roleId: role?.id ?? "AROA-MISSING", sessionName }, issuedAt, expiresAt });
  }

  /**
   * The identity a principal's ARN names, for the policy simulator and `/_flint/iam/explain`: this
   * account's root, a user, a session of a role (a role's own ARN: a session named `sessionName`),
   * a service; undefined when it names no principal of this account that exists.
   */
  identityOf(arn: string, sessionName = "flint-simulation"): Identity | undefined {
    const p = parsePrincipalArn(arn);
    if (!p || p.type === "anonymous" || p.type === "group") return undefined;
    if (p.type === "service") return serviceIdentity(p.name);
    if (p.account !== this.account) return undefined;
    if (p.type === "root") return this.rootIdentity;
    if (p.type === "user") {
      const user = this.iam.findUser(p.name);
      return user && user.arn === arn ? this.userIdentity("", user.name, user.id) : undefined;
    }
    const role = this.iam.findRole(p.type === "role" ? p.name : p.role);
    if (!role || (p.type === "role" && role.arn !== arn)) return undefined;
    return this.roleSession(role.arn, p.type === "role" ? sessionName : p.session);
  }

  revoke(accessKeyId: string): void {
    this.functions.delete(accessKeyId);
  }

  get issuedCount(): number {
    return this.functions.size;
  }
}
