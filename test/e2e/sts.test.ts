/**
 * STS through real clients against a real `flint serve`: the AWS CLI v2, @aws-sdk/client-sts and
 * Debian's boto3. Who a caller is (the root, an IAM user, a role's session, a function's own
 * credentials); AssumeRole decided by the role's trust policy as AWS decides it; sessions acting with
 * the role's policies cut down by their session policies, and with nothing once the role is gone;
 * GetSessionToken; AWS's errors for bad input and bad tokens.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { CreateAccessKeyCommand, CreatePolicyCommand, CreateRoleCommand, CreateUserCommand, DeleteRoleCommand, DeleteRolePolicyCommand, GetRoleCommand, IAMClient, PutRolePolicyCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { ACCOUNT, AWS_CLI_V2, type Credentials, REGION, runCli, startFlint, TEST_CREDENTIALS, type FlintProcess, uniqueName } from "../harness/flint.js";
import { createFunction, invoke } from "../harness/functions.js";
import { boto3Version } from "../harness/sqs-clients.js";
import { zipFixture } from "../harness/zip.js";
import { SessionTokens } from "../../src/iam/sessions.js";

const ARGS = ["--spares", "0"];
const policy = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const allow = (Action: string | string[], Resource: string | string[] = "*") => ({ Effect: "Allow", Action, Resource });
const trusting = (principal: string, Condition?: object) => policy({ Effect: "Allow", Principal: { AWS: principal }, Action: "sts:AssumeRole", ...(Condition ? { Condition } : {}) });
const userArn = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

const BOTO3_STS = `
import json, sys
import boto3
from botocore.exceptions import ClientError
a = json.loads(sys.argv[1])
c = boto3.client("sts", endpoint_url=a["endpoint"], region_name=a["region"], aws_access_key_id=a["key"], aws_secret_access_key=a["secret"], aws_session_token=a.get("token"))
try:
    out = getattr(c, a["op"])(**a["input"])
    out.pop("ResponseMetadata", None)
    print(json.dumps({"ok": out}, default=str))
except ClientError as e:
    print(json.dumps({"error": {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"]}}))
`;

describe("STS through the AWS CLI v2, the SDK and boto3", () => {
  let flint: FlintProcess;
  let iam: IAMClient;
  const clients: { destroy(): void }[] = [];
  const own = <T extends { destroy(): void }>(client: T) => (clients.push(client), client);
  const config = (credentials: Credentials) => ({ endpoint: flint.endpoint, region: REGION, credentials, maxAttempts: 1 });
  const sts = (credentials: Credentials) => own(new STSClient(config(credentials)));
  const lambda = (credentials: Credentials) => own(new LambdaClient(config(credentials)));
  const sqs = (credentials: Credentials) => own(new SQSClient(config(credentials)));

  /** The CLI as `credentials`: its JSON answer, failing the test with its stderr otherwise. */
  const ok = async (credentials: Credentials, args: string[]) => {
    const r = await runCli(AWS_CLI_V2, flint.endpoint, args, undefined, credentials);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    return r.json();
  };
  /** The CLI as `credentials`, for a call that must fail: its whole error line, and nothing on stdout. */
  const fails = async (credentials: Credentials, args: string[]) => {
    const r = await runCli(AWS_CLI_V2, flint.endpoint, args, undefined, credentials);
    assert.notEqual(r.code, 0, r.stdout);
    assert.equal(r.stdout, "");
    return r.stderr.trim();
  };
  const error = (operation: string, code: string, message: string) => `An error occurred (${code}) when calling the ${operation} operation: ${message}`;
  /** boto3's STS client as `credentials` (botocore 1.29: the endpoint is given explicitly). */
  const boto3 = (credentials: Credentials, op: string, input: object = {}) =>
    new Promise<{ ok?: any; error?: { code: string; message: string } }>((resolve, reject) => {
      const arg = JSON.stringify({ endpoint: flint.endpoint, region: REGION, key: credentials.accessKeyId, secret: credentials.secretAccessKey, token: credentials.sessionToken, op, input });
      execFile("/usr/bin/python3", ["-c", BOTO3_STS, arg], { env: { PATH: process.env.PATH, AWS_CONFIG_FILE: "/nonexistent", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent", AWS_EC2_METADATA_DISABLED: "true" } }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
      );
    });

  /** A new IAM user with an access key (and an inline policy, if given). */
  async function user(prefix: string, document?: string): Promise<{ name: string; id: string; credentials: Credentials }> {
    const name = uniqueName(prefix);
    const created = await iam.send(new CreateUserCommand({ UserName: name }));
    if (document) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "own", PolicyDocument: document }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
    return { name, id: created.User!.UserId!, credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } };
  }
  /** A new role with this trust policy (and an inline policy, if given). */
  async function role(prefix: string, trust: string, document?: string, maxSessionDuration?: number): Promise<{ name: string; arn: string; id: string }> {
    const name = uniqueName(prefix);
    const created = (await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust, MaxSessionDuration: maxSessionDuration }))).Role!;
    if (document) await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "own", PolicyDocument: document }));
    return { name, arn: created.Arn!, id: created.RoleId! };
  }
  /** AssumeRole through the CLI: the session's credentials and the whole answer. */
  async function assume(credentials: Credentials, arn: string, session: string, more: string[] = []) {
    const out = await ok(credentials, ["sts", "assume-role", "--role-arn", arn, "--role-session-name", session, ...more]);
    const c = out.Credentials;
    return { out, session: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } as Credentials };
  }

  before(async () => {
    flint = await startFlint({ args: ARGS });
    iam = new IAMClient(config(TEST_CREDENTIALS));
  });
  after(async () => {
    iam?.destroy();
    for (const c of clients) c.destroy();
    await flint?.stop();
  });

  test("GetCallerIdentity names the root, an IAM user and a role's session, in every client", async () => {
    assert.deepEqual(await ok(TEST_CREDENTIALS, ["sts", "get-caller-identity"]), { UserId: ACCOUNT, Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:root` });
    const alice = await user("alice");
    assert.match(alice.id, /^AIDA[A-Z2-7]{17}$/);
    const asAlice = { UserId: alice.id, Account: ACCOUNT, Arn: userArn(alice.name) };
    assert.deepEqual(await ok(alice.credentials, ["sts", "get-caller-identity"]), asAlice);
    const fromSdk = await sts(alice.credentials).send(new GetCallerIdentityCommand({}));
    assert.deepEqual({ UserId: fromSdk.UserId, Account: fromSdk.Account, Arn: fromSdk.Arn }, asAlice);
    if (boto3Version()) assert.deepEqual((await boto3(alice.credentials, "get_caller_identity")).ok, asAlice);

    const reader = await role("reader", trusting(userArn(alice.name)));
    const { session } = await assume(alice.credentials, reader.arn, "alice-session");
    assert.deepEqual(await ok(session, ["sts", "get-caller-identity"]), { UserId: `${reader.id}:alice-session`, Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${reader.name}/alice-session` });
  });

  test("GetCallerIdentity is never denied: not by a Deny of everything", async () => {
    const denied = await user("denied", policy({ Effect: "Deny", Action: "*", Resource: "*" }));
    assert.equal((await ok(denied.credentials, ["sts", "get-caller-identity"])).Arn, userArn(denied.name));
  });

  test("a function's credentials are a session of its execution role named after the function, inside it and out", async () => {
    const name = await createFunction(flint, await zipFixture("nodejs"), "sdk-call.handler");
    const roleId = (await iam.send(new GetRoleCommand({ RoleName: "flint-test" }))).Role!.RoleId!;
    const expected = { Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/flint-test/${name}`, UserId: `${roleId}:${name}`, Account: ACCOUNT };
    const inside = await invoke(flint, name, { whoami: true });
    assert.equal(inside.functionError, undefined, inside.raw);
    assert.deepEqual(inside.payload, expected);
    const creds = (await invoke(flint, name)).payload;
    const outside = await sts(creds).send(new GetCallerIdentityCommand({}));
    assert.deepEqual({ Arn: outside.Arn, UserId: outside.UserId, Account: outside.Account }, expected);
  });

  test("AssumeRole allowed by a trust policy naming the user: the session acts with the role's policies alone", async () => {
    const alice = await user("alice");
    const lister = await role("lister", trusting(userArn(alice.name)), policy(allow("lambda:ListFunctions")));
    const { out, session } = await assume(alice.credentials, lister.arn, "listing");
    assert.match(out.Credentials.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.ok(out.Credentials.SecretAccessKey.length >= 40);
    assert.ok(out.Credentials.SessionToken.length > 100);
    const expires = Date.parse(out.Credentials.Expiration);
    assert.ok(Math.abs(expires - (Date.now() + 3_600_000)) < 120_000, `one hour by default: ${out.Credentials.Expiration}`);
    assert.deepEqual(out.AssumedRoleUser, { AssumedRoleId: `${lister.id}:listing`, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${lister.name}/listing` });
    assert.equal(out.PackedPolicySize, undefined, "no session policy or tags: no PackedPolicySize");

    assert.ok(Array.isArray((await lambda(session).send(new ListFunctionsCommand({}))).Functions));
    await assert.rejects(sqs(session).send(new ListQueuesCommand({})), (err: Error) => {
      assert.match(err.name, /^AccessDenied/);
      assert.match(err.message, new RegExp(`^User: arn:aws:sts::${ACCOUNT}:assumed-role/${lister.name}/listing is not authorized to perform: sqs:listqueues`));
      return true;
    });
    // Alice herself may do neither: the session's permissions are the role's.
    await assert.rejects(lambda(alice.credentials).send(new ListFunctionsCommand({})), { name: "AccessDeniedException" });

    // Without its session token the temporary key is no one's.
    const keyOnly = { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey };
    assert.equal(await fails(keyOnly, ["sts", "get-caller-identity"]), error("GetCallerIdentity", "InvalidClientTokenId", "The security token included in the request is invalid."));
    await assert.rejects(lambda(keyOnly).send(new ListFunctionsCommand({})), { name: "UnrecognizedClientException" });
    // Nor with a token altered by one character.
    const token = session.sessionToken!;
    const forged = { ...session, sessionToken: token.slice(0, 40) + (token[40] === "A" ? "B" : "A") + token.slice(41) };
    assert.equal(await fails(forged, ["sts", "get-caller-identity"]), error("GetCallerIdentity", "InvalidClientTokenId", "The security token included in the request is invalid."));
  });

  test("an expired session is refused as ExpiredToken in STS's protocol and ExpiredTokenException in Lambda's", async () => {
    // Sessions last 15 minutes at least: this one is sealed as Flint seals them (under a key derived
    // from the root secret), already expired.
    const now = Date.now();
    const expired = new SessionTokens(TEST_CREDENTIALS.secretAccessKey).issue({ account: ACCOUNT, subject: { type: "root" }, issuedAt: now - 3_600_000, expiresAt: now - 1_000 });
    const session = { accessKeyId: expired.accessKeyId, secretAccessKey: expired.secretAccessKey, sessionToken: expired.sessionToken };
    assert.equal(await fails(session, ["sts", "get-caller-identity"]), error("GetCallerIdentity", "ExpiredToken", "The security token included in the request is expired"));
    await assert.rejects(lambda(session).send(new ListFunctionsCommand({})), { name: "ExpiredTokenException" });
    // The same, still valid, is the root's session.
    const live = new SessionTokens(TEST_CREDENTIALS.secretAccessKey).issue({ account: ACCOUNT, subject: { type: "root" }, issuedAt: now, expiresAt: now + 900_000 });
    assert.equal((await ok(live, ["sts", "get-caller-identity"])).Arn, `arn:aws:iam::${ACCOUNT}:root`);
  });

  test("boto3 assumes a role and calls as its session", { skip: boto3Version() ? false : "boto3 is not installed (apt-get install python3-boto3)" }, async () => {
    const bob = await user("bob");
    const target = await role("boto", trusting(userArn(bob.name)));
    const assumed = await boto3(bob.credentials, "assume_role", { RoleArn: target.arn, RoleSessionName: "from-boto3", DurationSeconds: 900 });
    assert.equal(assumed.error, undefined, JSON.stringify(assumed.error));
    assert.deepEqual(assumed.ok.AssumedRoleUser, { AssumedRoleId: `${target.id}:from-boto3`, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${target.name}/from-boto3` });
    const c = assumed.ok.Credentials;
    const me = await boto3({ accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken }, "get_caller_identity");
    assert.equal(me.ok.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/${target.name}/from-boto3`);
    const refused = await boto3(bob.credentials, "assume_role", { RoleArn: target.arn, RoleSessionName: "Session1:2" });
    assert.equal(refused.error?.code, "ValidationError");
  });

  test("a trust policy naming someone else refuses, whatever the caller's own policies allow, with AWS's message", async () => {
    const carol = await user("carol", policy(allow("*")));
    const dave = await user("dave");
    const theirs = await role("daves", trusting(userArn(dave.name)));
    assert.equal(
      await fails(carol.credentials, ["sts", "assume-role", "--role-arn", theirs.arn, "--role-session-name", "sneaky"]),
      error("AssumeRole", "AccessDenied", `User: ${userArn(carol.name)} is not authorized to perform: sts:AssumeRole on resource: ${theirs.arn}`),
    );
    // A role that does not exist is refused the same way.
    const missing = roleArn(uniqueName("missing"));
    assert.equal(
      await fails(carol.credentials, ["sts", "assume-role", "--role-arn", missing, "--role-session-name", "sneaky"]),
      error("AssumeRole", "AccessDenied", `User: ${userArn(carol.name)} is not authorized to perform: sts:AssumeRole on resource: ${missing}`),
    );
    // And the root may assume no role at all.
    assert.equal(await fails(TEST_CREDENTIALS, ["sts", "assume-role", "--role-arn", theirs.arn, "--role-session-name", "root"]), error("AssumeRole", "AccessDenied", "Roles may not be assumed by root accounts."));
  });

  test("a trust policy naming the account delegates: the user's own policy must allow sts:AssumeRole too", async () => {
    const shared = await role("shared", trusting(`arn:aws:iam::${ACCOUNT}:root`));
    const erin = await user("erin");
    assert.equal(
      await fails(erin.credentials, ["sts", "assume-role", "--role-arn", shared.arn, "--role-session-name", "erin"]),
      error("AssumeRole", "AccessDenied", `User: ${userArn(erin.name)} is not authorized to perform: sts:AssumeRole on resource: ${shared.arn}`),
    );
    await iam.send(new PutUserPolicyCommand({ UserName: erin.name, PolicyName: "assume", PolicyDocument: policy(allow("sts:AssumeRole", shared.arn)) }));
    const { out } = await assume(erin.credentials, shared.arn, "erin");
    assert.equal(out.AssumedRoleUser.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/${shared.name}/erin`);
  });

  test("a trust policy's condition on sts:ExternalId: refused without the id, allowed with it", async () => {
    const frank = await user("frank");
    const vendor = await role("vendor", trusting(userArn(frank.name), { StringEquals: { "sts:ExternalId": "shared-secret-42" } }));
    assert.match(await fails(frank.credentials, ["sts", "assume-role", "--role-arn", vendor.arn, "--role-session-name", "ff"]), /\(AccessDenied\)/);
    assert.match(await fails(frank.credentials, ["sts", "assume-role", "--role-arn", vendor.arn, "--role-session-name", "ff", "--external-id", "wrong-one"]), /\(AccessDenied\)/);
    await assume(frank.credentials, vendor.arn, "ff", ["--external-id", "shared-secret-42"]);
  });

  test("session policies narrow what the role allows: inline and managed", async () => {
    const gina = await user("gina");
    const broad = await role("broad", trusting(userArn(gina.name)), policy(allow(["lambda:*", "sqs:*"])));
    const onlyList = policy(allow("lambda:ListFunctions"));
    const { out, session } = await assume(gina.credentials, broad.arn, "narrow", ["--policy", onlyList, "--tags", "Key=team,Value=blue"]);
    assert.ok(Number.isInteger(out.PackedPolicySize) && out.PackedPolicySize > 0 && out.PackedPolicySize <= 100, `PackedPolicySize ${out.PackedPolicySize}`);
    await lambda(session).send(new ListFunctionsCommand({}));
    await assert.rejects(sqs(session).send(new ListQueuesCommand({})), (err: Error) => /^AccessDenied/.test(err.name) && /because no session policy allows/.test(err.message));
    // The role alone allows SQS.
    await sqs((await assume(gina.credentials, broad.arn, "wide")).session).send(new ListQueuesCommand({}));

    const managed = (await iam.send(new CreatePolicyCommand({ PolicyName: uniqueName("queues-only"), PolicyDocument: policy(allow("sqs:ListQueues")) }))).Policy!.Arn!;
    const byArn = (await assume(gina.credentials, broad.arn, "managed", ["--policy-arns", `arn=${managed}`])).session;
    await sqs(byArn).send(new ListQueuesCommand({}));
    await assert.rejects(lambda(byArn).send(new ListFunctionsCommand({})), { name: "AccessDeniedException" });
  });

  test("a role deleted while its session is live: the session may do nothing, but still learns who it is", async () => {
    const hal = await user("hal");
    const doomed = await role("doomed", trusting(userArn(hal.name)), policy(allow("lambda:ListFunctions")));
    const { session } = await assume(hal.credentials, doomed.arn, "last-words");
    await lambda(session).send(new ListFunctionsCommand({}));
    await iam.send(new DeleteRolePolicyCommand({ RoleName: doomed.name, PolicyName: "own" }));
    await iam.send(new DeleteRoleCommand({ RoleName: doomed.name }));
    await assert.rejects(lambda(session).send(new ListFunctionsCommand({})), { name: "AccessDeniedException" });
    assert.equal((await ok(session, ["sts", "get-caller-identity"])).Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/${doomed.name}/last-words`);
    // A role made again under the same name is another role: the old session gets nothing from it.
    await iam.send(new CreateRoleCommand({ RoleName: doomed.name, AssumeRolePolicyDocument: trusting(userArn(hal.name)) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: doomed.name, PolicyName: "own", PolicyDocument: policy(allow("lambda:ListFunctions")) }));
    await assert.rejects(lambda(session).send(new ListFunctionsCommand({})), { name: "AccessDeniedException" });
  });

  test("GetSessionToken: a user's session acts as the user; sessions may not ask for another; the root's last an hour", async () => {
    const ivy = await user("ivy", policy(allow(["sts:GetSessionToken", "lambda:ListFunctions"])));
    const out = await ok(ivy.credentials, ["sts", "get-session-token", "--duration-seconds", "900"]);
    assert.match(out.Credentials.AccessKeyId, /^ASIA/);
    assert.ok(Math.abs(Date.parse(out.Credentials.Expiration) - (Date.now() + 900_000)) < 120_000, out.Credentials.Expiration);
    const session = { accessKeyId: out.Credentials.AccessKeyId, secretAccessKey: out.Credentials.SecretAccessKey, sessionToken: out.Credentials.SessionToken };
    assert.deepEqual(await ok(session, ["sts", "get-caller-identity"]), { UserId: ivy.id, Account: ACCOUNT, Arn: userArn(ivy.name) });
    await lambda(session).send(new ListFunctionsCommand({}));
    await assert.rejects(sqs(session).send(new ListQueuesCommand({})), (err: Error) => /^AccessDenied/.test(err.name));
    assert.equal(await fails(session, ["sts", "get-session-token"]), error("GetSessionToken", "AccessDenied", "Cannot call GetSessionToken with session credentials"));
    // Without MFA such a session may not call IAM at all: AWS does not recognise its token there.
    assert.equal(await fails(session, ["iam", "list-roles"]), error("ListRoles", "InvalidClientTokenId", "The security token included in the request is invalid."));

    const jack = await user("jack");
    assert.equal(
      await fails(jack.credentials, ["sts", "get-session-token"]),
      error("GetSessionToken", "AccessDenied", `User: ${userArn(jack.name)} is not authorized to perform: sts:GetSessionToken on resource: *`),
    );
    const root = await ok(TEST_CREDENTIALS, ["sts", "get-session-token", "--duration-seconds", "7200"]);
    assert.ok(Date.parse(root.Credentials.Expiration) <= Date.now() + 3_600_000 + 60_000, `the root's sessions last an hour at most: ${root.Credentials.Expiration}`);
    const rootSession = { accessKeyId: root.Credentials.AccessKeyId, secretAccessKey: root.Credentials.SecretAccessKey, sessionToken: root.Credentials.SessionToken };
    assert.equal((await ok(rootSession, ["sts", "get-caller-identity"])).Arn, `arn:aws:iam::${ACCOUNT}:root`);
    await assert.rejects(sts(ivy.credentials).send(new GetSessionTokenCommand({ DurationSeconds: 129601 })), {
      name: "ValidationError",
      message: "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600",
    });
  });

  test("bad input gets AWS's errors, and no credentials", async () => {
    const kim = await user("kim");
    const target = await role("target", trusting(userArn(kim.name)));
    const assumeFails = (args: string[]) => fails(kim.credentials, ["sts", "assume-role", ...args]);
    const validation = (message: string) => error("AssumeRole", "ValidationError", message);
    assert.equal(
      await assumeFails(["--role-arn", target.arn, "--role-session-name", "Session1:2"]),
      validation("1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"),
    );
    // Lengths and ranges the CLI checks itself reach Flint from the SDK, which does not.
    const sdkFails = async (input: { RoleSessionName: string; DurationSeconds?: number }, message: string) =>
      assert.rejects(sts(kim.credentials).send(new AssumeRoleCommand({ RoleArn: target.arn, ...input })), (err: Error) => {
        assert.equal(err.name, "ValidationError");
        assert.equal(err.message, message);
        return true;
      });
    await sdkFails({ RoleSessionName: "s" }, "1 validation error detected: Value 's' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2");
    await sdkFails({ RoleSessionName: "x".repeat(65) }, `1 validation error detected: Value '${"x".repeat(65)}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64`);
    await sdkFails({ RoleSessionName: "s1", DurationSeconds: 899 }, "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900");
    assert.equal(await assumeFails(["--role-arn", "nothing-valid-in-here", "--role-session-name", "s1"]), validation("nothing-valid-in-here is invalid"));
    assert.equal(await assumeFails(["--role-arn", "arn:a:a::aaaaaaaaaa:", "--role-session-name", "s1"]), validation("arn:a:a::aaaaaaaaaa: is invalid"));
    assert.equal(await assumeFails(["--role-arn", target.arn, "--role-session-name", "s1", "--duration-seconds", "7200"]), validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role."));
    const malformed = /^An error occurred \(MalformedPolicyDocument\) when calling the AssumeRole operation: /;
    const notJson = '{"Statement": [';
    assert.match(await assumeFails(["--role-arn", target.arn, "--role-session-name", "s1", "--policy", notJson]), malformed);
    assert.match(await assumeFails(["--role-arn", target.arn, "--role-session-name", "s1", "--policy", policy({ Effect: "Allow", Action: "s3:*" })]), malformed);
    assert.match(await assumeFails(["--role-arn", target.arn, "--role-session-name", "s1", "--policy-arns", `arn=arn:aws:iam::${ACCOUNT}:policy/${uniqueName("absent")}`]), /^An error occurred \(ValidationError\) when calling the AssumeRole operation: Policy arn:aws:iam::/);
    // A role may allow longer sessions.
    const long = await role("long", trusting(userArn(kim.name)), undefined, 7200);
    const { out } = await assume(kim.credentials, long.arn, "s1", ["--duration-seconds", "7200"]);
    assert.ok(Math.abs(Date.parse(out.Credentials.Expiration) - (Date.now() + 7_200_000)) < 120_000, out.Credentials.Expiration);
  });
});

