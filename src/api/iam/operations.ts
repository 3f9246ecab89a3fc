/**
 * Every IAM operation Flint serves: request members → one service call → result members.
 */
import { optBoolean, optInteger, optString, optStringList, optTags, pageRequest, required } from "../../services/iam/inputs.js";
import type { IamService, PrincipalKind } from "../../services/iam/service.js";
import { accessKeyMembers, attachedMembers, encodeDocument, isoDate, pageMembers, policyMembers, roleMembers, userMembers } from "./shapes.js";

type Members = Record<string, unknown>;

/** Resolves the result members, or undefined for an operation without output. */
export type Operation = (iam: IamService, m: Members) => Promise<Members | undefined> | Members | undefined;

const versionMembers = (v: { versionId: string; createDate: number; isDefault: boolean; document?: string }): Members => ({
  Document: v.document === undefined ? undefined : encodeDocument(v.document),
  VersionId: v.versionId,
  IsDefaultVersion: v.isDefault,
  CreateDate: isoDate(v.createDate),
});

export const OPERATIONS: Record<string, Operation> = {
  async CreateRole(iam, m) {
    const role = await iam.createRole({
      RoleName: required(m, "RoleName"),
      PermissionsBoundary: optString(m, "PermissionsBoundary"),
      AssumeRolePolicyDocument: required(m, "AssumeRolePolicyDocument"),
      Path: optString(m, "Path"),
      Description: optString(m, "Description"),
      MaxSessionDuration: optInteger(m, "MaxSessionDuration"),
      Tags: optTags(m),
    });
    return { Role: roleMembers(role, "create") };
  },
  GetRole(iam, m) {
    return { Role: roleMembers(iam.getRole(required(m, "RoleName")), "get") };
  },
  ListRoles(iam, m) {
    return pageMembers("Roles", iam.listRoles({ ...pageRequest(m), PathPrefix: optString(m, "PathPrefix") }), (r) => roleMembers(r, "list"));
  },
  async DeleteRole(iam, m) {
    await iam.deleteRole(required(m, "RoleName"));
    return undefined;
  },
  async UpdateRole(iam, m) {
    await iam.updateRole(required(m, "RoleName"), { Description: optString(m, "Description"), MaxSessionDuration: optInteger(m, "MaxSessionDuration") });
    return {};
  },
  async UpdateAssumeRolePolicy(iam, m) {
    await iam.updateAssumeRolePolicy(required(m, "RoleName"), required(m, "PolicyDocument"));
    return undefined;
  },

  async CreatePolicy(iam, m) {
    const view = await iam.policies.create({
      PolicyName: required(m, "PolicyName"),
      PolicyDocument: required(m, "PolicyDocument"),
      Path: optString(m, "Path"),
      Description: optString(m, "Description"),
      Tags: optTags(m),
    });
    return { Policy: policyMembers(view, true) };
  },
  GetPolicy(iam, m) {
    return { Policy: policyMembers(iam.policies.get(required(m, "PolicyArn")), true) };
  },
  async DeletePolicy(iam, m) {
    await iam.policies.delete(required(m, "PolicyArn"));
    return undefined;
  },
  ListPolicies(iam, m) {
    const input = { ...pageRequest(m), Scope: optString(m, "Scope"), OnlyAttached: optBoolean(m, "OnlyAttached"), PathPrefix: optString(m, "PathPrefix") };
    return pageMembers("Policies", iam.policies.list(input), (v) => policyMembers(v, false));
  },
  async CreatePolicyVersion(iam, m) {
    const v = await iam.policies.createVersion(required(m, "PolicyArn"), required(m, "PolicyDocument"), optBoolean(m, "SetAsDefault") ?? false);
    return { PolicyVersion: versionMembers(v) };
  },
  GetPolicyVersion(iam, m) {
    return { PolicyVersion: versionMembers(iam.policies.getVersion(required(m, "PolicyArn"), required(m, "VersionId"))) };
  },
  ListPolicyVersions(iam, m) {
    return pageMembers("Versions", iam.policies.listVersions(required(m, "PolicyArn"), pageRequest(m)), versionMembers);
  },
  async DeletePolicyVersion(iam, m) {
    await iam.policies.deleteVersion(required(m, "PolicyArn"), required(m, "VersionId"));
    return undefined;
  },
  async SetDefaultPolicyVersion(iam, m) {
    await iam.policies.setDefaultVersion(required(m, "PolicyArn"), required(m, "VersionId"));
    return undefined;
  },

  async CreateUser(iam, m) {
    return { User: userMembers(await iam.createUser({ UserName: required(m, "UserName"), Path: optString(m, "Path"), PermissionsBoundary: optString(m, "PermissionsBoundary"), Tags: optTags(m) }), false) };
  },
  GetUser(iam, m) {
    return { User: userMembers(iam.getUser(required(m, "UserName")), true) };
  },
  ListUsers(iam, m) {
    return pageMembers("Users", iam.listUsers({ ...pageRequest(m), PathPrefix: optString(m, "PathPrefix") }), (u) => userMembers(u, false));
  },
  async DeleteUser(iam, m) {
    await iam.deleteUser(required(m, "UserName"));
    return undefined;
  },
  async CreateAccessKey(iam, m) {
    const userName = required(m, "UserName");
    const key = await iam.createAccessKey(userName);
    return { AccessKey: { ...accessKeyMembers(iam.getUser(userName).name, key), SecretAccessKey: key.secretAccessKey } };
  },
  ListAccessKeys(iam, m) {
    const userName = required(m, "UserName");
    const user = iam.getUser(userName).name;
    return pageMembers("AccessKeyMetadata", iam.listAccessKeys(userName, pageRequest(m)), (k) => accessKeyMembers(user, k));
  },
  async UpdateAccessKey(iam, m) {
    await iam.updateAccessKey(required(m, "UserName"), required(m, "AccessKeyId"), required(m, "Status"));
    return undefined;
  },
  async DeleteAccessKey(iam, m) {
    await iam.deleteAccessKey(required(m, "UserName"), required(m, "AccessKeyId"));
    return undefined;
  },

  ...principalOperations("role", "Role"),
  ...principalOperations("user", "User"),
};

