/**
 * IAM's request members decoded into typed values (the query protocol's parameters, reshaped by
 * api/iam). A missing required member gets AWS's "Member must not be null" ValidationError; ranges
 * and rules are the service's.
 */
import { awsError } from "../../errors.js";
import { optList, optString, optStringList } from "../sqs/inputs.js";
import type { Tag } from "./model.js";

export { optString, optStringList };

type Members = Record<string, unknown>;

/** `RoleName` → `roleName`: the member as AWS's validation messages name it. */
const wireName = (name: string) => name[0]!.toLowerCase() + name.slice(1);

export function required(m: Members, name: string): string {
  const v = optString(m, name);
  if (v === undefined) throw awsError("ValidationException", `1 validation error detected: Value null at '${wireName(name)}' failed to satisfy constraint: Member must not be null`);
  return v;
}

export function optInteger(m: Members, name: string): number | undefined {
  const v = optString(m, name);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw awsError("ValidationException", `1 validation error detected: Value '${v}' at '${wireName(name)}' failed to satisfy constraint: Member must be a number`);
  return Number(v);
}

export function optBoolean(m: Members, name: string): boolean | undefined {
  const v = optString(m, name);
  if (v === undefined) return undefined;
  if (v !== "true" && v !== "false") throw awsError("ValidationException", `1 validation error detected: Value '${v}' at '${wireName(name)}' failed to satisfy constraint: Member must be a boolean`);
  return v === "true";
}

/** Tags: IAM requires each one's Value. */
export function optTags(m: Members, name = "Tags"): Tag[] | undefined {
  return optList(m, name, (tag) => ({ Key: required(tag, "Key"), Value: required(tag, "Value") }));
}

/** Marker and MaxItems of a list operation. */
export function pageRequest(m: Members): { Marker?: string; MaxItems?: number } {
  const Marker = optString(m, "Marker");
  const MaxItems = optInteger(m, "MaxItems");
  return { ...(Marker !== undefined ? { Marker } : {}), ...(MaxItems !== undefined ? { MaxItems } : {}) };
}
