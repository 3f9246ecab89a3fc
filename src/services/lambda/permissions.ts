/**
 * Resource-based policies of functions, versions and aliases: AddPermission, RemovePermission,
 * GetPolicy. Each qualifier has a policy of its own (publishing a version does not copy the
 * function's). https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
 *
 * A policy change gives the function (or alias) a new RevisionId and the policy that one; GetPolicy
 * reports it, and a RevisionId given to AddPermission or RemovePermission must match it (the
 * function's or alias's current one while it has no policy). Recorded: TestLambdaRevisions::
 * test_function_revisions_permissions (AWS asserts the function's and the policy's are equal after
 * AddPermission) and TestLambdaPermissions::test_lambda_permission_fn_versioning (publishing changes
 * `$LATEST`'s RevisionId, not its policy's). Published versions keep theirs: the pool keys warm
 * environments by a version's RevisionId, and a policy does not change what runs.
 */
import { randomUUID } from "node:crypto";
import type { NamedPolicy } from "../../iam/types.js";
import { awsError } from "../../errors.js";
import { type Account, functionArn, parseFunctionRef } from "./arns.js";
import type { FunctionRecord, PolicyRecord, PolicyStatement } from "./model.js";
import { type FunctionRegistry, isVersionNumber } from "./registry.js";
import { Violations, fullMatch, member } from "./validation.js";

/** The unqualified function's policy is kept under this key. */
const UNQUALIFIED = "$LATEST";
/**
 * AWS's limit on the policy document of a function, version or alias ("Function resource-based policy",
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html); its refusal reads "The final
 * policy size (20749) is bigger than the limit (20480)."
 */
export const MAX_POLICY_BYTES = 20 * 1024;

// Member constraints of the lambda-2015-03-31 model.
const STATEMENT_ID = String.raw`([a-zA-Z0-9-_]+)`;
const NAMESPACED_STATEMENT_ID = String.raw`([a-zA-Z0-9-_.]+)`;
const ACTION = String.raw`(lambda:[*]|lambda:[a-zA-Z]+|[*])`;
const PRINCIPAL = String.raw`[^\s]+`;
const SOURCE_ARN = String.raw`arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)`;
const SOURCE_ACCOUNT = String.raw`\d{12}`;
const EVENT_SOURCE_TOKEN = String.raw`[a-zA-Z0-9._\-]+`;
const PRINCIPAL_ORG_ID = String.raw`o-[a-z0-9]{10,32}`;
const AUTH_TYPES = ["NONE", "AWS_IAM"];
const ALIAS_RE = fullMatch(String.raw`(?!^[0-9]+$)([a-zA-Z0-9-_]+)`);
/** A principal given as an ARN: an account root, user, role or assumed-role session. */
const PRINCIPAL_ARN_RE = /^arn:aws[a-zA-Z-]*:(iam|sts)::\d{12}:\S+$/;
const SERVICE_RE = /^[a-z0-9][a-z0-9.-]*\.(amazonaws\.com|amazon\.com)$/;

export interface AddPermissionInput {
  statementId?: string;
  action?: string;
  principal?: string;
  sourceArn?: string;
  sourceAccount?: string;
  eventSourceToken?: string;
  revisionId?: string;
  principalOrgId?: string;
  functionUrlAuthType?: string;
  invokedViaFunctionUrl?: boolean;
}

export function decodeAddPermission(body: Record<string, unknown>): AddPermissionInput {
  return {
    statementId: member(body, "StatementId", "string"),
    action: member(body, "Action", "string"),
    principal: member(body, "Principal", "string"),
    sourceArn: member(body, "SourceArn", "string"),
    sourceAccount: member(body, "SourceAccount", "string"),
    eventSourceToken: member(body, "EventSourceToken", "string"),
    revisionId: member(body, "RevisionId", "string"),
    principalOrgId: member(body, "PrincipalOrgID", "string"),
    functionUrlAuthType: member(body, "FunctionUrlAuthType", "string"),
    invokedViaFunctionUrl: member(body, "InvokedViaFunctionUrl", "boolean"),
  };
}

/** Required, length and pattern constraints of one member, in AWS's words. */
function check(v: Violations, field: string, value: string | undefined, pattern: string, max: number, required = false, min = 1): void {
  if (value === undefined) {
    if (required) v.add(`Value null at '${field}' failed to satisfy constraint: Member must not be null`);
    return;
  }
  if (value.length > max) v.maxLength(field, value, max);
  else if (value.length < min) v.add(`Value '${value}' at '${field}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`);
  else if (!fullMatch(pattern).test(value)) v.pattern(field, value, pattern);
}

