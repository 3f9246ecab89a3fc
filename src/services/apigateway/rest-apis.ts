/**
 * API Gateway REST APIs, the control plane: the APIs themselves and their resource trees. Methods
 * and integrations (`methods.ts`), deployments and stages (`stages.ts`) are changes to one API's
 * record made through `change`. Every API is held in memory (the invoke side reads it on each
 * request) and written through to the store; the memory is a cache of it, reloaded when another
 * node changes an API.
 * https://docs.aws.amazon.com/apigateway/latest/api/API_CreateRestApi.html
 */
import { awsError } from "../../errors.js";
import type { Clock } from "../../clock/clock.js";
import type { RestApiStore } from "../../store/rest-api-store.js";
import { aloneBus, CacheSync, type ChangeBus } from "../../store/change-bus.js";
import type { Account } from "../lambda/arns.js";
import { badRequest, EndpointType, newId, notFound, type ResourceRecord, type RestApiRecord } from "./model.js";

export interface CreateRestApiInput {
  name?: unknown;
  description?: unknown;
  version?: unknown;
  binaryMediaTypes?: unknown;
  apiKeySource?: unknown;
  disableExecuteApiEndpoint?: unknown;
  endpointConfiguration?: { types?: unknown; ipAddressType?: unknown };
  tags?: unknown;
}

/** A page of a list: `limit` items after `position` (the last id of the previous page). */
export interface Page {
  limit?: number;
  position?: string;
}

const ENDPOINT_TYPES = Object.values(EndpointType) as string[];
/** A path part: letters, digits, `._-`, or one `{variable}` / greedy `{variable+}`. */
const PATH_PART = /^([a-zA-Z0-9._-]+|\{[a-zA-Z0-9._-]+\+?\})$/;
const isVariable = (part: string | undefined) => part !== undefined && part.startsWith("{");
const isGreedy = (part: string | undefined) => part !== undefined && part.endsWith("+}");

export function paginate<T extends { id: string }>(items: T[], page: Page): { items: T[]; position?: string } {
  const start = page.position ? items.findIndex((i) => i.id === page.position) + 1 : 0;
  const limit = page.limit !== undefined && Number.isInteger(page.limit) ? Math.min(Math.max(page.limit, 1), 500) : 25;
  const slice = items.slice(start, start + limit);
  return { items: slice, ...(start + limit < items.length ? { position: slice.at(-1)!.id } : {}) };
}

export class RestApisService {
  private readonly sync: CacheSync;

  private constructor(
    private readonly account: Account,
    private readonly store: RestApiStore,
    private readonly clock: Clock,
    private readonly apis: Map<string, RestApiRecord>,
    changes: ChangeBus,
  ) {
    this.sync = new CacheSync(changes, "rest-apis", () =>
      this.sync.reread(
        () => this.store.listRestApis(),
        (stored) => {
          this.apis.clear();
          for (const api of stored) this.apis.set(api.id, api);
        },
      ),
    );
  }

  /** `changes`: the cluster's change bus (Store.changes). */
  static async create(account: Account, store: RestApiStore, clock: Clock, changes: ChangeBus = aloneBus()): Promise<RestApisService> {
    const apis = new Map((await store.listRestApis()).map((a) => [a.id, a]));
    return new RestApisService(account, store, clock, apis, changes);
  }

