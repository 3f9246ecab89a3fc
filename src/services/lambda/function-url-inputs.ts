/**
 * A function URL request's members, decoded and checked against the model's constraints with
 * AWS's messages (lambda-2015-03-31 `CreateFunctionUrlConfigRequest`, `Cors`).
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunctionUrlConfig.html
 */
import { Violations, fullMatch, member } from "./validation.js";

export const FunctionUrlAuthType = { NONE: "NONE", AWS_IAM: "AWS_IAM" } as const;
export type FunctionUrlAuthType = (typeof FunctionUrlAuthType)[keyof typeof FunctionUrlAuthType];
export const InvokeMode = { BUFFERED: "BUFFERED", RESPONSE_STREAM: "RESPONSE_STREAM" } as const;
export type InvokeMode = (typeof InvokeMode)[keyof typeof InvokeMode];

/** The CORS settings, as given and as echoed (AWS's member names). */
export interface Cors {
  AllowCredentials?: boolean;
  AllowHeaders?: string[];
  AllowMethods?: string[];
  AllowOrigins?: string[];
  ExposeHeaders?: string[];
  MaxAge?: number;
}

export interface FunctionUrlInput {
  authType?: string;
  cors?: Cors;
  invokeMode?: string;
}

/** A URL belongs to the function or to one of its aliases: never a version, nor `$LATEST` (recorded `lambda-url-config-errors`). */
export const URL_QUALIFIER_PATTERN = String.raw`((?!^\d+$)^[0-9a-zA-Z-_]+$)`;
const URL_QUALIFIER_RE = new RegExp(URL_QUALIFIER_PATTERN);

export function checkUrlQualifier(qualifier: string | undefined): void {
  if (qualifier === undefined) return;
  const v = new Violations();
  if (qualifier.length > 128) v.maxLength("qualifier", qualifier, 128);
  else if (!URL_QUALIFIER_RE.test(qualifier)) v.pattern("qualifier", qualifier, URL_QUALIFIER_PATTERN);
  v.throwIfAny();
}

const ANY = fullMatch(".*");
/** Java's List.toString, as AWS shows a list in a message. */
const javaList = (items: readonly string[]) => `[${items.join(", ")}]`;

function checkList(v: Violations, field: string, list: string[] | undefined, maxItems: number, maxLength: number, minLength = 0): void {
  if (list === undefined) return;
  if (list.length > maxItems) v.add(`Value '${javaList(list)}' at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${maxItems}`);
  else if (list.some((item) => item.length > maxLength || item.length < minLength || !ANY.test(item))) {
    const constraints = [`Member must have length less than or equal to ${maxLength}`, ...(minLength ? [`Member must have length greater than or equal to ${minLength}`] : []), "Member must satisfy regular expression pattern: .*"];
    v.add(`Value '${javaList(list)}' at '${field}' failed to satisfy constraint: Member must satisfy constraint: [${constraints.join(", ")}]`);
  }
}

export function decodeFunctionUrl(body: Record<string, unknown>): FunctionUrlInput {
  const raw = member(body, "Cors", "object");
  let cors: Cors | undefined;
  if (raw) {
    const list = (name: string) => member(raw, name, "stringArray");
    cors = {};
    const credentials = member(raw, "AllowCredentials", "boolean");
    if (credentials !== undefined) cors.AllowCredentials = credentials;
    for (const name of ["AllowHeaders", "AllowMethods", "AllowOrigins", "ExposeHeaders"] as const) {
      const value = list(name);
      if (value !== undefined) cors[name] = value;
    }
    const maxAge = member(raw, "MaxAge", "integer");
    if (maxAge !== undefined) cors.MaxAge = maxAge;
  }
  const out: FunctionUrlInput = {};
  const authType = member(body, "AuthType", "string");
  if (authType !== undefined) out.authType = authType;
  if (cors) out.cors = cors;
  const invokeMode = member(body, "InvokeMode", "string");
  if (invokeMode !== undefined) out.invokeMode = invokeMode;
  return out;
}

/** The model's constraints on what a Create (`required`) or an Update gives, all reported together. */
export function checkFunctionUrl(input: FunctionUrlInput, required: boolean): void {
  const v = new Violations();
  if (input.authType === undefined) {
    if (required) v.add("Value null at 'authType' failed to satisfy constraint: Member must not be null");
  } else if (!Object.hasOwn(FunctionUrlAuthType, input.authType)) {
    v.add(`Value '${input.authType}' at 'authType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM]`);
  }
  const cors = input.cors;
  if (cors) {
    checkList(v, "cors.allowHeaders", cors.AllowHeaders, 100, 1024);
    checkList(v, "cors.allowMethods", cors.AllowMethods, 6, 6);
    checkList(v, "cors.allowOrigins", cors.AllowOrigins, 100, 253, 1);
    checkList(v, "cors.exposeHeaders", cors.ExposeHeaders, 100, 1024);
    if (cors.MaxAge !== undefined) v.range("cors.maxAge", cors.MaxAge, 0, 86400);
  }
  if (input.invokeMode !== undefined && !Object.hasOwn(InvokeMode, input.invokeMode)) {
    v.add(`Value '${input.invokeMode}' at 'invokeMode' failed to satisfy constraint: Member must satisfy enum value set: [RESPONSE_STREAM, BUFFERED]`);
  }
  v.throwIfAny();
}
