/** Raw SigV4-signed HTTP requests, for inputs the SDK would refuse to send. */
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { REGION, TEST_CREDENTIALS } from "./flint.js";

export type Creds = { accessKeyId: string; secretAccessKey: string };

export interface SignedFetchOptions {
  method?: string;
  path: string;
  query?: Record<string, string>;
  body?: string | Buffer;
  headers?: Record<string, string>;
  creds?: Creds;
  region?: string;
  /** Service of the credential scope; default `lambda`. */
  service?: string;
  date?: Date;
  /** Change the request after signing. */
  tamper?: (r: { path: string; body?: string | Buffer }) => void;
}

export async function signedFetch(endpoint: string, opts: SignedFetchOptions) {
  const url = new URL(endpoint);
  const signer = new SignatureV4({ credentials: opts.creds ?? TEST_CREDENTIALS, region: opts.region ?? REGION, service: opts.service ?? "lambda", sha256: Hash.bind(null, "sha256") });
  const request = {
    method: opts.method ?? "GET",
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path: opts.path,
    query: opts.query ?? {},
    headers: { host: url.host, "content-type": "application/json", ...opts.headers } as Record<string, string>,
    body: opts.body,
  };
  const signed = await signer.sign(request, { signingDate: opts.date ?? new Date() });
  const sent = { path: signed.path, body: signed.body as string | Buffer | undefined };
  opts.tamper?.(sent);
  const qs = new URLSearchParams(opts.query ?? {}).toString();
  const res = await fetch(`${endpoint}${sent.path}${qs ? `?${qs}` : ""}`, { method: request.method, headers: signed.headers, body: sent.body as BodyInit | undefined });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, errorType: res.headers.get("x-amzn-errortype"), headers: res.headers, body };
}
