/**
 * The evaluation table: what AWS decides for one request and the policies that apply, written from the
 * IAM User Guide rather than from evaluate.ts, so that it is an oracle for it. Pages are named by their
 * slug under https://docs.aws.amazon.com/IAM/latest/UserGuide/<slug>.html.
 * Where the documentation leaves a point open, the case says so and follows the docs' own examples; points
 * the docs leave too open to test are listed at the end of this file.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { AuthzRequest, Caller, ContextValue, Decision, DecidingStatement, NamedPolicy, PolicyKind, PolicySet } from "./types.js";
import { evaluate, MalformedPolicy, parsePolicy } from "./evaluate.js";

// ---- Callers and resources --------------------------------------------------------------------------

const ACCT = "123456789012";
const FN = `arn:aws:lambda:us-east-1:${ACCT}:function:f`;
const fn = (name: string) => `arn:aws:lambda:us-east-1:${ACCT}:function:${name}`;
const Q = `arn:aws:sqs:us-east-1:${ACCT}:q`;
const queue = (name: string) => `arn:aws:sqs:us-east-1:${ACCT}:${name}`;
const T = `arn:aws:sns:us-east-1:${ACCT}:t`;
const ROLE = `arn:aws:iam::${ACCT}:role/r`;
const SESSION_ARN = `arn:aws:sts::${ACCT}:assumed-role/r/s`;

const ALICE: Caller = { kind: "user", account: ACCT, arn: `arn:aws:iam::${ACCT}:user/alice`, principalArn: `arn:aws:iam::${ACCT}:user/alice`, userid: "AIDAALICEEXAMPLE", username: "alice", tags: { team: "blue" } };
const BOB: Caller = { kind: "user", account: ACCT, arn: `arn:aws:iam::${ACCT}:user/bob`, principalArn: `arn:aws:iam::${ACCT}:user/bob`, userid: "AIDABOBEXAMPLE", username: "bob" };
const SESSION: Caller = { kind: "assumed-role", account: ACCT, arn: SESSION_ARN, principalArn: ROLE, userid: "AROAROLEEXAMPLE:s", tags: { team: "red" } };
const OTHER_SESSION: Caller = { kind: "assumed-role", account: ACCT, arn: `arn:aws:sts::${ACCT}:assumed-role/r/t`, principalArn: ROLE, userid: "AROAROLEEXAMPLE:t" };
const ROOT: Caller = { kind: "root", account: ACCT, arn: `arn:aws:iam::${ACCT}:root` };
const SNS: Caller = { kind: "service", arn: "sns.amazonaws.com" };
const S3: Caller = { kind: "service", arn: "s3.amazonaws.com" };
const ANONYMOUS: Caller = { kind: "anonymous", arn: "anonymous" };

const ACTION_OF: Record<string, string> = { lambda: "lambda:InvokeFunction", sqs: "sqs:SendMessage", sns: "sns:Publish" };

/** A request by `caller` to `action` on `resource` (by default alice invoking function f). */
const req = (caller: Caller = ALICE, action = "lambda:InvokeFunction", resource = FN, context?: Record<string, ContextValue>): AuthzRequest =>
  ({ caller, action, resource, resourceAccount: ACCT, ...(context ? { context } : {}) });
/** Alice invoking function f with these context keys. */
const withContext = (context: Record<string, ContextValue>, caller: Caller = ALICE) => req(caller, "lambda:InvokeFunction", FN, context);

// ---- Policies -------------------------------------------------------------------------------------

type Stmt = Record<string, unknown>;
const Allow = (Action: string | string[], Resource: string | string[] = "*", more: Stmt = {}): Stmt => ({ Effect: "Allow", Action, Resource, ...more });
const Deny = (Action: string | string[], Resource: string | string[] = "*", more: Stmt = {}): Stmt => ({ Effect: "Deny", Action, Resource, ...more });
const named = (name: string, kind: PolicyKind, ...Statement: Stmt[]): NamedPolicy => ({ name, kind, document: { Version: "2012-10-17", Statement } });

/** One identity policy named `id`. */
const ID = (...s: Stmt[]): PolicySet => ({ identity: [named("id", "identity", ...s)] });
/** Only a resource policy named `res` (the caller has no identity policy). */
const RES = (...s: Stmt[]): PolicySet => ({ identity: [], resource: named("res", "resource", ...s) });
const idPolicy = (...s: Stmt[]) => named("id", "identity", ...s);
const resPolicy = (...s: Stmt[]) => named("res", "resource", ...s);
const boundaryPolicy = (...s: Stmt[]) => named("boundary", "boundary", ...s);
const sessionPolicy = (...s: Stmt[]) => named("session", "session", ...s);

/** An identity Allow of lambda:InvokeFunction on everything, under this Condition. */
const allowWhen = (Condition: object) => ID(Allow("lambda:InvokeFunction", "*", { Condition }));

// ---- Expectations ---------------------------------------------------------------------------------

interface Expect {
  allowed: boolean;
  reason: Decision["reason"];
  message?: string;
  statement?: DecidingStatement;
}
interface Case {
  name: string;
  request: AuthzRequest;
  policies: PolicySet;
  expect: Expect;
}
type ExpectOf = Expect | ((r: AuthzRequest) => Expect);
const kase = (name: string, request: AuthzRequest, policies: PolicySet, expect: ExpectOf): Case =>
  ({ name, request, policies, expect: typeof expect === "function" ? expect(request) : expect });

const head = (r: AuthzRequest) => `User: ${r.caller.arn} is not authorized to perform: ${r.action} on resource: ${r.resource}`;
const stmt = (policy: string, kind: PolicyKind, index: number, sid?: string): DecidingStatement => ({ policy, kind, index, ...(sid ? { sid } : {}) });

const ROOT_ALLOWED: Expect = { allowed: true, reason: "root" };
/** Allowed, without saying which statement decided (several allow, or a boundary also allows). */
const ALLOWED: Expect = { allowed: true, reason: "allow" };
const allowedBy = (policy: string, kind: PolicyKind, index = 0, sid?: string): Expect => ({ allowed: true, reason: "allow", statement: stmt(policy, kind, index, sid) });
const BY_ID = allowedBy("id", "identity");
const BY_RES = allowedBy("res", "resource");
/** Implicitly denied, without asserting which policy's absence the message names. */
const IMPLICIT: Expect = { allowed: false, reason: "implicit-deny" };
const noneAllows = (which: "identity-based policy" | "permissions boundary" | "session policy") => (r: AuthzRequest): Expect =>
  ({ allowed: false, reason: "implicit-deny", message: `${head(r)} because no ${which} allows the ${r.action} action` });
const NO_ID = noneAllows("identity-based policy");
const deniedIn = (where: "an identity-based policy" | "a resource-based policy" | "a permissions boundary" | "a session policy", statement?: DecidingStatement) =>
  (r: AuthzRequest): Expect => ({ allowed: false, reason: "explicit-deny", message: `${head(r)} with an explicit deny in ${where}`, ...(statement ? { statement } : {}) });
const DENIED_BY_ID = (index = 0, sid?: string) => deniedIn("an identity-based policy", stmt("id", "identity", index, sid));
const DENIED_BY_RES = (index = 0, sid?: string) => deniedIn("a resource-based policy", stmt("res", "resource", index, sid));

/** Rows `[name, condition, context, matches]` as cases of an identity Allow under that condition. */
const conditionRows = (rows: [string, object, Record<string, ContextValue>, boolean][]): Case[] =>
  rows.map(([name, Condition, context, matches]) => kase(name, withContext(context), allowWhen(Condition), matches ? BY_ID : NO_ID));

/** `caller` asking to assume role r. */
const assume = (caller: Caller, context?: Record<string, ContextValue>) => req(caller, "sts:AssumeRole", ROLE, context);
/** Role r's trust policy letting `principal` assume it (under `Condition`), named `res`. */
const trustPolicy = (principal: string, Condition?: object): NamedPolicy =>
  ({ ...named("res", "resource", { Effect: "Allow", Principal: { AWS: principal }, Action: "sts:AssumeRole", ...(Condition ? { Condition } : {}) }), trust: true });

// ---- The table ----------------------------------------------------------------------------------------

