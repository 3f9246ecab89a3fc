import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { SigV4Verifier, type SignedRequest } from "./sigv4.js";

const credentials = { accessKeyId: "AKIAUNITTEST0000001", secretAccessKey: "unit-test-secret" };
const rootIdentity = { accessKeyId: credentials.accessKeyId, caller: { kind: "root" as const, account: "000000000000", arn: "arn:aws:iam::000000000000:root" }, policies: () => ({ identity: [] }) };
const resolver = { resolve: (id: string) => (id === credentials.accessKeyId ? { credentials, principal: rootIdentity } : undefined) };
const NOW = Date.UTC(2026, 10, 27, 8, 0, 0);

/** Sign with the maintained signer as an SDK would, then hand Flint's verifier what arrives on the wire. */
async function signed(body: string, signingDate: Date, xAmzDate?: string, scope = { region: "us-east-1", service: "lambda" }): Promise<SignedRequest> {
  const signer = new SignatureV4({ credentials, ...scope, sha256: Hash.bind(null, "sha256") });
  const req = await signer.sign({ method: "POST", protocol: "http:", hostname: "127.0.0.1", port: 9000, path: "/2015-03-31/functions/f%3A1/invocations", query: { Qualifier: "live" }, headers: { host: "127.0.0.1:9000", "content-type": "application/json" }, body }, { signingDate });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = String(v);
  if (xAmzDate) headers["x-amz-date"] = xAmzDate;
  return { method: "POST", rawPath: "/2015-03-31/functions/f%3A1/invocations", query: { Qualifier: "live" }, headers, body: Buffer.from(body) };
}

test("a request signed by the SDK's signer verifies; the same request with another body does not", async () => {
  const verifier = new SigV4Verifier(resolver, "us-east-1", () => NOW);
  const req = await signed('{"a":1}', new Date(NOW - 60_000));
  assert.deepEqual(await verifier.verify(req, "127.0.0.1:9000", "lambda"), { principal: rootIdentity, service: "lambda", region: "us-east-1" });
  const body = Buffer.from('{"a":2}');
  await assert.rejects(verifier.verify({ ...req, body }, "127.0.0.1:9000", "lambda"), { name: "InvalidSignatureException", message: "The provided 'x-amz-content-sha256' header does not match what was computed." });
  // Even with the body's hash header recomputed, the signature covers it.
  const headers: SignedRequest["headers"] = { ...req.headers, "x-amz-content-sha256": createHash("sha256").update(body).digest("hex") };
  await assert.rejects(verifier.verify({ ...req, headers, body }, "127.0.0.1:9000", "lambda"), { name: "InvalidSignatureException", message: /does not match the signature you provided/ });
  delete headers["x-amz-content-sha256"];
  await assert.rejects(verifier.verify({ ...req, headers, body }, "127.0.0.1:9000", "lambda"), { name: "InvalidSignatureException", message: /does not match the signature you provided/ });
});

test("a request signed over HTTP/2 with `:authority` in place of `host` verifies against the request's host", async () => {
  const verifier = new SigV4Verifier(resolver, "us-east-1", () => NOW);
  // As the SDK's NodeHttp2Handler signs: the pseudo-header, and no host header.
  const signer = new SignatureV4({ credentials, region: "us-east-1", service: "lambda", sha256: Hash.bind(null, "sha256") });
  const signedReq = await signer.sign({ method: "GET", protocol: "http:", hostname: "127.0.0.1", port: 9000, path: "/2015-03-31/functions/", query: {}, headers: { ":authority": "127.0.0.1:9000" } }, { signingDate: new Date(NOW) });
  assert.match(String(signedReq.headers.authorization), /SignedHeaders=:authority;/);
  const { ":authority": authority, ...rest } = signedReq.headers;
  // The listener hands the pseudo-header over as `host` (lib/h2c.ts).
  const req: SignedRequest = { method: "GET", rawPath: "/2015-03-31/functions/", query: {}, headers: { ...rest, host: authority! }, body: Buffer.alloc(0) };
  assert.equal((await verifier.verify(req, authority!, "lambda")).service, "lambda");
  await assert.rejects(verifier.verify({ ...req, headers: { ...req.headers, host: "127.0.0.1:9001" } }, "127.0.0.1:9001", "lambda"), { name: "InvalidSignatureException" });
});