  /** Epoch seconds, API Gateway's timestamps. */
  now(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  /** The API, or AWS's NotFoundException naming it with the account. */
  get(apiId: string): RestApiRecord {
    const api = this.apis.get(apiId);
    if (!api) throw awsError("GatewayNotFound", `Invalid API identifier specified ${this.account.accountId}:${apiId}`);
    return api;
  }

  /** The API as the invoke side reads it: no error, nothing copied. */
  find(apiId: string): RestApiRecord | undefined {
    return this.apis.get(apiId);
  }

  /**
   * Change one API: `fn` works on a copy and throws to change nothing; the copy replaces the API
   * once stored. `missing` is the error for an unknown API (nested resources report their own).
   */
  async change<T>(apiId: string, fn: (api: RestApiRecord) => T, missing?: () => Error): Promise<T> {
    const current = this.apis.get(apiId);
    if (!current) throw missing ? missing() : this.get(apiId);
    const copy = structuredClone(current);
    const out = fn(copy);
    await this.put(copy);
    return out;
  }

  async createRestApi(input: CreateRestApiInput): Promise<RestApiRecord> {
    const { name, endpointConfiguration: ec } = input;
    if (typeof name !== "string" || name.length === 0) {
      throw awsError("ValidationException", "1 validation error detected: Value null at 'createRestApiInput.name' failed to satisfy constraint: Member must not be null");
    }
    const types = Array.isArray(ec?.types) && ec.types.length > 0 ? ec.types : ["EDGE"];
    if (types.length !== 1 || !ENDPOINT_TYPES.includes(types[0] as string)) {
      throw awsError(
        "ValidationException",
        `1 validation error detected: Value '[${types.join(", ")}]' at 'createRestApiInput.endpointConfiguration.types' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [PRIVATE, EDGE, REGIONAL]]`,
      );
    }
    const type = types[0] as EndpointType;
    const ipAddressType = ec?.ipAddressType === "ipv4" || ec?.ipAddressType === "dualstack" ? ec.ipAddressType : type === "PRIVATE" ? "dualstack" : "ipv4";
    const str = (v: unknown) => (typeof v === "string" ? v : undefined);
    let id = newId(10);
    while (this.apis.has(id)) id = newId(10);
    const rootResourceId = newId(10);
    const api: RestApiRecord = {
      id,
      name,
      ...(str(input.description) !== undefined ? { description: str(input.description) } : {}),
      ...(str(input.version) !== undefined ? { version: str(input.version) } : {}),
      createdDate: this.now(),
      endpointTypes: [type],
      ipAddressType,
      ...(Array.isArray(input.binaryMediaTypes) && input.binaryMediaTypes.length > 0 ? { binaryMediaTypes: input.binaryMediaTypes.map(String) } : {}),
      apiKeySource: input.apiKeySource === "AUTHORIZER" ? "AUTHORIZER" : "HEADER",
      disableExecuteApiEndpoint: input.disableExecuteApiEndpoint === true,
      ...(typeof input.tags === "object" && input.tags !== null ? { tags: input.tags as Record<string, string> } : {}),
      rootResourceId,
      resources: { [rootResourceId]: { id: rootResourceId, path: "/", methods: {} } },
      deployments: {},
      stages: {},
    };
    await this.put(api);
    return api;
  }

  listRestApis(page: Page): { items: RestApiRecord[]; position?: string } {
    const all = [...this.apis.values()].sort((a, b) => a.createdDate - b.createdDate || a.id.localeCompare(b.id));
    return paginate(all, page);
  }

  async deleteRestApi(apiId: string): Promise<void> {
    this.get(apiId);
    await this.sync.write(apiId, async () => {
      await this.store.deleteRestApi(apiId);
      this.apis.delete(apiId);
    });
  }

  private put(api: RestApiRecord): Promise<void> {
    return this.sync.write(api.id, async () => {
      await this.store.putRestApi(api);
      this.apis.set(api.id, api);
    });
  }

  /** The API's resources, each parent before its children. */
  getResources(apiId: string, page: Page): { items: ResourceRecord[]; position?: string } {
    const all = Object.values(this.get(apiId).resources).sort((a, b) => a.path.localeCompare(b.path));
    return paginate(all, page);
  }

  getResource(apiId: string, resourceId: string): ResourceRecord {
    const resource = this.apis.get(apiId)?.resources[resourceId];
    if (!resource) throw notFound("Resource");
    return resource;
  }

  createResource(apiId: string, parentId: string, pathPart: unknown): Promise<ResourceRecord> {
    return this.change(
      apiId,
      (api) => {
        const parent = api.resources[parentId];
        if (!parent) throw notFound("Resource");
        if (typeof pathPart !== "string" || !PATH_PART.test(pathPart)) {
          throw badRequest("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.");
        }
        if (isGreedy(parent.pathPart)) throw badRequest(`Cannot create a child of a resource with a greedy path variable: ${parent.pathPart}`);
        const siblings = Object.values(api.resources).filter((r) => r.parentId === parentId);
        if (siblings.some((s) => s.pathPart === pathPart)) throw awsError("ConflictException", `Another resource with the same parent already has this name: ${pathPart}`);
        const variable = siblings.find((s) => isVariable(s.pathPart));
        if (variable && isVariable(pathPart)) throw badRequest(`A sibling (${variable.pathPart}) of this resource already has a variable path part -- only one is allowed`);
        let id = newId(6);
        while (api.resources[id]) id = newId(6);
        const resource: ResourceRecord = { id, parentId, pathPart, path: parent.path === "/" ? `/${pathPart}` : `${parent.path}/${pathPart}`, methods: {} };
        api.resources[id] = resource;
        return resource;
      },
      () => notFound("Resource"),
    );
  }

  /** Delete a resource with everything under it; the root cannot go. */
  deleteResource(apiId: string, resourceId: string): Promise<void> {
    return this.change(
      apiId,
      (api) => {
        if (!api.resources[resourceId]) throw notFound("Resource");
        if (resourceId === api.rootResourceId) throw badRequest("Cannot delete root resource");
        const doomed = new Set([resourceId]);
        for (let grew = true; grew; ) {
          grew = false;
          for (const r of Object.values(api.resources)) {
            if (r.parentId !== undefined && doomed.has(r.parentId) && !doomed.has(r.id)) {
              doomed.add(r.id);
              grew = true;
            }
          }
        }
        for (const id of doomed) delete api.resources[id];
      },
      () => notFound("Resource"),
    );
  }
}
