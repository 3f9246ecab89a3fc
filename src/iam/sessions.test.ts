/** STS session tokens: sealed claims that open only as they were issued, under the key they were sealed with. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { SessionTokens } from "./sessions.js";

const claims = {
  account: "123456789012",
  subject: { type: "role" as const, roleName: "reader", roleId: "AROAEXAMPLEEXAMPLE123", sessionName: "alice" },
  issuedAt: 1_700_000_000_000,
  expiresAt: 1_700_003_600_000,
  policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
  tags: { team: "blue" },
};

describe("session tokens", () => {
  const tokens = new SessionTokens("root-secret");

  test("a token opens to the claims it was issued with, and its key id and secret", () => {
    const issued = tokens.issue(claims);
    assert.match(issued.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(issued.expiresAt, claims.expiresAt);
    assert.deepEqual(tokens.open(issued.accessKeyId, issued.sessionToken), { ...claims, accessKeyId: issued.accessKeyId, secretAccessKey: issued.secretAccessKey });
  });

  test("each issue is a new key, secret and token", () => {
    const a = tokens.issue(claims);
    const b = tokens.issue(claims);
    assert.notEqual(a.accessKeyId, b.accessKeyId);
    assert.notEqual(a.secretAccessKey, b.secretAccessKey);
    assert.notEqual(a.sessionToken, b.sessionToken);
  });

  test("a token altered anywhere opens to nothing", () => {
    const issued = tokens.issue(claims);
    const raw = Buffer.from(issued.sessionToken, "base64");
    for (const at of [0, 1, 20, raw.length >> 1, raw.length - 1]) {
      const tampered = Buffer.from(raw);
      tampered[at]! ^= 1;
      assert.equal(tokens.open(issued.accessKeyId, tampered.toString("base64")), undefined, `byte ${at}`);
    }
    assert.equal(tokens.open(issued.accessKeyId, raw.subarray(0, raw.length - 1).toString("base64")), undefined, "truncated");
    assert.equal(tokens.open(issued.accessKeyId, ""), undefined, "empty");
    assert.equal(tokens.open(issued.accessKeyId, "not base64 at all!"), undefined, "not a token");
  });

  test("a token sealed under another root secret opens to nothing", () => {
    const issued = new SessionTokens("another-root-secret").issue(claims);
    assert.equal(tokens.open(issued.accessKeyId, issued.sessionToken), undefined);
  });

  test("a token presented with another access key id opens to nothing", () => {
    const issued = tokens.issue(claims);
    const other = tokens.issue(claims);
    assert.equal(tokens.open(other.accessKeyId, issued.sessionToken), undefined);
  });
});