function validateAdd(input: AddPermissionInput): void {
  const v = new Violations();
  check(v, "statementId", input.statementId, STATEMENT_ID, 100, true);
  check(v, "action", input.action, ACTION, Infinity, true);
  check(v, "principal", input.principal, PRINCIPAL, Infinity, true);
  check(v, "sourceArn", input.sourceArn, SOURCE_ARN, Infinity);
  check(v, "sourceAccount", input.sourceAccount, SOURCE_ACCOUNT, 12);
  check(v, "eventSourceToken", input.eventSourceToken, EVENT_SOURCE_TOKEN, 256, false, 0);
  check(v, "principalOrgID", input.principalOrgId, PRINCIPAL_ORG_ID, 34, false, 12);
  if (input.functionUrlAuthType !== undefined && !AUTH_TYPES.includes(input.functionUrlAuthType)) {
    v.add(`Value '${input.functionUrlAuthType}' at 'functionUrlAuthType' failed to satisfy constraint: Member must satisfy enum value set: [${[...AUTH_TYPES].sort().join(", ")}]`);
  }
  v.throwIfAny();
}

/**
 * The Principal of a statement from AddPermission's: `*`, a service (`s3.amazonaws.com`), an account
 * (its root) or an IAM ARN; anything else is refused.
 */
export function statementPrincipal(principal: string): string | { Service: string } | { AWS: string } {
  if (principal === "*") return "*";
  if (/^\d{12}$/.test(principal)) return { AWS: `arn:aws:iam::${principal}:root` };
  if (PRINCIPAL_ARN_RE.test(principal)) return { AWS: principal };
  if (SERVICE_RE.test(principal)) return { Service: principal };
  throw awsError("InvalidParameterValueException", "The provided principal was invalid. Please check the principal and try again.");
}

/** The statement AWS writes for an AddPermission, keys and condition operators in AWS's order (recorded). */
export function synthesiseStatement(input: AddPermissionInput, resource: string): PolicyStatement {
  const statement: PolicyStatement = {
    Sid: input.statementId!,
    Effect: "Allow",
    Principal: statementPrincipal(input.principal!),
    Action: input.action!,
    Resource: resource,
  };
  const condition: Record<string, Record<string, string>> = {};
  const stringEquals: Record<string, string> = {};
  if (input.sourceAccount !== undefined) stringEquals["AWS:SourceAccount"] = input.sourceAccount;
  if (input.functionUrlAuthType !== undefined) stringEquals["lambda:FunctionUrlAuthType"] = input.functionUrlAuthType;
  if (input.principalOrgId !== undefined) stringEquals["aws:PrincipalOrgID"] = input.principalOrgId;
  if (input.eventSourceToken !== undefined) stringEquals["lambda:EventSourceToken"] = input.eventSourceToken;
  if (Object.keys(stringEquals).length) condition.StringEquals = stringEquals;
  if (input.sourceArn !== undefined) condition.ArnLike = { "AWS:SourceArn": input.sourceArn };
  if (input.invokedViaFunctionUrl) condition.Bool = { "lambda:InvokedViaFunctionUrl": "true" };
  if (Object.keys(condition).length) statement.Condition = condition;
  return statement;
}

/** The document GetPolicy returns. */
export function policyDocument(statements: PolicyStatement[]): string {
  return JSON.stringify({ Version: "2012-10-17", Id: "default", Statement: statements });
}

const revisionMismatch = () =>
  awsError("PreconditionFailedException", "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id");

export class PermissionsService {
  constructor(private readonly registry: FunctionRegistry) {}

  private get account(): Account {
    return this.registry.account;
  }

  /**
   * The qualifier's key and current RevisionId: a missing version is "Function not found", a
   * missing alias "Cannot find alias arn" (recorded: test_permission_exceptions).
   */
  private target(record: FunctionRecord, qualifier: string | undefined): { key: string; revisionId: string } {
    if (qualifier === undefined || qualifier === UNQUALIFIED) return { key: UNQUALIFIED, revisionId: record.latest.revisionId };
    if (isVersionNumber(qualifier)) {
      const version = record.versions[qualifier];
      if (!version) this.registry.notFound(record.name, qualifier);
      return { key: qualifier, revisionId: version.revisionId };
    }
    const alias = record.aliases[qualifier];
    if (alias) return { key: qualifier, revisionId: alias.revisionId };
    if (ALIAS_RE.test(qualifier)) throw awsError("ResourceNotFoundException", `Cannot find alias arn: ${functionArn(this.account, record.name, qualifier)}`);
    this.registry.notFound(record.name, qualifier);
  }

  /**
   * The record with the qualifier's policy replaced (gone once it has no statements), and the function
   * (or alias) given the policy's new RevisionId.
   */
  private withPolicy(record: FunctionRecord, key: string, statements: PolicyStatement[]): FunctionRecord {
    const revisionId = randomUUID();
    const policies = { ...record.policies, [key]: { statements, revisionId } };
    if (statements.length === 0) delete policies[key];
    if (key === UNQUALIFIED) return { ...record, policies, latest: { ...record.latest, revisionId } };
    const alias = record.aliases[key];
    if (alias) return { ...record, policies, aliases: { ...record.aliases, [key]: { ...alias, revisionId } } };
    return { ...record, policies };
  }

