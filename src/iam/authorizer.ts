/**
 * The one authorization decision every call goes through: the listener's, for requests, and the
 * services', for calls Flint makes on a principal's behalf (SNS deliveries, destinations). It
 * gathers the policies that apply (the caller's own, the resource's), evaluates them with
 * `evaluate.ts`, and applies the mode: `enforce` refuses a denied call, `report` lets it through
 * but logs and counts it, `off` decides nothing. It knows nothing of HTTP.
 */
import { DecisionCache } from "./decision-cache.js";
import { evaluate, MalformedPolicy, missingContextKeys } from "./evaluate.js";
import type { AuthzRequest, ContextValue, Decision, Identity, IdentityPolicies, NamedPolicy, PolicySet } from "./types.js";

export type IamMode = "enforce" | "report" | "off";
export const IAM_MODES: readonly IamMode[] = ["enforce", "report", "off"];

/** One thing a call asks: an action on a resource, with the request's condition keys. */
export interface Ask {
  action: string;
  resource: string;
  context?: Record<string, ContextValue>;
  /** The resource's policy where no service's lookup holds it: a role's trust policy, for sts:AssumeRole. */
  policy?: NamedPolicy;
}

/**
 * Decide what a call asks for the request's signer; throws the service's AccessDenied when
 * enforcement refuses it (api/authorize.ts). The asks are worked out only when there is something
 * to decide: not under `--iam off`, nor for a request taken unsigned.
 */
export type Authorize = (asks: () => readonly Ask[]) => void;

/** `aws:RequestTag/<key>` for the tags a request sets, and `aws:TagKeys` for the keys it sets or removes. */
export function tagContext(tags: Readonly<Record<string, string>> | undefined, removed?: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(tags ?? {})) out[`aws:RequestTag/${key}`] = value;
  const keys = removed ?? Object.keys(tags ?? {});
  if (keys.length) out["aws:TagKeys"] = [...keys];
  return out;
}

/** A resource's own policy (a function's, per qualifier; a queue's; a topic's), by the resource's ARN. */
export type ResourcePolicyLookup = (arn: string) => NamedPolicy | undefined;
/** A resource's tags (`aws:ResourceTag/<key>`), by the resource's ARN. */
export type ResourceTagLookup = (arn: string) => Readonly<Record<string, string>> | undefined;

/** The request's own condition keys, which every ask of it shares. */
export interface RequestContext {
  sourceIp?: string;
  secureTransport?: boolean;
}

export interface Denial {
  ask: Ask;
  decision: Decision;
}

type Tags = Readonly<Record<string, string>>;

/** An ask's resource as the decision reads it. */
interface Target {
  /** The account in the resource's ARN. */
  account: string | undefined;
  /** The resource's policy that applies. */
  resource: NamedPolicy | undefined;
  tags(): Tags | undefined;
}

/** `arn:aws:<service>:<region>:<account>:…` → service, account. */
const ARN = /^arn:aws[a-zA-Z-]*:([a-z0-9-]+):[^:]*:(\d{12})?:/;

/** The caller a service presents when it acts on its own (an SNS topic delivering to a function). */
export function serviceIdentity(service: string): Identity {
  return { accessKeyId: "", caller: { kind: "service", arn: service }, policies: () => ({ identity: [] }) };
}

/** A decision as the policy simulator names it (EvalDecision). */
export type EvalDecision = "allowed" | "explicitDeny" | "implicitDeny";
export const evalDecision = (d: Decision): EvalDecision => (d.allowed ? "allowed" : d.reason === "explicit-deny" ? "explicitDeny" : "implicitDeny");

export class Authorizer {
  private readonly resourcePolicies = new Map<string, ResourcePolicyLookup>();
  private readonly resourceTags = new Map<string, ResourceTagLookup>();
  /** Decisions remembered while nothing they depend on has changed (decision-cache.ts). */
  private readonly decisions = new DecisionCache();
  /** The time's condition-key texts, made once per millisecond. */
  private clockText = { at: NaN, iso: "", epoch: "" };
  /** Decisions made, by outcome; `reported`: denials let through in report mode. */
  readonly counts = { allowed: 0, denied: 0, reported: 0 };

  constructor(
    public mode: IamMode,
    private readonly region: string,
    private readonly now: () => number = Date.now,
    private readonly log: (line: string) => void = (line) => console.error(line),
  ) {}

  /** Register where a service's resources keep their policies (`lambda`, `sqs`, `sns`, `iam` for roles' trust policies). */
  setResourcePolicies(service: string, lookup: ResourcePolicyLookup): void {
    this.resourcePolicies.set(service, lookup);
  }

  /** Register where a service's resources keep their tags. */
  setResourceTags(service: string, lookup: ResourceTagLookup): void {
    this.resourceTags.set(service, lookup);
  }

