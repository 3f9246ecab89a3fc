/**
 * IAM's pagination: `MaxItems` (1–1000, default 100) and an opaque `Marker` naming where the next
 * page starts, so that a list changed between pages neither repeats nor skips what stayed.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListRoles.html
 */
import { awsError } from "../../errors.js";
import { checkRange } from "./validation.js";

export interface PageRequest {
  Marker?: string;
  MaxItems?: number;
}

export interface Page<T> {
  items: T[];
  IsTruncated: boolean;
  Marker?: string;
}

/** One page of `items`, which are sorted by `key`. */
export function page<T>(items: readonly T[], key: (item: T) => string, req: PageRequest): Page<T> {
  const max = checkRange(req.MaxItems, "maxItems", 1, 1000) ?? 100;
  let start = 0;
  if (req.Marker !== undefined) {
    const after = Buffer.from(req.Marker, "base64url").toString();
    if (req.Marker === "" || !after) throw awsError("ValidationException", "Invalid Marker.");
    start = items.findIndex((item) => key(item) >= after);
    if (start < 0) start = items.length;
  }
  const slice = items.slice(start, start + max);
  const next = items[start + max];
  return next === undefined ? { items: slice, IsTruncated: false } : { items: slice, IsTruncated: true, Marker: Buffer.from(key(next)).toString("base64url") };
}
