/**
 * DynamoDB control-plane requests decoded from their JSON members into typed inputs, validated as
 * AWS validates them: first the members' types (a wrong JSON type cannot be read at all:
 * SerializationException), then every member constraint, collected (up to ten) into one
 * "N validation errors detected: Value … at '…' failed to satisfy constraint: …", then the rules
 * between members ("One or more parameter values were invalid: …"), in the order dynalite recorded
 * them against AWS.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
 */
import { dynamoError, validation } from "./dynamo-errors.js";
import type { AttributeDefinition, KeySchemaElement, Projection, ProvisionedThroughput, StreamViewType } from "./model.js";

type Members = Record<string, unknown>;

export const TABLE_NAME_PATTERN = "[a-zA-Z0-9_.-]+";
export const STREAM_VIEW_TYPES = ["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"] as const;
export const BILLING_MODES = ["PROVISIONED", "PAY_PER_REQUEST"] as const;
export const TABLE_CLASSES = ["STANDARD", "STANDARD_INFREQUENT_ACCESS"] as const;
const MAX_CAPACITY = 1_000_000_000_000;

const lowerFirst = (s: string) => s[0]!.toLowerCase() + s.slice(1);
const serialization = (message: string) => dynamoError("SerializationException", message);

/** How AWS's Java service shows a value in a constraint message. */
function shown(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return `[${v.map(shown).join(", ")}]`;
  if (typeof v === "object") return `{${Object.entries(v as Members).map(([k, x]) => `${k}=${shown(x)}`).join(", ")}}`;
  return String(v);
}

/** One structure's members, with their place in the request (`globalSecondaryIndexes.1.member.`). */
export class Checks {
  constructor(
    private readonly m: Members,
    private readonly path: string,
    private readonly errors: string[],
  ) {}

  static root(m: Members): Checks {
    return new Checks(m, "", []);
  }

  /** The checks of a nested structure, sharing this one's errors. */
  nested(m: Members, path: string): Checks {
    return new Checks(m, `${this.path}${path}.`, this.errors);
  }

  fail(name: string, value: unknown, constraint: string): void {
    if (this.errors.length < 10) this.errors.push(`Value ${value === undefined || value === null ? "null" : `'${shown(value)}'`} at '${this.path}${lowerFirst(name)}' failed to satisfy constraint: ${constraint}`);
  }

  private present(name: string, required: boolean | undefined): boolean {
    const v = this.m[name];
    if (v !== undefined && v !== null) return true;
    if (required) this.fail(name, undefined, "Member must not be null");
    return false;
  }

  private lengths(name: string, value: unknown, length: number, b: { min?: number; max?: number }): void {
    if (b.min !== undefined && length < b.min) this.fail(name, value, `Member must have length greater than or equal to ${b.min}`);
    if (b.max !== undefined && length > b.max) this.fail(name, value, `Member must have length less than or equal to ${b.max}`);
  }

  string(name: string, b: { required?: boolean; min?: number; max?: number; pattern?: string; oneOf?: readonly string[] } = {}): string | undefined {
    if (!this.present(name, b.required)) return undefined;
    const v = this.m[name];
    if (typeof v !== "string") throw serialization(typeof v === "object" ? "Start of structure or map found where not expected." : `NUMBER_VALUE cannot be converted to String`);
    if (b.pattern !== undefined && !new RegExp(`^(?:${b.pattern})$`).test(v)) this.fail(name, v, `Member must satisfy regular expression pattern: ${b.pattern}`);
    this.lengths(name, v, v.length, b);
    if (b.oneOf && !b.oneOf.includes(v)) this.fail(name, v, `Member must satisfy enum value set: [${b.oneOf.join(", ")}]`);
    return v;
  }

  int(name: string, b: { required?: boolean; min?: number; max?: number } = {}): number | undefined {
    if (!this.present(name, b.required)) return undefined;
    const v = this.m[name];
    if (typeof v !== "number" || !Number.isInteger(v)) throw serialization(typeof v === "string" ? "STRING_VALUE can not be converted to a Long" : "Unexpected value type in payload");
    if (b.min !== undefined && v < b.min) this.fail(name, v, `Member must have value greater than or equal to ${b.min}`);
    if (b.max !== undefined && v > b.max) this.fail(name, v, `Member must have value less than or equal to ${b.max}`);
    return v;
  }

