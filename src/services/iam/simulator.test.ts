/** The policy simulator in-process: real IAM service and credential authority, the one Authorizer. */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ManualClock } from "../../clock/manual-clock.js";
import { SqliteStore } from "../../store/sqlite.js";
import { CredentialAuthority } from "../../credentials.js";
import { Authorizer } from "../../iam/authorizer.js";
import { SessionTokens } from "../../iam/sessions.js";
import { IamService } from "./service.js";
import { PolicySimulator } from "./simulator.js";

const ACCOUNT = "123456789012";
const FN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:orders`;
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
/** The policies of matched statements, without their positions. */
const ids = (matched: readonly { SourcePolicyId: string; SourcePolicyType: string }[]) => matched.map(({ SourcePolicyId, SourcePolicyType }) => ({ SourcePolicyId, SourcePolicyType }));
const INVOKE = doc({ Sid: "Invoke", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: FN }, { Sid: "NoDelete", Effect: "Deny", Action: "lambda:DeleteFunction", Resource: "*" });

describe("policy simulator", () => {
  let dir: string;
  let store: SqliteStore;
  let iam: IamService;
  let authorizer: Authorizer;
  let sim: PolicySimulator;
  /** The function's own policy, as Lambda's permissions would hand it to the Authorizer. */
  let functionPolicy: string | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "flint-sim-"));
    store = SqliteStore.open(dir);
    const clock = new ManualClock(Date.UTC(2026, 0, 2));
    iam = await IamService.create({ accountId: ACCOUNT }, store.iam, clock);
    const authority = new CredentialAuthority({ accessKeyId: "AKIAROOT", secretAccessKey: "s" }, ACCOUNT, iam, new SessionTokens("s"));
    authorizer = new Authorizer("enforce", "us-east-1", () => clock.now(), () => {});
    functionPolicy = undefined;
    authorizer.setResourcePolicies("lambda", (arn) => (functionPolicy && arn === FN ? { name: `function policy of ${arn}`, kind: "resource", document: functionPolicy } : undefined));
    sim = new PolicySimulator({ iam, authorizer, identityOf: (arn, s) => authority.identityOf(arn, s), accountId: ACCOUNT });
    await iam.createUser({ UserName: "alice" });
    await iam.putInlinePolicy("user", "alice", "invoke", INVOKE);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("a user's policies decide each action on each resource, naming the statement's policy as AWS does", () => {
    const { results } = sim.simulate({ PolicySourceArn: ALICE, ActionNames: ["lambda:InvokeFunction", "lambda:DeleteFunction", "lambda:GetFunction"], ResourceArns: [FN] });
    assert.deepEqual(
      results.map((r) => [r.EvalActionName, r.EvalDecision, ids(r.MatchedStatements)]),
      [
        ["lambda:InvokeFunction", "allowed", [{ SourcePolicyId: "user_alice_invoke", SourcePolicyType: "IAM Policy" }]],
        ["lambda:DeleteFunction", "explicitDeny", [{ SourcePolicyId: "user_alice_invoke", SourcePolicyType: "IAM Policy" }]],
        ["lambda:GetFunction", "implicitDeny", []],
      ],
    );
    // Where the statement lies in the policy's text: after the `[` (column 38) or `,`, to after its `}`.
    assert.deepEqual(results[0]!.MatchedStatements[0], { SourcePolicyId: "user_alice_invoke", SourcePolicyType: "IAM Policy", StartPosition: { Line: 1, Column: 38 }, EndPosition: { Line: 1, Column: INVOKE.indexOf("},{") + 2 } });
    assert.deepEqual(results[1]!.MatchedStatements[0]!.StartPosition, { Line: 1, Column: INVOKE.indexOf("},{") + 3 });
  });

  test("policies passed in add to the principal's; a boundary passed in limits them", () => {
    const get = doc({ Effect: "Allow", Action: "lambda:GetFunction", Resource: "*" });
    const [added] = sim.simulate({ PolicySourceArn: ALICE, ActionNames: ["lambda:GetFunction"], PolicyInputList: [get] }).results;
    assert.equal(added!.EvalDecision, "allowed");
    assert.deepEqual(ids(added!.MatchedStatements), [{ SourcePolicyId: "PolicyInputList.1", SourcePolicyType: "IAM Policy" }]);
    const [bounded] = sim.simulate({ PolicySourceArn: ALICE, ActionNames: ["lambda:InvokeFunction"], ResourceArns: [FN], PermissionsBoundaryPolicyInputList: [get] }).results;
    assert.equal(bounded!.EvalDecision, "implicitDeny");
  });

  test("condition keys come from ContextEntries, and those the policies read but are not given are listed", async () => {
    await iam.putInlinePolicy("user", "alice", "vpc", doc({ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*", Condition: { StringEquals: { "aws:SourceVpc": "vpc-1" } } }));
    const without = sim.simulate({ PolicySourceArn: ALICE, ActionNames: ["sqs:SendMessage"] }).results[0]!;
    assert.deepEqual([without.EvalDecision, without.MissingContextValues], ["implicitDeny", ["aws:SourceVpc"]]);
    const given = sim.simulate({ PolicySourceArn: ALICE, ActionNames: ["sqs:SendMessage"], ContextEntries: [{ ContextKeyName: "aws:SourceVpc", ContextKeyValues: ["vpc-1"], ContextKeyType: "string" }] }).results[0]!;
    assert.deepEqual([given.EvalDecision, given.MissingContextValues], ["allowed", []]);
    assert.throws(() => sim.simulate({ PolicySourceArn: ALICE, ActionNames: ["a:b"], ContextEntries: [{ ContextKeyName: "aws:x", ContextKeyType: "text" }] }), /at 'contextEntries.1.member.contextKeyType' failed to satisfy constraint/);
  });

  test("only the resource policy passed in applies, as in AWS's simulator; the live explanation applies the resource's own", () => {
    const sns = doc({ Sid: "sns", Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "lambda:InvokeFunction", Resource: FN });
    functionPolicy = doc({ Sid: "alice", Effect: "Allow", Principal: { AWS: ALICE }, Action: "lambda:GetFunction", Resource: FN });
    assert.equal(sim.simulate({ PolicySourceArn: ALICE, ActionNames: ["lambda:GetFunction"], ResourceArns: [FN] }).results[0]!.EvalDecision, "implicitDeny");
    const live = sim.explain({ Caller: ALICE, Action: "lambda:GetFunction", Resource: FN });
    assert.deepEqual(live, { Allowed: true, Decision: "allowed", Reason: "allow", Statement: { Policy: `function policy of ${FN}`, Kind: "resource", Sid: "alice", Index: 0 }, Mode: "enforce" });
    const passed = sim.simulate({ PolicySourceArn: ALICE, ActionNames: ["lambda:GetFunction"], ResourceArns: [FN], ResourcePolicy: functionPolicy }).results[0]!;
    assert.deepEqual(ids(passed.MatchedStatements), [{ SourcePolicyId: "ResourcePolicy", SourcePolicyType: "Resource Policy" }]);
    assert.equal(sim.explain({ Caller: "sns.amazonaws.com", Action: "lambda:InvokeFunction", Resource: FN }).Decision, "implicitDeny");
    functionPolicy = sns;
    assert.equal(sim.explain({ Caller: "sns.amazonaws.com", Action: "lambda:InvokeFunction", Resource: FN }).Allowed, true);
  });

  test("a role is simulated as a session of it; a resource policy then needs a CallerArn", async () => {
    await iam.createRole({ RoleName: "worker", AssumeRolePolicyDocument: TRUST });
    await iam.putInlinePolicy("role", "worker", "invoke", INVOKE);
    const role = `arn:aws:iam::${ACCOUNT}:role/worker`;
    const [r] = sim.simulate({ PolicySourceArn: role, ActionNames: ["lambda:InvokeFunction"], ResourceArns: [FN] }).results;
    assert.deepEqual(ids(r!.MatchedStatements), [{ SourcePolicyId: "role_worker_invoke", SourcePolicyType: "IAM Policy" }]);
    assert.throws(() => sim.simulate({ PolicySourceArn: role, ActionNames: ["lambda:InvokeFunction"], ResourcePolicy: INVOKE }), { name: "InvalidInputException" });
    assert.equal(sim.explain({ Caller: `arn:aws:sts::${ACCOUNT}:assumed-role/worker/fn`, Action: "lambda:DeleteFunction", Resource: FN }).Decision, "explicitDeny");
  });

  test("AWS's errors: an entity that does not exist, an ARN that names none, a malformed policy", () => {
    assert.throws(() => sim.simulate({ PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/bob`, ActionNames: ["a:b"] }), { name: "NoSuchEntityException", message: "The user with name bob cannot be found." });
    const session = `arn:aws:sts::${ACCOUNT}:assumed-role/r/s`;
    assert.throws(() => sim.simulate({ PolicySourceArn: session, ActionNames: ["a:b"] }), { name: "InvalidInputException", message: `Invalid Entity Arn: ${session} does not clearly define entity type and name.` });
    assert.throws(() => sim.simulate({ ActionNames: ["a:b"], PolicyInputList: ['{"Statement":[{"Effect":"Permit","Action":"*","Resource":"*"}]}'] }), { name: "InvalidInputException", message: "PolicyInputList.1: Invalid effect: Permit" });
  });

  test("results are paged by MaxItems and Marker", () => {
    const input = { PolicySourceArn: ALICE, ActionNames: ["lambda:InvokeFunction", "lambda:DeleteFunction", "lambda:GetFunction"], MaxItems: 2 };
    const first = sim.simulate(input);
    assert.equal(first.results.length, 2);
    assert.equal(first.IsTruncated, true);
    const rest = sim.simulate({ ...input, Marker: first.Marker! });
    assert.deepEqual(rest.results.map((r) => r.EvalActionName), ["lambda:GetFunction"]);
    assert.equal(rest.IsTruncated, false);
  });
});
