/**
 * UpdateTable's request decoded and validated as AWS validates it: the members' constraints, then
 * what must be alone in a request and what cannot go together (table-inputs.ts has the member
 * checks it shares with CreateTable).
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html
 */
import { validation } from "./dynamo-errors.js";
import type { AttributeDefinition, ProvisionedThroughput, StreamViewType } from "./model.js";
import {
  BILLING_MODES,
  capacityBounds,
  Checks,
  index,
  type IndexInput,
  invalid,
  keyOrder,
  type Members,
  namedTable,
  projectionRules,
  type SseSpecification,
  sseRules,
  sseSpecification,
  streamSpecification,
  TABLE_CLASSES,
  TABLE_NAME_PATTERN,
  throughput,
} from "./table-inputs.js";

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
