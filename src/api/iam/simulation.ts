/**
 * The policy simulator's operations: request members → one simulator call → result members.
 * For a resource other than `*`, AWS adds an empty EvalDecisionDetails (filled only across accounts)
 * and the result again as the resource's ResourceSpecificResults.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html
 */
import { awsError } from "../../errors.js";
import { optString, optStringList, pageRequest, required } from "../../services/iam/inputs.js";
import type { ContextEntry, EvaluationResult, ExplainInput, PolicySimulator, SimulationInput } from "../../services/iam/simulator.js";
import { members } from "../../services/sqs/inputs.js";

type Members = Record<string, unknown>;

function requiredList(m: Members, name: string): string[] {
  const v = optStringList(m, name);
  if (v === undefined) required(m, name);
  return v!;
}

function contextEntries(m: Members): ContextEntry[] | undefined {
  const v = m.ContextEntries;
  if (v === undefined || v === null || v === "") return undefined;
  if (!Array.isArray(v)) throw awsError("SerializationException", "Value for ContextEntries must be a list.");
  return v.map((raw) => {
    const e = members(raw, "ContextEntries member");
    return { ContextKeyName: optString(e, "ContextKeyName"), ContextKeyValues: optStringList(e, "ContextKeyValues"), ContextKeyType: optString(e, "ContextKeyType") };
  });
}

/** What both operations take besides the principal. */
function simulationInput(m: Members): SimulationInput {
  return {
    ...pageRequest(m),
    ActionNames: requiredList(m, "ActionNames"),
    PolicyInputList: optStringList(m, "PolicyInputList"),
    PermissionsBoundaryPolicyInputList: optStringList(m, "PermissionsBoundaryPolicyInputList"),
    ResourceArns: optStringList(m, "ResourceArns"),
    ResourcePolicy: optString(m, "ResourcePolicy"),
    CallerArn: optString(m, "CallerArn"),
    ContextEntries: contextEntries(m),
  };
}

function resultMembers(r: EvaluationResult): Members {
  const specific = r.EvalResourceName !== "*";
  return {
    ...r,
    ...(specific
      ? {
          EvalDecisionDetails: {},
          ResourceSpecificResults: [{ EvalResourceName: r.EvalResourceName, EvalResourceDecision: r.EvalDecision, MatchedStatements: r.MatchedStatements, MissingContextValues: r.MissingContextValues }],
        }
      : {}),
  };
}

function simulated(sim: PolicySimulator, input: SimulationInput): Members {
  const { results, IsTruncated, Marker } = sim.simulate(input);
  return { EvaluationResults: results.map(resultMembers), IsTruncated, Marker };
}

export const SIMULATIONS: Record<string, (sim: PolicySimulator, m: Members) => Members> = {
  SimulatePrincipalPolicy: (sim, m) => simulated(sim, { ...simulationInput(m), PolicySourceArn: required(m, "PolicySourceArn") }),
  SimulateCustomPolicy: (sim, m) => simulated(sim, { ...simulationInput(m), PolicyInputList: requiredList(m, "PolicyInputList") }),
};

/** `/_flint/iam/explain`'s JSON body: {"Caller", "Action", "Resource", "Context"?}. */
export function explainInput(body: Buffer): ExplainInput {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw awsError("InvalidInput", "The request body must be a JSON object.");
  }
  const m = members(parsed);
  const context = m.Context === undefined ? undefined : members(m.Context, "Context");
  for (const [k, v] of Object.entries(context ?? {})) {
    if (typeof v !== "string" && !(Array.isArray(v) && v.every((x) => typeof x === "string"))) throw awsError("InvalidInput", `Context ${k} must be a string or a list of strings.`);
  }
  const text = (name: string) => {
    const v = optString(m, name);
    if (v === undefined) throw awsError("InvalidInput", `${name} is required.`);
    return v;
  };
  return { Caller: text("Caller"), Action: text("Action"), Resource: text("Resource"), ...(context ? { Context: context as ExplainInput["Context"] } : {}) };
}