  bool(name: string, b: { required?: boolean } = {}): boolean | undefined {
    if (!this.present(name, b.required)) return undefined;
    const v = this.m[name];
    if (typeof v !== "boolean") throw serialization("Unexpected value type in payload");
    return v;
  }

  list(name: string, b: { required?: boolean; min?: number; max?: number } = {}): unknown[] | undefined {
    if (!this.present(name, b.required)) return undefined;
    const v = this.m[name];
    if (!Array.isArray(v)) throw serialization(typeof v === "object" ? "Start of structure or map found where not expected." : "Unexpected value type in payload");
    this.lengths(name, v, v.length, b);
    return v;
  }

  struct(name: string, b: { required?: boolean } = {}): Members | undefined {
    if (!this.present(name, b.required)) return undefined;
    const v = this.m[name];
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw serialization(Array.isArray(v) ? "Start of list found where not expected" : "Unexpected field type");
    return v as Members;
  }

  /** The structures of a list, each checked by `each` at `<list>.<n>.member`. */
  structs<T>(name: string, b: { required?: boolean; min?: number; max?: number }, each: (c: Checks) => T): T[] | undefined {
    const list = this.list(name, b);
    if (!list) return undefined;
    return list.map((entry, i) => {
      if (typeof entry !== "object" || entry === null || Array.isArray(entry)) throw serialization("Unexpected value type in payload");
      return each(this.nested(entry as Members, `${lowerFirst(name)}.${i + 1}.member`));
    });
  }

  /** Throw the collected ValidationException, if any. */
  done(): void {
    const n = this.errors.length;
    if (n > 0) throw validation(`${n} validation error${n > 1 ? "s" : ""} detected: ${this.errors.join("; ")}`);
  }
}

/** TableName: a missing one and a wrong length are told before anything else. */
function tableName(m: Members, member = "TableName"): string {
  const v = m[member];
  if (v === undefined || v === null) throw validation(`The parameter '${member}' is required but was not present in the request`);
  if (typeof v !== "string") throw serialization("Unexpected value type in payload");
  // An ARN names a table too (AWS accepts one since 2023); its name part is what is measured.
  const name = v.startsWith("arn:") ? (v.split("/")[1] ?? "") : v;
  if (name.length < 3 || name.length > 255) throw validation(`${member} must be at least 3 characters long and at most 255 characters long`);
  return v;
}

/** TableName checked with the rest (the pattern; its presence and length first). */
function namedTable(m: Members, c: Checks): string {
  const name = tableName(m);
  if (!name.startsWith("arn:")) c.string("TableName", { pattern: TABLE_NAME_PATTERN });
  return name;
}

const keySchema = (c: Checks, name = "KeySchema", keyTypeChecked = true) =>
  c.structs(name, { required: true, min: 1, max: 2 }, (k) => ({
    AttributeName: k.string("AttributeName", { required: true, min: 1, max: 255 })!,
    KeyType: k.string("KeyType", { required: true, ...(keyTypeChecked ? { oneOf: ["HASH", "RANGE"] } : {}) }) as "HASH" | "RANGE",
  })) as KeySchemaElement[] | undefined;

function throughput(c: Checks, name = "ProvisionedThroughput"): ProvisionedThroughput | undefined {
  const s = c.struct(name);
  if (!s) return undefined;
  const t = c.nested(s, lowerFirst(name));
  // AWS reports the write capacity's violations first.
  const WriteCapacityUnits = t.int("WriteCapacityUnits", { required: true, min: 1 })!;
  return { ReadCapacityUnits: t.int("ReadCapacityUnits", { required: true, min: 1 })!, WriteCapacityUnits };
}

function projection(c: Checks): Projection | undefined {
  const s = c.struct("Projection", { required: true });
  if (!s) return undefined;
  const p = c.nested(s, "projection");
  const ProjectionType = p.string("ProjectionType", { oneOf: ["ALL", "INCLUDE", "KEYS_ONLY"] }) as Projection["ProjectionType"] | undefined;
  const list = p.list("NonKeyAttributes", { min: 1, max: 20 });
  if (list?.some((n) => typeof n !== "string")) throw serialization("Unexpected value type in payload");
  return { ProjectionType: ProjectionType!, ...(list ? { NonKeyAttributes: list as string[] } : {}) };
}

