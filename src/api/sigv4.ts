/**
 * SigV4 verification, header form and presigned query form.
 *
 * Flint recomputes the signature with the maintained signer (@smithy/signature-v4) over exactly the
 * headers the client says it signed, and compares. Only the parsing of the Authorization header and
 * the date rules live here; no hand-rolled crypto beyond a constant-time compare.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { Hash } from "@smithy/hash-node";
import { SignatureV4, SignatureV4Base, getCanonicalHeaders, getSigningKey } from "@smithy/signature-v4";
import { awsError } from "../errors.js";
import { serviceNamed } from "./catalogue.js";
import type { Identity } from "../iam/types.js";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Who made a request: the account root, an IAM user, or a session of a role or user. */
export type Principal = Identity;

export interface CredentialResolver {
  /**
   * The credentials and identity of an access key (with the session token the request carries, for
   * temporary keys); undefined for a key Flint does not know. Throws ExpiredTokenException for an
   * expired session.
   */
  resolve(accessKeyId: string, sessionToken?: string): { credentials: Credentials; principal: Principal } | undefined;
}

export interface SignedRequest {
  method: string;
  /** Raw path as sent on the wire (still percent-encoded), without the query. */
  rawPath: string;
  /** Query parameters, decoded. */
  query: Record<string, string | string[]>;
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** What `precheck` judged of a request's head, handed to `verify` so it is not judged twice. */
export interface Precheck {
  service: string;
  /** The Authorization header's parts (absent for the presigned form). */
  head?: HeaderHead;
  /** The signature holds for the payload hash the client signed: only the body's hash is left to match. */
  signatureChecked: boolean;
}

type HeaderHead = ReturnType<SigV4Verifier["headerHead"]>;

export interface Verified {
  principal: Principal;
  service: string;
  region: string;
}

const SHA256 = Hash.bind(null, "sha256");
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/** AWS accepts a request signed up to 15 minutes before or after its own clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;
const SIGNATURE_MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

interface Scope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

function parseScope(credential: string): Scope | undefined {
  const parts = credential.split("/");
  if (parts.length !== 5 || parts[4] !== "aws4_request") return undefined;
  const [accessKeyId, date, region, service] = parts as [string, string, string, string];
  return { accessKeyId, date, region, service };
}

function parseAmzDate(value: string | undefined): Date | undefined {
  const m = value && /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

const amz = (d: Date) => d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

/** `amz(date)` for a date parsed from `text`: the text itself unless it named no real instant (month 13 rolls over). */
const amzOf = (date: Date, text: string) => (date.getUTCSeconds() === +text.slice(13, 15) && date.getUTCDate() === +text.slice(6, 8) && date.getUTCMonth() + 1 === +text.slice(4, 6) && date.getUTCHours() === +text.slice(9, 11) && date.getUTCMinutes() === +text.slice(11, 13) ? text : amz(date));

function header(headers: SignedRequest["headers"], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Does this request carry any form of SigV4 authentication? */
export function hasSignature(req: Pick<SignedRequest, "headers" | "query">): boolean {
  return req.headers.authorization !== undefined || req.query["X-Amz-Signature"] !== undefined;
}

/** The credential scope a request claims, or undefined when it carries none (used to route by service). */
export function claimedScope(req: Pick<SignedRequest, "headers" | "query">): Scope | undefined {
  const auth = header(req.headers, "authorization");
  const fromQuery = req.query["X-Amz-Credential"];
  const credential = auth ? /Credential=([^,\s]+)/.exec(auth)?.[1] : Array.isArray(fromQuery) ? fromQuery[0] : fromQuery;
  return credential ? parseScope(credential) : undefined;
}

/**
 * The maintained signer's canonicalisation (path escaping, query and header canonical forms,
 * string-to-sign), exposed for verification without its per-request clone of the whole request.
 */
class Canonicalizer extends SignatureV4Base {
  constructor(service: string, region: string) {
    super({ credentials: { accessKeyId: "", secretAccessKey: "" }, region, service, sha256: SHA256, applyChecksum: false });
  }

  /** The string to sign (SigV4's four lines: algorithm, date, scope, hash of the maintained signer's canonical request). */
  stringToSign(
    request: { method: string; path: string; query: Record<string, string | string[]>; headers: Record<string, string> },
    signable: Set<string>,
    payloadHash: string,
    longDate: string,
    scope: string,
  ): string {
    const canonicalHeaders = getCanonicalHeaders(request as never, undefined, signable);
    const canonicalRequest = this.createCanonicalRequest(request as never, canonicalHeaders, payloadHash);
    return `AWS4-HMAC-SHA256\n${longDate}\n${scope}\n${createHash("sha256").update(canonicalRequest).digest("hex")}`;
  }
}

export class SigV4Verifier {
  /** Signing keys change once a day per credential, region and service: derive them once. */
  private readonly keys = new Map<string, Buffer>();
  private readonly canonicalizers = new Map<string, Canonicalizer>();

  constructor(
    private readonly resolver: CredentialResolver,
    private readonly region: string,
    private readonly now: () => number = Date.now,
  ) {}

  private async signingKey(credentials: Credentials, scope: Scope): Promise<Buffer> {
    const id = `${credentials.accessKeyId}/${credentials.secretAccessKey}/${scope.date}/${scope.region}/${scope.service}`;
    let key = this.keys.get(id);
    if (!key) {
      key = Buffer.from(await getSigningKey(SHA256, credentials, scope.date, scope.region, scope.service));
      if (this.keys.size > 1000) this.keys.clear();
      this.keys.set(id, key);
    }
    return key;
  }

  private canonicalizer(scope: Scope): Canonicalizer {
    const id = `${scope.service}/${scope.region}`;
    let c = this.canonicalizers.get(id);
    if (!c) this.canonicalizers.set(id, (c = new Canonicalizer(scope.service, scope.region)));
    return c;
  }

  /**
   * Everything that can be judged from the head alone, before a body is read: a request with no
   * signature, a malformed one, an unknown access key, a scope for another service or region, a
   * date out of the window or a missing session token is refused without buffering anything it
   * sends. When the client signed its payload's hash (`x-amz-content-sha256`), the signature
   * itself is checked too, and `true` returned: `verify` then only has to match the body to that hash.
   */
  async precheck(req: Pick<SignedRequest, "method" | "rawPath" | "headers" | "query">, host: string, service: string): Promise<Precheck> {
    const auth = header(req.headers, "authorization");
    if (auth !== undefined) {
      const head = this.headerHead(req, auth, service);
      if (!/^[0-9a-f]{64}$/.test(head.contentSha ?? "")) return { service, head, signatureChecked: false };
      await this.checkSignature(req, req.query, head, host, head.contentSha!);
      return { service, head, signatureChecked: true };
    }
    if (req.query["X-Amz-Signature"] === undefined) throw awsError("MissingAuthenticationTokenException", "Missing Authentication Token");
    this.presignedHead(req, service);
    return { service, signatureChecked: false };
  }

  /**
   * Verify a request signed for `service` (its SigV4 signing name) in Flint's region. `pre`: what
   * `precheck` found of this same request's head, not judged again (for the same service).
   */
  async verify(req: SignedRequest, host: string, service: string, pre?: Precheck): Promise<Verified> {
    const auth = header(req.headers, "authorization");
    if (auth !== undefined) {
      const known = pre?.service === service ? pre : undefined;
      const head = known?.head ?? this.headerHead(req, auth, service);
      if (head.contentSha !== undefined && head.contentSha !== "UNSIGNED-PAYLOAD" && head.contentSha !== sha256Hex(req.body)) {
        throw awsError("InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match what was computed.");
      }
      if (!known?.signatureChecked) await this.checkSignature(req, req.query, head, host, head.contentSha ?? sha256Hex(req.body));
      return { principal: head.principal, service: head.scope.service, region: head.scope.region };
    }
    if (req.query["X-Amz-Signature"] !== undefined) return this.verifyPresigned(req, host, service);
    throw awsError("MissingAuthenticationTokenException", "Missing Authentication Token");
  }

  private lookup(scope: Scope, service: string, sessionToken: string | undefined) {
    const found = this.resolver.resolve(scope.accessKeyId, sessionToken);
    if (!found) throw awsError("UnrecognizedClientException", "The security token included in the request is invalid.");
    if (scope.region !== this.region && scope.region !== serviceNamed(service).signingRegion) {
      throw awsError("InvalidSignatureException", `Credential should be scoped to a valid region, not '${scope.region}'. `);
    }
    if (scope.service !== service) throw awsError("InvalidSignatureException", `Credential should be scoped to correct service: '${service}'. `);
    return found;
  }

  private checkDate(signed: Date, scope: Scope, longDate = amz(signed)) {
    if (longDate.slice(0, 8) !== scope.date) {
      throw awsError("InvalidSignatureException", `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scope.date}' != '${longDate.slice(0, 8)}', from '${longDate}'.`);
    }
  }

  /** The Authorization header's checks that need no body. */
  private headerHead(req: Pick<SignedRequest, "headers">, auth: string, service: string) {
    const m = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$/.exec(auth);
    if (!m) {
      throw awsError(
        "IncompleteSignatureException",
        `Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=${auth.slice(0, 40)}`,
      );
    }
    const scope = parseScope(m[1]!);
    if (!scope) throw awsError("IncompleteSignatureException", `Credential should have 5 parts: '${m[1]!.slice(0, 200)}'`);
    const { credentials, principal } = this.lookup(scope, service, header(req.headers, "x-amz-security-token"));
    const amzDate = header(req.headers, "x-amz-date");
    const signingDate = parseAmzDate(amzDate);
    if (!signingDate) throw awsError("IncompleteSignatureException", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    const longDate = amzOf(signingDate, amzDate!);
    this.checkDate(signingDate, scope, longDate);
    const now = this.now();
    if (Math.abs(now - signingDate.getTime()) > MAX_SKEW_MS) {
      const edge = new Date(signingDate.getTime() < now ? now - MAX_SKEW_MS : now + MAX_SKEW_MS);
      const rel = signingDate.getTime() < now ? "earlier" : "later";
      throw awsError(
        "InvalidSignatureException",
        `Signature expired: ${amz(signingDate)} is now ${rel} than ${amz(edge)} (${amz(new Date(now))} ${rel === "earlier" ? "-" : "+"} 15 min.)`,
      );
    }
    if (credentials.sessionToken !== undefined && header(req.headers, "x-amz-security-token") !== credentials.sessionToken) {
      throw awsError("UnrecognizedClientException", "The security token included in the request is invalid.");
    }
    return { scope, credentials, principal, signedHeaders: m[2]!.split(";"), signature: m[3]!, longDate, contentSha: header(req.headers, "x-amz-content-sha256") };
  }

  /**
   * Recompute the signature over the signed headers and `query` with the maintained signer's
   * canonical forms, and compare it with the one sent.
   */
  private async checkSignature(
    req: Pick<SignedRequest, "method" | "rawPath" | "headers">,
    query: SignedRequest["query"],
    signed: { scope: Scope; credentials: Credentials; signedHeaders: string[]; longDate: string; signature: string },
    host: string,
    payloadHash: string | ((headers: Record<string, string>) => string),
  ): Promise<void> {
    const { scope, signedHeaders } = signed;
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) {
      // Over HTTP/2 the AWS SDK for JavaScript v3 signs `:authority` in place of `host`; the listener
      // gives a request its `:authority` as `host` (lib/h2c.ts).
      const value = name === "host" || name === ":authority" ? (header(req.headers, "host") ?? host) : header(req.headers, name);
      if (value !== undefined) headers[name] = value;
    }
    const stringToSign = this.canonicalizer(scope).stringToSign(
      { method: req.method, path: req.rawPath, query, headers },
      new Set(signedHeaders),
      typeof payloadHash === "string" ? payloadHash : payloadHash(headers),
      signed.longDate,
      `${scope.date}/${scope.region}/${scope.service}/aws4_request`,
    );
    const expected = createHmac("sha256", await this.signingKey(signed.credentials, scope)).update(stringToSign).digest("hex");
    if (!safeEqual(expected, signed.signature)) throw awsError("InvalidSignatureException", SIGNATURE_MISMATCH);
  }

  /** The presigned form's checks that need no body. */
  private presignedHead(req: Pick<SignedRequest, "query">, service: string) {
    const q = (name: string) => {
      const v = req.query[name];
      return Array.isArray(v) ? v[0] : v;
    };
    if (q("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256") throw awsError("IncompleteSignatureException", "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
    const scope = parseScope(q("X-Amz-Credential") ?? "");
    if (!scope) throw awsError("IncompleteSignatureException", "X-Amz-Credential is malformed.");
    const { credentials, principal } = this.lookup(scope, service, q("X-Amz-Security-Token"));
    const signingDate = parseAmzDate(q("X-Amz-Date"));
    const expires = Number(q("X-Amz-Expires"));
    if (!signingDate || !Number.isInteger(expires) || expires < 1 || expires > 604800) {
      throw awsError("IncompleteSignatureException", "X-Amz-Date and X-Amz-Expires must be present and valid.");
    }
    this.checkDate(signingDate, scope);
    if (this.now() > signingDate.getTime() + expires * 1000) {
      throw awsError("InvalidSignatureException", `Signature expired: ${amz(signingDate)} is now earlier than ${amz(new Date(this.now() - expires * 1000))}.`);
    }
    return { q, scope, credentials, principal, signingDate, expires };
  }

  private async verifyPresigned(req: SignedRequest, host: string, service: string): Promise<Verified> {
    const { q, scope, credentials, principal, signingDate } = this.presignedHead(req, service);
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.query)) if (k !== "X-Amz-Signature") query[k] = v;
    // The same canonical forms as the header form (the signer's presign() copies the whole query once
    // per parameter: a 14 KB query of 3,500 parameters took seconds of the event loop).
    const signed = { scope, credentials, signedHeaders: (q("X-Amz-SignedHeaders") ?? "host").split(";"), longDate: amzOf(signingDate, q("X-Amz-Date")!), signature: String(q("X-Amz-Signature")) };
    await this.checkSignature(req, query, signed, host, (headers) => headers["x-amz-content-sha256"] ?? sha256Hex(req.body));
    return { principal, service: scope.service, region: scope.region };
  }
}

/** Create a presigned GET URL with the maintained signer (used for GetFunction's Code.Location). */
export async function presignUrl(
  credentials: Credentials,
  region: string,
  service: string,
  baseUrl: string,
  path: string,
  expiresIn: number,
  now: Date,
): Promise<string> {
  const url = new URL(baseUrl);
  const signer = new SignatureV4({ credentials, region, service, sha256: SHA256, applyChecksum: false });
  const signed = await signer.presign(
    { method: "GET", protocol: url.protocol, hostname: url.hostname, port: Number(url.port) || undefined, path, query: {}, headers: { host: url.host } },
    { expiresIn, signingDate: now },
  );
  const qs = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join("&");
  return `${url.origin}${path}?${qs}`;
}

export function sha256Hex(body: Buffer): string {
  return body.length === 0 ? EMPTY_SHA256 : createHash("sha256").update(body).digest("hex");
}

/** Sign a POST of `body` to `url` with the maintained signer (the CLI asking a running Flint): the headers to send. */
export async function signedPostHeaders(credentials: Credentials, region: string, service: string, url: URL, body: string, contentType: string): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials, region, service, sha256: SHA256, applyChecksum: false });
  const signed = await signer.sign({
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port) || undefined,
    path: url.pathname,
    query: {},
    headers: { host: url.host, "content-type": contentType },
    body,
  });
  return signed.headers;
}
