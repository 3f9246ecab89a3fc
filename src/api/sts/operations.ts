/**
 * Every STS operation Flint serves: request members → one service call → result members, in the
 * order sts-2011-06-15's shapes list them (GetCallerIdentity's Arn, UserId, Account: recorded).
 */
import type { Identity } from "../../iam/types.js";
import type { SessionCredentials } from "../../iam/sessions.js";
import { assumeRoleInput, sessionDuration } from "../../services/sts/inputs.js";
import type { Authorize } from "../../iam/authorizer.js";
import type { StsService } from "../../services/sts/service.js";
import { isoDate } from "../iam/shapes.js";

type Members = Record<string, unknown>;

export type Operation = (sts: StsService, identity: Identity, m: Members, authorize: Authorize) => Members;

const credentialMembers = (c: SessionCredentials): Members => ({ AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey, SessionToken: c.sessionToken, Expiration: isoDate(c.expiresAt) });

export const OPERATIONS: Record<string, Operation> = {
  GetCallerIdentity(sts, identity) {
    return sts.callerIdentity(identity);
  },
  AssumeRole(sts, identity, m, authorize) {
    const assumed = sts.assumeRole(identity, assumeRoleInput(m), authorize);
    return {
      Credentials: credentialMembers(assumed.credentials),
      AssumedRoleUser: { AssumedRoleId: assumed.assumedRoleId, Arn: assumed.arn },
      PackedPolicySize: assumed.packedPolicySize,
    };
  },
  GetSessionToken(sts, identity, m, authorize) {
    return { Credentials: credentialMembers(sts.getSessionToken(identity, sessionDuration(m), authorize)) };
  },
};