export interface IndexInput {
  IndexName: string;
  KeySchema: KeySchemaElement[];
  Projection: Projection;
  ProvisionedThroughput?: ProvisionedThroughput;
}

const index = (global: boolean) => (c: Checks): IndexInput => ({
  IndexName: c.string("IndexName", { required: true, min: 3, max: 255, pattern: TABLE_NAME_PATTERN })!,
  KeySchema: keySchema(c, "KeySchema", false)!,
  Projection: projection(c)!,
  ...(global ? { ProvisionedThroughput: throughput(c) } : {}),
});

function streamSpecification(c: Checks): { StreamEnabled: boolean; StreamViewType?: StreamViewType } | undefined {
  const s = c.struct("StreamSpecification");
  if (!s) return undefined;
  const t = c.nested(s, "streamSpecification");
  return { StreamEnabled: t.bool("StreamEnabled", { required: true })!, StreamViewType: t.string("StreamViewType", { oneOf: STREAM_VIEW_TYPES }) as StreamViewType | undefined };
}

export interface SseSpecification {
  Enabled?: boolean;
  SSEType?: "AES256" | "KMS";
  KMSMasterKeyId?: string;
}

function sseSpecification(c: Checks): SseSpecification | undefined {
  const s = c.struct("SSESpecification");
  if (!s) return undefined;
  const t = c.nested(s, "sSESpecification");
  const Enabled = t.bool("Enabled");
  const SSEType = t.string("SSEType", { oneOf: ["AES256", "KMS"] }) as SseSpecification["SSEType"];
  const KMSMasterKeyId = t.string("KMSMasterKeyId");
  return { ...(Enabled !== undefined ? { Enabled } : {}), ...(SSEType ? { SSEType } : {}), ...(KMSMasterKeyId !== undefined ? { KMSMasterKeyId } : {}) };
}

export interface Tag {
  Key: string;
  Value: string;
}

const tags = (c: Checks, required = false) =>
  c.structs("Tags", { required, min: required ? 1 : undefined, max: 200 }, (t) => ({ Key: t.string("Key", { required: true, min: 1, max: 128 })!, Value: t.string("Value", { required: true, min: 0, max: 256 })! })) as Tag[] | undefined;

export interface CreateTableInput {
  TableName: string;
  KeySchema: KeySchemaElement[];
  AttributeDefinitions: AttributeDefinition[];
  BillingMode: "PROVISIONED" | "PAY_PER_REQUEST";
  ProvisionedThroughput?: ProvisionedThroughput;
  LocalSecondaryIndexes?: IndexInput[];
  GlobalSecondaryIndexes?: IndexInput[];
  StreamSpecification?: { StreamEnabled: boolean; StreamViewType?: StreamViewType };
  Tags?: Tag[];
  DeletionProtectionEnabled?: boolean;
  TableClass?: "STANDARD" | "STANDARD_INFREQUENT_ACCESS";
  SSESpecification?: SseSpecification;
}

const capacityBounds = (t: ProvisionedThroughput | undefined) => {
  if (!t) return;
  if (t.ReadCapacityUnits > MAX_CAPACITY) throw validation(`Given value ${t.ReadCapacityUnits} for ReadCapacityUnits is out of bounds`);
  if (t.WriteCapacityUnits > MAX_CAPACITY) throw validation(`Given value ${t.WriteCapacityUnits} for WriteCapacityUnits is out of bounds`);
};

const invalid = (what: string) => validation(`One or more parameter values were invalid: ${what}`);

/** An index's or the table's key schema: HASH first, RANGE second, two different attributes. */
function keyOrder(keys: KeySchemaElement[]): void {
  if (keys[1] && keys[0]!.AttributeName === keys[1].AttributeName) throw validation("Both the Hash Key and the Range Key element in the KeySchema have the same name");
  if (keys[0]!.KeyType !== "HASH") throw validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  if (keys[1] && keys[1].KeyType !== "RANGE") throw validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
}

function definedKeys(keys: KeySchemaElement[], defined: string[]): void {
  const names = keys.map((k) => k.AttributeName);
  if (names.some((n) => !defined.includes(n))) {
    throw invalid(`Some index key attributes are not defined in AttributeDefinitions. Keys: [${names.join(", ")}], AttributeDefinitions: [${defined.join(", ")}]`);
  }
}

