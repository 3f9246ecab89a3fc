/**
 * AWS's policy simulator (SimulatePrincipalPolicy, SimulateCustomPolicy) and Flint's live
 * explanation of one call (`/_flint/iam/explain`). Both decide with the Authorizer every request
 * goes through; they only choose the identity and the policies it is given.
 *
 * As AWS's simulator, SimulatePrincipalPolicy applies the principal's own policies, the policies
 * passed in, and only the resource policy passed in (AWS loads none of the resource's). The
 * explanation applies what a real call would meet: the caller's live policies and the resource's own.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
 */
import { awsError } from "../../errors.js";
import { type Authorizer, evalDecision, type EvalDecision, type IamMode } from "../../iam/authorizer.js";
import { MalformedPolicy, parsePolicy, type DocumentKind } from "../../iam/policy.js";
import { parsePrincipalArn, type PrincipalArn } from "../../iam/principal-arn.js";
import type { Caller, ContextValue, DecidingStatement, Decision, Identity, NamedPolicy } from "../../iam/types.js";
import { page, type PageRequest } from "./pages.js";
import type { IamService } from "./service.js";
import { invalid } from "./validation.js";
import { type Position, statementPositions } from "./statement-positions.js";

export interface ContextEntry {
  ContextKeyName?: string;
  ContextKeyValues?: string[];
  ContextKeyType?: string;
}

export interface SimulationInput extends PageRequest {
  /** The user or role whose policies are simulated; absent for SimulateCustomPolicy. */
  PolicySourceArn?: string;
  PolicyInputList?: string[];
  PermissionsBoundaryPolicyInputList?: string[];
  ActionNames: string[];
  /** Default: `*`. */
  ResourceArns?: string[];
  ResourcePolicy?: string;
  CallerArn?: string;
  ContextEntries?: ContextEntry[];
}

/**
 * A statement that decided. AWS names an attached managed policy by its name, an inline one
 * `user_<user>_<policy>` (or `role_…`), a policy passed in `PolicyInputList.N`; its types are
 * `IAM Policy` and `Resource Policy` (as AWS's answers carry them, not the model's enum).
 * Positions are where the statement's text lies in the policy's document (approximate).
 */
export interface MatchedStatement {
  SourcePolicyId: string;
  SourcePolicyType: "IAM Policy" | "Resource Policy";
  /** Approximate (statement-positions.ts). */
  StartPosition?: Position;
  EndPosition?: Position;
}

export interface EvaluationResult {
  EvalActionName: string;
  EvalResourceName: string;
  EvalDecision: EvalDecision;
  /** Flint names the one statement that decided (AWS lists every allowing one). */
  MatchedStatements: MatchedStatement[];
  MissingContextValues: string[];
}

/** `/_flint/iam/explain`'s question: could this caller make this call now? */
export interface ExplainInput {
  Caller: string;
  Action: string;
  Resource: string;
  Context?: Record<string, ContextValue>;
}

export interface Explanation {
  Allowed: boolean;
  Decision: EvalDecision;
  Reason: Decision["reason"];
  Message?: string;
  Statement?: { Policy: string; Kind: DecidingStatement["kind"]; Sid?: string; Index: number };
  /** Whether the listener enforces what it decides (`report`: lets denials through, `off`: decides nothing). */
  Mode: IamMode;
}

export interface SimulatorDeps {
  iam: Pick<IamService, "getUser" | "getRole">;
  authorizer: Authorizer;
  /** The identity a principal's ARN names (credentials.ts). */
  identityOf(arn: string, sessionName?: string): Identity | undefined;
  accountId: string;
}

const CONTEXT_TYPES = ["string", "stringList", "numeric", "numericList", "boolean", "booleanList", "ip", "ipList", "binary", "binaryList", "date", "dateList"];

/** AWS's name for a policy the Authorizer knows by its own (an ARN, `user/alice/p`, `PolicyInputList.1`). */
const sourcePolicyId = (name: string) => (name.startsWith("arn:") ? name.slice(name.lastIndexOf("/") + 1) : name.replaceAll("/", "_"));

export class PolicySimulator {
  constructor(private readonly deps: SimulatorDeps) {}

  simulate(input: SimulationInput): { results: EvaluationResult[]; IsTruncated: boolean; Marker?: string } {
    const source = input.PolicySourceArn === undefined ? undefined : this.principal(input.PolicySourceArn, ["user", "role", "group"]);
    const caller = this.simulatedCaller(input, source);
    const inputs = (input.PolicyInputList ?? []).map((d, i) => given(d, `PolicyInputList.${i + 1}`, "identity"));
    const boundaries = input.PermissionsBoundaryPolicyInputList ?? [];
    if (boundaries.length > 1) throw awsError("InvalidInput", "The list of Permissions Boundary policies cannot exceed 1 items.");
    const boundary = boundaries.length === 1 ? given(boundaries[0]!, "PermissionsBoundaryPolicyInputList.1", "boundary") : undefined;
    const resourcePolicy = input.ResourcePolicy === undefined ? null : given(input.ResourcePolicy, "ResourcePolicy", "resource");
    const context = contextOf(input.ContextEntries ?? []);
    // The principal's own policies as they are now, with those passed in; a boundary passed in replaces its own.
    const own = source?.policies() ?? { identity: [] };
    const applied = { ...own, identity: [...own.identity, ...inputs], ...(boundary ? { boundary } : {}) };
    const identity: Identity = { accessKeyId: "", caller, policies: () => applied };
    const resources = input.ResourceArns?.length ? input.ResourceArns : ["*"];
    const documents = new Map([...applied.identity, ...(applied.boundary ? [applied.boundary] : []), ...(resourcePolicy ? [resourcePolicy] : [])].map((p) => [p.name, p.document]));
    const matched = (s: DecidingStatement): MatchedStatement => {
      const text = documents.get(s.policy);
      const span = typeof text === "string" ? statementPositions(text)[s.index] : undefined;
      return { SourcePolicyId: sourcePolicyId(s.policy), SourcePolicyType: s.kind === "resource" ? "Resource Policy" : "IAM Policy", ...(span ? { StartPosition: span.start, EndPosition: span.end } : {}) };
    };
    const results: EvaluationResult[] = [];
    for (const action of input.ActionNames) {
      for (const resource of resources) {
        const ask = { action, resource, context };
        const decision = this.deps.authorizer.decide(identity, ask, {}, resourcePolicy);
        const s = decision.statement;
        results.push({
          EvalActionName: action,
          EvalResourceName: resource,
          EvalDecision: evalDecision(decision),
          MatchedStatements: s ? [matched(s)] : [],
          MissingContextValues: this.deps.authorizer.missingContext(identity, ask, {}, resourcePolicy),
        });
      }
    }
    const p = page(results.map((r, i) => ({ r, key: String(i).padStart(8, "0") })), (x) => x.key, input);
    return { results: p.items.map((x) => x.r), IsTruncated: p.IsTruncated, ...(p.Marker !== undefined ? { Marker: p.Marker } : {}) };
  }

