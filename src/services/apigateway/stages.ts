/**
 * A REST API's deployments and stages: changes to one API's record (through
 * `RestApisService.change`). A deployment snapshots the resources; a stage points at a deployment and
 * carries stage variables.
 * https://docs.aws.amazon.com/apigateway/latest/api/API_CreateDeployment.html
 * https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateStage.html
 */
import { awsError } from "../../errors.js";
import { Violations } from "../lambda/validation.js";
import { badRequest, type DeploymentRecord, newId, notFound, type RestApiRecord, type StageRecord } from "./model.js";

type Members = Record<string, unknown>;

const STAGE_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
const VARIABLE_NAME = /^[a-zA-Z0-9_]+$/;
const PATCH_OPS = ["add", "remove", "move", "test", "replace", "copy"];
/** UpdateStage's paths, as API Gateway lists them when refusing another. */
const STAGE_PATHS =
  "[/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, /{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, /{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, /*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, /tracingEnabled]";

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

function variablesOf(v: unknown): Record<string, string> | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(v)) {
    if (!VARIABLE_NAME.test(k)) throw badRequest("Stage variable names must only contain alphanumeric and underscore characters");
    out[k] = String(value);
  }
  return out;
}

function checkStageName(name: string): void {
  if (!STAGE_NAME.test(name)) throw badRequest("Stage name only allows a-zA-Z0-9_-");
}

export function stageOf(api: RestApiRecord, stageName: string): StageRecord {
  const stage = api.stages[stageName];
  if (!stage) throw notFound("Stage");
  return stage;
}

/**
 * Snapshot the API's resources as a new deployment; with `stageName`, point that stage at it
 * (created if new, its variables merged with `variables`).
 */
export function createDeployment(api: RestApiRecord, m: Members, now: number): DeploymentRecord {
  const methods = Object.values(api.resources).flatMap((r) => Object.values(r.methods));
  if (methods.length === 0) throw badRequest("The REST API doesn't contain any methods");
  if (methods.some((method) => !method.integration)) throw badRequest("No integration defined for method");
  const stageName = str(m.stageName);
  if (stageName !== undefined) checkStageName(stageName);
  const variables = variablesOf(m.variables);
  let id = newId(6);
  while (api.deployments[id]) id = newId(6);
  const deployment: DeploymentRecord = {
    id,
    createdDate: now,
    ...(str(m.description) !== undefined ? { description: str(m.description) } : {}),
    resources: structuredClone(api.resources),
  };
  api.deployments[id] = deployment;
  if (stageName !== undefined) {
    const stage = api.stages[stageName];
    if (stage) {
      stage.deploymentId = id;
      stage.lastUpdatedDate = now;
      if (variables) stage.variables = { ...stage.variables, ...variables };
    } else {
      api.stages[stageName] = {
        stageName,
        deploymentId: id,
        ...(str(m.stageDescription) !== undefined ? { description: str(m.stageDescription) } : {}),
        createdDate: now,
        lastUpdatedDate: now,
        ...(variables ? { variables } : {}),
        tracingEnabled: m.tracingEnabled === true,
        cacheClusterEnabled: m.cacheClusterEnabled === true,
      };
    }
  }
  return deployment;
}

export function deploymentOf(api: RestApiRecord, deploymentId: string): DeploymentRecord {
  const deployment = api.deployments[deploymentId];
  if (!deployment) throw notFound("Deployment");
  return deployment;
}

export function deleteDeployment(api: RestApiRecord, deploymentId: string): void {
  deploymentOf(api, deploymentId);
  if (Object.values(api.stages).some((s) => s.deploymentId === deploymentId)) throw badRequest("Active stages pointing to this deployment must be moved or deleted");
  delete api.deployments[deploymentId];
}

export function createStage(api: RestApiRecord, m: Members, now: number): StageRecord {
  const stageName = str(m.stageName);
  const deploymentId = str(m.deploymentId);
  if (stageName === undefined || deploymentId === undefined) {
    const v = new Violations();
    if (stageName === undefined) v.add("Value null at 'createStageInput.stageName' failed to satisfy constraint: Member must not be null");
    if (deploymentId === undefined) v.add("Value null at 'createStageInput.deploymentId' failed to satisfy constraint: Member must not be null");
    v.throwIfAny();
  }
  checkStageName(stageName!);
  deploymentOf(api, deploymentId!);
  if (api.stages[stageName!]) throw awsError("ConflictException", "Stage already exists");
  const variables = variablesOf(m.variables);
  const stage: StageRecord = {
    stageName: stageName!,
    deploymentId: deploymentId!,
    ...(str(m.description) !== undefined ? { description: str(m.description) } : {}),
    createdDate: now,
    lastUpdatedDate: now,
    ...(variables ? { variables } : {}),
    tracingEnabled: m.tracingEnabled === true,
    cacheClusterEnabled: m.cacheClusterEnabled === true,
  };
  api.stages[stage.stageName] = stage;
  return stage;
}

export function deleteStage(api: RestApiRecord, stageName: string): void {
  stageOf(api, stageName);
  delete api.stages[stageName];
}

/** Apply JSON patch operations: stage variables (`/variables/<name>`), description, deployment, tracing. */
export function updateStage(api: RestApiRecord, stageName: string, m: Members, now: number): StageRecord {
  const ops = Array.isArray(m.patchOperations) ? (m.patchOperations as Members[]) : [];
  const v = new Violations();
  ops.forEach((op, i) => {
    if (!PATCH_OPS.includes(String(op.op))) {
      v.add(`Value '${String(op.op)}' at 'updateStageInput.patchOperations.${i + 1}.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]`);
    }
  });
  v.throwIfAny();
  const stage = stageOf(api, stageName);
  for (const op of ops) {
    const path = str(op.path) ?? "";
    const value = op.value === undefined || op.value === null ? undefined : String(op.value);
    const variable = /^\/variables\/(.+)$/.exec(path);
    if (variable) {
      const name = variable[1]!;
      if (op.op === "remove") {
        if (stage.variables) delete stage.variables[name];
      } else if (op.op === "add" || op.op === "replace") {
        if (!VARIABLE_NAME.test(name)) throw badRequest("Stage variable names must only contain alphanumeric and underscore characters");
        stage.variables = { ...stage.variables, [name]: value ?? "" };
      } else throw badRequest(`Invalid patch operation specified. Must be 'add'|'remove'|'replace'`);
    } else if (op.op === "replace" && path === "/description") {
      if (value === undefined) delete stage.description;
      else stage.description = value;
    } else if (op.op === "replace" && path === "/deploymentId") {
      deploymentOf(api, value ?? "");
      stage.deploymentId = value!;
    } else if (op.op === "replace" && path === "/tracingEnabled") {
      stage.tracingEnabled = value === "true";
    } else {
      throw badRequest(`Invalid method setting path: ${path}. Must be one of: ${STAGE_PATHS}`);
    }
  }
  stage.lastUpdatedDate = now;
  return stage;
}