describe("STS under --iam report", () => {
  let flint: FlintProcess;
  before(async () => {
    flint = await startFlint({ args: [...ARGS, "--iam", "report"] });
  });
  after(() => flint?.stop());

  test("a trust policy that would refuse lets the caller in, and the server says what enforcement would have denied", async () => {
    const iam = new IAMClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    try {
      const name = uniqueName("lee");
      await iam.send(new CreateUserCommand({ UserName: name }));
      const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
      const other = uniqueName("others");
      // The trust policy names another user (one that exists: IAM refuses a principal that does not).
      const someoneElse = uniqueName("someone-else");
      await iam.send(new CreateUserCommand({ UserName: someoneElse }));
      const arn = (await iam.send(new CreateRoleCommand({ RoleName: other, AssumeRolePolicyDocument: trusting(userArn(someoneElse)) }))).Role!.Arn!;
      const r = await runCli(AWS_CLI_V2, flint.endpoint, ["sts", "assume-role", "--role-arn", arn, "--role-session-name", "reported"], undefined, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.json().AssumedRoleUser.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/${other}/reported`);
      assert.match(flint.output(), new RegExp(`flint: iam report: would deny sts:AssumeRole on ${arn} to ${userArn(name)}`));
      // A role that does not exist is still refused: there is nothing to assume.
      const missing = await runCli(AWS_CLI_V2, flint.endpoint, ["sts", "assume-role", "--role-arn", roleArn("no-such-role"), "--role-session-name", "reported"], undefined, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
      assert.match(missing.stderr, /\(AccessDenied\)/);
    } finally {
      iam.destroy();
    }
  });
});