  /** The decision a call would meet now: the caller's live policies and the resource's own. */
  explain(input: ExplainInput): Explanation {
    const identity = this.principal(input.Caller, ["root", "user", "role", "assumed-role", "service"]);
    const decision = this.deps.authorizer.decide(identity, { action: input.Action, resource: input.Resource, ...(input.Context ? { context: input.Context } : {}) });
    const s = decision.statement;
    return {
      Allowed: decision.allowed,
      Decision: evalDecision(decision),
      Reason: decision.reason,
      ...(decision.message !== undefined ? { Message: decision.message } : {}),
      ...(s ? { Statement: { Policy: s.policy, Kind: s.kind, ...(s.sid !== undefined ? { Sid: s.sid } : {}), Index: s.index } } : {}),
      Mode: this.deps.authorizer.mode,
    };
  }

  /** The identity `arn` names among the kinds `accepted`: IAM's NoSuchEntity for one that does not exist. */
  private principal(arn: string, accepted: PrincipalArn["type"][]): Identity {
    const p = parsePrincipalArn(arn);
    if (!p || !accepted.includes(p.type)) throw awsError("InvalidInput", `Invalid Entity Arn: ${arn} does not clearly define entity type and name.`);
    // IAM's own text for a user or role that does not exist.
    if (p.type === "user") this.deps.iam.getUser(p.name);
    if (p.type === "role" || p.type === "assumed-role") this.deps.iam.getRole(p.type === "role" ? p.name : p.role);
    if (p.type === "group") throw awsError("NoSuchEntity", `The group with name ${p.name} cannot be found.`);
    const identity = this.deps.identityOf(arn);
    if (!identity) throw awsError("NoSuchEntity", `The ${p.type} with ARN ${arn} cannot be found.`);
    return identity;
  }

  /**
   * Who the simulated calls come from: CallerArn (a user) if given, else the user simulated. A
   * resource policy needs one to match its Principal against.
   */
  private simulatedCaller(input: SimulationInput, source: Identity | undefined): Caller {
    if (input.CallerArn !== undefined) {
      if (parsePrincipalArn(input.CallerArn)?.type !== "user") throw awsError("InvalidInput", `Invalid CallerArn: ${input.CallerArn}. CallerArn must be the ARN of an IAM user.`);
      return this.principal(input.CallerArn, ["user"]).caller;
    }
    if (source?.caller.kind === "user") return source.caller;
    if (input.ResourcePolicy !== undefined) throw awsError("InvalidInput", "CallerArn is required if you include a ResourcePolicy and the PolicySourceArn is not the ARN for an IAM user.");
    // Only identity policies apply: the caller is whom the role's session or the custom policies stand for.
    return source?.caller ?? { kind: "user", account: this.deps.accountId, arn: `arn:aws:iam::${this.deps.accountId}:user/simulated` };
  }
}

/** A policy passed in, checked as its kind requires; AWS refuses a malformed one with InvalidInput. */
function given(document: string, name: string, kind: DocumentKind & NamedPolicy["kind"]): NamedPolicy {
  try {
    parsePolicy(document, kind);
  } catch (err) {
    if (err instanceof MalformedPolicy) throw awsError("InvalidInput", `${name}: ${err.message}`);
    throw err;
  }
  return { name, kind, document };
}

/** ContextEntries as the request's condition keys (every value as text, as AWS compares them). */
function contextOf(entries: ContextEntry[]): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = {};
  entries.forEach((e, i) => {
    const at = `contextEntries.${i + 1}.member`;
    if (e.ContextKeyType !== undefined && !CONTEXT_TYPES.includes(e.ContextKeyType)) {
      invalid(e.ContextKeyType, `${at}.contextKeyType`, `Member must satisfy enum value set: [${CONTEXT_TYPES.join(", ")}]`);
    }
    if (e.ContextKeyName === undefined) return;
    if (e.ContextKeyName.length < 5) invalid(e.ContextKeyName, `${at}.contextKeyName`, "Member must have length greater than or equal to 5");
    if (e.ContextKeyName.length > 256) invalid(e.ContextKeyName, `${at}.contextKeyName`, "Member must have length less than or equal to 256");
    context[e.ContextKeyName] = e.ContextKeyValues ?? [];
  });
  return context;
}
