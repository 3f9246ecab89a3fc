/** The contract of the IAM part: roles, users and managed policies, role and user names unique regardless of case. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ManagedPolicyRecord, RoleRecord, UserRecord } from "../../services/iam/model.js";
import type { FreshStore } from "./index.js";
import { recordsContract } from "./records.js";

const role = (name: string, version: number) => ({ name, arn: `arn:aws:iam::000000000000:role/${name}`, maxSessionDuration: version }) as unknown as RoleRecord;
const user = (name: string, version: number) => ({ name, arn: `arn:aws:iam::000000000000:user/${name}`, createDate: version, accessKeys: [] }) as unknown as UserRecord;
const policy = (arn: string, version: number) => ({ name: arn, arn, nextVersion: version, versions: [] }) as unknown as ManagedPolicyRecord;

/** Names in put order, and as IAM lists them: by name regardless of ASCII case, then byte order. */
const NAMES = { ids: ["b_x", "B-y", "a", "Zed", "é"], listed: ["a", "B-y", "b_x", "Zed", "é"] };

export function iamContract(fresh: FreshStore): void {
  recordsContract("iam roles", fresh, {
    list: (s) => s.iam.listRoles(),
    put: (s, id, v) => s.iam.putRole(role(id, v)),
    delete: (s, id) => s.iam.deleteRole(id),
    read: (r) => ({ id: r.name, version: r.maxSessionDuration }),
    ...NAMES,
  });
  recordsContract("iam users", fresh, {
    list: (s) => s.iam.listUsers(),
    put: (s, id, v) => s.iam.putUser(user(id, v)),
    delete: (s, id) => s.iam.deleteUser(id),
    read: (r) => ({ id: r.name, version: r.createDate }),
    ...NAMES,
  });
  recordsContract("iam policies", fresh, {
    list: (s) => s.iam.listPolicies(),
    put: (s, id, v) => s.iam.putPolicy(policy(id, v)),
    delete: (s, id) => s.iam.deletePolicy(id),
    read: (r) => ({ id: r.arn, version: r.nextVersion }),
    // ARNs are case-sensitive: byte order.
    ids: ["arn:b", "arn:B", "arn:a"],
    listed: ["arn:B", "arn:a", "arn:b"],
  });

  test("iam: a role or user name differing only in case is the same entity: put replaces it, delete removes it", async (t) => {
    const s = await fresh(t);
    await s.iam.putRole(role("Admin", 1));
    await s.iam.putRole(role("ADMIN", 2));
    assert.deepEqual((await s.iam.listRoles()).map((r) => [r.name, r.maxSessionDuration]), [["ADMIN", 2]]);
    await s.iam.deleteRole("admin");
    assert.deepEqual(await s.iam.listRoles(), []);
    await s.iam.putUser(user("Deploy", 1));
    await s.iam.putUser(user("deploy", 2));
    assert.deepEqual((await s.iam.listUsers()).map((u) => [u.name, u.createDate]), [["deploy", 2]]);
    await s.iam.deleteUser("DEPLOY");
    assert.deepEqual(await s.iam.listUsers(), []);
    // Only ASCII letters fold, as in IAM names (and SQLite's NOCASE).
    await s.iam.putRole(role("é", 1));
    await s.iam.putRole(role("É", 1));
    assert.equal((await s.iam.listRoles()).length, 2);
  });

  test("iam: a policy's ARN is case-sensitive", async (t) => {
    const s = await fresh(t);
    await s.iam.putPolicy(policy("arn:aws:iam::000000000000:policy/P", 1));
    await s.iam.putPolicy(policy("arn:aws:iam::000000000000:policy/p", 1));
    await s.iam.deletePolicy("ARN:AWS:IAM::000000000000:POLICY/P");
    assert.equal((await s.iam.listPolicies()).length, 2);
  });
}
