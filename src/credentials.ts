/**
 * Root credentials: from FLINT_ACCESS_KEY_ID / FLINT_SECRET_ACCESS_KEY, or generated at first start
 * and kept (mode 0600) in the data dir so they survive restarts.
 */
import { randomBytes, randomInt } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Credentials, CredentialResolver, Principal } from "./api/sigv4.js";
import type { FlintConfig } from "./config/config.js";
import { awsError } from "./errors.js";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function generate(): Credentials {
  let id = "AKIA";
  for (let i = 0; i < 16; i++) id += BASE32[randomInt(32)];
  return { accessKeyId: id, secretAccessKey: randomBytes(30).toString("base64") };
}

export async function rootCredentials(config: FlintConfig): Promise<{ credentials: Credentials; generated: boolean; file?: string }> {
  if (config.rootAccessKeyId && config.rootSecretAccessKey) {
    return { credentials: { accessKeyId: config.rootAccessKeyId, secretAccessKey: config.rootSecretAccessKey }, generated: false };
  }
  const file = path.join(config.dataDir, "credentials.json");
  try {
    const saved = JSON.parse(await readFile(file, "utf8")) as Credentials;
    if (typeof saved.accessKeyId === "string" && typeof saved.secretAccessKey === "string") return { credentials: saved, generated: false, file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  const credentials = generate();
  await writeFile(file, JSON.stringify(credentials, null, 2) + "\n", { mode: 0o600, flag: "wx" });
  return { credentials, generated: true, file };
}

/** Temporary credentials a function's environment gets (AWS_ACCESS_KEY_ID/…/AWS_SESSION_TOKEN). */
export interface IssuedCredentials extends Credentials {
  sessionToken: string;
  expiresAt: number;
}

/** Lambda environments get role credentials valid for hours; Flint's live 12 h (real time). */
export const FUNCTION_CREDENTIALS_TTL_MS = 12 * 3_600_000;

/**
 * The root key plus temporary keys issued to execution environments. A temporary key names the
 * function and role it was issued for, needs its session token, expires, and is revoked when its
 * environment is destroyed. (IAM users and policy evaluation plug in here later; until then a
 * function's credentials may do what the root may.)
 */
export class CredentialAuthority implements CredentialResolver {
  private readonly temporary = new Map<string, { credentials: IssuedCredentials; principal: Principal }>();

  constructor(
    private readonly root: Credentials,
    private readonly now: () => number = Date.now,
  ) {}

  resolve(accessKeyId: string): { credentials: Credentials; principal: Principal } | undefined {
    if (accessKeyId === this.root.accessKeyId) return { credentials: this.root, principal: { accessKeyId, kind: "root" } };
    const issued = this.temporary.get(accessKeyId);
    if (!issued) return undefined;
    if (issued.credentials.expiresAt <= this.now()) {
      this.temporary.delete(accessKeyId);
      throw awsError("ExpiredTokenException", "The security token included in the request is expired");
    }
    return issued;
  }

  issue(functionArn: string, role: string, ttlMs = FUNCTION_CREDENTIALS_TTL_MS): IssuedCredentials {
    let accessKeyId = "ASIA";
    for (let i = 0; i < 16; i++) accessKeyId += BASE32[randomInt(32)];
    const credentials = { accessKeyId, secretAccessKey: randomBytes(30).toString("base64"), sessionToken: randomBytes(96).toString("base64"), expiresAt: this.now() + ttlMs };
    this.temporary.set(accessKeyId, { credentials, principal: { accessKeyId, kind: "function", functionArn, role } });
    return credentials;
  }

  revoke(accessKeyId: string): void {
    this.temporary.delete(accessKeyId);
  }

  get issuedCount(): number {
    return this.temporary.size;
  }
}
