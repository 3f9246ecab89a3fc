/**
 * Every IAM operation Flint serves: request members → one service call → result members.
 */
import { optBoolean, optInteger, optString, optStringList, optTags, pageRequest, required } from "../../services/iam/inputs.js";
import type { IamService } from "../../services/iam/service.js";
import { attachedMembers, encodeDocument, isoDate, pageMembers, policyMembers, roleMembers } from "./shapes.js";

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
  async UpdateAssumeRolePolicy(iam, m) {
    await iam.updateAssumeRolePolicy(required(m, "RoleName"), required(m, "PolicyDocument"));
    return undefined;
  },
  async TagRole(iam, m) {
    await iam.tagRole(required(m, "RoleName"), optTags(m) ?? []);
    return undefined;
  },
  async UntagRole(iam, m) {
    await iam.untagRole(required(m, "RoleName"), optStringList(m, "TagKeys") ?? []);
    return undefined;
  },
  ListRoleTags(iam, m) {
    return pageMembers("Tags", iam.listRoleTags(required(m, "RoleName"), pageRequest(m)), (t) => t);
  },

  async PutRolePolicy(iam, m) {
    await iam.putRolePolicy(required(m, "RoleName"), required(m, "PolicyName"), required(m, "PolicyDocument"));
    return undefined;
  },
  GetRolePolicy(iam, m) {
    const p = iam.getRolePolicy(required(m, "RoleName"), required(m, "PolicyName"));
    return { RoleName: p.roleName, PolicyName: p.policyName, PolicyDocument: encodeDocument(p.document) };
  },
  async DeleteRolePolicy(iam, m) {
    await iam.deleteRolePolicy(required(m, "RoleName"), required(m, "PolicyName"));
    return undefined;
  },
  ListRolePolicies(iam, m) {
    return pageMembers("PolicyNames", iam.listRolePolicies(required(m, "RoleName"), pageRequest(m)), (n) => n);
  },

  async CreatePolicy(iam, m) {
    const view = await iam.createPolicy({
      PolicyName: required(m, "PolicyName"),
      PolicyDocument: required(m, "PolicyDocument"),
      Path: optString(m, "Path"),
      Description: optString(m, "Description"),
      Tags: optTags(m),
    });
    return { Policy: policyMembers(view, true) };
  },
  GetPolicy(iam, m) {
    return { Policy: policyMembers(iam.getPolicy(required(m, "PolicyArn")), true) };
  },
  async DeletePolicy(iam, m) {
    await iam.deletePolicy(required(m, "PolicyArn"));
    return undefined;
  },
  ListPolicies(iam, m) {
    const input = { ...pageRequest(m), Scope: optString(m, "Scope"), OnlyAttached: optBoolean(m, "OnlyAttached"), PathPrefix: optString(m, "PathPrefix") };
    return pageMembers("Policies", iam.listPolicies(input), (v) => policyMembers(v, false));
  },
  async CreatePolicyVersion(iam, m) {
    const v = await iam.createPolicyVersion(required(m, "PolicyArn"), required(m, "PolicyDocument"), optBoolean(m, "SetAsDefault") ?? false);
    return { PolicyVersion: versionMembers(v) };
  },
  GetPolicyVersion(iam, m) {
    return { PolicyVersion: versionMembers(iam.getPolicyVersion(required(m, "PolicyArn"), required(m, "VersionId"))) };
  },
  ListPolicyVersions(iam, m) {
    return pageMembers("Versions", iam.listPolicyVersions(required(m, "PolicyArn"), pageRequest(m)), versionMembers);
  },
  async DeletePolicyVersion(iam, m) {
    await iam.deletePolicyVersion(required(m, "PolicyArn"), required(m, "VersionId"));
    return undefined;
  },
  async SetDefaultPolicyVersion(iam, m) {
    await iam.setDefaultPolicyVersion(required(m, "PolicyArn"), required(m, "VersionId"));
    return undefined;
  },

  async AttachRolePolicy(iam, m) {
    await iam.attachRolePolicy(required(m, "RoleName"), required(m, "PolicyArn"));
    return undefined;
  },
  async DetachRolePolicy(iam, m) {
    await iam.detachRolePolicy(required(m, "RoleName"), required(m, "PolicyArn"));
    return undefined;
  },
  ListAttachedRolePolicies(iam, m) {
    const p = iam.listAttachedRolePolicies(required(m, "RoleName"), { ...pageRequest(m), PathPrefix: optString(m, "PathPrefix") });
    return pageMembers("AttachedPolicies", p, attachedMembers);
  },
};