test("X-Amz-Date is judged as the instant it names: a month-13 date is the next year's, not its scope's day", async () => {
  const verifier = new SigV4Verifier(resolver, "us-east-1", () => NOW);
  // Scope 20261327 (what the text says), but the instant it names is 2027-01-27.
  const req = await signed("{}", new Date(NOW), "20261327T080000Z");
  req.headers.authorization = String(req.headers.authorization).replace(/Credential=([^/]+)\/\d{8}\//, "Credential=$1/20261327/");
  await assert.rejects(verifier.verify(req, "127.0.0.1:9000", "lambda"), {
    name: "InvalidSignatureException",
    message: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261327' != '20270127', from '20270127T080000Z'.",
  });
});

test("a signature more than 15 minutes old is refused with AWS's text", async () => {
  const verifier = new SigV4Verifier(resolver, "us-east-1", () => NOW);
  const req = await signed("{}", new Date(NOW - 16 * 60_000));
  await assert.rejects(verifier.verify(req, "127.0.0.1:9000", "lambda"), { name: "InvalidSignatureException", message: "Signature expired: 20261127T074400Z is now earlier than 20261127T074500Z (20261127T080000Z - 15 min.)" });
});

test("a signature is valid only for the service and region it is checked against", async () => {
  const verifier = new SigV4Verifier(resolver, "us-east-1", () => NOW);
  const req = await signed("{}", new Date(NOW));
  await assert.rejects(verifier.verify(req, "127.0.0.1:9000", "sqs"), { name: "InvalidSignatureException", message: "Credential should be scoped to correct service: 'sqs'. " });
  await assert.rejects(verifier.precheck(req, "127.0.0.1:9000", "sns"), { name: "InvalidSignatureException", message: "Credential should be scoped to correct service: 'sns'. " });
  const elsewhere = new SigV4Verifier(resolver, "eu-west-1", () => NOW);
  await assert.rejects(elsewhere.verify(req, "127.0.0.1:9000", "lambda"), { name: "InvalidSignatureException", message: "Credential should be scoped to a valid region, not 'us-east-1'. " });
  await verifier.precheck(req, "127.0.0.1:9000", "lambda");
});

test("IAM, a global service, is signed for us-east-1 whatever Flint's region, or for Flint's region by a client with a custom endpoint", async () => {
  const verifier = new SigV4Verifier(resolver, "eu-west-1", () => NOW);
  for (const region of ["us-east-1", "eu-west-1"]) {
    const req = await signed("{}", new Date(NOW), undefined, { region, service: "iam" });
    assert.equal((await verifier.verify(req, "127.0.0.1:9000", "iam")).region, region);
  }
  const other = await signed("{}", new Date(NOW), undefined, { region: "ap-south-1", service: "iam" });
  await assert.rejects(verifier.verify(other, "127.0.0.1:9000", "iam"), { name: "InvalidSignatureException", message: "Credential should be scoped to a valid region, not 'ap-south-1'. " });
  const sqs = await signed("{}", new Date(NOW), undefined, { region: "us-east-1", service: "sqs" });
  await assert.rejects(verifier.verify(sqs, "127.0.0.1:9000", "sqs"), { name: "InvalidSignatureException", message: "Credential should be scoped to a valid region, not 'us-east-1'. " });
});

test("precheck judges the signature itself when the payload's hash is signed, before any body", async () => {
  const verifier = new SigV4Verifier(resolver, "us-east-1", () => NOW);
  // The SDK's signer sends and signs x-amz-content-sha256; precheck is given no body at all.
  const req = await signed('{"a":1}', new Date(NOW));
  const head = { method: req.method, rawPath: req.rawPath, query: req.query, headers: { ...req.headers } };
  await verifier.precheck(head, "127.0.0.1:9000", "lambda");
  head.headers.authorization = String(head.headers.authorization).replace(/Signature=[0-9a-f]{4}/, "Signature=0000");
  await assert.rejects(verifier.precheck(head, "127.0.0.1:9000", "lambda"), { name: "InvalidSignatureException", message: /does not match the signature you provided/ });
  // Without the hash header the body is needed: precheck lets it through, verify refuses it.
  delete head.headers["x-amz-content-sha256"];
  await verifier.precheck(head, "127.0.0.1:9000", "lambda");
  await assert.rejects(verifier.verify({ ...head, body: req.body }, "127.0.0.1:9000", "lambda"), { name: "InvalidSignatureException" });
});

test("a presigned URL verifies against its own query; another query, path or scope does not", async () => {
  const verifier = new SigV4Verifier(resolver, "us-east-1", () => NOW);
  const signer = new SignatureV4({ credentials, region: "us-east-1", service: "lambda", sha256: Hash.bind(null, "sha256") });
  const presigned = await signer.presign(
    { method: "GET", protocol: "http:", hostname: "127.0.0.1", port: 9000, path: "/_flint/code/abc.zip", query: { a: "1" }, headers: { host: "127.0.0.1:9000" } },
    { expiresIn: 600, signingDate: new Date(NOW) },
  );
  const query = presigned.query as Record<string, string>;
  const req: SignedRequest = { method: "GET", rawPath: "/_flint/code/abc.zip", query, headers: { host: "127.0.0.1:9000" }, body: Buffer.alloc(0) };
  assert.equal((await verifier.verify(req, "127.0.0.1:9000", "lambda")).principal.accessKeyId, credentials.accessKeyId);
  await assert.rejects(verifier.verify({ ...req, query: { ...query, a: "2" } }, "127.0.0.1:9000", "lambda"), { name: "InvalidSignatureException" });
  await assert.rejects(verifier.verify({ ...req, rawPath: "/_flint/code/abd.zip" }, "127.0.0.1:9000", "lambda"), { name: "InvalidSignatureException" });
  await assert.rejects(verifier.verify(req, "127.0.0.1:9000", "sqs"), { name: "InvalidSignatureException", message: "Credential should be scoped to correct service: 'sqs'. " });
  // Thousands of parameters are judged as one canonical query, not copied once per parameter.
  const many: Record<string, string> = { ...query };
  for (let i = 0; i < 3500; i++) many[`p${i}`] = "1";
  await assert.rejects(verifier.verify({ ...req, query: many }, "127.0.0.1:9000", "lambda"), { name: "InvalidSignatureException" });
});
