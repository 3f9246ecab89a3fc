/**
 * Which HTTP trigger a request on the one listener is addressed to, if any: a function URL or an
 * API Gateway API, by its host (`<url-id>.lambda-url.<region>.localhost:<port>`,
 * `<api-id>.execute-api.localhost:<port>`; curl and browsers resolve `*.localhost` to loopback) or
 * by its path form for clients that do not (`/_aws/lambda-url/<url-id>/…`,
 * `/_aws/execute-api/<api-id>/…`, LocalStack's and MiniStack's paths).
 */
export const TriggerKind = { LambdaUrl: "lambda-url", ExecuteApi: "execute-api" } as const;
export type TriggerKind = (typeof TriggerKind)[keyof typeof TriggerKind];

export interface TriggerAddress {
  kind: TriggerKind;
  /** The URL id or the API id, lower-cased (hosts are case-insensitive). */
  id: string;
  /** The path the trigger sees (`/` at least), still percent-encoded, without the path form's prefix. */
  rawPath: string;
  /** How the request reached it: by host or by path form. */
  form: "host" | "path";
}

const HOST = /^([a-z0-9]+)\.(lambda-url|execute-api)\./;
const PATH = /^\/_aws\/(lambda-url|execute-api)\/([A-Za-z0-9]+)(\/.*)?$/;

/** The trigger `host` and `rawPath` address, or undefined for every other request (an AWS API call). */
export function triggerAddress(host: string | undefined, rawPath: string): TriggerAddress | undefined {
  if (host) {
    const m = HOST.exec(host.toLowerCase());
    if (m) return { kind: m[2] as TriggerKind, id: m[1]!, rawPath: rawPath || "/", form: "host" };
  }
  if (!rawPath.startsWith("/_aws/")) return undefined;
  const p = PATH.exec(rawPath);
  if (!p) return undefined;
  return { kind: p[1] as TriggerKind, id: p[2]!.toLowerCase(), rawPath: p[3] ?? "/", form: "path" };
}