  /**
   * The decision for one ask, whatever the mode (explanations and the simulator use it).
   * `resourcePolicy`: the resource's policy to apply; null: none (the simulator applies only those
   * it is given); undefined: the resource's own, looked up by its service.
   */
  decide(identity: Identity, ask: Ask, request: RequestContext = {}, resourcePolicy?: NamedPolicy | null): Decision {
    const target = this.target(ask, resourcePolicy);
    const { resource } = target;
    // The root is refused only by a resource policy's explicit Deny: no context is built for it.
    if (identity.caller.kind === "root" && !resource) return { allowed: true, reason: "root" };
    const policies = identity.policies();
    const tags = target.tags();
    const now = this.now();
    const evaluateNow = () => this.evaluate(identity, ask, request, target, policies, tags, now);
    // Session policies come in a list made per call, and a caller without identity policies is quick to decide: neither is remembered.
    if (policies.session?.length || policies.identity.length === 0) return evaluateNow();
    const context = `${request.sourceIp ?? ""}\n${request.secureTransport ? 1 : 0}\n${ask.context ? JSON.stringify(ask.context) : ""}\n${tags ? JSON.stringify(tags) : ""}`;
    return this.decisions.get(identity.caller, policies.identity, { action: ask.action, resource: ask.resource, resourcePolicy: resource, boundary: policies.boundary, context, now }, evaluateNow);
  }

  private evaluate(identity: Identity, ask: Ask, request: RequestContext, target: Target, policies: IdentityPolicies, tags: Tags | undefined, now: number): Decision {
    const { req, policies: all } = this.prepare(identity, ask, request, target, policies, tags, now);
    try {
      return evaluate(req, all);
    } catch (err) {
      // A stored policy Flint could not read denies, and says which.
      if (err instanceof MalformedPolicy) return { allowed: false, reason: "implicit-deny", message: `User: ${req.caller.arn} is not authorized to perform: ${ask.action} on resource: ${ask.resource} because a policy could not be read: ${err.message}` };
      throw err;
    }
  }

  /** The condition keys the policies that `decide` would apply read and the ask does not give (the simulator's MissingContextValues). */
  missingContext(identity: Identity, ask: Ask, request: RequestContext = {}, resourcePolicy?: NamedPolicy | null): string[] {
    const target = this.target(ask, resourcePolicy);
    const { req, policies } = this.prepare(identity, ask, request, target, identity.policies(), target.tags(), this.now());
    return missingContextKeys(req, policies);
  }

  /** What the ask's resource ARN names, read once: its account, its policy (given, or its service's), its tags on demand. */
  private target(ask: Ask, given: NamedPolicy | null | undefined): Target {
    const [, service, account] = ARN.exec(ask.resource) ?? [];
    const resource = given !== undefined ? (given ?? undefined) : service ? this.resourcePolicies.get(service)?.(ask.resource) : undefined;
    return { account, resource, tags: () => (service ? this.resourceTags.get(service)?.(ask.resource) : undefined) };
  }

  /** The request as `evaluate` takes it (with the context keys every request has, and the resource's tags) and the policies that apply to it. */
  private prepare(identity: Identity, ask: Ask, request: RequestContext, { account: resourceAccount, resource }: Target, policies: IdentityPolicies, tags: Tags | undefined, now: number): { req: AuthzRequest; policies: PolicySet } {
    if (now !== this.clockText.at) this.clockText = { at: now, iso: new Date(now).toISOString(), epoch: String(Math.floor(now / 1000)) };
    const context: Record<string, ContextValue> = {
      "aws:CurrentTime": this.clockText.iso,
      "aws:EpochTime": this.clockText.epoch,
      "aws:RequestedRegion": this.region,
      "aws:SecureTransport": request.secureTransport ? "true" : "false",
      ...(request.sourceIp ? { "aws:SourceIp": request.sourceIp } : {}),
    };
    for (const [key, value] of Object.entries(tags ?? {})) context[`aws:ResourceTag/${key}`] = value;
    Object.assign(context, ask.context);
    return {
      req: { caller: identity.caller, action: ask.action, resource: ask.resource, ...(resourceAccount ? { resourceAccount } : {}), context },
      policies: { ...policies, ...(resource ? { resource } : {}) },
    };
  }

  /**
   * Decide every ask of one call. In `enforce` mode the first denial is returned (the caller turns it
   * into its protocol's error); in `report` mode denials are logged and counted and undefined returned.
   */
  check(identity: Identity, asks: readonly Ask[], request: RequestContext = {}): Denial | undefined {
    if (this.mode === "off") return undefined;
    for (const ask of asks) {
      const decision = this.decide(identity, ask, request, ask.policy);
      if (decision.allowed) {
        this.counts.allowed++;
        continue;
      }
      if (this.mode === "enforce") {
        this.counts.denied++;
        return { ask, decision };
      }
      this.counts.reported++;
      this.log(`flint: iam report: would deny ${ask.action} on ${ask.resource} to ${identity.caller.arn}: ${decision.message ?? decision.reason}`);
    }
    return undefined;
  }
}
