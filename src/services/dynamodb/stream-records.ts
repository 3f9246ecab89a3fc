/**
 * The stream record of one item change, shaped by the table's current stream view type: INSERT,
 * MODIFY or REMOVE with the key and the images the view type asks for. None when the table has no
 * enabled stream, or when the write left the item as it was (DynamoDB records only real changes).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_StreamRecord.html
 */
import { randomBytes } from "node:crypto";
import type { NewStreamRecord } from "../../store/dynamodb-store.js";
import type { StoredStreamBody, TableRecord, TableStream } from "./model.js";
import type { Item } from "./types.js";
import { itemSize, keyText } from "./values.js";
import { keyItem, keysOf } from "./item-keys.js";

export interface ItemChange {
  before: Item | undefined;
  after: Item | undefined;
  /** A TTL deletion: the record names the DynamoDB service as who made it. */
  byService?: boolean;
}

const SERVICE = { type: "Service", principalId: "dynamodb.amazonaws.com" } as const;

/** The table's enabled stream, if it has one. */
export function currentStream(table: TableRecord): TableStream | undefined {
  const last = table.streams[table.streams.length - 1];
  return last && last.disabledAt === undefined ? last : undefined;
}

/** Random 32 hex digits, as AWS's eventIDs are (drawn from a pool: randomBytes per record is slow). */
let pool = Buffer.alloc(0);
let poolAt = 0;
function eventId(): string {
  if (poolAt + 16 > pool.length) {
    pool = randomBytes(16 * 256);
    poolAt = 0;
  }
  poolAt += 16;
  return pool.toString("hex", poolAt - 16, poolAt);
}

/** The record to append with the change (`now` epoch ms), or undefined when none is due. */
export function streamRecord(table: TableRecord, change: ItemChange, now: number): NewStreamRecord | undefined {
  const stream = currentStream(table);
  if (!stream) return undefined;
  const { before, after } = change;
  const some = after ?? before;
  if (!some) return undefined;
  const keys = keysOf(table);
  const Keys = keyItem(keys, some);
  const view = stream.viewType;
  const dynamodb: StoredStreamBody["dynamodb"] = { ApproximateCreationDateTime: Math.floor(now / 1000), Keys, SizeBytes: 0, StreamViewType: view };
  let size = itemSize(Keys);
  if (after && (view === "NEW_IMAGE" || view === "NEW_AND_OLD_IMAGES")) {
    dynamodb.NewImage = after;
    size += itemSize(after);
  }
  if (before && (view === "OLD_IMAGE" || view === "NEW_AND_OLD_IMAGES")) {
    dynamodb.OldImage = before;
    size += itemSize(before);
  }
  dynamodb.SizeBytes = size;
  const body: StoredStreamBody = { eventID: eventId(), eventName: !before ? "INSERT" : !after ? "REMOVE" : "MODIFY", dynamodb };
  if (change.byService) body.userIdentity = SERVICE;
  // userIdentity sits before dynamodb in AWS's records; order the members as AWS does.
  const ordered = change.byService ? { eventID: body.eventID, eventName: body.eventName, userIdentity: SERVICE, dynamodb } : body;
  return { stream: stream.arn, at: now, partitionKey: keyText(Keys[keys.hash.name]!), record: JSON.stringify(ordered) };
}
