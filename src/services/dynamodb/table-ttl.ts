/**
 * Time to live as UpdateTimeToLive and DescribeTimeToLive see it: the setting's rules, and each
 * stored item's expiry set (or cleared) when it changes; items written later get theirs from the
 * items service (item-keys.ts `expiresAtOf`), expired ones are deleted by ttl.ts.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html
 */
import type { DynamoStore } from "../../store/dynamodb-store.js";
import { validation } from "./dynamo-errors.js";
import type { TableRecord } from "./model.js";
import { eachPage } from "./table-indexes.js";
import type { Item } from "./types.js";

/** TTL ignores items whose expiry is more than five years in the past. */
const TTL_PAST_LIMIT_S = 5 * 365 * 24 * 3600;

export type TtlSetting = NonNullable<TableRecord["ttl"]>;

/** The setting an UpdateTimeToLive asks for, refused as AWS refuses a change that changes nothing. */
export function ttlChange(t: TableRecord, spec: { Enabled: boolean; AttributeName: string }): TtlSetting {
  if (spec.Enabled && t.ttl?.enabled) throw validation("TimeToLive is already enabled");
  if (!spec.Enabled && !t.ttl?.enabled) throw validation("TimeToLive is already disabled");
  if (!spec.Enabled && t.ttl && t.ttl.attributeName !== spec.AttributeName) throw validation("TimeToLive is active on a different AttributeName: current AttributeName is " + t.ttl.attributeName);
  return { attributeName: spec.AttributeName, enabled: spec.Enabled };
}

export function ttlDescription(t: TableRecord) {
  if (t.status === "CREATING" || t.status === "DELETING") throw validation(`Cannot describe time to live while table is in ${t.status} state: Current table state is ${t.status}`);
  const ttl = t.ttl;
  return { TimeToLiveDescription: ttl?.enabled ? { TimeToLiveStatus: "ENABLED", AttributeName: ttl.attributeName } : { TimeToLiveStatus: "DISABLED" } };
}

/**
 * Every item's expiry by the TTL setting now (items written from now on get theirs from items.ts);
 * a page is left alone once `current` says the setting changed again.
 */
export async function backfillTtl(store: DynamoStore, t: TableRecord, ttl: TtlSetting, nowMs: number, current: () => TableRecord | undefined): Promise<void> {
  const floor = Math.floor(nowMs / 1000) - TTL_PAST_LIMIT_S;
  await eachPage(store, t, async (items) => {
    const changes = items.map(({ key, item }) => ({ key, expiresAt: ttl.enabled ? expiryOf(item, ttl.attributeName, floor) : undefined }));
    const now = current();
    if (now?.ttl?.enabled !== ttl.enabled || now.ttl.attributeName !== ttl.attributeName) return;
    await store.setExpiresAt(t.id, changes);
  });
}

/** An item's TTL expiry (epoch seconds) from its attribute: a number, not more than five years past. */
export function expiryOf(item: Item, attributeName: string, floorSeconds: number): number | undefined {
  const v = item[attributeName];
  if (!v || !("N" in v)) return undefined;
  const at = Number(v.N);
  if (!Number.isFinite(at) || at < floorSeconds) return undefined;
  return Math.floor(at);
}
