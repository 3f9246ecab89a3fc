/**
 * Marker/MaxItems pagination as the Lambda List* operations do it: opaque markers, MaxItems from 1 to
 * `maxLimit` (10,000 for most; 50 for ListFunctionEventInvokeConfigs), default 50.
 */
import { awsError } from "../../errors.js";
import { Violations } from "./validation.js";

export function paginate<T>(items: T[], keyOf: (item: T) => string, marker: string | undefined, maxItems: string | undefined, defaultMax = 50, maxLimit = 10000) {
  let max = defaultMax;
  if (maxItems !== undefined) {
    max = Number(maxItems);
    if (!Number.isInteger(max)) throw awsError("InvalidParameterValueException", `Invalid value for MaxItems: ${maxItems}`);
    const v = new Violations();
    v.range("maxItems", max, 1, maxLimit);
    v.throwIfAny();
  }
  let start = 0;
  if (marker !== undefined) {
    const after = Buffer.from(marker, "base64url").toString("utf8");
    if (!after || Buffer.from(after).toString("base64url") !== marker) throw awsError("InvalidParameterValueException", "Invalid marker");
    start = items.findIndex((item) => keyOf(item) === after) + 1;
    if (start === 0) throw awsError("InvalidParameterValueException", "Invalid marker");
  }
  const page = items.slice(start, start + max);
  const nextMarker = start + max < items.length ? Buffer.from(keyOf(page[page.length - 1]!)).toString("base64url") : undefined;
  return { page, nextMarker };
}
