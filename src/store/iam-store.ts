/**
 * The IAM part of the persistence boundary: roles and users (with their inline policies,
 * attachments, tags and, for users, access keys) and customer managed policies (with their versions), each kept as one record. Every write
 * is durable when its promise resolves.
 */
import type { ManagedPolicyRecord, RoleRecord, UserRecord } from "../services/iam/model.js";

export interface IamStore {
  listRoles(): Promise<RoleRecord[]>;
  /** Insert or replace the role named `role.name`. */
  putRole(role: RoleRecord): Promise<void>;
  deleteRole(name: string): Promise<void>;

  listUsers(): Promise<UserRecord[]>;
  putUser(user: UserRecord): Promise<void>;
  deleteUser(name: string): Promise<void>;

  listPolicies(): Promise<ManagedPolicyRecord[]>;
  putPolicy(policy: ManagedPolicyRecord): Promise<void>;
  deletePolicy(arn: string): Promise<void>;
}
