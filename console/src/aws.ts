/**
 * Calls to Flint, signed in the browser. AWS APIs go through the AWS SDK's own clients (the same
 * requests the CLI makes, so IAM decides for the console as for anyone); Flint's own `/_flint/`
 * endpoints (event timelines, mapping lag, the policy explainer) through `flintFetch`, signed the
 * same way. Every failure becomes an `ApiError` carrying what the API said.
 */
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";
import { onSessionChange, requireSession } from "./session";

/** An API's refusal as it gave it: its error code, message, HTTP status and request id. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** Any thrown value as an ApiError (SDK errors carry name, message and $metadata). */
export function apiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as { name?: string; message?: string; Code?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
  if (e && typeof e === "object") {
    const code = e.name && e.name !== "Error" ? e.name : (e.Code ?? "Error");
    return new ApiError(code, e.message || "(no message)", e.$metadata?.httpStatusCode, e.$metadata?.requestId);
  }
  return new ApiError("Error", String(err));
}

export interface ClientConfig {
  region: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  maxAttempts: number;
  disableHostPrefix: boolean;
}

export function clientConfig(): ClientConfig {
  const s = requireSession();
  return {
    region: s.region,
    endpoint: location.origin,
    credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, ...(s.sessionToken ? { sessionToken: s.sessionToken } : {}) },
    // A refusal is shown as it came; the console does not retry behind the user's back.
    maxAttempts: 1,
    // Some operations' models put a prefix before the host (StartLiveTail's `streaming-`): Flint has one host.
    disableHostPrefix: true,
  };
}

const clients = new Map<unknown, unknown>();
onSessionChange(() => {
  for (const c of clients.values()) (c as { destroy?: () => void }).destroy?.();
  clients.clear();
});

/** One SDK client per service for the signed-in session: `client(LambdaClient).send(...)`. */
export function client<T>(Ctor: new (config: ClientConfig) => T): T {
  let c = clients.get(Ctor) as T | undefined;
  if (!c) clients.set(Ctor, (c = new Ctor(clientConfig())));
  return c;
}

/** A call's result, with any failure as an ApiError: `await call(client(LambdaClient).send(new GetFunctionCommand(...)))`. */
export async function call<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (err) {
    throw apiError(err);
  }
}

/**
 * A signed call to one of Flint's own endpoints (`/_flint/...`), signed for `service` as Flint
 * expects (Lambda's signing name unless said otherwise). JSON in, JSON out.
 */
export async function flintFetch<T>(path: string, init: { method?: string; body?: unknown; service?: string } = {}): Promise<T> {
  const s = requireSession();
  const url = new URL(path, location.origin);
  const method = init.method ?? "GET";
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  const query: Record<string, string> = {};
  url.searchParams.forEach((v, k) => (query[k] = v));
  const signer = new SignatureV4({ credentials: clientConfig().credentials, region: s.region, service: init.service ?? "lambda", sha256: Sha256 });
  const signed = await signer.sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query,
    headers: { host: url.host, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body } : {}),
  });
  const headers = { ...signed.headers };
  delete headers.host;
  let res: Response;
  try {
    res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  } catch (err) {
    throw new ApiError("NetworkError", `Flint did not answer: ${(err as Error).message}`);
  }
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // Not JSON: shown as text below.
  }
  if (!res.ok) {
    const code = res.headers.get("x-amzn-errortype")?.split(":")[0] ?? (json.__type as string | undefined) ?? (json.Type as string | undefined) ?? `HTTP ${res.status}`;
    const message = (json.message ?? json.Message ?? text) as string;
    throw new ApiError(code, message || res.statusText, res.status, res.headers.get("x-amzn-requestid") ?? undefined);
  }
  return json as T;
}
