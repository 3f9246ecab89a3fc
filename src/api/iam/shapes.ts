/**
 * IAM's records as the iam-2010-05-08 query model writes them: ISO 8601 dates without
 * milliseconds, and every policy document percent-encoded inside the XML, as AWS sends them
 * (botocore's `json_decode_policies` decodes them once).
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html
 */
import type { AccessKeyRecord, ManagedPolicyRecord, PrincipalRecord, RoleRecord, Tag, UserRecord } from "../../services/iam/model.js";
import type { Page } from "../../services/iam/pages.js";
import type { PolicyView } from "../../services/iam/policies.js";

export const IAM_XMLNS = "https://iam.amazonaws.com/doc/2010-05-08/";

type Members = Record<string, unknown>;

export const isoDate = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
/** Percent-encoded as AWS does: everything but RFC 3986's unreserved characters (`*` is `%2A`, recorded). */
export const encodeDocument = (document: string) => encodeURIComponent(document).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const tags = (list: Tag[]) => (list.length > 0 ? { Tags: list.map((t) => ({ Key: t.Key, Value: t.Value })) } : {});

/**
 * A role: CreateRole's answer has no MaxSessionDuration or RoleLastUsed; GetRole's has both
 * (RoleLastUsed empty: Flint does not track use yet); ListRoles' has no tags or RoleLastUsed (recorded).
 */
export function roleMembers(role: RoleRecord, as: "create" | "get" | "list"): Members {
  return {
    Path: role.path,
    RoleName: role.name,
    RoleId: role.id,
    Arn: role.arn,
    CreateDate: isoDate(role.createDate),
    AssumeRolePolicyDocument: encodeDocument(role.assumeRolePolicyDocument),
    Description: role.description,
    MaxSessionDuration: as === "create" ? undefined : role.maxSessionDuration,
    PermissionsBoundary: as === "list" ? undefined : boundaryMembers(role),
    ...(as === "list" ? {} : tags(role.tags)),
    RoleLastUsed: as === "get" ? {} : undefined,
  };
}

const boundaryMembers = (p: PrincipalRecord) => (p.permissionsBoundary === undefined ? undefined : { PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: p.permissionsBoundary });

/** A user; its tags in GetUser's answer (and CreateUser's, where AWS echoes those given). */
export function userMembers(user: UserRecord, withTags: boolean): Members {
  return { Path: user.path, UserName: user.name, UserId: user.id, Arn: user.arn, CreateDate: isoDate(user.createDate), PermissionsBoundary: boundaryMembers(user), ...(withTags ? tags(user.tags) : {}) };
}

/** An access key's metadata; CreateAccessKey adds its secret, the only time it is shown. */
export const accessKeyMembers = (userName: string, key: AccessKeyRecord): Members => ({ UserName: userName, AccessKeyId: key.accessKeyId, Status: key.status, CreateDate: isoDate(key.createDate) });

/** A managed policy; its description only where AWS gives it (CreatePolicy, GetPolicy). */
export function policyMembers({ policy, attachmentCount, boundaryUsageCount }: PolicyView, withDescription: boolean): Members {
  return {
    PolicyName: policy.name,
    PolicyId: policy.id,
    Arn: policy.arn,
    Path: policy.path,
    DefaultVersionId: policy.defaultVersionId,
    AttachmentCount: attachmentCount,
    PermissionsBoundaryUsageCount: boundaryUsageCount,
    IsAttachable: true,
    Description: withDescription ? policy.description : undefined,
    CreateDate: isoDate(policy.createDate),
    UpdateDate: isoDate(policy.updateDate),
    ...tags(policy.tags),
  };
}

export const attachedMembers = (p: ManagedPolicyRecord): Members => ({ PolicyName: p.name, PolicyArn: p.arn });

/** A page's items under `name`, with IsTruncated and the Marker of the next page. */
export function pageMembers<T>(name: string, p: Page<T>, item: (t: T) => unknown): Members {
  return { [name]: p.items.map(item), IsTruncated: p.IsTruncated, Marker: p.Marker };
}
