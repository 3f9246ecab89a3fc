/**
 * CredentialAuthority in-process, on a real IAM service and SQLite store, with a clock the tests
 * move: whom an access key stands for, and when a session stops standing for anyone.
 */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ManualClock } from "./clock/manual-clock.js";
import { SqliteStore } from "./store/sqlite.js";
import { IamService } from "./services/iam/service.js";
import { SessionTokens } from "./iam/sessions.js";
import { CredentialAuthority } from "./credentials.js";

const ACCOUNT = "123456789012";
const ROOT = { accessKeyId: "AKIAROOTROOTROOTROOT", secretAccessKey: "root-secret" };
const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "sts:AssumeRole" }] });
const READ = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambda:List*", Resource: "*" }] });
const HOUR = 3_600_000;

describe("credential authority", () => {
  let dir: string;
  let store: SqliteStore;
  let clock: ManualClock;
  let iam: IamService;
  let authority: CredentialAuthority;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "flint-credentials-"));
    store = SqliteStore.open(dir);
    clock = new ManualClock(Date.UTC(2026, 0, 2, 3, 4, 5));
    iam = await IamService.create({ accountId: ACCOUNT }, store.iam, clock);
    authority = new CredentialAuthority(ROOT, ACCOUNT, iam, new SessionTokens(ROOT.secretAccessKey), () => clock.now());
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A session of role `reader` (which may list functions), issued now for an hour. */
  async function readerSession() {
    const role = await iam.createRole({ RoleName: "reader", AssumeRolePolicyDocument: TRUST });
    await iam.putInlinePolicy("role", "reader", "read", READ);
    const issued = authority.sessions.issue({
      account: ACCOUNT,
      subject: { type: "role", roleName: role.name, roleId: role.id, sessionName: "alice" },
      issuedAt: clock.now(),
      expiresAt: clock.now() + HOUR,
    });
    return { role, issued };
  }

  test("a session's key with its token is the role's session, with the role's policies", async () => {
    const { role, issued } = await readerSession();
    const found = authority.resolve(issued.accessKeyId, issued.sessionToken);
    assert.equal(found?.credentials.secretAccessKey, issued.secretAccessKey);
    assert.deepEqual(found?.principal.caller, {
      kind: "assumed-role",
      account: ACCOUNT,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/reader/alice`,
      principalArn: role.arn,
      userid: `${role.id}:alice`,
      tags: {},
    });
    assert.deepEqual(found?.principal.policies().identity.map((p) => p.document), [READ]);
  });

  test("an expired session is ExpiredTokenException, a moment before it is not", async () => {
    const { issued } = await readerSession();
    clock.advance(HOUR - 1);
    assert.ok(authority.resolve(issued.accessKeyId, issued.sessionToken));
    clock.advance(1);
    assert.throws(() => authority.resolve(issued.accessKeyId, issued.sessionToken), { name: "ExpiredTokenException", message: "The security token included in the request is expired" });
  });

  test("a role deleted after its session began leaves the session with no policies, even when a role of that name is made again", async () => {
    const { issued } = await readerSession();
    const principal = authority.resolve(issued.accessKeyId, issued.sessionToken)!.principal;
    await iam.deleteInlinePolicy("role", "reader", "read");
    await iam.deleteRole("reader");
    assert.deepEqual(principal.policies(), { identity: [] });
    assert.deepEqual(authority.resolve(issued.accessKeyId, issued.sessionToken)!.principal.policies(), { identity: [] });
    await iam.createRole({ RoleName: "reader", AssumeRolePolicyDocument: TRUST });
    await iam.putInlinePolicy("role", "reader", "read", READ);
    assert.deepEqual(principal.policies(), { identity: [] }, "a new role of the same name is another role");
  });

  test("a temporary key without its token, or with another session's, is not recognised", async () => {
    const { issued } = await readerSession();
    const other = authority.sessions.issue({ account: ACCOUNT, subject: { type: "root" }, issuedAt: clock.now(), expiresAt: clock.now() + HOUR });
    assert.equal(authority.resolve(issued.accessKeyId), undefined);
    assert.equal(authority.resolve(issued.accessKeyId, other.sessionToken), undefined);
  });

  test("a session of another account is not recognised", () => {
    const issued = authority.sessions.issue({ account: "210987654321", subject: { type: "root" }, issuedAt: clock.now(), expiresAt: clock.now() + HOUR });
    assert.equal(authority.resolve(issued.accessKeyId, issued.sessionToken), undefined);
  });

  test("a session policy is added to the role's policies as a session policy", async () => {
    const { role } = await readerSession();
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambda:ListFunctions", Resource: "*" }] });
    const issued = authority.sessions.issue({ account: ACCOUNT, subject: { type: "role", roleName: role.name, roleId: role.id, sessionName: "narrow" }, issuedAt: clock.now(), expiresAt: clock.now() + HOUR, policy });
    const policies = authority.resolve(issued.accessKeyId, issued.sessionToken)!.principal.policies();
    assert.deepEqual(policies.session?.map((p) => [p.kind, p.document]), [["session", policy]]);
  });
});
