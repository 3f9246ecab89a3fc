/**
 * The vocabulary of authorization: who calls, what they ask, the policies that apply and the
 * decision. `evaluate.ts` decides with AWS's single-account logic; it knows nothing of HTTP, of the
 * store or of which service asks.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */

/** A condition key's value in the request context: AWS compares every value as text (`"true"`, `"42"`). */
export type ContextValue = string | readonly string[];

export interface Caller {
  /** `root`: the account's root credentials (allowed everything an explicit resource-policy Deny does not refuse). */
  kind: "root" | "user" | "assumed-role" | "service" | "anonymous";
  /** The caller's account; undefined for a service or anonymous caller. */
  account?: string;
  /**
   * The ARN denial messages name: `arn:aws:iam::A:user/u`, `arn:aws:sts::A:assumed-role/R/session`,
   * `arn:aws:iam::A:root`; a service's name (`sns.amazonaws.com`); `anonymous`.
   */
  arn: string;
  /** `aws:PrincipalArn`: a session's role ARN (`arn:aws:iam::A:role/R`), else `arn`. */
  principalArn?: string;
  /** `aws:userid` and `aws:username` (users only). */
  userid?: string;
  username?: string;
  /** `aws:PrincipalTag/<key>`. */
  tags?: Readonly<Record<string, string>>;
}

export interface AuthzRequest {
  caller: Caller;
  /** `service:Action` as AWS names it (`lambda:InvokeFunction`). */
  action: string;
  /** The resource's ARN (`arn:aws:lambda:us-east-1:000000000000:function:f:live`), or `*`. */
  resource: string;
  /** The account that owns the resource. */
  resourceAccount?: string;
  /**
   * Condition keys (names case-insensitive: `aws:SourceArn`, `lambda:FunctionUrlAuthType`, …) besides
   * those `evaluate` derives from the caller (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType,
   * aws:userid, aws:username, aws:PrincipalTag/*).
   */
  context?: Readonly<Record<string, ContextValue>>;
}

export type PolicyKind = "identity" | "resource" | "boundary" | "session";

/** A policy that applies to the request, by name (for explanations) and kind. */
export interface NamedPolicy {
  name: string;
  kind: PolicyKind;
  /** The document's JSON text or its parsed object. */
  document: string | object;
  /**
   * A role's trust policy (sts:AssumeRole): a resource policy without whose Allow nothing is allowed,
   * whatever identity policies say. Naming the caller it allows alone; naming the caller's account
   * it delegates, and an identity policy must allow too.
   * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
   */
  trust?: boolean;
}

export interface PolicySet {
  /** The caller's identity policies: inline and attached, of the user or of the session's role. */
  identity: readonly NamedPolicy[];
  /** The caller's permissions boundary, if it has one. */
  boundary?: NamedPolicy;
  /** Session policies passed to AssumeRole, if any. */
  session?: readonly NamedPolicy[];
  /** The resource's own policy (function, queue, topic), if it has one. */
  resource?: NamedPolicy;
}

export interface DecidingStatement {
  policy: string;
  kind: PolicyKind;
  /** The statement's Sid, if it has one, and its index in the policy's Statement list. */
  sid?: string;
  index: number;
}

export interface Decision {
  allowed: boolean;
  /** `root`: the account root; `allow`; `explicit-deny`; `implicit-deny`. */
  reason: "root" | "allow" | "explicit-deny" | "implicit-deny";
  /** The statement that decided (an Allow, or the Deny), when one did. */
  statement?: DecidingStatement;
  /**
   * For a denial, AWS's text: "User: <caller> is not authorized to perform: <action> on resource:
   * <resource> because no identity-based policy allows the <action> action" (or "with an explicit deny
   * in a(n) <kind> policy", "because no permissions boundary allows …", "because no session policy allows …").
   */
  message?: string;
}

/** What a caller's own calls are evaluated against: its identity policies, boundary and session policies. */
export interface IdentityPolicies {
  identity: readonly NamedPolicy[];
  boundary?: NamedPolicy;
  session?: readonly NamedPolicy[];
}

/** A request's signer: who it is, and (read when a call is authorized) the policies that bound it. */
export interface Identity {
  accessKeyId: string;
  caller: Caller;
  policies(): IdentityPolicies;
}
