/**
 * Root credentials: from FLINT_ACCESS_KEY_ID / FLINT_SECRET_ACCESS_KEY, or generated at first start
 * and kept (mode 0600) in the data dir so they survive restarts.
 */
import { randomBytes, randomInt } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Credentials, CredentialResolver, Principal } from "./api/sigv4.js";
import type { FlintConfig } from "./config/config.js";

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

/** Root only, for now; IAM users and temporary credentials plug in here later. */
export class StaticCredentialResolver implements CredentialResolver {
  constructor(private readonly root: Credentials) {}

  resolve(accessKeyId: string): { credentials: Credentials; principal: Principal } | undefined {
    if (accessKeyId !== this.root.accessKeyId) return undefined;
    return { credentials: this.root, principal: { accessKeyId, kind: "root" } };
  }
}
