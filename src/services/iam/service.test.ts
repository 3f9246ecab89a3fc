/** The IAM service in-process, on a real SQLite store and a clock the tests move. */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ManualClock } from "../../clock/manual-clock.js";
import { SqliteStore } from "../../store/sqlite.js";
import { IamService } from "./service.js";

const ACCOUNT = { accountId: "123456789012" };
const BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const ALLOW_LOGS = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "logs:*", Resource: "*" }] });
const validation = (message: string) => ({ name: "ValidationException", message });

describe("IAM service", () => {
  let dir: string;
  let store: SqliteStore;
  let clock: ManualClock;
  let iam: IamService;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "flint-iam-"));
    store = SqliteStore.open(dir);
    clock = new ManualClock(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
    iam = await IamService.create(ACCOUNT, store.iam, clock);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("a role gets an AROA id, an ARN with its path, the clock's time and one hour's sessions by default", async () => {
    const role = await iam.createRole({ RoleName: "lambda-ex", AssumeRolePolicyDocument: TRUST, Path: "/service/" });
    assert.match(role.id, /^AROA[A-Z2-7]{17}$/);
    assert.equal(role.arn, "arn:aws:iam::123456789012:role/service/lambda-ex");
    assert.equal(role.createDate, clock.now());
    assert.equal(role.maxSessionDuration, 3600);
    assert.equal(iam.getRole("LAMBDA-EX"), role, "names are looked up regardless of case");
  });

  test("names, paths, durations and descriptions are refused with AWS's validation texts", async () => {
    const create = (extra: object) => iam.createRole({ RoleName: "r", AssumeRolePolicyDocument: TRUST, ...extra });
    await assert.rejects(create({ RoleName: "a b" }), validation("1 validation error detected: Value 'a b' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+"));
    await assert.rejects(create({ RoleName: "x".repeat(65) }), validation(`1 validation error detected: Value '${"x".repeat(65)}' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64`));
    await assert.rejects(create({ Path: "nopath" }), { name: "ValidationException", message: /at 'path' failed to satisfy constraint/ });
    await assert.rejects(create({ MaxSessionDuration: 100 }), validation("1 validation error detected: Value '100' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600"));
    await assert.rejects(create({ MaxSessionDuration: 43201 }), validation("1 validation error detected: Value '43201' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200"));
    await assert.rejects(create({ Tags: [{ Key: "a", Value: "1" }, { Key: "A", Value: "2" }] }), { name: "InvalidInputException" });
    assert.equal(iam.listRoles({}).items.length, 0, "nothing was created");
  });

  test("trust and permission documents are validated for their kind: MalformedPolicyDocument with the reason", async () => {
    await assert.rejects(iam.createRole({ RoleName: "r", AssumeRolePolicyDocument: "{" }), { name: "MalformedPolicyDocumentException", message: "This policy contains invalid Json" });
    await assert.rejects(iam.createRole({ RoleName: "r", AssumeRolePolicyDocument: ALLOW_LOGS }), { name: "MalformedPolicyDocumentException" });
    await iam.createRole({ RoleName: "r", AssumeRolePolicyDocument: TRUST });
    await assert.rejects(iam.putInlinePolicy("role", "r", "p", TRUST), { name: "MalformedPolicyDocumentException" }, "a permission policy names no principal");
    await assert.rejects(iam.updateAssumeRolePolicy("r", "[]"), { name: "MalformedPolicyDocumentException", message: "Syntax errors in policy." });
    assert.equal(iam.getRole("r").assumeRolePolicyDocument, TRUST);
  });

  test("a trust policy names services AWS knows and users and roles that exist; a refused one changes nothing", async () => {
    const trust = (principal: object) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole" }] });
    const malformed = (message: string) => ({ name: "MalformedPolicyDocumentException", message });
    await assert.rejects(iam.createRole({ RoleName: "typo", AssumeRolePolicyDocument: trust({ Service: "lamda.amazonaws.com" }) }), malformed('Invalid principal in policy: "SERVICE":"lamda.amazonaws.com"'));
    const ghost = "arn:aws:iam::123456789012:user/ghost";
    await assert.rejects(iam.createRole({ RoleName: "ghostly", AssumeRolePolicyDocument: trust({ AWS: ghost }) }), malformed(`Invalid principal in policy: "AWS":"${ghost}"`));
    assert.equal(iam.findRole("typo"), undefined);
    assert.equal(iam.findRole("ghostly"), undefined);
    await iam.createUser({ UserName: "ghost" });
    const role = await iam.createRole({ RoleName: "ghostly", AssumeRolePolicyDocument: trust({ AWS: ghost }) });
    // Another account's principals and the account itself are AWS's to check, not this account's.
    await iam.updateAssumeRolePolicy("ghostly", trust({ AWS: ["123456789012", "arn:aws:iam::210987654321:role/elsewhere"] }));
    await assert.rejects(iam.updateAssumeRolePolicy("ghostly", trust({ AWS: "arn:aws:iam::123456789012:role/none" })), malformed('Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/none"'));
    assert.match(iam.getRole("ghostly").assumeRolePolicyDocument, /210987654321/, "the refused update changed nothing");
    assert.equal(role.name, "ghostly");
  });

  test("UpdateRole changes only what it is given, within AWS's range", async () => {
    await iam.createRole({ RoleName: "r", AssumeRolePolicyDocument: TRUST, Description: "first" });
    await iam.updateRole("r", { MaxSessionDuration: 7200 });
    assert.deepEqual([iam.getRole("r").description, iam.getRole("r").maxSessionDuration], ["first", 7200]);
    await iam.updateRole("r", { Description: "second" });
    assert.deepEqual([iam.getRole("r").description, iam.getRole("r").maxSessionDuration], ["second", 7200]);
    await assert.rejects(iam.updateRole("r", { MaxSessionDuration: 50000 }), { name: "ValidationException" });
  });

  test("a customer policy may share a name with an AWS managed one; paging keeps both", async () => {
    await iam.policies.create({ PolicyName: "AdministratorAccess", PolicyDocument: ALLOW_LOGS });
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const p = iam.policies.list({ MaxItems: 1, ...(marker ? { Marker: marker } : {}) });
      seen.push(...p.items.map((v) => v.policy.arn));
      marker = p.Marker;
    } while (marker);
    const i = seen.indexOf("arn:aws:iam::123456789012:policy/AdministratorAccess");
    assert.equal(seen[i + 1], "arn:aws:iam::aws:policy/AdministratorAccess");
    assert.equal(seen.length, 7);
    assert.equal(new Set(seen).size, 7);
  });

  test("documents over AWS's size quotas are refused with LimitExceeded; white space does not count", async () => {
    const actions = (n: number) => Array.from({ length: n }, (_, i) => `sqs:Action${i}`);
    const sized = (n: number) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions(n), Resource: "*" }] }, null, 8);
    await iam.createRole({ RoleName: "r", AssumeRolePolicyDocument: TRUST });
    await iam.putInlinePolicy("role", "r", "a", sized(300)); // ~4,900 characters minified, far more with its indentation
    await iam.putInlinePolicy("role", "r", "b", sized(300));
    await assert.rejects(iam.putInlinePolicy("role", "r", "c", sized(100)), { name: "LimitExceededException", message: "Maximum policy size of 10240 bytes exceeded for role r" });
    await iam.putInlinePolicy("role", "r", "a", sized(10)); // replacing a policy counts its new size only
    await assert.rejects(iam.policies.create({ PolicyName: "big", PolicyDocument: sized(400) }), { name: "LimitExceededException", message: "Cannot exceed quota for PolicySize: 6144" });
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: actions(120).map((a) => `${a.slice(4)}.amazonaws.com`) }, Action: "sts:AssumeRole" }] });
    await assert.rejects(iam.updateAssumeRolePolicy("r", trust), { name: "LimitExceededException", message: "Cannot exceed quota for ACLSizePerRole: 2048" });
    assert.deepEqual(Object.keys(iam.getRole("r").inlinePolicies).sort(), ["a", "b"]);
  });

  test("permissions boundaries: an existing managed policy, counted on it, keeping it from deletion", async () => {
    const { policy } = await iam.policies.create({ PolicyName: "bound", PolicyDocument: ALLOW_LOGS });
    await assert.rejects(iam.createRole({ RoleName: "r", AssumeRolePolicyDocument: TRUST, PermissionsBoundary: "arn:aws:iam::123456789012:policy/none" }), {
      name: "NoSuchEntityException",
      message: "Scope ARN: arn:aws:iam::123456789012:policy/none does not exist or is not attachable.",
    });
    await iam.createRole({ RoleName: "r", AssumeRolePolicyDocument: TRUST, PermissionsBoundary: policy.arn });
    await iam.createUser({ UserName: "u" });
    await iam.putPermissionsBoundary("user", "u", policy.arn);
    assert.equal(iam.getUser("u").permissionsBoundary, policy.arn);
    assert.equal(iam.policies.get(policy.arn).boundaryUsageCount, 2);
    assert.equal(iam.policies.get(policy.arn).attachmentCount, 0);
    await assert.rejects(iam.policies.delete(policy.arn), { name: "DeleteConflictException" });
    await iam.deletePermissionsBoundary("role", "r");
    await iam.deletePermissionsBoundary("user", "u");
    assert.equal(iam.getRole("r").permissionsBoundary, undefined);
    await iam.policies.delete(policy.arn);
  });

  test("a role with inline or attached policies cannot be deleted", async () => {
    await iam.createRole({ RoleName: "r", AssumeRolePolicyDocument: TRUST });
    await iam.putInlinePolicy("role", "r", "logs", ALLOW_LOGS);
    await iam.attachPolicy("role", "r", BASIC);
    await assert.rejects(iam.deleteRole("r"), { name: "DeleteConflictException", message: "Cannot delete entity, must delete policies first." });
    await iam.deleteInlinePolicy("role", "r", "LOGS");
    await assert.rejects(iam.deleteRole("r"), { name: "DeleteConflictException", message: "Cannot delete entity, must detach all policies first." });
    await iam.detachPolicy("role", "r", BASIC);
    await iam.deleteRole("r");
    assert.throws(() => iam.getRole("r"), { name: "NoSuchEntityException", message: "The role with name r cannot be found." });
  });

  test("attachments: unknown policies, the limit of ten, detaching what is not attached", async () => {
    await iam.createRole({ RoleName: "r", AssumeRolePolicyDocument: TRUST });
    await assert.rejects(iam.attachPolicy("role", "r", "arn:aws:iam::123456789012:policy/none"), { name: "NoSuchEntityException", message: "Policy arn:aws:iam::123456789012:policy/none does not exist or is not attachable." });
    await assert.rejects(iam.attachPolicy("role", "r", "arn:aws:sqs:us-east-1:123456789012:q"), validation("Invalid ARN:  Could not be parsed!"));
    await assert.rejects(iam.detachPolicy("role", "r", BASIC), { name: "NoSuchEntityException", message: `Policy ${BASIC} was not found.` });
    await iam.attachPolicy("role", "r", BASIC);
    await iam.attachPolicy("role", "r", BASIC);
    for (let i = 0; i < 9; i++) {
      const p = await iam.policies.create({ PolicyName: `p${i}`, PolicyDocument: ALLOW_LOGS });
      await iam.attachPolicy("role", "r", p.policy.arn);
    }
    const eleventh = await iam.policies.create({ PolicyName: "p10", PolicyDocument: ALLOW_LOGS });
    await assert.rejects(iam.attachPolicy("role", "r", eleventh.policy.arn), { name: "LimitExceededException", message: "Cannot exceed quota for PoliciesPerRole: 10" });
    assert.equal(iam.listAttachedPolicies("role", "r", {}).items.length, 10);
    assert.equal(iam.policies.get(BASIC).attachmentCount, 1);
  });

  test("policy versions: five at most, ids never reused, the default neither deleted nor lost", async () => {
    const { policy } = await iam.policies.create({ PolicyName: "p", PolicyDocument: ALLOW_LOGS, Path: "/team/" });
    assert.equal(policy.arn, "arn:aws:iam::123456789012:policy/team/p");
    assert.match(policy.id, /^ANPA[A-Z2-7]{17}$/);
    clock.advance(1000);
    for (let i = 2; i <= 5; i++) await iam.policies.createVersion(policy.arn, ALLOW_LOGS, false);
    await assert.rejects(iam.policies.createVersion(policy.arn, ALLOW_LOGS, true), { name: "LimitExceededException" });
    await assert.rejects(iam.policies.deleteVersion(policy.arn, "v1"), { name: "DeleteConflictException", message: "Cannot delete the default version of a policy." });
    await iam.policies.deleteVersion(policy.arn, "v5");
    const v6 = await iam.policies.createVersion(policy.arn, ALLOW_LOGS, true);
    assert.equal(v6.versionId, "v6");
    assert.equal(iam.policies.get(policy.arn).policy.defaultVersionId, "v6");
    assert.equal(iam.policies.get(policy.arn).policy.updateDate, clock.now());
    assert.throws(() => iam.policies.getVersion(policy.arn, "v5"), { name: "NoSuchEntityException" });
    assert.throws(() => iam.policies.getVersion(policy.arn, "5"), { name: "ValidationException" });
    await assert.rejects(iam.policies.createVersion(BASIC, ALLOW_LOGS, true), { name: "AccessDeniedException" }, "AWS's own policies are read-only");
  });

  test("ListPolicies by scope, path and attachment; pages follow markers", async () => {
    await iam.policies.create({ PolicyName: "mine", PolicyDocument: ALLOW_LOGS });
    const names = (scope: string, extra = {}) => iam.policies.list({ Scope: scope, ...extra }).items.map((v) => v.policy.name);
    assert.deepEqual(names("Local"), ["mine"]);
    assert.ok(names("AWS").includes("AWSLambdaBasicExecutionRole") && !names("AWS").includes("mine"));
    assert.deepEqual(names("All", { PathPrefix: "/service-role/" }), ["AWSLambdaBasicExecutionRole", "AWSLambdaDynamoDBExecutionRole", "AWSLambdaKinesisExecutionRole", "AWSLambdaRole", "AWSLambdaSQSQueueExecutionRole"]);
    assert.deepEqual(names("All", { OnlyAttached: true }), []);
    assert.throws(() => names("Mine"), { name: "ValidationException", message: /Member must satisfy enum value set: \[All, AWS, Local\]/ });
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const p = iam.policies.list({ MaxItems: 2, ...(marker ? { Marker: marker } : {}) });
      seen.push(...p.items.map((v) => v.policy.name));
      marker = p.Marker;
      assert.equal(p.IsTruncated, marker !== undefined);
    } while (marker);
    assert.deepEqual(seen, names("All"));
    assert.equal(seen.length, 7);
  });

  test("users: AIDA ids, their own inline and attached policies, at most two access keys, deleted only when bare", async () => {
    const user = await iam.createUser({ UserName: "alice", Path: "/people/" });
    assert.match(user.id, /^AIDA[A-Z2-7]{17}$/);
    assert.equal(user.arn, "arn:aws:iam::123456789012:user/people/alice");
    await assert.rejects(iam.createUser({ UserName: "ALICE" }), { name: "EntityAlreadyExistsException", message: "User with name ALICE already exists." });
    await iam.createRole({ RoleName: "alice", AssumeRolePolicyDocument: TRUST });
    await iam.putInlinePolicy("user", "alice", "logs", ALLOW_LOGS);
    assert.throws(() => iam.getInlinePolicy("role", "alice", "logs"), { name: "NoSuchEntityException", message: "The role policy with name logs cannot be found." }, "a role of the same name is another entity");
    await iam.attachPolicy("user", "alice", BASIC);
    assert.equal(iam.policies.get(BASIC).attachmentCount, 1);
    const first = await iam.createAccessKey("alice");
    assert.match(first.accessKeyId, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(first.secretAccessKey.length, 40);
    await iam.createAccessKey("alice");
    await iam.updateAccessKey("alice", first.accessKeyId, "Inactive");
    assert.equal(iam.listAccessKeys("alice", {}).items.find((k) => k.accessKeyId === first.accessKeyId)?.status, "Inactive");
    await assert.rejects(iam.updateAccessKey("alice", first.accessKeyId, "Off"), { name: "ValidationException" });
    await assert.rejects(iam.createAccessKey("alice"), { name: "LimitExceededException", message: "Cannot exceed quota for AccessKeysPerUser: 2" });
    await iam.deleteInlinePolicy("user", "alice", "logs");
    await iam.detachPolicy("user", "alice", BASIC);
    await assert.rejects(iam.deleteUser("alice"), { name: "DeleteConflictException", message: "Cannot delete entity, must delete access keys first." });
    for (const k of iam.listAccessKeys("alice", {}).items) await iam.deleteAccessKey("alice", k.accessKeyId);
    await assert.rejects(iam.deleteAccessKey("alice", first.accessKeyId), { name: "NoSuchEntityException", message: `The Access Key with id ${first.accessKeyId} cannot be found.` });
    await iam.deleteUser("alice");
    assert.throws(() => iam.getUser("alice"), { name: "NoSuchEntityException", message: "The user with name alice cannot be found." });
    assert.equal(iam.getRole("alice").name, "alice");
  });

  test("everything written is there when the service is made again from the store", async () => {
    await iam.createRole({ RoleName: "kept", AssumeRolePolicyDocument: TRUST, Description: "d", Tags: [{ Key: "k", Value: "v" }] });
    await iam.putInlinePolicy("role", "kept", "logs", ALLOW_LOGS);
    const { policy } = await iam.policies.create({ PolicyName: "p", PolicyDocument: ALLOW_LOGS });
    await iam.policies.createVersion(policy.arn, ALLOW_LOGS, true);
    await iam.attachPolicy("role", "kept", policy.arn);
    const again = await IamService.create(ACCOUNT, store.iam, clock);
    assert.deepEqual(again.getRole("kept"), iam.getRole("kept"));
    assert.deepEqual(again.policies.get(policy.arn), iam.policies.get(policy.arn));
    await again.detachPolicy("role", "kept", policy.arn);
    await again.deleteInlinePolicy("role", "kept", "logs");
    await again.deleteRole("kept");
    assert.equal((await IamService.create(ACCOUNT, store.iam, clock)).listRoles({}).items.length, 0);
  });
});