  async addPermission(functionName: string, qualifier: string | undefined, input: AddPermissionInput) {
    const ref = parseFunctionRef(this.account, functionName, qualifier);
    validateAdd(input);
    if (ref.qualifier === "$LATEST") throw awsError("InvalidParameterValueException", "We currently do not support adding policies for $LATEST.");
    if (input.functionUrlAuthType !== undefined && input.action !== "lambda:InvokeFunctionUrl") {
      throw awsError("InvalidParameterValueException", "FunctionUrlAuthType is only supported for lambda:InvokeFunctionUrl action");
    }
    statementPrincipal(input.principal!); // refused before anything is looked up
    return this.registry.withLock(ref.name, async () => {
      const record = this.registry.require(ref.name, ref.qualifier);
      const { key, revisionId } = this.target(record, ref.qualifier);
      const policy: PolicyRecord | undefined = record.policies?.[key];
      if (input.revisionId !== undefined && input.revisionId !== (policy?.revisionId ?? revisionId)) throw revisionMismatch();
      if (policy?.statements.some((s) => s.Sid === input.statementId)) {
        throw awsError(
          "ResourceConflictException",
          `The statement id (${input.statementId}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
        );
      }
      const statement = synthesiseStatement(input, functionArn(this.account, ref.name, ref.qualifier));
      const statements = [...(policy?.statements ?? []), statement];
      const size = Buffer.byteLength(policyDocument(statements));
      if (size > MAX_POLICY_BYTES) {
        throw awsError("PolicyLengthExceededException", `The final policy size (${size}) is bigger than the limit (${MAX_POLICY_BYTES}).`);
      }
      await this.registry.save(this.withPolicy(record, key, statements));
      return { Statement: JSON.stringify(statement) };
    });
  }

  async removePermission(functionName: string, statementId: string, qualifier: string | undefined, revisionId: string | undefined): Promise<void> {
    const ref = parseFunctionRef(this.account, functionName, qualifier);
    const v = new Violations();
    check(v, "statementId", statementId, NAMESPACED_STATEMENT_ID, 100, true);
    v.throwIfAny();
    await this.registry.withLock(ref.name, async () => {
      const record = this.registry.get(ref.name);
      if (!record) throw awsError("ResourceNotFoundException", `No policy found for: ${functionArn(this.account, ref.name, ref.qualifier)}`);
      const { key } = this.target(record, ref.qualifier);
      const policy = record.policies?.[key];
      if (!policy) throw awsError("ResourceNotFoundException", "No policy is associated with the given resource.");
      if (revisionId !== undefined && revisionId !== policy.revisionId) throw revisionMismatch();
      if (!policy.statements.some((s) => s.Sid === statementId)) {
        throw awsError("ResourceNotFoundException", `Statement ${statementId} is not found in resource policy.`);
      }
      await this.registry.save(this.withPolicy(record, key, policy.statements.filter((s) => s.Sid !== statementId)));
    });
  }

  /**
   * The policy authorization evaluates for a function ARN as invoked: the unqualified function's for
   * `function:f`, the version's or alias's own for `function:f:q` (each keeps its own, as on AWS).
   * The document is cached per statement list, which changes by replacement.
   */
  resourcePolicy(arn: string): NamedPolicy | undefined {
    const m = /^arn:aws[a-zA-Z-]*:lambda:[^:]+:(\d{12}):function:([^:]+)(?::([^:]+))?$/.exec(arn);
    if (!m || m[1] !== this.account.accountId) return undefined;
    const policy = this.registry.get(m[2]!)?.policies?.[m[3] ?? UNQUALIFIED];
    if (!policy) return undefined;
    let document = this.documents.get(policy.statements);
    if (document === undefined) this.documents.set(policy.statements, (document = policyDocument(policy.statements)));
    return { name: `function policy of ${arn}`, kind: "resource", document };
  }

  private readonly documents = new WeakMap<PolicyStatement[], string>();

  /** Whatever is missing (function, version, alias, statements), AWS answers the same (recorded). */
  getPolicy(functionName: string, qualifier: string | undefined) {
    const ref = parseFunctionRef(this.account, functionName, qualifier);
    const policy = this.registry.get(ref.name)?.policies?.[ref.qualifier ?? UNQUALIFIED];
    if (!policy) throw awsError("ResourceNotFoundException", "The resource you requested does not exist.");
    return { Policy: policyDocument(policy.statements), RevisionId: policy.revisionId };
  }
}
