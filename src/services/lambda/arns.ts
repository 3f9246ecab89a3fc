/**
 * Function names, partial ARNs and full ARNs, parsed with the patterns AWS validates against
 * (recorded in shared/reference/aws-recorded). Wherever AWS accepts a FunctionName, Flint accepts
 * all three forms, optionally with a `:qualifier`.
 */
import { awsError } from "../../errors.js";
import { Violations, fullMatch } from "./validation.js";

const REGION = String.raw`(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}`;
/** Pattern for operations on an existing function (Get, Delete, Invoke, …). */
export const FUNCTION_NAME_PATTERN = String.raw`(arn:(aws[a-zA-Z-]*)?:lambda:)?(${REGION}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?`;
/** Pattern for CreateFunction. */
export const CREATE_FUNCTION_NAME_PATTERN = String.raw`(arn:(aws[a-zA-Z-]*)?:lambda:)?(${REGION}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`;
export const QUALIFIER_PATTERN = String.raw`\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+`;
/** Pattern for the `resource` of TagResource/UntagResource/ListTags. */
export const TAGGABLE_RESOURCE_PATTERN = String.raw`arn:(aws[a-zA-Z-]*):lambda:${REGION}:\d{12}:(function:[a-zA-Z0-9-_]+(:(\$LATEST|[a-zA-Z0-9-_]+))?|layer:([a-zA-Z0-9-_]+)|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)`;

const READ_RE = fullMatch(FUNCTION_NAME_PATTERN);
const CREATE_RE = fullMatch(CREATE_FUNCTION_NAME_PATTERN);
const QUALIFIER_RE = fullMatch(QUALIFIER_PATTERN);
const TAGGABLE_RE = fullMatch(TAGGABLE_RESOURCE_PATTERN);

export interface FunctionRef {
  name: string;
  qualifier?: string;
}

export interface Account {
  region: string;
  accountId: string;
}

export const functionArn = (acct: Account, name: string, qualifier?: string) =>
  `arn:aws:lambda:${acct.region}:${acct.accountId}:function:${name}${qualifier ? `:${qualifier}` : ""}`;

/**
 * Split a FunctionName the way AWS does: an ARN (`arn:…:function:name[:q]`), a partial ARN
 * (`123456789012:function:name[:q]`), `function:name[:q]`, or `name[:q]`.
 */
function split(value: string): { region?: string; accountId?: string; name: string; qualifier?: string } {
  const parts = value.split(":");
  let i = 0;
  let region: string | undefined;
  let accountId: string | undefined;
  if (parts[0] === "arn") {
    region = parts[3];
    accountId = parts[4];
    i = 5;
  } else if (/^\d{12}$/.test(parts[0]!) && parts[1] === "function") {
    accountId = parts[0];
    i = 1;
  } else if (new RegExp(`^${REGION}$`).test(parts[0]!) && parts.length > 2) {
    region = parts[0];
    accountId = /^\d{12}$/.test(parts[1]!) ? parts[1] : undefined;
    i = accountId ? 2 : 1;
  }
  if (parts[i] === "function" && parts.length > i + 1) i++;
  return { region, accountId, name: parts[i]!, qualifier: parts[i + 1] };
}

/**
 * Parse and validate the FunctionName (path or body) and optional Qualifier of a request on an existing
 * function, with AWS's errors: pattern/length → ValidationException, ARN of another region →
 * ResourceNotFoundException, another account → AccessDeniedException, conflicting qualifiers →
 * InvalidParameterValueException.
 */
export function parseFunctionRef(acct: Account, functionName: string, qualifier?: string, opts: { create?: boolean } = {}): FunctionRef {
  const v = new Violations();
  if (qualifier !== undefined) {
    if (qualifier.length > 128) v.maxLength("qualifier", qualifier, 128);
    else if (!QUALIFIER_RE.test(qualifier)) v.pattern("qualifier", qualifier, QUALIFIER_PATTERN);
  }
  const pattern = opts.create ? CREATE_FUNCTION_NAME_PATTERN : FUNCTION_NAME_PATTERN;
  // AWS reports the 140-character limit for CreateFunction only; other operations report just the
  // pattern, however long the name (recorded: function_name_too_long_and_invalid_region).
  if (opts.create && functionName.length > 140) v.maxLength("functionName", functionName, 140);
  if (!(opts.create ? CREATE_RE : READ_RE).test(functionName)) v.pattern("functionName", functionName, pattern);
  v.throwIfAny();

  const parsed = split(functionName);
  if (parsed.region && parsed.region !== acct.region) {
    throw awsError("ResourceNotFoundException", `Functions from '${parsed.region}' are not reachable in this region ('${acct.region}')`);
  }
  if (parsed.accountId && parsed.accountId !== acct.accountId) throw awsError("AccessDeniedException", "", { Message: null });
  if (opts.create && !functionName.startsWith("arn:") && parsed.name.length > 64) {
    const tooLong = new Violations();
    tooLong.maxLength("functionName", functionName, 64);
    tooLong.throwIfAny("InvalidParameterValueException");
  }
  if (parsed.qualifier !== undefined && qualifier !== undefined && parsed.qualifier !== qualifier) {
    throw awsError("InvalidParameterValueException", "The derived qualifier from the function name does not match the specified qualifier.");
  }
  const q = qualifier ?? parsed.qualifier;
  return q === undefined ? { name: parsed.name } : { name: parsed.name, qualifier: q };
}

export type TaggableResource = { kind: "function"; name: string; qualifier?: string } | { kind: "other"; arn: string };

export function parseTaggableArn(acct: Account, resource: string): TaggableResource {
  if (!TAGGABLE_RE.test(resource)) {
    const v = new Violations();
    v.pattern("resource", resource, TAGGABLE_RESOURCE_PATTERN);
    v.throwIfAny();
  }
  const parsed = split(resource);
  if (parsed.region !== acct.region) {
    throw awsError("ResourceNotFoundException", `Functions from '${parsed.region}' are not reachable in this region ('${acct.region}')`);
  }
  if (parsed.accountId !== acct.accountId) throw awsError("AccessDeniedException", "", { Message: null });
  if (!resource.split(":")[5]?.startsWith("function")) return { kind: "other", arn: resource };
  return parsed.qualifier === undefined ? { kind: "function", name: parsed.name } : { kind: "function", name: parsed.name, qualifier: parsed.qualifier };
}
