/**
 * The benchmark's HTTP client: keep-alive sockets and a cheap SigV4 signer (cached signing key,
 * node:crypto), so that the client costs the same small amount against Flint and the baseline.
 * (The server verifies with the maintained signer; this is load generation only.)
 */
import http from "node:http";
import { createHash, createHmac } from "node:crypto";
import { performance } from "node:perf_hooks";

export interface Target {
  host: string;
  port: number;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();
const hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

export class SignedClient {
  private readonly agent: http.Agent;
  private keyDate = "";
  private key: Buffer = Buffer.alloc(0);

  constructor(
    private readonly t: Target,
    concurrency: number,
    /** The service in the credential scope. */
    private readonly service = "lambda",
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  }

  private headers(method: string, path: string, body: Buffer): Record<string, string> {
    const amzDate = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    const date = amzDate.slice(0, 8);
    if (date !== this.keyDate) {
      this.keyDate = date;
      this.key = hmac(hmac(hmac(hmac(`AWS4${this.t.secretAccessKey}`, date), this.t.region), this.service), "aws4_request");
    }
    const host = `${this.t.host}:${this.t.port}`;
    const payloadHash = hex(body);
    const canonical = `${method}\n${path.replace(/:/g, "%253A")}\n\nhost:${host}\nx-amz-date:${amzDate}\n\nhost;x-amz-date\n${payloadHash}`;
    const scope = `${date}/${this.t.region}/${this.service}/aws4_request`;
    const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${hex(canonical)}`;
    const signature = createHmac("sha256", this.key).update(toSign).digest("hex");
    return {
      host,
      "x-amz-date": amzDate,
      "content-type": "application/json",
      "content-length": String(body.length),
      authorization: `AWS4-HMAC-SHA256 Credential=${this.t.accessKeyId}/${scope}, SignedHeaders=host;x-amz-date, Signature=${signature}`,
    };
  }

  /** POST a signed request (`extra` headers are sent unsigned); resolves with status and latency in ms. */
  post(path: string, body: Buffer, extra: Record<string, string> = {}): Promise<{ status: number; ms: number; body: Buffer }> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const headers = { ...this.headers("POST", path, body), ...extra };
      const req = http.request({ host: this.t.host, port: this.t.port, method: "POST", path: path.replace(/:/g, "%3A"), agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode!, ms: performance.now() - started, body: Buffer.concat(chunks) }));
      });
      req.on("error", reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
