/**
 * Function URLs, the control plane: Create/Get/Update/Delete/List of a function's (or an alias's)
 * URL config. The configs live in the store and, for the URL trigger (gateway/function-url.ts), in
 * memory by URL id: a request costs a map lookup, never a store round trip.
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html
 * Recorded AWS responses: `lambda-url-config-*`, `lambda-url-update-invokemode` in
 * shared/reference/aws-recorded/iam-urls-logs-recorded.json.
 */
import { randomInt } from "node:crypto";
import { awsError } from "../../errors.js";
import type { FunctionUrlStore } from "../../store/function-url-store.js";
import { aloneBus, CacheSync, type ChangeBus } from "../../store/change-bus.js";
import { type Account, functionArn, parseFunctionRef } from "./arns.js";
import { checkFunctionUrl, checkUrlQualifier, type Cors, type FunctionUrlAuthType, type FunctionUrlInput, InvokeMode } from "./function-url-inputs.js";
import { paginate } from "./pagination.js";
import type { FunctionRegistry } from "./registry.js";

/** A URL config as stored. */
export interface FunctionUrlRecord {
  /** 32 lower-case alphanumerics: the URL's host label. */
  urlId: string;
  functionName: string;
  /** The alias the URL invokes; undefined: the unqualified function (`$LATEST`). */
  qualifier?: string;
  authType: FunctionUrlAuthType;
  cors?: Cors;
  /** Undefined until a request sets it: AWS echoes InvokeMode from Create and Update only once given, Get shows BUFFERED. */
  invokeMode?: InvokeMode;
  /** ISO-8601. */
  creationTime: string;
  lastModifiedTime: string;
}

export interface FunctionUrlDeps {
  registry: FunctionRegistry;
  store: FunctionUrlStore;
  /** The port the server listens on, for `FunctionUrl` (known once it listens; it may have been asked for port 0). */
  port(): number;
  now?: () => number;
  /** The cluster's change bus (Store.changes): URL configs are shared with the other nodes. */
  changes?: ChangeBus;
}

const NOT_FOUND = "The resource you requested does not exist.";
const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
/** ListFunctionUrlConfigs "returns a maximum of 50 items in each response, even if you set the number higher" (the model). */
const LIST_PAGE_MAX = 50;

/** Create's and List's 404 (recorded `test_url_config_exceptions`, `test_url_config_list_paging`). */
const functionDoesNotExist = () => awsError("ResourceNotFoundException", "Function does not exist");

const keyOf = (name: string, qualifier: string | undefined) => `${name}\0${qualifier ?? ""}`;

export class FunctionUrlService {
  private readonly byId = new Map<string, FunctionUrlRecord>();
  private readonly byTarget = new Map<string, FunctionUrlRecord>();
  private readonly now: () => number;
  private readonly sync: CacheSync;

  private constructor(private readonly deps: FunctionUrlDeps) {
    this.now = deps.now ?? Date.now;
    this.sync = new CacheSync(deps.changes ?? aloneBus(), "function-urls", () => this.reload());
  }

  /** Another node changed a URL config: read them all again. */
  private reload(): Promise<void> {
    return this.sync.reread(
      () => this.deps.store.listUrls(),
      (records) => {
        this.byId.clear();
        this.byTarget.clear();
        for (const record of records) this.remember(record);
      },
    );
  }

  static async create(deps: FunctionUrlDeps): Promise<FunctionUrlService> {
    const service = new FunctionUrlService(deps);
    for (const record of await deps.store.listUrls()) service.remember(record);
    return service;
  }

  private get account(): Account {
    return this.deps.registry.account;
  }

  /** The URL config whose id is `urlId` (the trigger's lookup, from memory). */
  find(urlId: string): FunctionUrlRecord | undefined {
    return this.byId.get(urlId);
  }

  /** `http://<url-id>.lambda-url.<region>.localhost:<port>/`: AWS's form, on this server (curl and browsers resolve `*.localhost`). */
  urlOf(record: FunctionUrlRecord): string {
    return `http://${record.urlId}.lambda-url.${this.account.region}.localhost:${this.deps.port()}/`;
  }

  arnOf(record: FunctionUrlRecord): string {
    return functionArn(this.account, record.functionName, record.qualifier);
  }

  private remember(record: FunctionUrlRecord): void {
    this.byId.set(record.urlId, record);
    this.byTarget.set(keyOf(record.functionName, record.qualifier), record);
  }

  private forget(record: FunctionUrlRecord): void {
    this.byId.delete(record.urlId);
    this.byTarget.delete(keyOf(record.functionName, record.qualifier));
  }

  /** The function (and alias) a request names; the qualifier, from the query or the name, must be an alias. */
  private target(functionName: string, qualifier: string | undefined) {
    checkUrlQualifier(qualifier);
    const ref = parseFunctionRef(this.account, functionName, qualifier);
    checkUrlQualifier(ref.qualifier);
    return ref;
  }