const TABLE: Record<string, Case[]> = {
  // reference_policies_evaluation-logic_policy-eval-denyallow: the root user has full access, except that a
  // resource-based policy can still explicitly deny it.
  "root user": [
    kase("root is allowed with no policy at all", req(ROOT), { identity: [] }, ROOT_ALLOWED),
    kase("root is allowed on a resource whose policy names someone else", req(ROOT), RES(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: BOB.arn } })), ROOT_ALLOWED),
    kase("root is allowed when a resource policy's Deny names someone else", req(ROOT), RES(Deny("lambda:InvokeFunction", FN, { Principal: { AWS: BOB.arn } })), ROOT_ALLOWED),
    kase("a resource policy's Deny to everyone denies root", req(ROOT), RES(Deny("lambda:*", "*", { Principal: "*" })), DENIED_BY_RES()),
    kase("a resource policy's Deny to the account denies root", req(ROOT, "sqs:SendMessage", Q), RES(Deny("sqs:SendMessage", Q, { Sid: "NoRoot", Principal: { AWS: ACCT } })), DENIED_BY_RES(0, "NoRoot")),
    kase("a resource policy's Deny of another action leaves root allowed", req(ROOT), RES(Deny("lambda:DeleteFunction", "*", { Principal: "*" })), ROOT_ALLOWED),
  ],

  // reference_policies_evaluation-logic_policy-eval-denyallow and …policy-eval-basics.
  "allow, explicit deny and implicit deny": [
    kase("no policy: implicit deny", req(), { identity: [] }, NO_ID),
    kase("an identity policy for another action: implicit deny", req(), ID(Allow("lambda:GetFunction", "*")), NO_ID),
    kase("an identity policy allows", req(), ID(Allow("lambda:InvokeFunction", FN)), BY_ID),
    kase("the deciding Allow is named with its Sid and index", req(), ID(Allow("sqs:*"), Allow("lambda:InvokeFunction", FN, { Sid: "Invoke" })), allowedBy("id", "identity", 1, "Invoke")),
    kase("the second of two identity policies allows", req(), { identity: [named("a", "identity", Allow("sqs:*")), named("b", "identity", Allow("lambda:*"))] }, allowedBy("b", "identity", 0)),
    kase("a Deny in the same policy beats the Allow", req(), ID(Allow("lambda:*"), Deny("lambda:InvokeFunction", FN, { Sid: "NoInvoke" })), DENIED_BY_ID(1, "NoInvoke")),
    kase("a Deny in another identity policy beats the Allow", req(), { identity: [named("a", "identity", Allow("*")), named("b", "identity", Deny("lambda:Invoke*"))] }, deniedIn("an identity-based policy", stmt("b", "identity", 0))),
    kase("a Deny of another resource does not deny", req(), ID(Allow("lambda:*"), Deny("lambda:*", fn("prod"))), allowedBy("id", "identity", 0)),
    kase("a Deny of another action does not deny", req(), ID(Allow("lambda:*"), Deny("lambda:DeleteFunction")), allowedBy("id", "identity", 0)),
    kase("a Deny alone is still an explicit deny", req(), ID(Deny("lambda:InvokeFunction")), DENIED_BY_ID()),
    kase("a resource policy's Deny beats an identity Allow", req(), { identity: [idPolicy(Allow("lambda:*"))], resource: resPolicy(Deny("lambda:InvokeFunction", FN, { Principal: { AWS: ALICE.arn } })) }, DENIED_BY_RES()),
    kase("an identity Deny beats a resource policy's Allow", req(), { identity: [idPolicy(Deny("lambda:InvokeFunction"))], resource: resPolicy(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: ALICE.arn } })) }, DENIED_BY_ID()),
    // reference_policies_evaluation-logic_policy-eval-basics: within one account, either policy allowing is enough.
    kase("same account: the resource policy alone allows", req(), { identity: [idPolicy(Allow("sqs:*"))], resource: resPolicy(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: ALICE.arn } })) }, BY_RES),
    kase("same account: the identity policy alone allows though the resource policy names someone else", req(), { identity: [idPolicy(Allow("lambda:InvokeFunction"))], resource: resPolicy(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: BOB.arn } })) }, BY_ID),
    kase("Statement may be a single object", req(), { identity: [{ name: "id", kind: "identity", document: { Version: "2012-10-17", Statement: Allow("lambda:InvokeFunction", FN) } }] }, BY_ID),
    kase("the document may be JSON text", req(), { identity: [{ name: "id", kind: "identity", document: JSON.stringify({ Version: "2012-10-17", Statement: [Allow("lambda:InvokeFunction", FN)] }) }] }, BY_ID),
    kase("a denial message names the caller, action and resource", req(BOB, "sqs:SendMessage", Q), ID(Allow("lambda:*")),
      { allowed: false, reason: "implicit-deny", message: `User: arn:aws:iam::${ACCT}:user/bob is not authorized to perform: sqs:SendMessage on resource: ${Q} because no identity-based policy allows the sqs:SendMessage action` }),
  ],

  // reference_policies_elements_action: service prefix and action name are case-insensitive; * and ? wildcards.
  "Action and NotAction": [
    ...([
      ["an exact action", "lambda:InvokeFunction", "lambda:InvokeFunction", true],
      ["the action name in another case", "lambda:invokefunction", "lambda:InvokeFunction", true],
      ["the service prefix in another case", "LAMBDA:InvokeFunction", "lambda:InvokeFunction", true],
      ["both in another case", "Lambda:INVOKEFUNCTION", "lambda:InvokeFunction", true],
      ["service:*", "lambda:*", "lambda:InvokeFunction", true],
      ["*", "*", "lambda:InvokeFunction", true],
      ["a trailing *", "lambda:Invoke*", "lambda:InvokeFunction", true],
      ["a trailing * in another case", "lambda:invoke*", "lambda:InvokeFunction", true],
      ["a trailing * covers a longer name", "lambda:Invoke*", "lambda:InvokeFunctionUrl", true],
      ["a leading *", "lambda:*Function", "lambda:InvokeFunction", true],
      ["a leading * is anchored at the end", "lambda:*Function", "lambda:GetFunctionConfiguration", false],
      ["an action is not a prefix of a longer one", "lambda:InvokeFunction", "lambda:InvokeFunctionUrl", false],
      ["a longer action does not match a shorter one", "lambda:InvokeFunctionUrl", "lambda:InvokeFunction", false],
      ["? matches one character", "lambda:?nvokeFunction", "lambda:InvokeFunction", true],
      ["a trailing ? matches one character", "lambda:InvokeFunctio?", "lambda:InvokeFunction", true],
      ["? matches exactly one character, not three", "lambda:InvokeFunctio?", "lambda:InvokeFunctionUrl", false],
      ["another action of the service", "lambda:Get*", "lambda:InvokeFunction", false],
      ["another service's *", "sqs:*", "lambda:InvokeFunction", false],
      ["the same action name in another service", "sqs:InvokeFunction", "lambda:InvokeFunction", false],
      ["a list containing the action", ["sqs:SendMessage", "lambda:InvokeFunction"], "lambda:InvokeFunction", true],
      ["a list without the action", ["sqs:SendMessage", "sns:Publish"], "lambda:InvokeFunction", false],
    ] as [string, string | string[], string, boolean][]).map(([name, policy, action, matches]) =>
      kase(`Action: ${name}`, req(ALICE, action), ID(Allow(policy)), matches ? BY_ID : NO_ID)),
    kase("NotAction allows every other action", req(), ID({ Effect: "Allow", NotAction: "lambda:DeleteFunction", Resource: "*" }), BY_ID),
    kase("NotAction does not allow the named action", req(ALICE, "lambda:DeleteFunction"), ID({ Effect: "Allow", NotAction: "lambda:DeleteFunction", Resource: "*" }), NO_ID),
    kase("NotAction is case-insensitive", req(ALICE, "lambda:DeleteFunction"), ID({ Effect: "Allow", NotAction: "LAMBDA:deletefunction", Resource: "*" }), NO_ID),
    kase("NotAction with a wildcard", req(ALICE, "lambda:DeleteFunction"), ID({ Effect: "Allow", NotAction: ["lambda:Delete*", "lambda:Put*"], Resource: "*" }), NO_ID),
    kase("NotAction of one service allows another service", req(ALICE, "sqs:SendMessage", Q), ID({ Effect: "Allow", NotAction: "lambda:*", Resource: "*" }), BY_ID),
    // reference_policies_elements_notaction: Deny with NotAction denies everything but the listed actions.
    kase("Deny NotAction denies what is not listed", req(ALICE, "lambda:GetFunction"), ID(Allow("*"), { Effect: "Deny", NotAction: "lambda:InvokeFunction", Resource: "*" }), DENIED_BY_ID(1)),
    kase("Deny NotAction spares what is listed", req(), ID(Allow("*"), { Effect: "Deny", NotAction: "lambda:InvokeFunction", Resource: "*" }), BY_ID),
  ],

  // reference_policies_elements_resource: case-sensitive; * and ? within a segment, and a * that ends a segment
  // "can expand to match beyond the colon boundaries". A function ARN without qualifier names the unqualified
  // function only (Lambda's docs use function:name:* for its versions and aliases).
  "Resource and NotResource": [
    ...([
      ["the exact ARN", FN, FN, true],
      ["*", "*", FN, true],
      ["an unqualified ARN does not match a version", FN, `${FN}:1`, false],
      ["an unqualified ARN does not match an alias", FN, `${FN}:live`, false],
      ["a qualified ARN does not match the unqualified one", `${FN}:1`, FN, false],
      ["function:f:* matches a version", `${FN}:*`, `${FN}:1`, true],
      ["function:f:* does not match the unqualified function", `${FN}:*`, FN, false],
      ["function:f* matches the function", `${FN}*`, FN, true],
      ["function:f* matches its alias", `${FN}*`, `${FN}:live`, true],
      ["function:f* matches another function starting with f", `${FN}*`, fn("f2"), true],
      ["the function name is case-sensitive", fn("F"), FN, false],
      ["the region is case-sensitive", `arn:aws:lambda:US-EAST-1:${ACCT}:function:f`, FN, false],
      ["* for the region", `arn:aws:lambda:*:${ACCT}:function:f`, FN, true],
      ["* for the account", "arn:aws:lambda:us-east-1:*:function:f", FN, true],
      ["another account", `arn:aws:lambda:us-east-1:999999999999:function:f`, FN, false],
      ["? for one character", fn("?"), FN, true],
      ["? does not match two characters", fn("?"), fn("ff"), false],
      ["? does not match nothing", fn("f?"), FN, false],
      ["a segment-ending * spans the resource part", `arn:aws:lambda:us-east-1:${ACCT}:*`, FN, true],
      ["a segment-ending * spans qualifiers too", `arn:aws:lambda:us-east-1:${ACCT}:*`, `${FN}:live`, true],
      ["a queue ARN does not match a function", Q, FN, false],
      ["a queue", Q, Q, true],
      ["a queue name prefix", queue("q*"), queue("q-dlq"), true],
      ["a topic", T, T, true],
      ["a topic's name is case-sensitive", `arn:aws:sns:us-east-1:${ACCT}:T`, T, false],
      ["a list containing the ARN", [Q, FN], FN, true],
      ["a list without the ARN", [Q, T], FN, false],
    ] as [string, string | string[], string, boolean][]).map(([name, policy, resource, matches]) =>
      kase(`Resource: ${name}`, req(ALICE, ACTION_OF[resource.split(":")[2]!]!, resource), ID(Allow("*", policy)), matches ? BY_ID : NO_ID)),
    kase("Resource: a specific ARN does not match a request on *", req(ALICE, "lambda:ListFunctions", "*"), ID(Allow("lambda:*", FN)), NO_ID),
    kase("Resource: * matches a request on *", req(ALICE, "lambda:ListFunctions", "*"), ID(Allow("lambda:*", "*")), BY_ID),
    kase("NotResource allows other resources", req(), ID({ Effect: "Allow", Action: "lambda:*", NotResource: fn("secret") }), BY_ID),
    kase("NotResource does not allow the named resource", req(ALICE, "lambda:InvokeFunction", fn("secret")), ID({ Effect: "Allow", Action: "lambda:*", NotResource: fn("secret") }), NO_ID),
    kase("NotResource with a wildcard", req(ALICE, "lambda:InvokeFunction", `${fn("secret")}:live`), ID({ Effect: "Allow", Action: "lambda:*", NotResource: [Q, `${fn("secret")}*`] }), NO_ID),
    kase("Deny NotResource denies every other resource", req(ALICE, "lambda:InvokeFunction", fn("other")), ID(Allow("lambda:*"), { Effect: "Deny", Action: "lambda:*", NotResource: FN }), DENIED_BY_ID(1)),
    kase("Deny NotResource spares the named resource", req(), ID(Allow("lambda:*"), { Effect: "Deny", Action: "lambda:*", NotResource: FN }), BY_ID),
  ],

  // reference_policies_elements_principal and reference_policies_evaluation-logic_policy-eval-basics.
  "Principal and NotPrincipal": [
    kase("\"*\" allows a user", req(), RES(Allow("lambda:InvokeFunction", FN, { Principal: "*" })), BY_RES),
    kase("\"*\" allows an anonymous caller", req(ANONYMOUS), RES(Allow("lambda:InvokeFunction", FN, { Principal: "*" })), BY_RES),
    kase("\"*\" allows a service", req(SNS), RES(Allow("lambda:InvokeFunction", FN, { Principal: "*" })), BY_RES),
    kase("{AWS: *} allows a user", req(), RES(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: "*" } })), BY_RES),
    kase("the user's ARN allows that user", req(), RES(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: ALICE.arn } })), BY_RES),
    kase("the user's ARN does not allow another user", req(BOB), RES(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: ALICE.arn } })), IMPLICIT),
    kase("a list of ARNs allows each", req(), RES(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: [BOB.arn, ALICE.arn] } })), BY_RES),
    kase("a user of the same name in another account is another principal", req(), RES(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: "arn:aws:iam::999999999999:user/alice" } })), IMPLICIT),
    // reference_policies_elements_principal (AWS account principals): the account id delegates to the account;
    // its users still need an identity policy that allows.
    kase("the account id does not by itself allow a user", req(), RES(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: ACCT } })), IMPLICIT),
    kase("the account root ARN does not by itself allow a user", req(), RES(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: `arn:aws:iam::${ACCT}:root` } })), IMPLICIT),
    kase("the account id does not by itself allow a role session", req(SESSION), RES(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: ACCT } })), IMPLICIT),
    kase("the account id with the user's identity policy: allowed by that policy", req(), { identity: [idPolicy(Allow("lambda:InvokeFunction"))], resource: resPolicy(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: ACCT } })) }, BY_ID),
    kase("the account id and root: root is allowed", req(ROOT), RES(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: ACCT } })), ROOT_ALLOWED),
    // reference_policies_elements_principal (IAM role principals): a role ARN matches the role's sessions.
    kase("the role ARN allows a session of the role", req(SESSION), RES(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: ROLE } })), BY_RES),
    kase("the role ARN allows any session of the role", req(OTHER_SESSION), RES(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: ROLE } })), BY_RES),
    kase("another role's ARN does not allow the session", req(SESSION), RES(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: `arn:aws:iam::${ACCT}:role/other` } })), IMPLICIT),
    kase("a role ARN does not allow a user", req(), RES(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: ROLE } })), IMPLICIT),
    kase("the session ARN allows that session", req(SESSION), RES(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: SESSION_ARN } })), BY_RES),
    kase("the session ARN does not allow another session of the role", req(OTHER_SESSION), RES(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: SESSION_ARN } })), IMPLICIT),
    kase("a service principal allows that service", req(SNS), RES(Allow("lambda:InvokeFunction", FN, { Principal: { Service: "sns.amazonaws.com" } })), BY_RES),
    kase("a service principal does not allow another service", req(S3), RES(Allow("lambda:InvokeFunction", FN, { Principal: { Service: "sns.amazonaws.com" } })), IMPLICIT),
    kase("a service principal does not allow a user", req(), RES(Allow("lambda:InvokeFunction", FN, { Principal: { Service: "sns.amazonaws.com" } })), IMPLICIT),
    kase("a list of services allows each", req(S3), RES(Allow("lambda:InvokeFunction", FN, { Principal: { Service: ["sns.amazonaws.com", "s3.amazonaws.com"] } })), BY_RES),
    kase("a user's ARN does not allow a service", req(SNS), RES(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: ALICE.arn } })), IMPLICIT),
    kase("a Principal with AWS and Service entries allows the service", req(SNS), RES(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: BOB.arn, Service: "sns.amazonaws.com" } })), BY_RES),
    kase("a statement naming the principal for another action does not allow", req(), RES(Allow("lambda:GetFunction", FN, { Principal: { AWS: ALICE.arn } })), IMPLICIT),
    // reference_policies_elements_notprincipal: Deny with NotPrincipal denies everyone except those named.
    kase("Deny NotPrincipal spares the named user", req(), RES(Allow("lambda:InvokeFunction", FN, { Principal: "*" }), Deny("lambda:InvokeFunction", FN, { NotPrincipal: { AWS: ALICE.arn } })), allowedBy("res", "resource", 0)),
    kase("Deny NotPrincipal denies another user", req(BOB), RES(Allow("lambda:InvokeFunction", FN, { Principal: "*" }), Deny("lambda:InvokeFunction", FN, { NotPrincipal: { AWS: ALICE.arn } })), DENIED_BY_RES(1)),
    kase("Deny NotPrincipal denies a service not named", req(SNS), RES(Allow("lambda:InvokeFunction", FN, { Principal: "*" }), Deny("lambda:InvokeFunction", FN, { NotPrincipal: { AWS: ALICE.arn } })), DENIED_BY_RES(1)),
    kase("Deny NotPrincipal spares a named service", req(SNS), RES(Allow("lambda:InvokeFunction", FN, { Principal: "*" }), Deny("lambda:InvokeFunction", FN, { NotPrincipal: { Service: "sns.amazonaws.com" } })), allowedBy("res", "resource", 0)),
  ],

  // reference_policies_elements_condition and reference_policies_elements_condition_operators: a key absent from
  // the request makes a condition false, except negated operators (true), ...IfExists (true) and Null.
  "condition operators: strings": conditionRows([
    ["StringEquals matches", { StringEquals: { "aws:RequestedRegion": "us-east-1" } }, { "aws:RequestedRegion": "us-east-1" }, true],
    ["StringEquals is case-sensitive", { StringEquals: { "aws:RequestedRegion": "us-east-1" } }, { "aws:RequestedRegion": "US-EAST-1" }, false],
    ["StringEquals does not take wildcards", { StringEquals: { "aws:RequestedRegion": "us-*" } }, { "aws:RequestedRegion": "us-east-1" }, false],
    ["StringEquals: any of the key's values (OR)", { StringEquals: { "aws:RequestedRegion": ["eu-west-1", "us-east-1"] } }, { "aws:RequestedRegion": "us-east-1" }, true],
    ["StringEquals: none of the key's values", { StringEquals: { "aws:RequestedRegion": ["eu-west-1", "eu-central-1"] } }, { "aws:RequestedRegion": "us-east-1" }, false],
    ["StringEquals on an absent key is false", { StringEquals: { "aws:RequestedRegion": "us-east-1" } }, {}, false],
    ["StringNotEquals on another value", { StringNotEquals: { "aws:RequestedRegion": "eu-west-1" } }, { "aws:RequestedRegion": "us-east-1" }, true],
    ["StringNotEquals on the same value", { StringNotEquals: { "aws:RequestedRegion": "us-east-1" } }, { "aws:RequestedRegion": "us-east-1" }, false],
    // reference_policies_elements_condition (multiple values): a negated operator with several values is a NOR.
    ["StringNotEquals with several values: equal to one of them", { StringNotEquals: { "aws:RequestedRegion": ["eu-west-1", "us-east-1"] } }, { "aws:RequestedRegion": "us-east-1" }, false],
    ["StringNotEquals with several values: equal to none", { StringNotEquals: { "aws:RequestedRegion": ["eu-west-1", "eu-central-1"] } }, { "aws:RequestedRegion": "us-east-1" }, true],
    ["StringNotEquals on an absent key is true", { StringNotEquals: { "aws:RequestedRegion": "us-east-1" } }, {}, true],
    ["StringEqualsIgnoreCase ignores case", { StringEqualsIgnoreCase: { "aws:RequestedRegion": "US-EAST-1" } }, { "aws:RequestedRegion": "us-east-1" }, true],
    ["StringEqualsIgnoreCase on another value", { StringEqualsIgnoreCase: { "aws:RequestedRegion": "EU-WEST-1" } }, { "aws:RequestedRegion": "us-east-1" }, false],
    ["StringEqualsIgnoreCase on an absent key is false", { StringEqualsIgnoreCase: { "aws:RequestedRegion": "us-east-1" } }, {}, false],
    ["StringNotEqualsIgnoreCase on the same value in another case", { StringNotEqualsIgnoreCase: { "aws:RequestedRegion": "US-EAST-1" } }, { "aws:RequestedRegion": "us-east-1" }, false],
    ["StringNotEqualsIgnoreCase on another value", { StringNotEqualsIgnoreCase: { "aws:RequestedRegion": "EU-WEST-1" } }, { "aws:RequestedRegion": "us-east-1" }, true],
    ["StringNotEqualsIgnoreCase on an absent key is true", { StringNotEqualsIgnoreCase: { "aws:RequestedRegion": "us-east-1" } }, {}, true],
    ["StringLike with *", { StringLike: { "aws:RequestedRegion": "us-*" } }, { "aws:RequestedRegion": "us-east-1" }, true],
    ["StringLike with ?", { StringLike: { "aws:RequestedRegion": "us-?ast-1" } }, { "aws:RequestedRegion": "us-east-1" }, true],
    ["StringLike that does not match", { StringLike: { "aws:RequestedRegion": "eu-*" } }, { "aws:RequestedRegion": "us-east-1" }, false],
    ["StringLike is case-sensitive", { StringLike: { "aws:RequestedRegion": "US-*" } }, { "aws:RequestedRegion": "us-east-1" }, false],
    ["StringLike is anchored", { StringLike: { "aws:RequestedRegion": "east*" } }, { "aws:RequestedRegion": "us-east-1" }, false],
    ["StringLike on an absent key is false", { StringLike: { "aws:RequestedRegion": "*" } }, {}, false],
    ["StringNotLike that does not match", { StringNotLike: { "aws:RequestedRegion": "eu-*" } }, { "aws:RequestedRegion": "us-east-1" }, true],
    ["StringNotLike that matches", { StringNotLike: { "aws:RequestedRegion": "us-*" } }, { "aws:RequestedRegion": "us-east-1" }, false],
    ["StringNotLike on an absent key is true", { StringNotLike: { "aws:RequestedRegion": "us-*" } }, {}, true],
  ]),

  "condition operators: numbers": conditionRows([
    ["NumericEquals equal", { NumericEquals: { "aws:MultiFactorAuthAge": "3600" } }, { "aws:MultiFactorAuthAge": "3600" }, true],
    ["NumericEquals unequal", { NumericEquals: { "aws:MultiFactorAuthAge": "3601" } }, { "aws:MultiFactorAuthAge": "3600" }, false],
    ["NumericNotEquals unequal", { NumericNotEquals: { "aws:MultiFactorAuthAge": "10" } }, { "aws:MultiFactorAuthAge": "3600" }, true],
    ["NumericNotEquals equal", { NumericNotEquals: { "aws:MultiFactorAuthAge": "3600" } }, { "aws:MultiFactorAuthAge": "3600" }, false],
    ["NumericNotEquals on an absent key is true", { NumericNotEquals: { "aws:MultiFactorAuthAge": "3600" } }, {}, true],
    ["NumericLessThan below", { NumericLessThan: { "aws:MultiFactorAuthAge": "7200" } }, { "aws:MultiFactorAuthAge": "3600" }, true],
    ["NumericLessThan equal", { NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } }, { "aws:MultiFactorAuthAge": "3600" }, false],
    ["NumericLessThan compares numbers, not text", { NumericLessThan: { "aws:MultiFactorAuthAge": "10000" } }, { "aws:MultiFactorAuthAge": "3600" }, true],
    ["NumericLessThan on an absent key is false", { NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } }, {}, false],
    ["NumericLessThanEquals equal", { NumericLessThanEquals: { "aws:MultiFactorAuthAge": "3600" } }, { "aws:MultiFactorAuthAge": "3600" }, true],
    ["NumericLessThanEquals above", { NumericLessThanEquals: { "aws:MultiFactorAuthAge": "3599" } }, { "aws:MultiFactorAuthAge": "3600" }, false],
    ["NumericGreaterThan above", { NumericGreaterThan: { "aws:MultiFactorAuthAge": "100" } }, { "aws:MultiFactorAuthAge": "3600" }, true],
    ["NumericGreaterThan equal", { NumericGreaterThan: { "aws:MultiFactorAuthAge": "3600" } }, { "aws:MultiFactorAuthAge": "3600" }, false],
    ["NumericGreaterThan compares numbers, not text", { NumericGreaterThan: { "aws:MultiFactorAuthAge": "900" } }, { "aws:MultiFactorAuthAge": "3600" }, true],
    ["NumericGreaterThanEquals equal", { NumericGreaterThanEquals: { "aws:MultiFactorAuthAge": "3600" } }, { "aws:MultiFactorAuthAge": "3600" }, true],
    ["NumericGreaterThanEquals below", { NumericGreaterThanEquals: { "aws:MultiFactorAuthAge": "3601" } }, { "aws:MultiFactorAuthAge": "3600" }, false],
  ]),

  // Dates in ISO 8601 or epoch seconds (reference_policies_elements_condition_operators#Conditions_Date); the
  // range is the docs' reference_policies_examples_aws-dates example. The request is at 2024-06-15T12:00:00Z.
  "condition operators: dates": conditionRows([
    ["DateEquals in ISO 8601", { DateEquals: { "aws:CurrentTime": "2024-06-15T12:00:00Z" } }, { "aws:CurrentTime": "2024-06-15T12:00:00Z" }, true],
    ["DateEquals in epoch seconds", { DateEquals: { "aws:CurrentTime": "1718452800" } }, { "aws:CurrentTime": "2024-06-15T12:00:00Z" }, true],
    ["DateEquals with a UTC offset is the same instant", { DateEquals: { "aws:CurrentTime": "2024-06-15T14:00:00+02:00" } }, { "aws:CurrentTime": "2024-06-15T12:00:00Z" }, true],
    ["DateEquals another instant", { DateEquals: { "aws:CurrentTime": "2024-06-15T12:00:01Z" } }, { "aws:CurrentTime": "2024-06-15T12:00:00Z" }, false],
    ["DateNotEquals another instant", { DateNotEquals: { "aws:CurrentTime": "2024-01-01T00:00:00Z" } }, { "aws:CurrentTime": "2024-06-15T12:00:00Z" }, true],
    ["DateNotEquals the same instant", { DateNotEquals: { "aws:CurrentTime": "2024-06-15T12:00:00Z" } }, { "aws:CurrentTime": "2024-06-15T12:00:00Z" }, false],
    ["DateLessThan before the limit", { DateLessThan: { "aws:CurrentTime": "2025-01-01T00:00:00Z" } }, { "aws:CurrentTime": "2024-06-15T12:00:00Z" }, true],
    ["DateLessThan after the limit", { DateLessThan: { "aws:CurrentTime": "2024-01-01T00:00:00Z" } }, { "aws:CurrentTime": "2024-06-15T12:00:00Z" }, false],
    ["DateLessThan at the limit", { DateLessThan: { "aws:CurrentTime": "2024-06-15T12:00:00Z" } }, { "aws:CurrentTime": "2024-06-15T12:00:00Z" }, false],
    ["DateLessThanEquals at the limit", { DateLessThanEquals: { "aws:CurrentTime": "2024-06-15T12:00:00Z" } }, { "aws:CurrentTime": "2024-06-15T12:00:00Z" }, true],
    ["DateGreaterThan after the limit", { DateGreaterThan: { "aws:CurrentTime": "2024-01-01T00:00:00Z" } }, { "aws:CurrentTime": "2024-06-15T12:00:00Z" }, true],
    ["DateGreaterThan before the limit", { DateGreaterThan: { "aws:CurrentTime": "2025-01-01T00:00:00Z" } }, { "aws:CurrentTime": "2024-06-15T12:00:00Z" }, false],
    ["DateGreaterThan with an epoch limit", { DateGreaterThan: { "aws:CurrentTime": "1704067200" } }, { "aws:CurrentTime": "2024-06-15T12:00:00Z" }, true],
    ["DateGreaterThan with a date-only limit", { DateGreaterThan: { "aws:CurrentTime": "2024-06-15" } }, { "aws:CurrentTime": "2024-06-15T12:00:00Z" }, true],
    ["DateGreaterThanEquals at the limit", { DateGreaterThanEquals: { "aws:CurrentTime": "1718452800" } }, { "aws:CurrentTime": "2024-06-15T12:00:00Z" }, true],
    ["an epoch context value (aws:EpochTime) against an ISO limit", { DateGreaterThan: { "aws:EpochTime": "2024-01-01T00:00:00Z" } }, { "aws:EpochTime": "1718452800" }, true],
    ["DateLessThan on an absent key is false", { DateLessThan: { "aws:CurrentTime": "2099-01-01T00:00:00Z" } }, {}, false],
    ["DateNotEquals on an absent key is true", { DateNotEquals: { "aws:CurrentTime": "2024-01-01T00:00:00Z" } }, {}, true],
    ["a date range inside", { DateGreaterThan: { "aws:CurrentTime": "2024-04-01T00:00:00Z" }, DateLessThan: { "aws:CurrentTime": "2024-06-30T23:59:59Z" } }, { "aws:CurrentTime": "2024-06-15T12:00:00Z" }, true],
    ["a date range outside", { DateGreaterThan: { "aws:CurrentTime": "2024-04-01T00:00:00Z" }, DateLessThan: { "aws:CurrentTime": "2024-05-31T23:59:59Z" } }, { "aws:CurrentTime": "2024-06-15T12:00:00Z" }, false],
  ]),

  "condition operators: Bool, Binary, IP addresses": conditionRows([
    ["Bool true against true", { Bool: { "aws:SecureTransport": "true" } }, { "aws:SecureTransport": "true" }, true],
    ["Bool true against false", { Bool: { "aws:SecureTransport": "true" } }, { "aws:SecureTransport": "false" }, false],
    ["Bool false against false", { Bool: { "aws:SecureTransport": "false" } }, { "aws:SecureTransport": "false" }, true],
    ["Bool on an absent key is false", { Bool: { "aws:SecureTransport": "false" } }, {}, false],
    // The operators page's example value; the context carries the same base64 text.
    ["BinaryEquals the same bytes", { BinaryEquals: { "aws:RequestTag/cert": "QmluYXJ5VmFsdWVJbkJhc2U2NA==" } }, { "aws:RequestTag/cert": "QmluYXJ5VmFsdWVJbkJhc2U2NA==" }, true],
    ["BinaryEquals other bytes", { BinaryEquals: { "aws:RequestTag/cert": "QmluYXJ5VmFsdWVJbkJhc2U2NA==" } }, { "aws:RequestTag/cert": "T3RoZXJWYWx1ZQ==" }, false],
    ["BinaryEquals on an absent key is false", { BinaryEquals: { "aws:RequestTag/cert": "QmluYXJ5VmFsdWVJbkJhc2U2NA==" } }, {}, false],
    ["IpAddress inside a /24", { IpAddress: { "aws:SourceIp": "203.0.113.0/24" } }, { "aws:SourceIp": "203.0.113.7" }, true],
    ["IpAddress outside a /24", { IpAddress: { "aws:SourceIp": "203.0.113.0/24" } }, { "aws:SourceIp": "198.51.100.7" }, false],
    ["IpAddress outside the lower /25", { IpAddress: { "aws:SourceIp": "203.0.113.0/25" } }, { "aws:SourceIp": "203.0.113.200" }, false],
    ["IpAddress inside the upper /25", { IpAddress: { "aws:SourceIp": "203.0.113.128/25" } }, { "aws:SourceIp": "203.0.113.200" }, true],
    ["IpAddress a /32", { IpAddress: { "aws:SourceIp": "203.0.113.7/32" } }, { "aws:SourceIp": "203.0.113.7" }, true],
    ["IpAddress 0.0.0.0/0", { IpAddress: { "aws:SourceIp": "0.0.0.0/0" } }, { "aws:SourceIp": "198.51.100.7" }, true],
    ["IpAddress in one of several ranges", { IpAddress: { "aws:SourceIp": ["198.51.100.0/24", "203.0.113.0/24"] } }, { "aws:SourceIp": "203.0.113.7" }, true],
    ["IpAddress on an absent key is false", { IpAddress: { "aws:SourceIp": "0.0.0.0/0" } }, {}, false],
    // The operators page's IPv6 example writes the range in capitals.
    ["IpAddress inside an IPv6 /64", { IpAddress: { "aws:SourceIp": "2001:DB8:1234:5678::/64" } }, { "aws:SourceIp": "2001:db8:1234:5678::1" }, true],
    ["IpAddress outside an IPv6 /64", { IpAddress: { "aws:SourceIp": "2001:DB8:1234:5678::/64" } }, { "aws:SourceIp": "2001:db8:1234:9999::1" }, false],
    ["an IPv6 address is not in an IPv4 range", { IpAddress: { "aws:SourceIp": "0.0.0.0/0" } }, { "aws:SourceIp": "2001:db8::1" }, false],
    ["NotIpAddress outside the range", { NotIpAddress: { "aws:SourceIp": "203.0.113.0/24" } }, { "aws:SourceIp": "198.51.100.7" }, true],
    ["NotIpAddress inside the range", { NotIpAddress: { "aws:SourceIp": "203.0.113.0/24" } }, { "aws:SourceIp": "203.0.113.7" }, false],
    ["NotIpAddress on an absent key is true", { NotIpAddress: { "aws:SourceIp": "203.0.113.0/24" } }, {}, true],
  ]),

  // reference_policies_elements_condition_operators#Conditions_ARN: case-sensitive, each colon-delimited
  // component compared separately, and (the page says so of ArnEquals too) each may hold * and ?.
  "condition operators: ARNs": conditionRows([
    ["ArnEquals the same ARN", { ArnEquals: { "aws:SourceArn": T } }, { "aws:SourceArn": T }, true],
    ["ArnEquals another ARN", { ArnEquals: { "aws:SourceArn": `arn:aws:sns:us-east-1:${ACCT}:other` } }, { "aws:SourceArn": T }, false],
    ["ArnEquals accepts a wildcard component", { ArnEquals: { "aws:SourceArn": `arn:aws:sns:*:${ACCT}:t` } }, { "aws:SourceArn": T }, true],
    ["ArnEquals on an absent key is false", { ArnEquals: { "aws:SourceArn": T } }, {}, false],
    ["ArnLike with a wildcard resource", { ArnLike: { "aws:SourceArn": `arn:aws:sns:us-east-1:${ACCT}:*` } }, { "aws:SourceArn": T }, true],
    ["ArnLike with a wildcard region", { ArnLike: { "aws:SourceArn": `arn:aws:sns:*:${ACCT}:t` } }, { "aws:SourceArn": T }, true],
    ["ArnLike with ?", { ArnLike: { "aws:SourceArn": `arn:aws:sns:us-east-?:${ACCT}:t` } }, { "aws:SourceArn": T }, true],
    ["ArnLike is case-sensitive", { ArnLike: { "aws:SourceArn": `arn:aws:sns:us-east-1:${ACCT}:T` } }, { "aws:SourceArn": T }, false],
    ["ArnLike in another account", { ArnLike: { "aws:SourceArn": "arn:aws:sns:*:999999999999:*" } }, { "aws:SourceArn": T }, false],
    ["ArnLike on an absent key is false", { ArnLike: { "aws:SourceArn": "arn:aws:sns:*:*:*" } }, {}, false],
    ["ArnNotEquals another ARN", { ArnNotEquals: { "aws:SourceArn": `arn:aws:sns:us-east-1:${ACCT}:other` } }, { "aws:SourceArn": T }, true],
    ["ArnNotEquals the same ARN", { ArnNotEquals: { "aws:SourceArn": T } }, { "aws:SourceArn": T }, false],
    ["ArnNotEquals on an absent key is true", { ArnNotEquals: { "aws:SourceArn": T } }, {}, true],
    ["ArnNotLike a pattern that does not match", { ArnNotLike: { "aws:SourceArn": "arn:aws:sns:*:999999999999:*" } }, { "aws:SourceArn": T }, true],
    ["ArnNotLike a pattern that matches", { ArnNotLike: { "aws:SourceArn": `arn:aws:sns:*:${ACCT}:*` } }, { "aws:SourceArn": T }, false],
    ["ArnNotLike on an absent key is true", { ArnNotLike: { "aws:SourceArn": "arn:aws:sns:*:*:*" } }, {}, true],
  ]),

  // reference_policies_elements_condition_operators#Conditions_Null and #Conditions_IfExists.
  "condition operators: Null and IfExists": conditionRows([
    ["Null true on an absent key", { Null: { "aws:TokenIssueTime": "true" } }, {}, true],
    ["Null true on a present key", { Null: { "aws:TokenIssueTime": "true" } }, { "aws:TokenIssueTime": "2024-06-15T11:00:00Z" }, false],
    ["Null false on a present key", { Null: { "aws:TokenIssueTime": "false" } }, { "aws:TokenIssueTime": "2024-06-15T11:00:00Z" }, true],
    ["Null false on an absent key", { Null: { "aws:TokenIssueTime": "false" } }, {}, false],
    ["StringEqualsIfExists on an absent key", { StringEqualsIfExists: { "aws:RequestedRegion": "us-east-1" } }, {}, true],
    ["StringEqualsIfExists on a matching key", { StringEqualsIfExists: { "aws:RequestedRegion": "us-east-1" } }, { "aws:RequestedRegion": "us-east-1" }, true],
    ["StringEqualsIfExists on another value", { StringEqualsIfExists: { "aws:RequestedRegion": "us-east-1" } }, { "aws:RequestedRegion": "eu-west-1" }, false],
    ["StringNotEqualsIfExists on an absent key", { StringNotEqualsIfExists: { "aws:RequestedRegion": "us-east-1" } }, {}, true],
    ["StringLikeIfExists on another value", { StringLikeIfExists: { "aws:RequestedRegion": "us-*" } }, { "aws:RequestedRegion": "eu-west-1" }, false],
    ["NumericLessThanIfExists on an absent key", { NumericLessThanIfExists: { "aws:MultiFactorAuthAge": "3600" } }, {}, true],
    ["NumericLessThanIfExists on a larger value", { NumericLessThanIfExists: { "aws:MultiFactorAuthAge": "3600" } }, { "aws:MultiFactorAuthAge": "7200" }, false],
    ["DateLessThanIfExists on an absent key", { DateLessThanIfExists: { "aws:CurrentTime": "2024-01-01T00:00:00Z" } }, {}, true],
    ["BoolIfExists on an absent key", { BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } }, {}, true],
    ["BoolIfExists on false", { BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } }, { "aws:MultiFactorAuthPresent": "false" }, false],
    ["IpAddressIfExists on an absent key", { IpAddressIfExists: { "aws:SourceIp": "203.0.113.0/24" } }, {}, true],
    ["IpAddressIfExists outside the range", { IpAddressIfExists: { "aws:SourceIp": "203.0.113.0/24" } }, { "aws:SourceIp": "198.51.100.7" }, false],
    ["ArnLikeIfExists on an absent key", { ArnLikeIfExists: { "aws:SourceArn": "arn:aws:sns:*:*:*" } }, {}, true],
    ["ArnLikeIfExists on a matching key", { ArnLikeIfExists: { "aws:SourceArn": "arn:aws:sns:*:*:*" } }, { "aws:SourceArn": T }, true],
  ]),

  // reference_policies_elements_condition (evaluation logic): AND across operators and keys, OR across a key's
  // values; key names are case-insensitive.
  "condition blocks": conditionRows([
    ["two operators both true", { StringEquals: { "aws:RequestedRegion": "us-east-1" }, Bool: { "aws:SecureTransport": "true" } }, { "aws:RequestedRegion": "us-east-1", "aws:SecureTransport": "true" }, true],
    ["two operators, one false", { StringEquals: { "aws:RequestedRegion": "us-east-1" }, Bool: { "aws:SecureTransport": "true" } }, { "aws:RequestedRegion": "us-east-1", "aws:SecureTransport": "false" }, false],
    ["two keys under one operator both true", { StringEquals: { "aws:RequestedRegion": "us-east-1", "aws:SourceAccount": ACCT } }, { "aws:RequestedRegion": "us-east-1", "aws:SourceAccount": ACCT }, true],
    ["two keys under one operator, one false", { StringEquals: { "aws:RequestedRegion": "us-east-1", "aws:SourceAccount": ACCT } }, { "aws:RequestedRegion": "us-east-1", "aws:SourceAccount": "999999999999" }, false],
    ["two keys under one operator, one absent", { StringEquals: { "aws:RequestedRegion": "us-east-1", "aws:SourceAccount": ACCT } }, { "aws:RequestedRegion": "us-east-1" }, false],
    ["a policy key in another case than the context's", { StringEquals: { "AWS:RequestedRegion": "us-east-1" } }, { "aws:requestedregion": "us-east-1" }, true],
    ["a context key in another case than the policy's", { IpAddress: { "aws:sourceip": "203.0.113.0/24" } }, { "AWS:SourceIp": "203.0.113.7" }, true],
    ["a key's name is not its value: the value stays case-sensitive", { StringEquals: { "AWS:RequestedRegion": "US-EAST-1" } }, { "aws:RequestedRegion": "us-east-1" }, false],
    ["an empty Condition block", {}, {}, true],
    ["a condition on a key the request does not carry", { StringEquals: { "aws:ResourceTag/env": "dev" } }, { "aws:RequestedRegion": "us-east-1" }, false],
  ]),

  // reference_policies_condition-single-vs-multi-valued-context-keys: ForAllValues is true when every request
  // value matches one policy value, and also when the key is absent or empty; ForAnyValue needs one match.
  "multi-valued keys: ForAllValues and ForAnyValue": [
    ...conditionRows([
      ["ForAllValues: every value allowed", { "ForAllValues:StringEquals": { "aws:TagKeys": ["env", "team"] } }, { "aws:TagKeys": ["env", "team"] }, true],
      ["ForAllValues: a subset", { "ForAllValues:StringEquals": { "aws:TagKeys": ["env", "team"] } }, { "aws:TagKeys": ["env"] }, true],
      ["ForAllValues: one value not allowed", { "ForAllValues:StringEquals": { "aws:TagKeys": ["env", "team"] } }, { "aws:TagKeys": ["env", "cost"] }, false],
      ["ForAllValues on an absent key is true", { "ForAllValues:StringEquals": { "aws:TagKeys": ["env", "team"] } }, {}, true],
      ["ForAllValues on an empty set is true", { "ForAllValues:StringEquals": { "aws:TagKeys": ["env", "team"] } }, { "aws:TagKeys": [] }, true],
      ["ForAllValues:StringLike every value", { "ForAllValues:StringLike": { "aws:TagKeys": "env*" } }, { "aws:TagKeys": ["env", "environment"] }, true],
      ["ForAllValues:StringLike one value not", { "ForAllValues:StringLike": { "aws:TagKeys": "env*" } }, { "aws:TagKeys": ["env", "team"] }, false],
      ["ForAnyValue: one value matches", { "ForAnyValue:StringEquals": { "aws:TagKeys": "env" } }, { "aws:TagKeys": ["cost", "env"] }, true],
      ["ForAnyValue: no value matches", { "ForAnyValue:StringEquals": { "aws:TagKeys": ["env", "team"] } }, { "aws:TagKeys": ["cost"] }, false],
      ["ForAnyValue on an absent key is false", { "ForAnyValue:StringEquals": { "aws:TagKeys": "env" } }, {}, false],
      ["ForAnyValue on an empty set is false", { "ForAnyValue:StringEquals": { "aws:TagKeys": "env" } }, { "aws:TagKeys": [] }, false],
      ["ForAnyValue:StringLike", { "ForAnyValue:StringLike": { "aws:TagKeys": "team*" } }, { "aws:TagKeys": ["cost", "teamA"] }, true],
      ["ForAnyValue:StringEqualsIgnoreCase", { "ForAnyValue:StringEqualsIgnoreCase": { "aws:TagKeys": "ENV" } }, { "aws:TagKeys": ["env"] }, true],
      ["ForAnyValue on a single value given as text", { "ForAnyValue:StringEquals": { "aws:TagKeys": "env" } }, { "aws:TagKeys": "env" }, true],
    ]),
    // reference_policies_condition_examples-multi-valued-context-keys, "Deny policy with condition set operator
    // ForAllValues": Deny iam:Tag* unless every tag key starts with key1; its table of outcomes.
    ...([
      ["every tag key starts with key1: not denied", ["key1:legal"], false],
      ["all tag keys start with key1: not denied", ["key1:hr", "key1:personnel"], false],
      ["a tag key without the prefix: denied", ["key2:audit"], true],
      ["no tag keys in the request: denied", undefined, true],
    ] as [string, string[] | undefined, boolean][]).map(([name, keys, denied]) =>
      kase(`ForAllValues:StringNotLike Deny (docs' example): ${name}`, req(ALICE, "iam:TagUser", `arn:aws:iam::${ACCT}:user/bob`, keys ? { "aws:TagKeys": keys } : {}),
        ID(Allow("iam:*"), Deny(["iam:Tag*", "iam:UnTag*"], ["*"], { Sid: "DenyRestrictedTags", Condition: { "ForAllValues:StringNotLike": { "aws:TagKeys": "key1*" } } })),
        denied ? DENIED_BY_ID(1, "DenyRestrictedTags") : BY_ID)),
  ],

  // reference_policies_variables: variables in Resource and in String/ARN condition values; ${*}, ${?}, ${$}
  // stand for the literal characters.
  "policy variables": [
    kase("${aws:username} in Resource: the user's own queue", req(ALICE, "sqs:SendMessage", queue("alice-jobs")), ID(Allow("sqs:*", `arn:aws:sqs:us-east-1:${ACCT}:\${aws:username}-*`)), BY_ID),
    kase("${aws:username} in Resource: another user's queue", req(ALICE, "sqs:SendMessage", queue("bob-jobs")), ID(Allow("sqs:*", `arn:aws:sqs:us-east-1:${ACCT}:\${aws:username}-*`)), NO_ID),
    kase("${aws:username} in Resource: the user's function", req(ALICE, "lambda:InvokeFunction", fn("alice")), ID(Allow("lambda:*", fn("${aws:username}"))), BY_ID),
    kase("${aws:userid} in Resource", req(ALICE, "sqs:SendMessage", queue("AIDAALICEEXAMPLE")), ID(Allow("sqs:*", queue("${aws:userid}"))), BY_ID),
    kase("${aws:PrincipalTag/team} in Resource: the team's function", req(ALICE, "lambda:InvokeFunction", fn("blue-api")), ID(Allow("lambda:*", fn("${aws:PrincipalTag/team}-*"))), BY_ID),
    kase("${aws:PrincipalTag/team} in Resource: another team's function", req(ALICE, "lambda:InvokeFunction", fn("red-api")), ID(Allow("lambda:*", fn("${aws:PrincipalTag/team}-*"))), NO_ID),
    kase("a context key as a variable in Resource", req(ALICE, "lambda:InvokeFunction", FN, { "aws:RequestedRegion": "us-east-1" }), ID(Allow("lambda:*", `arn:aws:lambda:\${aws:RequestedRegion}:${ACCT}:function:f`)), BY_ID),
    kase("a context key as a variable in Resource, other value", req(ALICE, "lambda:InvokeFunction", FN, { "aws:RequestedRegion": "eu-west-1" }), ID(Allow("lambda:*", `arn:aws:lambda:\${aws:RequestedRegion}:${ACCT}:function:f`)), NO_ID),
    // reference_policies_variables (note at the top): a variable AWS cannot resolve may make the whole statement
    // not apply; a role session has no aws:username (reference_policies_condition-keys#condition-keys-username).
    kase("an unresolvable variable: the statement does not apply", req(SESSION, "lambda:InvokeFunction", fn("s")), ID(Allow("lambda:*", fn("${aws:username}"))), NO_ID),
    kase("${aws:username} in a StringEquals value", withContext({ "aws:ResourceTag/owner": "alice" }), allowWhen({ StringEquals: { "aws:ResourceTag/owner": "${aws:username}" } }), BY_ID),
    kase("${aws:username} in a StringEquals value, another owner", withContext({ "aws:ResourceTag/owner": "bob" }), allowWhen({ StringEquals: { "aws:ResourceTag/owner": "${aws:username}" } }), NO_ID),
    kase("${aws:PrincipalTag/team} against the resource's tag (ABAC)", withContext({ "aws:ResourceTag/team": "blue" }), allowWhen({ StringEquals: { "aws:ResourceTag/team": "${aws:PrincipalTag/team}" } }), BY_ID),
    kase("a variable followed by a wildcard in StringLike", withContext({ "aws:ResourceTag/owner": "alice-admin" }), allowWhen({ StringLike: { "aws:ResourceTag/owner": "${aws:username}*" } }), BY_ID),
    kase("${aws:PrincipalAccount} in an ArnLike value", withContext({ "aws:SourceArn": T }), allowWhen({ ArnLike: { "aws:SourceArn": "arn:aws:sns:*:${aws:PrincipalAccount}:*" } }), BY_ID),
    kase("${aws:SourceArn} in an ArnEquals value", withContext({ "aws:SourceArn": T, "aws:ResourceTag/source": T }), allowWhen({ ArnEquals: { "aws:ResourceTag/source": "${aws:SourceArn}" } }), BY_ID),
    kase("${*} is a literal * in StringEquals", withContext({ "aws:ResourceTag/pattern": "a*b" }), allowWhen({ StringEquals: { "aws:ResourceTag/pattern": "a${*}b" } }), BY_ID),
    kase("${*} is not a wildcard in StringLike", withContext({ "aws:ResourceTag/pattern": "axb" }), allowWhen({ StringLike: { "aws:ResourceTag/pattern": "a${*}b" } }), NO_ID),
    kase("${?} is a literal ? in StringLike", withContext({ "aws:ResourceTag/pattern": "a?c" }), allowWhen({ StringLike: { "aws:ResourceTag/pattern": "a${?}c" } }), BY_ID),
    kase("${?} is not a wildcard in StringLike", withContext({ "aws:ResourceTag/pattern": "abc" }), allowWhen({ StringLike: { "aws:ResourceTag/pattern": "a${?}c" } }), NO_ID),
    kase("${$} is a literal $", withContext({ "aws:ResourceTag/pattern": "cost$" }), allowWhen({ StringEquals: { "aws:ResourceTag/pattern": "cost${$}" } }), BY_ID),
    // reference_policies_elements_version: under Version 2008-10-17, ${aws:username} is literal text.
    kase("no variables under Version 2008-10-17", req(ALICE, "lambda:InvokeFunction", fn("alice")),
      { identity: [{ name: "id", kind: "identity", document: { Version: "2008-10-17", Statement: [Allow("lambda:*", fn("${aws:username}"))] } }] }, NO_ID),
  ],

  // reference_policies_condition-keys: keys evaluate derives from the caller.
  "keys derived from the caller": [
    kase("aws:PrincipalArn of a session is its role's ARN", req(SESSION), allowWhen({ StringEquals: { "aws:PrincipalArn": ROLE } }), BY_ID),
    kase("aws:PrincipalArn of a session is not the session ARN", req(SESSION), allowWhen({ StringEquals: { "aws:PrincipalArn": SESSION_ARN } }), NO_ID),
    kase("aws:PrincipalArn with ArnLike on roles: a session", req(SESSION), allowWhen({ ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCT}:role/*` } }), BY_ID),
    kase("aws:PrincipalArn with ArnLike on roles: a user", req(), allowWhen({ ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCT}:role/*` } }), NO_ID),
    kase("aws:PrincipalArn of a user is the user's ARN", req(), allowWhen({ ArnEquals: { "aws:PrincipalArn": ALICE.arn } }), BY_ID),
    kase("aws:PrincipalAccount", req(), allowWhen({ StringEquals: { "aws:PrincipalAccount": ACCT } }), BY_ID),
    kase("aws:PrincipalAccount of another account", req(), allowWhen({ StringEquals: { "aws:PrincipalAccount": "999999999999" } }), NO_ID),
    kase("aws:PrincipalType of a user is User", req(), allowWhen({ StringEquals: { "aws:PrincipalType": "User" } }), BY_ID),
    kase("aws:PrincipalType of a session is AssumedRole", req(SESSION), allowWhen({ StringEquals: { "aws:PrincipalType": "AssumedRole" } }), BY_ID),
    kase("aws:PrincipalType of a session is not User", req(SESSION), allowWhen({ StringEquals: { "aws:PrincipalType": "User" } }), NO_ID),
    kase("aws:PrincipalType of root is Account", req(ROOT), RES(Deny("lambda:*", "*", { Principal: "*", Condition: { StringEquals: { "aws:PrincipalType": "Account" } } })), DENIED_BY_RES()),
    kase("aws:PrincipalType Account does not match a user", req(), { identity: [idPolicy(Allow("lambda:*"))], resource: resPolicy(Deny("lambda:*", "*", { Principal: "*", Condition: { StringEquals: { "aws:PrincipalType": "Account" } } })) }, BY_ID),
    kase("aws:userid of a user", req(), allowWhen({ StringEquals: { "aws:userid": "AIDAALICEEXAMPLE" } }), BY_ID),
    kase("aws:userid of a session is role-id:session", req(SESSION), allowWhen({ StringLike: { "aws:userid": "AROAROLEEXAMPLE:*" } }), BY_ID),
    kase("aws:username of a user", req(), allowWhen({ StringEquals: { "aws:username": "alice" } }), BY_ID),
    kase("aws:username is absent for a session", req(SESSION), allowWhen({ Null: { "aws:username": "true" } }), BY_ID),
    kase("aws:username is present for a user", req(), allowWhen({ Null: { "aws:username": "true" } }), NO_ID),
    kase("aws:PrincipalTag of a user", req(), allowWhen({ StringEquals: { "aws:PrincipalTag/team": "blue" } }), BY_ID),
    kase("aws:PrincipalTag with another value", req(), allowWhen({ StringEquals: { "aws:PrincipalTag/team": "red" } }), NO_ID),
    kase("aws:PrincipalTag of a session", req(SESSION), allowWhen({ StringEquals: { "aws:PrincipalTag/team": "red" } }), BY_ID),
    kase("an untagged caller has no aws:PrincipalTag", req(BOB), allowWhen({ Null: { "aws:PrincipalTag/team": "true" } }), BY_ID),
    kase("a derived key's name is case-insensitive", req(), allowWhen({ StringEquals: { "AWS:PRINCIPALTYPE": "User" } }), BY_ID),
    // reference_policies_elements_notprincipal recommends ArnNotEquals on aws:PrincipalArn instead of NotPrincipal.
    kase("Deny ArnNotEquals aws:PrincipalArn spares the named user", req(), RES(Allow("lambda:InvokeFunction", FN, { Principal: "*" }), Deny("lambda:InvokeFunction", FN, { Principal: "*", Condition: { ArnNotEquals: { "aws:PrincipalArn": ALICE.arn } } })), allowedBy("res", "resource", 0)),
    kase("Deny ArnNotEquals aws:PrincipalArn denies another user", req(BOB), RES(Allow("lambda:InvokeFunction", FN, { Principal: "*" }), Deny("lambda:InvokeFunction", FN, { Principal: "*", Condition: { ArnNotEquals: { "aws:PrincipalArn": ALICE.arn } } })), DENIED_BY_RES(1)),
  ],

  // Keys the caller of evaluate passes in AuthzRequest.context, in the policies Lambda, SQS and SNS document.
  "context keys from the request": [
    // lambda/latest/dg/access-control-resource-based: a service principal scoped by aws:SourceArn / SourceAccount.
    kase("SNS invokes a function its permission names with the topic's SourceArn", req(SNS, "lambda:InvokeFunction", FN, { "aws:SourceArn": T }), RES(Allow("lambda:InvokeFunction", FN, { Principal: { Service: "sns.amazonaws.com" }, Condition: { ArnLike: { "AWS:SourceArn": T } } })), BY_RES),
    kase("SNS from another topic is not allowed", req(SNS, "lambda:InvokeFunction", FN, { "aws:SourceArn": `arn:aws:sns:us-east-1:${ACCT}:other` }), RES(Allow("lambda:InvokeFunction", FN, { Principal: { Service: "sns.amazonaws.com" }, Condition: { ArnLike: { "AWS:SourceArn": T } } })), IMPLICIT),
    kase("SNS without a SourceArn is not allowed", req(SNS), RES(Allow("lambda:InvokeFunction", FN, { Principal: { Service: "sns.amazonaws.com" }, Condition: { ArnLike: { "AWS:SourceArn": T } } })), IMPLICIT),
    kase("S3 with the bucket and account the permission names", req(S3, "lambda:InvokeFunction", FN, { "aws:SourceArn": "arn:aws:s3:::bucket", "aws:SourceAccount": ACCT }),
      RES(Allow("lambda:InvokeFunction", FN, { Principal: { Service: "s3.amazonaws.com" }, Condition: { StringEquals: { "AWS:SourceAccount": ACCT }, ArnLike: { "AWS:SourceArn": "arn:aws:s3:::bucket" } } })), BY_RES),
    kase("S3 on behalf of another account is not allowed", req(S3, "lambda:InvokeFunction", FN, { "aws:SourceArn": "arn:aws:s3:::bucket", "aws:SourceAccount": "999999999999" }),
      RES(Allow("lambda:InvokeFunction", FN, { Principal: { Service: "s3.amazonaws.com" }, Condition: { StringEquals: { "AWS:SourceAccount": ACCT }, ArnLike: { "AWS:SourceArn": "arn:aws:s3:::bucket" } } })), IMPLICIT),
    // sns/latest/dg/subscribe-sqs-queue-to-sns-topic: the queue policy that lets a topic send.
    kase("a queue policy lets the topic send", req(SNS, "sqs:SendMessage", Q, { "aws:SourceArn": T }), RES(Allow("sqs:SendMessage", Q, { Principal: { Service: "sns.amazonaws.com" }, Condition: { ArnEquals: { "aws:SourceArn": T } } })), BY_RES),
    kase("a queue policy does not let another topic send", req(SNS, "sqs:SendMessage", Q, { "aws:SourceArn": `arn:aws:sns:us-east-1:${ACCT}:other` }), RES(Allow("sqs:SendMessage", Q, { Principal: { Service: "sns.amazonaws.com" }, Condition: { ArnEquals: { "aws:SourceArn": T } } })), IMPLICIT),
    kase("a queue policy's SendMessage does not allow ReceiveMessage", req(SNS, "sqs:ReceiveMessage", Q, { "aws:SourceArn": T }), RES(Allow("sqs:SendMessage", Q, { Principal: { Service: "sns.amazonaws.com" }, Condition: { ArnEquals: { "aws:SourceArn": T } } })), IMPLICIT),
    // lambda/latest/dg/urls-auth: AuthType NONE needs a permission for "*" conditioned on lambda:FunctionUrlAuthType.
    kase("a function URL with auth type NONE lets anyone invoke", req(ANONYMOUS, "lambda:InvokeFunctionUrl", FN, { "lambda:FunctionUrlAuthType": "NONE" }),
      RES(Allow("lambda:InvokeFunctionUrl", FN, { Sid: "FunctionURLAllowPublicAccess", Principal: "*", Condition: { StringEquals: { "lambda:FunctionUrlAuthType": "NONE" } } })), allowedBy("res", "resource", 0, "FunctionURLAllowPublicAccess")),
    kase("that permission does not serve a URL of auth type AWS_IAM", req(ANONYMOUS, "lambda:InvokeFunctionUrl", FN, { "lambda:FunctionUrlAuthType": "AWS_IAM" }),
      RES(Allow("lambda:InvokeFunctionUrl", FN, { Principal: "*", Condition: { StringEquals: { "lambda:FunctionUrlAuthType": "NONE" } } })), IMPLICIT),
    kase("that permission does not allow InvokeFunction", req(ANONYMOUS, "lambda:InvokeFunction", FN, { "lambda:FunctionUrlAuthType": "NONE" }),
      RES(Allow("lambda:InvokeFunctionUrl", FN, { Principal: "*", Condition: { StringEquals: { "lambda:FunctionUrlAuthType": "NONE" } } })), IMPLICIT),
    // The SQS/SNS docs' "deny unless TLS" resource policy.
    kase("deny over plain HTTP: aws:SecureTransport false", req(ALICE, "sqs:SendMessage", Q, { "aws:SecureTransport": "false" }),
      { identity: [idPolicy(Allow("sqs:*"))], resource: resPolicy(Deny("sqs:*", Q, { Sid: "DenyInsecure", Principal: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } })) }, DENIED_BY_RES(0, "DenyInsecure")),
    kase("deny over plain HTTP: aws:SecureTransport true is allowed", req(ALICE, "sqs:SendMessage", Q, { "aws:SecureTransport": "true" }),
      { identity: [idPolicy(Allow("sqs:*"))], resource: resPolicy(Deny("sqs:*", Q, { Principal: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } })) }, BY_ID),
    kase("deny outside a network: aws:SourceIp outside", req(ALICE, "lambda:InvokeFunction", FN, { "aws:SourceIp": "198.51.100.1" }), ID(Allow("lambda:*"), Deny("*", "*", { Condition: { NotIpAddress: { "aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"] } } })), DENIED_BY_ID(1)),
    kase("deny outside a network: aws:SourceIp inside", req(ALICE, "lambda:InvokeFunction", FN, { "aws:SourceIp": "192.0.2.10" }), ID(Allow("lambda:*"), Deny("*", "*", { Condition: { NotIpAddress: { "aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"] } } })), BY_ID),
    kase("deny other regions: another region", req(ALICE, "lambda:InvokeFunction", FN, { "aws:RequestedRegion": "eu-west-1" }), ID(Allow("lambda:*"), Deny("*", "*", { Condition: { StringNotEquals: { "aws:RequestedRegion": "us-east-1" } } })), DENIED_BY_ID(1)),
    kase("deny other regions: the allowed region", req(ALICE, "lambda:InvokeFunction", FN, { "aws:RequestedRegion": "us-east-1" }), ID(Allow("lambda:*"), Deny("*", "*", { Condition: { StringNotEquals: { "aws:RequestedRegion": "us-east-1" } } })), BY_ID),
    kase("deny other regions: no region in the request is denied too (negated operator)", req(), ID(Allow("lambda:*"), Deny("*", "*", { Condition: { StringNotEquals: { "aws:RequestedRegion": "us-east-1" } } })), DENIED_BY_ID(1)),
    kase("aws:ResourceTag allows", withContext({ "aws:ResourceTag/env": "dev" }), allowWhen({ StringEquals: { "aws:ResourceTag/env": "dev" } }), BY_ID),
    kase("aws:ResourceTag with another value", withContext({ "aws:ResourceTag/env": "prod" }), allowWhen({ StringEquals: { "aws:ResourceTag/env": "dev" } }), NO_ID),
    kase("context key names are case-insensitive", withContext({ "AWS:SOURCEACCOUNT": ACCT }), allowWhen({ StringEquals: { "aws:SourceAccount": ACCT } }), BY_ID),
    kase("a topic policy lets a user publish", req(ALICE, "sns:Publish", T), RES(Allow("sns:Publish", T, { Principal: { AWS: ALICE.arn } })), BY_RES),
    kase("a topic policy allows https subscriptions", req(ALICE, "sns:Subscribe", T, { "sns:Protocol": "https" }), RES(Allow("sns:Subscribe", T, { Principal: { AWS: ALICE.arn }, Condition: { StringEquals: { "sns:Protocol": "https" } } })), BY_RES),
    kase("a topic policy does not allow http subscriptions", req(ALICE, "sns:Subscribe", T, { "sns:Protocol": "http" }), RES(Allow("sns:Subscribe", T, { Principal: { AWS: ALICE.arn }, Condition: { StringEquals: { "sns:Protocol": "https" } } })), IMPLICIT),
  ],

  // access_policies_boundaries: the boundary intersects with identity policies; within an account it does not
  // limit a resource policy's grant to a user's ARN or to a session's ARN, but does limit a grant to the role's
  // ARN; an explicit Deny in it always wins.
  "permissions boundaries": [
    kase("identity and boundary both allow", req(), { identity: [idPolicy(Allow("lambda:*"))], boundary: boundaryPolicy(Allow(["lambda:*", "sqs:*"])) }, ALLOWED),
    kase("identity allows, the boundary does not", req(), { identity: [idPolicy(Allow("lambda:*"))], boundary: boundaryPolicy(Allow("sqs:*")) }, noneAllows("permissions boundary")),
    // The page's own example: a boundary of s3/cloudwatch/ec2 and an identity policy allowing iam:CreateUser.
    kase("the docs' example: the boundary does not allow iam:CreateUser", req(ALICE, "iam:CreateUser", `arn:aws:iam::${ACCT}:user/newuser`),
      { identity: [idPolicy(Allow("iam:CreateUser"))], boundary: boundaryPolicy(Allow(["s3:*", "cloudwatch:*", "ec2:*"])) }, noneAllows("permissions boundary")),
    kase("the boundary allows, no identity policy does", req(), { identity: [idPolicy(Allow("sqs:*"))], boundary: boundaryPolicy(Allow("*")) }, NO_ID),
    kase("the boundary allows only other resources", req(), { identity: [idPolicy(Allow("lambda:*"))], boundary: boundaryPolicy(Allow("lambda:*", fn("dev-*"))) }, noneAllows("permissions boundary")),
    kase("the boundary's condition does not hold", withContext({ "aws:RequestedRegion": "eu-west-1" }), { identity: [idPolicy(Allow("lambda:*"))], boundary: boundaryPolicy(Allow("*", "*", { Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } } })) }, noneAllows("permissions boundary")),
    kase("a Deny in the boundary", req(), { identity: [idPolicy(Allow("lambda:*"))], boundary: boundaryPolicy(Allow("*"), Deny("lambda:InvokeFunction", "*", { Sid: "NoInvoke" })) }, deniedIn("a permissions boundary", stmt("boundary", "boundary", 1, "NoInvoke"))),
    kase("a session's boundary limits its role's identity policy", req(SESSION), { identity: [idPolicy(Allow("lambda:*"))], boundary: boundaryPolicy(Allow("sqs:*")) }, noneAllows("permissions boundary")),
    kase("a resource policy naming the user is not limited by the boundary", req(), { identity: [], boundary: boundaryPolicy(Allow("sqs:*")), resource: resPolicy(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: ALICE.arn } })) }, BY_RES),
    kase("a resource policy naming the role is limited by the boundary", req(SESSION), { identity: [], boundary: boundaryPolicy(Allow("sqs:*")), resource: resPolicy(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: ROLE } })) }, IMPLICIT),
    kase("a resource policy naming the role, within the boundary", req(SESSION), { identity: [], boundary: boundaryPolicy(Allow("lambda:*")), resource: resPolicy(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: ROLE } })) }, ALLOWED),
    kase("a resource policy naming the session is not limited by the boundary", req(SESSION), { identity: [], boundary: boundaryPolicy(Allow("sqs:*")), resource: resPolicy(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: SESSION_ARN } })) }, BY_RES),
    kase("a boundary's Deny wins over a resource policy naming the session", req(SESSION), { identity: [], boundary: boundaryPolicy(Allow("*"), Deny("lambda:*")), resource: resPolicy(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: SESSION_ARN } })) }, deniedIn("a permissions boundary", stmt("boundary", "boundary", 1))),
    kase("a boundary's Deny wins over a resource policy naming the user", req(), { identity: [], boundary: boundaryPolicy(Deny("lambda:*")), resource: resPolicy(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: ALICE.arn } })) }, deniedIn("a permissions boundary", stmt("boundary", "boundary", 0))),
  ],

  // access_policies#policies_session: session policies intersect with the role's identity policies; a resource
  // policy naming the role's ARN is limited by them, one naming the session's ARN is not.
  "session policies": [
    kase("identity and session policy both allow", req(SESSION), { identity: [idPolicy(Allow("lambda:*"))], session: [sessionPolicy(Allow("lambda:InvokeFunction", FN))] }, ALLOWED),
    kase("identity allows, the session policy does not", req(SESSION), { identity: [idPolicy(Allow("lambda:*"))], session: [sessionPolicy(Allow("sqs:*"))] }, noneAllows("session policy")),
    kase("the session policy allows, no identity policy does", req(SESSION), { identity: [idPolicy(Allow("sqs:*"))], session: [sessionPolicy(Allow("*"))] }, NO_ID),
    kase("a Deny in the session policy", req(SESSION), { identity: [idPolicy(Allow("lambda:*"))], session: [sessionPolicy(Allow("*"), Deny("lambda:InvokeFunction"))] }, deniedIn("a session policy", stmt("session", "session", 1))),
    // Ambiguous: the docs do not say how an inline Policy and managed PolicyArns combine; read as: any of them allowing.
    kase("the second of two session policies allows", req(SESSION), { identity: [idPolicy(Allow("lambda:*"))], session: [named("inline", "session", Allow("sqs:*")), named("managed", "session", Allow("lambda:InvokeFunction"))] }, ALLOWED),
    kase("a resource policy naming the role is limited by the session policy", req(SESSION), { identity: [], session: [sessionPolicy(Allow("sqs:*"))], resource: resPolicy(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: ROLE } })) }, IMPLICIT),
    kase("a resource policy naming the session is not limited by the session policy", req(SESSION), { identity: [], session: [sessionPolicy(Allow("sqs:*"))], resource: resPolicy(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: SESSION_ARN } })) }, BY_RES),
    kase("a session policy's Deny wins over a resource policy naming the session", req(SESSION), { identity: [], session: [sessionPolicy(Deny("lambda:*"))], resource: resPolicy(Allow("lambda:InvokeFunction", FN, { Principal: { AWS: SESSION_ARN } })) }, deniedIn("a session policy", stmt("session", "session", 0))),
    kase("identity, boundary and session policy all allow", req(SESSION), { identity: [idPolicy(Allow("lambda:*"))], boundary: boundaryPolicy(Allow("lambda:*")), session: [sessionPolicy(Allow("lambda:*"))] }, ALLOWED),
    kase("boundary allows, the session policy does not", req(SESSION), { identity: [idPolicy(Allow("lambda:*"))], boundary: boundaryPolicy(Allow("lambda:*")), session: [sessionPolicy(Allow("sqs:*"))] }, noneAllows("session policy")),
    kase("the session policy allows, the boundary does not", req(SESSION), { identity: [idPolicy(Allow("lambda:*"))], boundary: boundaryPolicy(Allow("sqs:*")), session: [sessionPolicy(Allow("lambda:*"))] }, noneAllows("permissions boundary")),
  ],
  // reference_policies_evaluation-logic-cross-account: a role trust policy must allow; naming the user it
  // allows alone, naming the account it delegates to the account's identity policies.
  "role trust policies": [
    kase("a trust policy naming the user allows alone", assume(ALICE), { identity: [], resource: trustPolicy(ALICE.arn) }, BY_RES),
    kase("a trust policy naming another user refuses, though an identity policy allows", assume(ALICE), { identity: [idPolicy(Allow("sts:AssumeRole"))], resource: trustPolicy(BOB.arn) }, IMPLICIT),
    kase("a trust policy naming the account, and an identity policy allowing", assume(ALICE), { identity: [idPolicy(Allow("sts:AssumeRole", ROLE))], resource: trustPolicy(ACCT) }, BY_ID),
    kase("a trust policy naming the account, and no identity policy allowing", assume(ALICE), { identity: [], resource: trustPolicy(`arn:aws:iam::${ACCT}:root`) }, NO_ID),
    kase("a trust policy's condition on sts:ExternalId holds", assume(ALICE, { "sts:ExternalId": "x-1" }), { identity: [], resource: trustPolicy(ALICE.arn, { StringEquals: { "sts:ExternalId": "x-1" } }) }, BY_RES),
    kase("a trust policy's condition on sts:ExternalId fails without one", assume(ALICE), { identity: [idPolicy(Allow("sts:AssumeRole"))], resource: trustPolicy(ACCT, { StringEquals: { "sts:ExternalId": "x-1" } }) }, IMPLICIT),
  ],
};

// ---- Running the table ---------------------------------------------------------------------------------

const statementOf = (s: DecidingStatement | undefined) => s && { policy: s.policy, kind: s.kind, sid: s.sid, index: s.index };

for (const [topic, cases] of Object.entries(TABLE)) {
  describe(`evaluate: ${topic}`, () => {
    for (const c of cases) {
      test(c.name, () => {
        const d = evaluate(c.request, c.policies);
        assert.equal(d.allowed, c.expect.allowed, `allowed (decision: ${JSON.stringify(d)})`);
        assert.equal(d.reason, c.expect.reason, `reason (decision: ${JSON.stringify(d)})`);
        if (c.expect.message !== undefined) assert.equal(d.message, c.expect.message);
        if (c.expect.statement) assert.deepEqual(statementOf(d.statement), statementOf(c.expect.statement));
        if (c.expect.allowed) assert.equal(d.message, undefined, "an allowed decision carries no denial message");
      });
    }
  });
}

test("the table has at least 150 cases, named uniquely within each topic", () => {
  const all = Object.values(TABLE).flat();
  assert.ok(all.length >= 150, `${all.length} cases`);
  for (const [topic, cases] of Object.entries(TABLE)) {
    const names = cases.map((c) => c.name);
    assert.equal(new Set(names).size, names.length, `duplicate case name in ${topic}`);
  }
});

// ---- Parsing --------------------------------------------------------------------------------------------

describe("parsePolicy and MalformedPolicy", () => {
  const valid = { Version: "2012-10-17", Statement: [Allow("lambda:InvokeFunction", FN)] };
  const malformed: [string, unknown][] = [
    ["text that is not JSON", "{\"Version\": \"2012-10-17\", \"Statement\": ["],
    ["no Statement", { Version: "2012-10-17" }],
    ["an Effect other than Allow or Deny", { Version: "2012-10-17", Statement: [{ Effect: "Permit", Action: "lambda:*", Resource: "*" }] }],
    ["both Action and NotAction", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambda:*", NotAction: "sqs:*", Resource: "*" }] }],
    ["neither Action nor NotAction", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Resource: "*" }] }],
    ["an unknown condition operator", { Version: "2012-10-17", Statement: [Allow("lambda:*", "*", { Condition: { StringEqualz: { "aws:RequestedRegion": "us-east-1" } } })] }],
    ["an unknown set qualifier", { Version: "2012-10-17", Statement: [Allow("lambda:*", "*", { Condition: { "ForSomeValues:StringEquals": { "aws:TagKeys": "env" } } })] }],
  ];

  test("a valid document parses, as an object or as JSON text", () => {
    assert.doesNotThrow(() => parsePolicy(valid));
    assert.doesNotThrow(() => parsePolicy(JSON.stringify(valid)));
    assert.doesNotThrow(() => parsePolicy({ Version: "2012-10-17", Statement: Allow("lambda:InvokeFunction", FN) }));
    assert.doesNotThrow(() => parsePolicy({ Version: "2012-10-17", Statement: [Allow("*", "*", { Condition: { "ForAllValues:StringLike": { "aws:TagKeys": "env*" }, StringNotEqualsIgnoreCaseIfExists: { "aws:RequestedRegion": "us-east-1" } } })] }));
  });
  test("a resource policy with a Principal parses", () => {
    assert.doesNotThrow(() => parsePolicy({ Version: "2012-10-17", Statement: [Allow("lambda:InvokeFunction", FN, { Principal: { Service: "sns.amazonaws.com" } })] }));
  });
  for (const [name, document] of malformed) {
    test(`parsePolicy refuses ${name}`, () => {
      assert.throws(() => parsePolicy(document as string | object), (e: unknown) => e instanceof MalformedPolicy && e instanceof Error);
    });
  }
  test("evaluate refuses a malformed document", () => {
    assert.throws(() => evaluate(req(), { identity: [{ name: "id", kind: "identity", document: "not json" }] }), MalformedPolicy);
    assert.throws(() => evaluate(req(), { identity: [], resource: { name: "res", kind: "resource", document: { Version: "2012-10-17", Statement: [{ Effect: "Maybe", Action: "*", Resource: "*", Principal: "*" }] } } }), MalformedPolicy);
  });
  // access-analyzer-reference-policy-checks (Unsupported principal): identity policies take no Principal.
  test("evaluate refuses a Principal in an identity policy", () => {
    assert.throws(() => evaluate(req(), ID(Allow("lambda:*", "*", { Principal: "*" }))), MalformedPolicy);
  });
});

/*
 * Left out on purpose, because the documentation is ambiguous or describes a quirk Flint need not copy:
 * - Which message an implicit deny carries when only a resource policy could have allowed (a service, an
 *   anonymous caller, or a user with no identity policy): AWS's "no resource-based policy allows" variant is
 *   documented for cross-account requests; the cases assert only the reason.
 * - Which Allow statement is reported when several allow, or when a boundary/session policy also allows.
 * - access_policies_boundaries: "NotPrincipal with Deny will always deny any IAM principal that has a
 *   permissions boundary policy attached" (a documented quirk).
 * - A Deny whose Principal is the account id: whether it covers the account's users and roles, not only root.
 * - ArnLike with fewer colon-delimited components than the ARN (arn:aws:sns:*).
 * - NotPrincipal with Allow ("not supported"), a role ARN in NotPrincipal, Principal "*" for a session with
 *   a boundary (role grant or session grant?), and ${key, 'default'} variable defaults.
 */
