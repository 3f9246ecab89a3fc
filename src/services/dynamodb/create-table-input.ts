/**
 * CreateTable's request decoded and validated as AWS validates it: the members' constraints
 * collected first, then the rules between them (keys defined, indexes, billing, streams), in the
 * order dynalite recorded them against AWS (table-inputs.ts has the member checks they share).
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
 */
import { validation } from "./dynamo-errors.js";
import type { AttributeDefinition, KeySchemaElement, ProvisionedThroughput, StreamViewType } from "./model.js";
import {
  BILLING_MODES,
  capacityBounds,
  Checks,
  definedKeys,
  index,
  type IndexInput,
  invalid,
  keyOrder,
  keySchema,
  type Members,
  namedTable,
  projectionRules,
  type SseSpecification,
  sseRules,
  sseSpecification,
  streamSpecification,
  TABLE_CLASSES,
  type Tag,
  tags,
  throughput,
} from "./table-inputs.js";

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