/** An index's projection: its type given, NonKeyAttributes only with INCLUDE. */
function projectionRules(p: Projection): void {
  if (p.ProjectionType === undefined) throw invalid("Unknown ProjectionType: null");
  if (p.NonKeyAttributes && p.ProjectionType !== "INCLUDE") throw invalid(`ProjectionType is ${p.ProjectionType}, but NonKeyAttributes is specified`);
  if (!p.NonKeyAttributes && p.ProjectionType === "INCLUDE") throw invalid("ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
  const seen = new Set<string>();
  for (const name of p.NonKeyAttributes ?? []) {
    if (seen.has(name)) throw invalid(`Duplicate element in NonKeyAttributes: ${name}`);
    seen.add(name);
  }
}

export function decodeCreateTable(m: Members): CreateTableInput {
  const c = Checks.root(m);
  const TableName = namedTable(m, c);
  const AttributeDefinitions = c.structs("AttributeDefinitions", { required: true }, (a) => ({
    AttributeName: a.string("AttributeName", { required: true, min: 1, max: 255 })!,
    AttributeType: a.string("AttributeType", { required: true, oneOf: ["B", "N", "S"] }) as "S" | "N" | "B",
  }));
  const BillingMode = c.string("BillingMode", { oneOf: BILLING_MODES }) as CreateTableInput["BillingMode"] | undefined;
  const ProvisionedThroughput = throughput(c);
  const KeySchema = keySchema(c);
  const LocalSecondaryIndexes = c.structs("LocalSecondaryIndexes", {}, index(false));
  const GlobalSecondaryIndexes = c.structs("GlobalSecondaryIndexes", {}, index(true));
  const StreamSpecification = streamSpecification(c);
  const Tags = tags(c);
  const DeletionProtectionEnabled = c.bool("DeletionProtectionEnabled");
  const TableClass = c.string("TableClass", { oneOf: TABLE_CLASSES }) as CreateTableInput["TableClass"];
  const SSESpecification = sseSpecification(c);
  c.done();

  const defs = AttributeDefinitions!;
  const keys = KeySchema!;
  if (BillingMode === "PAY_PER_REQUEST") {
    if (ProvisionedThroughput) throw invalid("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
  } else {
    if (!ProvisionedThroughput) throw invalid("ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
    capacityBounds(ProvisionedThroughput);
  }
  const defined = defs.map((d) => d.AttributeName);
  if (keys.length > defined.length) throw validation("Invalid KeySchema: Some index key attribute have no definition");
  definedKeys(keys, defined);
  keyOrder(keys);
  const names = new Set<string>();
  const used = new Set(keys.map((k) => k.AttributeName));
  if (LocalSecondaryIndexes) {
    if (LocalSecondaryIndexes.length === 0) throw invalid("List of LocalSecondaryIndexes is empty");
    if (keys.length !== 2) throw invalid("Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex");
    for (const ix of LocalSecondaryIndexes) {
      definedKeys(ix.KeySchema, defined);
      keyOrder(ix.KeySchema);
      if (ix.KeySchema.length !== 2) throw invalid(`Index KeySchema does not have a range key for index: ${ix.IndexName}`);
      const hash = ix.KeySchema[0]!.AttributeName;
      if (hash !== keys[0]!.AttributeName) {
        throw invalid(`Index KeySchema does not have the same leading hash key as table KeySchema for index: ${ix.IndexName}. index hash key: ${hash}, table hash key: ${keys[0]!.AttributeName}`);
      }
      projectionRules(ix.Projection);
      if (names.has(ix.IndexName)) throw invalid(`Duplicate index name: ${ix.IndexName}`);
      names.add(ix.IndexName);
      for (const k of ix.KeySchema) used.add(k.AttributeName);
    }
    if (LocalSecondaryIndexes.length > 5) throw invalid("Number of LocalSecondaryIndexes exceeds per-table limit of 5");
  }
  if (GlobalSecondaryIndexes) {
    if (GlobalSecondaryIndexes.length === 0) throw invalid("List of GlobalSecondaryIndexes is empty");
    for (const ix of GlobalSecondaryIndexes) {
      definedKeys(ix.KeySchema, defined);
      keyOrder(ix.KeySchema);
      projectionRules(ix.Projection);
      if (BillingMode === "PAY_PER_REQUEST" && ix.ProvisionedThroughput) throw invalid(`ProvisionedThroughput should not be specified for index: ${ix.IndexName} when BillingMode is PAY_PER_REQUEST`);
      if (BillingMode !== "PAY_PER_REQUEST" && !ix.ProvisionedThroughput) throw invalid(`ProvisionedThroughput is not specified for index: ${ix.IndexName}`);
      capacityBounds(ix.ProvisionedThroughput);
      if (names.has(ix.IndexName)) throw invalid(`Duplicate index name: ${ix.IndexName}`);
      names.add(ix.IndexName);
      for (const k of ix.KeySchema) used.add(k.AttributeName);
    }
    if (GlobalSecondaryIndexes.length > 20) throw invalid("GlobalSecondaryIndex count exceeds the per-table limit of 20");
  }
  const seen = new Set<string>();
  for (const d of defs) {
    if (seen.has(d.AttributeName)) throw validation(`Attribute Name is duplicated: ${d.AttributeName}`);
    seen.add(d.AttributeName);
  }
  if (!LocalSecondaryIndexes && !GlobalSecondaryIndexes && keys.length !== defs.length) {
    throw invalid("Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
  }
  if (defs.some((d) => !used.has(d.AttributeName))) {
    throw invalid("Some AttributeDefinitions are not used. AttributeDefinitions: [" + defined.join(", ") + "], keys used: [" + [...used].join(", ") + "]");
  }
  if (StreamSpecification?.StreamEnabled && !StreamSpecification.StreamViewType) throw invalid("Table is being created with a stream enabled, UpdateViewType is required");
  if (StreamSpecification && !StreamSpecification.StreamEnabled && StreamSpecification.StreamViewType) throw invalid("Table is being created with a stream disabled, UpdateViewType should not be specified");
  if (SSESpecification) sseRules(SSESpecification);
  return {
    TableName,
    KeySchema: keys,
    AttributeDefinitions: defs,
    BillingMode: BillingMode ?? "PROVISIONED",
    ...(ProvisionedThroughput ? { ProvisionedThroughput } : {}),
    ...(LocalSecondaryIndexes ? { LocalSecondaryIndexes } : {}),
    ...(GlobalSecondaryIndexes ? { GlobalSecondaryIndexes } : {}),
    ...(StreamSpecification ? { StreamSpecification } : {}),
    ...(Tags ? { Tags } : {}),
    ...(DeletionProtectionEnabled !== undefined ? { DeletionProtectionEnabled } : {}),
    ...(TableClass ? { TableClass } : {}),
    ...(SSESpecification ? { SSESpecification } : {}),
  };
}

/** An SSESpecification: a key and its type only when enabling, and only KMS. */
function sseRules(s: SseSpecification): void {
  if (s.Enabled === false && s.SSEType) throw invalid("SSEType can not be specified if Enabled is false");
  if (s.Enabled === false && s.KMSMasterKeyId !== undefined) throw invalid("KMSMasterKeyId can not be specified if Enabled is false");
  if (s.SSEType === "AES256") throw invalid("SSEType AES256 is not supported");
  if (s.KMSMasterKeyId !== undefined && s.SSEType !== "KMS") throw invalid("SSEType KMS is required if KMSMasterKeyId is specified");
}

export const decodeTableRef = (m: Members): { TableName: string } => {
  const c = Checks.root(m);
  const TableName = namedTable(m, c);
  c.done();
  return { TableName };
};

export function decodeListTables(m: Members): { ExclusiveStartTableName?: string; Limit?: number } {
  const c = Checks.root(m);
  const ExclusiveStartTableName = c.string("ExclusiveStartTableName", { min: 3, max: 255, pattern: TABLE_NAME_PATTERN });
  const Limit = c.int("Limit", { min: 1, max: 100 });
  c.done();
  return { ExclusiveStartTableName, Limit };
}

export type GsiUpdate =
  | { Create: IndexInput }
  | { Delete: { IndexName: string } }
  | { Update: { IndexName: string; ProvisionedThroughput: ProvisionedThroughput } };

export interface UpdateTableInput {
  TableName: string;
  AttributeDefinitions?: AttributeDefinition[];
  BillingMode?: "PROVISIONED" | "PAY_PER_REQUEST";
  ProvisionedThroughput?: ProvisionedThroughput;
  GlobalSecondaryIndexUpdates?: GsiUpdate[];
  StreamSpecification?: { StreamEnabled: boolean; StreamViewType?: StreamViewType };
  DeletionProtectionEnabled?: boolean;
  TableClass?: "STANDARD" | "STANDARD_INFREQUENT_ACCESS";
  SSESpecification?: SseSpecification;
}

export function decodeUpdateTable(m: Members): UpdateTableInput {
  const c = Checks.root(m);
  const TableName = namedTable(m, c);
  const AttributeDefinitions = c.structs("AttributeDefinitions", {}, (a) => ({
    AttributeName: a.string("AttributeName", { required: true, min: 1, max: 255 })!,
    AttributeType: a.string("AttributeType", { required: true, oneOf: ["B", "N", "S"] }) as "S" | "N" | "B",
  }));
  const BillingMode = c.string("BillingMode", { oneOf: BILLING_MODES }) as UpdateTableInput["BillingMode"];
  const ProvisionedThroughput = throughput(c);
  const GlobalSecondaryIndexUpdates = c.structs("GlobalSecondaryIndexUpdates", {}, (u): GsiUpdate | undefined => {
    const create = u.struct("Create");
    const del = u.struct("Delete");
    const upd = u.struct("Update");
    if (create) return { Create: index(true)(u.nested(create, "create")) };
    if (del) return { Delete: { IndexName: u.nested(del, "delete").string("IndexName", { required: true, min: 3, max: 255, pattern: TABLE_NAME_PATTERN })! } };
    if (upd) {
      const n = u.nested(upd, "update");
      return { Update: { IndexName: n.string("IndexName", { required: true, min: 3, max: 255, pattern: TABLE_NAME_PATTERN })!, ProvisionedThroughput: throughput(n)! } };
    }
    return undefined;
  });
  const StreamSpecification = streamSpecification(c);
  const DeletionProtectionEnabled = c.bool("DeletionProtectionEnabled");
  const TableClass = c.string("TableClass", { oneOf: TABLE_CLASSES }) as UpdateTableInput["TableClass"];
  const SSESpecification = sseSpecification(c);
  c.done();

  if (!ProvisionedThroughput && !BillingMode && !StreamSpecification && !GlobalSecondaryIndexUpdates?.length && DeletionProtectionEnabled === undefined && !TableClass && !SSESpecification && !m.ReplicaUpdates) {
    throw validation(
      "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required",
    );
  }
  if (BillingMode === "PROVISIONED" && !ProvisionedThroughput) throw invalid("ProvisionedThroughput must be specified when BillingMode is PROVISIONED");
  capacityBounds(ProvisionedThroughput);
  if (GlobalSecondaryIndexUpdates) {
    const names = new Set<string>();
    for (const u of GlobalSecondaryIndexUpdates) {
      if (!u) throw invalid("One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null");
      const name = "Create" in u ? u.Create.IndexName : "Delete" in u ? u.Delete.IndexName : u.Update.IndexName;
      if (names.has(name)) throw invalid(`Only one global secondary index update per index is allowed simultaneously. Index: ${name}`);
      names.add(name);
      if ("Create" in u) {
        keyOrder(u.Create.KeySchema);
        projectionRules(u.Create.Projection);
      }
    }
  }
  // What must be alone in its request, and what cannot go together.
  const others = [ProvisionedThroughput || BillingMode, GlobalSecondaryIndexUpdates?.length, StreamSpecification, DeletionProtectionEnabled !== undefined, TableClass, SSESpecification].filter(Boolean).length;
  if (SSESpecification && others > 1) throw invalid("Server-Side Encryption modification must be the only operation in the request");
  if (TableClass && others > 1) throw invalid("TableClass modification must be the only operation in the request");
  if (DeletionProtectionEnabled !== undefined && others > 1) throw invalid("DeletionProtection modification must be the only operation in the request");
  const indexChanges = (GlobalSecondaryIndexUpdates ?? []).some((u) => u && ("Create" in u || "Delete" in u));
  if (StreamSpecification && ProvisionedThroughput) throw invalid("You cannot modify stream status while updating table IOPS");
  if (indexChanges && ProvisionedThroughput) throw invalid("You cannot create or delete index while updating table IOPS");
  if (indexChanges && StreamSpecification) throw invalid("You cannot create or delete index while changing stream status");
  if (StreamSpecification?.StreamEnabled && !StreamSpecification.StreamViewType) throw invalid("If stream is being enabled then UpdateViewType is required");
  if (StreamSpecification && !StreamSpecification.StreamEnabled && StreamSpecification.StreamViewType) throw invalid("If stream is being disabled, then UpdateViewType must not be specified");
  if (SSESpecification) sseRules(SSESpecification);
  return {
    TableName,
    ...(AttributeDefinitions ? { AttributeDefinitions } : {}),
    ...(BillingMode ? { BillingMode } : {}),
    ...(ProvisionedThroughput ? { ProvisionedThroughput } : {}),
    ...(GlobalSecondaryIndexUpdates ? { GlobalSecondaryIndexUpdates: GlobalSecondaryIndexUpdates as GsiUpdate[] } : {}),
    ...(StreamSpecification ? { StreamSpecification } : {}),
    ...(DeletionProtectionEnabled !== undefined ? { DeletionProtectionEnabled } : {}),
    ...(TableClass ? { TableClass } : {}),
    ...(SSESpecification ? { SSESpecification } : {}),
  };
}

export function decodeUpdateTimeToLive(m: Members): { TableName: string; TimeToLiveSpecification: { Enabled: boolean; AttributeName: string } } {
  const c = Checks.root(m);
  const TableName = namedTable(m, c);
  const s = c.struct("TimeToLiveSpecification", { required: true });
  let spec: { Enabled: boolean; AttributeName: string } | undefined;
  if (s) {
    const t = c.nested(s, "timeToLiveSpecification");
    spec = { Enabled: t.bool("Enabled", { required: true })!, AttributeName: t.string("AttributeName", { required: true, min: 1, max: 255 })! };
  }
  c.done();
  return { TableName, TimeToLiveSpecification: spec! };
}

const RESOURCE_ARN = { required: true, min: 1, max: 1283 };

export function decodeTagResource(m: Members): { ResourceArn: string; Tags: Tag[] } {
  const c = Checks.root(m);
  const ResourceArn = c.string("ResourceArn", RESOURCE_ARN);
  const Tags = tags(c, true);
  c.done();
  return { ResourceArn: ResourceArn!, Tags: Tags! };
}

export function decodeUntagResource(m: Members): { ResourceArn: string; TagKeys: string[] } {
  const c = Checks.root(m);
  const ResourceArn = c.string("ResourceArn", RESOURCE_ARN);
  const keys = c.list("TagKeys", { required: true, min: 0, max: 200 });
  if (keys?.some((k) => typeof k !== "string")) throw serialization("Unexpected value type in payload");
  c.done();
  return { ResourceArn: ResourceArn!, TagKeys: keys as string[] };
}

export function decodeListTags(m: Members): { ResourceArn: string; NextToken?: string } {
  const c = Checks.root(m);
  const ResourceArn = c.string("ResourceArn", RESOURCE_ARN);
  const NextToken = c.string("NextToken");
  c.done();
  return { ResourceArn: ResourceArn!, ...(NextToken !== undefined ? { NextToken } : {}) };
}

export function decodeUpdateContinuousBackups(m: Members): { TableName: string; PointInTimeRecoveryEnabled: boolean; RecoveryPeriodInDays?: number } {
  const c = Checks.root(m);
  const TableName = namedTable(m, c);
  const spec = c.struct("PointInTimeRecoverySpecification", { required: true });
  let enabled = false;
  let days: number | undefined;
  if (spec) {
    const p = c.nested(spec, "pointInTimeRecoverySpecification");
    enabled = p.bool("PointInTimeRecoveryEnabled", { required: true }) ?? false;
    days = p.int("RecoveryPeriodInDays", { min: 1, max: 35 });
  }
  c.done();
  if (!enabled && days !== undefined) throw validation("Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery.");
  return { TableName, PointInTimeRecoveryEnabled: enabled, ...(days !== undefined ? { RecoveryPeriodInDays: days } : {}) };
}
