/**
 * IamStore on PostgreSQL: one row per role, user and managed policy, each write its own statement.
 * Role and user names are unique regardless of ASCII case, as IAM's are and as SQLite's NOCASE
 * keeps them in sqlite-iam.ts: the key is the name with A-Z folded (a generated column, so the table
 * has SQLite's columns and `flint migrate` copies it as it is), and lists come in its byte order.
 */
import type { ManagedPolicyRecord, RoleRecord, UserRecord } from "../services/iam/model.js";
import type { IamStore } from "./iam-store.js";
import type { PgDb } from "./pg-db.js";

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
  constructor(private readonly db: PgDb) {}

  private async list<T>(table: string, key: string): Promise<T[]> {
    const rows = await this.db.query<{ record: string }>(`SELECT record FROM ${table} ORDER BY ${key} COLLATE "C"`);
    return rows.map((r) => JSON.parse(r.record) as T);
  }

  /** Insert or replace the record stored under `id` (a name, whose key the table folds; or an ARN). */
  private async put(table: string, key: string, column: string, id: string, record: object): Promise<void> {
    await this.db.run(`INSERT INTO ${table} (${column}, record) VALUES ($1, $2) ON CONFLICT (${key}) DO UPDATE SET record = excluded.record`, [id, JSON.stringify(record)]);
  }

  private async delete(table: string, key: string, id: string): Promise<void> {
    await this.db.run(`DELETE FROM ${table} WHERE ${key} = $1`, [id]);
  }

  listRoles(): Promise<RoleRecord[]> {
    return this.list("iam_roles", "name_key");
  }

  putRole(role: RoleRecord): Promise<void> {
    return this.put("iam_roles", "name_key", "name", role.name, role);
  }

  deleteRole(name: string): Promise<void> {
    return this.delete("iam_roles", "name_key", nameKey(name));
  }

  listUsers(): Promise<UserRecord[]> {
    return this.list("iam_users", "name_key");
  }

  putUser(user: UserRecord): Promise<void> {
    return this.put("iam_users", "name_key", "name", user.name, user);
  }

  deleteUser(name: string): Promise<void> {
    return this.delete("iam_users", "name_key", nameKey(name));
  }

  listPolicies(): Promise<ManagedPolicyRecord[]> {
    return this.list("iam_policies", "arn");
  }

  putPolicy(policy: ManagedPolicyRecord): Promise<void> {
    return this.put("iam_policies", "arn", "arn", policy.arn, policy);
  }

  deletePolicy(arn: string): Promise<void> {
    return this.delete("iam_policies", "arn", arn);
  }
}
