/**
 * IamStore on the SQLite database of `sqlite.ts` (same file and handle, tables from its
 * migrations). IAM writes are rare and small: each is its own transaction. Role and user names are
 * unique regardless of case, as IAM's are.
 */
import type Database from "better-sqlite3";
import type { ManagedPolicyRecord, RoleRecord, UserRecord } from "../services/iam/model.js";
import type { IamStore } from "./iam-store.js";

export const IAM_TABLES = `
  CREATE TABLE iam_roles (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    record TEXT NOT NULL
  );
  CREATE TABLE iam_users (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    record TEXT NOT NULL
  );
  CREATE TABLE iam_policies (
    arn TEXT PRIMARY KEY,
    record TEXT NOT NULL
  );`;

export class SqliteIamStore implements IamStore {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      roles: db.prepare<[], { record: string }>("SELECT record FROM iam_roles ORDER BY name"),
      putRole: db.prepare("INSERT INTO iam_roles (name, record) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET record = excluded.record"),
      deleteRole: db.prepare("DELETE FROM iam_roles WHERE name = ?"),
      users: db.prepare<[], { record: string }>("SELECT record FROM iam_users ORDER BY name"),
      putUser: db.prepare("INSERT INTO iam_users (name, record) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET record = excluded.record"),
      deleteUser: db.prepare("DELETE FROM iam_users WHERE name = ?"),
      policies: db.prepare<[], { record: string }>("SELECT record FROM iam_policies ORDER BY arn"),
      putPolicy: db.prepare("INSERT INTO iam_policies (arn, record) VALUES (?, ?) ON CONFLICT(arn) DO UPDATE SET record = excluded.record"),
      deletePolicy: db.prepare("DELETE FROM iam_policies WHERE arn = ?"),
    };
  }

  async listRoles(): Promise<RoleRecord[]> {
    return this.stmts.roles.all().map((r) => JSON.parse(r.record) as RoleRecord);
  }

  async putRole(role: RoleRecord): Promise<void> {
    this.stmts.putRole.run(role.name, JSON.stringify(role));
  }

  async deleteRole(name: string): Promise<void> {
    this.stmts.deleteRole.run(name);
  }

  async listUsers(): Promise<UserRecord[]> {
    return this.stmts.users.all().map((r) => JSON.parse(r.record) as UserRecord);
  }

  async putUser(user: UserRecord): Promise<void> {
    this.stmts.putUser.run(user.name, JSON.stringify(user));
  }

  async deleteUser(name: string): Promise<void> {
    this.stmts.deleteUser.run(name);
  }

  async listPolicies(): Promise<ManagedPolicyRecord[]> {
    return this.stmts.policies.all().map((r) => JSON.parse(r.record) as ManagedPolicyRecord);
  }

  async putPolicy(policy: ManagedPolicyRecord): Promise<void> {
    this.stmts.putPolicy.run(policy.arn, JSON.stringify(policy));
  }

  async deletePolicy(arn: string): Promise<void> {
    this.stmts.deletePolicy.run(arn);
  }
}