  private newId(): string {
    for (;;) {
      let id = "";
      for (let i = 0; i < 32; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
      if (!this.byId.has(id)) return id;
    }
  }

  private view(record: FunctionUrlRecord, members: { lastModified: boolean; invokeMode: "given" | "always" }): Record<string, unknown> {
    const out: Record<string, unknown> = { FunctionUrl: this.urlOf(record), FunctionArn: this.arnOf(record), AuthType: record.authType };
    if (record.cors) out.Cors = record.cors;
    out.CreationTime = record.creationTime;
    if (members.lastModified) out.LastModifiedTime = record.lastModifiedTime;
    if (members.invokeMode === "always" || record.invokeMode) out.InvokeMode = record.invokeMode ?? InvokeMode.BUFFERED;
    return out;
  }

  createFunctionUrlConfig(functionName: string, qualifier: string | undefined, input: FunctionUrlInput): Promise<Record<string, unknown>> {
    const ref = this.target(functionName, qualifier);
    checkFunctionUrl(input, true);
    return this.deps.registry.withLock(ref.name, async () => {
      this.requireFunction(ref.name, ref.qualifier);
      if (this.byTarget.has(keyOf(ref.name, ref.qualifier))) {
        throw awsError("ResourceConflictException", `Failed to create function url config for [functionArn = ${functionArn(this.account, ref.name, ref.qualifier)}]. Error message:  FunctionUrlConfig exists for this Lambda function`);
      }
      const time = new Date(this.now()).toISOString();
      const record: FunctionUrlRecord = {
        urlId: this.newId(),
        functionName: ref.name,
        ...(ref.qualifier !== undefined ? { qualifier: ref.qualifier } : {}),
        authType: input.authType as FunctionUrlAuthType,
        ...(input.cors ? { cors: input.cors } : {}),
        ...(input.invokeMode ? { invokeMode: input.invokeMode as InvokeMode } : {}),
        creationTime: time,
        lastModifiedTime: time,
      };
      await this.sync.write(record.urlId, async () => {
        await this.deps.store.putUrl(record);
        this.remember(record);
      });
      return this.view(record, { lastModified: false, invokeMode: "given" });
    });
  }

  /** Create and Update name a function (and alias) that must exist, with their own 404. */
  private requireFunction(name: string, qualifier: string | undefined): void {
    const fn = this.deps.registry.get(name);
    if (!fn || (qualifier !== undefined && !fn.aliases[qualifier])) throw functionDoesNotExist();
  }

  private require(functionName: string, qualifier: string | undefined): FunctionUrlRecord {
    const ref = this.target(functionName, qualifier);
    const record = this.byTarget.get(keyOf(ref.name, ref.qualifier));
    if (!record) throw awsError("ResourceNotFoundException", NOT_FOUND);
    return record;
  }

  getFunctionUrlConfig(functionName: string, qualifier: string | undefined): Record<string, unknown> {
    return this.view(this.require(functionName, qualifier), { lastModified: true, invokeMode: "always" });
  }

  /** Omitted members keep their values (recorded `lambda-url-update-invokemode`); a given Cors replaces the old one. */
  updateFunctionUrlConfig(functionName: string, qualifier: string | undefined, input: FunctionUrlInput): Promise<Record<string, unknown>> {
    const ref = this.target(functionName, qualifier);
    checkFunctionUrl(input, false);
    return this.deps.registry.withLock(ref.name, async () => {
      this.requireFunction(ref.name, ref.qualifier);
      const current = this.require(functionName, qualifier);
      const record: FunctionUrlRecord = {
        ...current,
        ...(input.authType ? { authType: input.authType as FunctionUrlAuthType } : {}),
        ...(input.cors ? { cors: input.cors } : {}),
        ...(input.invokeMode ? { invokeMode: input.invokeMode as InvokeMode } : {}),
        lastModifiedTime: new Date(this.now()).toISOString(),
      };
      await this.sync.write(record.urlId, async () => {
        await this.deps.store.putUrl(record);
        this.remember(record);
      });
      return this.view(record, { lastModified: true, invokeMode: "given" });
    });
  }

  /** The function's resource policy keeps its URL statements (AWS's docs: delete them yourself). */
  deleteFunctionUrlConfig(functionName: string, qualifier: string | undefined): Promise<void> {
    const ref = this.target(functionName, qualifier);
    return this.deps.registry.withLock(ref.name, async () => {
      const record = this.require(functionName, qualifier);
      await this.sync.write(record.urlId, async () => {
        await this.deps.store.deleteUrl(record.urlId);
        this.forget(record);
      });
    });
  }

  listFunctionUrlConfigs(functionName: string, marker: string | undefined, maxItems: string | undefined): Record<string, unknown> {
    const ref = parseFunctionRef(this.account, functionName);
    this.requireFunction(ref.name, undefined);
    const urls = [...this.byId.values()].filter((r) => r.functionName === ref.name).sort((a, b) => (a.urlId < b.urlId ? -1 : 1));
    const asked = maxItems !== undefined && Number(maxItems) > LIST_PAGE_MAX ? String(LIST_PAGE_MAX) : maxItems;
    const { page, nextMarker } = paginate(urls, (r) => r.urlId, marker, asked, LIST_PAGE_MAX);
    const out: Record<string, unknown> = { FunctionUrlConfigs: page.map((r) => this.view(r, { lastModified: true, invokeMode: "always" })) };
    if (nextMarker) out.NextMarker = nextMarker;
    return out;
  }

  /** A deleted function's URLs go with it. */
  functionDeleted(name: string): Promise<void> {
    return this.sync.write(name, async () => {
      for (const record of [...this.byId.values()]) if (record.functionName === name) this.forget(record);
      await this.deps.store.deleteUrlsOf(name);
    });
  }
}
