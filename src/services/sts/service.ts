/**
 * STS: who a caller is, and temporary credentials: sessions of roles (AssumeRole) and of users or
 * the root (GetSessionToken). Sessions are stateless tokens (iam/sessions.ts); what a session may do
 * is read from IAM each time it calls (credentials.ts), so nothing is stored here.
 * https://docs.aws.amazon.com/STS/latest/APIReference/welcome.html
 */
import { awsError } from "../../errors.js";
import { type Authorize, tagContext } from "../../iam/authorizer.js";
import { isTemporaryKey, type SessionCredentials, type SessionTokens } from "../../iam/sessions.js";
import type { Identity } from "../../iam/types.js";
import type { IamService } from "../iam/service.js";
import type { Tag } from "../iam/model.js";

export interface AssumeRoleInput {
  RoleArn: string;
  RoleSessionName: string;
  DurationSeconds?: number;
  /** Session policy: validated JSON text. */
  Policy?: string;
  PolicyArns?: string[];
  Tags?: Tag[];
  ExternalId?: string;
}

export interface AssumedRole {
  credentials: SessionCredentials;
  assumedRoleId: string;
  arn: string;
  /** Percent of the packed size AWS allows that the session policy and tags take, when there are any. */
  packedPolicySize?: number;
}

/** GetSessionToken's durations: 12 hours by default, at most 36; the root's sessions at most one hour. */
const USER_SESSION = { default: 43_200, rootMax: 3_600 } as const;
/** AssumeRole's default: one hour. */
const ROLE_SESSION_DEFAULT = 3_600;
/** What Flint counts a session policy and its tags against when it reports PackedPolicySize. */
const PACKED_LIMIT = 2_048;

export class StsService {
  constructor(
    private readonly iam: Pick<IamService, "findRole" | "policies">,
    private readonly sessions: SessionTokens,
    private readonly accountId: string,
    /** Real time, as CredentialAuthority judges expiry by. */
    private readonly now: () => number = Date.now,
  ) {}

  /** GetCallerIdentity: never denied, even by an explicit Deny. */
  callerIdentity({ caller }: Identity): { Arn: string; UserId: string; Account: string } {
    return { Arn: caller.arn, UserId: caller.userid ?? this.accountId, Account: caller.account ?? this.accountId };
  }

  /**
   * A session of a role: the caller must not be the root; the role must exist in this account and
   * its trust policy let the caller in (api/authorize.ts decides, as for any resource policy).
   * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
   */
  assumeRole(identity: Identity, input: AssumeRoleInput, authorize: Authorize): AssumedRole {
    if (identity.caller.kind === "root") throw awsError("AccessDeniedException", "Roles may not be assumed by root accounts.");
    const refused = () => awsError("AccessDeniedException", `User: ${identity.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`);
    const role = this.iam.findRole(input.RoleArn.slice(input.RoleArn.lastIndexOf("/") + 1));
    // A role that does not exist is refused as one that may not be assumed: AWS says nothing more.
    if (!role || role.arn !== input.RoleArn) throw refused();
    const tags = input.Tags ?? [];
    const sessionTags = Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
    authorize(() => [
      {
        action: "sts:AssumeRole",
        resource: role.arn,
        context: {
          "sts:RoleSessionName": input.RoleSessionName,
          ...(input.ExternalId !== undefined ? { "sts:ExternalId": input.ExternalId } : {}),
          ...tagContext(sessionTags),
        },
        policy: { name: `trust policy of ${role.arn}`, kind: "resource", document: role.assumeRolePolicyDocument, trust: true },
      },
    ]);
    const duration = input.DurationSeconds ?? ROLE_SESSION_DEFAULT;
    if (duration > role.maxSessionDuration) throw awsError("ValidationException", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    for (const arn of input.PolicyArns ?? []) {
      if (this.iam.policies.defaultDocument(arn) === undefined) throw awsError("ValidationException", `Policy ${arn} does not exist or is not attachable.`);
    }
    const issuedAt = this.now();
    const credentials = this.sessions.issue({
      account: this.accountId,
      subject: { type: "role", roleName: role.name, roleId: role.id, sessionName: input.RoleSessionName },
      issuedAt,
      expiresAt: issuedAt + duration * 1000,
      ...(input.Policy !== undefined ? { policy: input.Policy } : {}),
      ...(input.PolicyArns?.length ? { policyArns: input.PolicyArns } : {}),
      ...(tags.length > 0 ? { tags: sessionTags } : {}),
    });
    const packed = input.Policy !== undefined || input.PolicyArns?.length || tags.length > 0;
    return {
      credentials,
      assumedRoleId: `${role.id}:${input.RoleSessionName}`,
      arn: `arn:aws:sts::${this.accountId}:assumed-role/${role.name}/${input.RoleSessionName}`,
      ...(packed ? { packedPolicySize: packedPolicySize(input) } : {}),
    };
  }

  /**
   * A session of the caller itself (an IAM user or the root), with its own permissions; not for
   * callers that are sessions already.
   * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html
   */
  getSessionToken(identity: Identity, durationSeconds: number | undefined, authorize: Authorize): SessionCredentials {
    const { caller } = identity;
    if (caller.kind === "assumed-role" || isTemporaryKey(identity.accessKeyId)) throw awsError("AccessDeniedException", "Cannot call GetSessionToken with session credentials");
    authorize(() => [{ action: "sts:GetSessionToken", resource: "*" }]);
    // The root's sessions are cut to one hour, not refused.
    const duration = caller.kind === "root" ? Math.min(durationSeconds ?? USER_SESSION.rootMax, USER_SESSION.rootMax) : (durationSeconds ?? USER_SESSION.default);
    const issuedAt = this.now();
    const subject = caller.kind === "root" ? ({ type: "root" } as const) : { type: "user" as const, userName: caller.username!, userId: caller.userid! };
    return this.sessions.issue({ account: this.accountId, subject, issuedAt, expiresAt: issuedAt + duration * 1000 });
  }
}

/** The session policy's and tags' plain-text share of what AWS packs them into, in percent (at least 1). */
function packedPolicySize(input: AssumeRoleInput): number {
  const policy = input.Policy === undefined ? 0 : JSON.stringify(JSON.parse(input.Policy)).length;
  const arns = (input.PolicyArns ?? []).reduce((n, arn) => n + arn.length, 0);
  const tags = (input.Tags ?? []).reduce((n, t) => n + t.Key.length + t.Value.length, 0);
  return Math.max(1, Math.ceil(((policy + arns + tags) * 100) / PACKED_LIMIT));
}
