/**
 * IamStore on PostgreSQL: one row per role, user and managed policy, each write its own statement.
 * Role and user names are unique regardless of ASCII case, as IAM's are and as SQLite's NOCASE
 * keeps them in sqlite-iam.ts: the key is the name with A-Z folded (a generated column, so the table
 * has SQLite's columns and `flint migrate` copies it as it is), and lists come in its byte order.
 */
import type { ManagedPolicyRecord, RoleRecord, UserRecord } from "../services/iam/model.js";
import type { IamStore } from "./iam-store.js";
import type { PgDb } from "./pg-db.js";
import { PgRecordTable } from "./pg-records.js";

export const PG_IAM_TABLES = `
  CREATE TABLE iam_roles (
    name text NOT NULL,
    name_key text GENERATED ALWAYS AS (translate(name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')) STORED PRIMARY KEY,
    record text NOT NULL
  );
  CREATE TABLE iam_users (
    name text NOT NULL,
    name_key text GENERATED ALWAYS AS (translate(name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')) STORED PRIMARY KEY,
    record text NOT NULL
  );
  CREATE TABLE iam_policies (
    arn text PRIMARY KEY,
    record text NOT NULL
  );`;

/** SQLite's NOCASE: ASCII letters only. */
function nameKey(name: string): string {
  return name.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

export class PgIamStore implements IamStore {
  private readonly roles: PgRecordTable<RoleRecord>;
  private readonly users: PgRecordTable<UserRecord>;
  private readonly policies: PgRecordTable<ManagedPolicyRecord>;

  constructor(db: PgDb) {
    // A role or user is written by its name and keyed by the name folded (the table generates the key).
    this.roles = new PgRecordTable(db, { table: "iam_roles", key: "name_key", columns: { name: (r) => r.name } });
    this.users = new PgRecordTable(db, { table: "iam_users", key: "name_key", columns: { name: (r) => r.name } });
    this.policies = new PgRecordTable(db, { table: "iam_policies", key: "arn", columns: { arn: (r) => r.arn } });
  }

  listRoles(): Promise<RoleRecord[]> {
    return this.roles.list();
  }

  putRole(role: RoleRecord): Promise<void> {
    return this.roles.put(role);
  }

  deleteRole(name: string): Promise<void> {
    return this.roles.delete(nameKey(name));
  }

  listUsers(): Promise<UserRecord[]> {
    return this.users.list();
  }

  putUser(user: UserRecord): Promise<void> {
    return this.users.put(user);
  }

  deleteUser(name: string): Promise<void> {
    return this.users.delete(nameKey(name));
  }

  listPolicies(): Promise<ManagedPolicyRecord[]> {
    return this.policies.list();
  }

  putPolicy(policy: ManagedPolicyRecord): Promise<void> {
    return this.policies.put(policy);
  }

  deletePolicy(arn: string): Promise<void> {
    return this.policies.delete(arn);
  }
}
