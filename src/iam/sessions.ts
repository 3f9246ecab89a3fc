/**
 * STS's temporary credentials, stateless as AWS's are: the session token is the session itself
 * (who it stands for, its secret key, when it expires), sealed with AES-256-GCM under a key derived
 * from the account's root secret. Any node that knows the root secret can open a token; nothing is
 * stored, and a token altered by one bit opens to nothing.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_Credentials.html
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { IdPrefix, newId } from "./ids.js";

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What a session stands for. */
export type SessionSubject =
  /** AssumeRole (and a function's execution role): a session of a role. */
  | { type: "role"; roleName: string; roleId: string; sessionName: string }
  /** GetSessionToken by an IAM user: the user's own permissions. */
  | { type: "user"; userName: string; userId: string }
  /** GetSessionToken with the root credentials. */
  | { type: "root" };

export interface SessionClaims {
  accessKeyId: string;
  secretAccessKey: string;
  account: string;
  subject: SessionSubject;
  /** Epoch milliseconds. */
  issuedAt: number;
  expiresAt: number;
  /** Session policies passed to AssumeRole: inline (`Policy`) and managed (`PolicyArns`). */
  policy?: string;
  policyArns?: string[];
  /** Session tags (AssumeRole `Tags`): principal tags that override the role's of the same key. */
  tags?: Record<string, string>;
}

export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiresAt: number;
}

/** Whether a key is temporary (an STS session's, or a function environment's): AWS's `ASIA` prefix. */
export const isTemporaryKey = (accessKeyId: string) => accessKeyId.startsWith(IdPrefix.temporaryKey);

export const temporaryKeyId = () => newId(IdPrefix.temporaryKey);

export class SessionTokens {
  private readonly key: Buffer;

  constructor(rootSecret: string) {
    this.key = Buffer.from(hkdfSync("sha256", rootSecret, "flint-sts", "session-token-v1", 32));
  }

  /** New credentials for a session: a fresh `ASIA…` key, its secret, and the token that carries both. */
  issue(claims: Omit<SessionClaims, "accessKeyId" | "secretAccessKey">): SessionCredentials {
    const full: SessionClaims = { ...claims, accessKeyId: temporaryKeyId(), secretAccessKey: randomBytes(30).toString("base64") };
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const sealed = Buffer.concat([cipher.update(JSON.stringify(full), "utf8"), cipher.final()]);
    const token = Buffer.concat([Buffer.of(VERSION), iv, sealed, cipher.getAuthTag()]).toString("base64");
    return { accessKeyId: full.accessKeyId, secretAccessKey: full.secretAccessKey, sessionToken: token, expiresAt: full.expiresAt };
  }

  /** The session a token carries, if it was sealed here and names this access key; expiry is the caller's to judge. */
  open(accessKeyId: string, token: string): SessionClaims | undefined {
    const raw = Buffer.from(token, "base64");
    if (raw.length < 1 + IV_BYTES + TAG_BYTES + 2 || raw[0] !== VERSION) return undefined;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(1, 1 + IV_BYTES));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const text = Buffer.concat([decipher.update(raw.subarray(1 + IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString("utf8");
      const claims = JSON.parse(text) as SessionClaims;
      return claims.accessKeyId === accessKeyId ? claims : undefined;
    } catch {
      return undefined;
    }
  }
}