/** Inline policies, attachments and tags: the same operations for roles and users. */
function principalOperations(kind: PrincipalKind, Kind: "Role" | "User"): Record<string, Operation> {
  const name = (m: Members) => required(m, `${Kind}Name`);
  return {
    async [`Put${Kind}Policy`](iam: IamService, m: Members) {
      await iam.putInlinePolicy(kind, name(m), required(m, "PolicyName"), required(m, "PolicyDocument"));
      return undefined;
    },
    [`Get${Kind}Policy`](iam: IamService, m: Members) {
      const p = iam.getInlinePolicy(kind, name(m), required(m, "PolicyName"));
      return { [`${Kind}Name`]: p.name, PolicyName: p.policyName, PolicyDocument: encodeDocument(p.document) };
    },
    async [`Delete${Kind}Policy`](iam: IamService, m: Members) {
      await iam.deleteInlinePolicy(kind, name(m), required(m, "PolicyName"));
      return undefined;
    },
    [`List${Kind}Policies`](iam: IamService, m: Members) {
      return pageMembers("PolicyNames", iam.listInlinePolicies(kind, name(m), pageRequest(m)), (n) => n);
    },
    async [`Put${Kind}PermissionsBoundary`](iam: IamService, m: Members) {
      await iam.putPermissionsBoundary(kind, name(m), required(m, "PermissionsBoundary"));
      return undefined;
    },
    async [`Delete${Kind}PermissionsBoundary`](iam: IamService, m: Members) {
      await iam.deletePermissionsBoundary(kind, name(m));
      return undefined;
    },
    async [`Attach${Kind}Policy`](iam: IamService, m: Members) {
      await iam.attachPolicy(kind, name(m), required(m, "PolicyArn"));
      return undefined;
    },
    async [`Detach${Kind}Policy`](iam: IamService, m: Members) {
      await iam.detachPolicy(kind, name(m), required(m, "PolicyArn"));
      return undefined;
    },
    [`ListAttached${Kind}Policies`](iam: IamService, m: Members) {
      const p = iam.listAttachedPolicies(kind, name(m), { ...pageRequest(m), PathPrefix: optString(m, "PathPrefix") });
      return pageMembers("AttachedPolicies", p, attachedMembers);
    },
    async [`Tag${Kind}`](iam: IamService, m: Members) {
      await iam.tag(kind, name(m), optTags(m) ?? []);
      return undefined;
    },
    async [`Untag${Kind}`](iam: IamService, m: Members) {
      await iam.untag(kind, name(m), optStringList(m, "TagKeys") ?? []);
      return undefined;
    },
    [`List${Kind}Tags`](iam: IamService, m: Members) {
      return pageMembers("Tags", iam.listTags(kind, name(m), pageRequest(m)), (t) => t);
    },
  };
}
