/**
 * IAM's records as the store keeps them: roles with their inline policies and attachments, and
 * customer managed policies with their versions. Times are epoch milliseconds.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html
 */

export interface Tag {
  Key: string;
  Value: string;
}

/** What roles and users share: identity, inline policies and attached managed policies. */
export interface PrincipalRecord {
  name: string;
  id: string;
  path: string;
  arn: string;
  createDate: number;
  tags: Tag[];
  /** Inline policies: name → document. */
  inlinePolicies: Record<string, string>;
  /** ARNs of the managed policies attached, in the order they were attached. */
  attachedPolicies: string[];
  /** The managed policy that bounds what the identity policies may allow. */
  permissionsBoundary?: string;
}

export interface RoleRecord extends PrincipalRecord {
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
}

export const AccessKeyStatus = { Active: "Active", Inactive: "Inactive" } as const;

export interface AccessKeyRecord {
  accessKeyId: string;
  /** Kept to verify the key's signatures (SigV4 needs the secret itself). */
  secretAccessKey: string;
  status: (typeof AccessKeyStatus)[keyof typeof AccessKeyStatus];
  createDate: number;
}

export interface UserRecord extends PrincipalRecord {
  accessKeys: AccessKeyRecord[];
}

export interface PolicyVersionRecord {
  versionId: string;
  document: string;
  createDate: number;
}

export interface ManagedPolicyRecord {
  name: string;
  id: string;
  path: string;
  arn: string;
  description?: string;
  createDate: number;
  updateDate: number;
  defaultVersionId: string;
  versions: PolicyVersionRecord[];
  /** Version ids are never reused: v1, v2, … */
  nextVersion: number;
  tags: Tag[];
}

export { IdPrefix, newId } from "../../iam/ids.js";
