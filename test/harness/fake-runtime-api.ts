/**
 * A small Runtime API (`node:http`) to run a runtime against in-process, without `flint serve`: it
 * hands out the events a test queues and gives the test each answer's request to read as it wants
 * (chunk by chunk, paused, answered early). Only what a runtime's loop needs:
 * https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
 */
import http from "node:http";
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { unlink } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { PATIENCE_MS } from "./processes.js";

export interface Answer {
  /** `response` or `error`. */
  kind: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The body as its `data` events brought it. */
  pieces: Buffer[];
  trailers: NodeJS.Dict<string>;
}

/** Answers with a Content-Length, the only framing a runtime's client must read (never chunked). */
export function reply(res: http.ServerResponse, status: number, body = ""): void {
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) }).end(body);
}

/** Reads an answer's request; `collect` reads it whole and answers 202 as Lambda's Runtime API does. */
export type Receive = (req: http.IncomingMessage, res: http.ServerResponse, kind: string) => Promise<Answer>;

export const collect: Receive = (req, res, kind) =>
  new Promise((resolve, reject) => {
    const pieces: Buffer[] = [];
    req.on("data", (d: Buffer) => pieces.push(d));
    req.on("error", reject);
    req.on("end", () => {
      reply(res, 202, '{"status":"OK"}');
      resolve({ kind, headers: req.headers, body: Buffer.concat(pieces), pieces, trailers: req.trailers });
    });
  });

interface Pending {
  id: string;
  event: unknown;
  receive: Receive;
  settle: (answer: Promise<Answer>) => void;
}

export class FakeRuntimeApi {
  /** Connections the runtime opened: its loop keeps one. */
  connections = 0;
  initErrors: Buffer[] = [];
  private queued: Pending[] = [];
  private parked: http.ServerResponse[] = [];
  private answering = new Map<string, Pending>();

  private constructor(
    private readonly server: http.Server,
    /** `AWS_LAMBDA_RUNTIME_API`, or the unix socket's path. */
    readonly address: string,
  ) {}

  /** Listens on loopback TCP, or on the unix socket `socketPath` (Flint's own runtimes' transport). */
  static async start(socketPath?: string): Promise<FakeRuntimeApi> {
    let api: FakeRuntimeApi | undefined;
    const server = http.createServer((req, res) => api!.route(req, res));
    server.keepAliveTimeout = 0;
    server.requestTimeout = 0;
    server.on("connection", () => api!.connections++);
    if (socketPath) await unlink(socketPath).catch(() => {});
    await new Promise<void>((resolve) => (socketPath ? server.listen(socketPath, resolve) : server.listen(0, "127.0.0.1", resolve)));
    api = new FakeRuntimeApi(server, socketPath ?? `127.0.0.1:${(server.address() as AddressInfo).port}`);
    return api;
  }

  /** Queues an invocation; resolves to the runtime's answer as `receive` read it. */
  invoke(event: unknown, receive: Receive = collect): Promise<Answer> {
    return new Promise((resolve, reject) => {
      this.queued.push({ id: randomUUID(), event, receive, settle: (a) => a.then(resolve, reject) });
      this.dispatch();
    });
  }

  close(): Promise<void> {
    for (const res of this.parked.splice(0)) res.destroy();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private dispatch(): void {
    while (this.queued.length && this.parked.length) {
      const p = this.queued.shift()!;
      this.answering.set(p.id, p);
      const body = Buffer.from(JSON.stringify(p.event));
      this.parked.shift()!.writeHead(200, {
        "Lambda-Runtime-Aws-Request-Id": p.id,
        "Lambda-Runtime-Deadline-Ms": String(Date.now() + PATIENCE_MS),
        "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:000000000000:function:fake",
        "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000",
        "Content-Type": "application/json",
        "Content-Length": body.length,
      }).end(body);
    }
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? "";
    if (req.method === "GET" && url === "/2018-06-01/runtime/invocation/next") {
      this.parked.push(res);
      // A runtime that stopped leaves no /next behind to take the next event.
      res.on("close", () => this.parked.includes(res) && this.parked.splice(this.parked.indexOf(res), 1));
      return this.dispatch();
    }
    const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    const p = m && this.answering.get(m[1]);
    if (req.method === "POST" && p) {
      this.answering.delete(p.id);
      return p.settle(p.receive(req, res, m[2]));
    }
    if (req.method === "POST" && url === "/2018-06-01/runtime/init/error") {
      req.on("data", (d: Buffer) => this.initErrors.push(d));
      req.on("end", () => reply(res, 202));
      return;
    }
    reply(res, 404);
  }
}

export interface RuntimeProcess {
  child: ChildProcess;
  /** Everything the runtime wrote to stdout and stderr so far. */
  output(): string;
  /** Waits for a line of output matching `re`, and returns its match. */
  waitForOutput(re: RegExp): Promise<RegExpMatchArray>;
  /** `api.invoke`, failing if the runtime exits first (an init error, a crash) rather than waiting forever. */
  invoke(event: unknown, receive?: Receive): Promise<Answer>;
  stop(): void;
}

/** Starts a runtime's `file` (with `args`) against `api`, as Flint would start it in an environment. */
export function startRuntime(api: FakeRuntimeApi, file: string, args: string[], env: Record<string, string>, overSocket = false): RuntimeProcess {
  const transport = overSocket ? { AWS_LAMBDA_RUNTIME_API: "127.0.0.1:9001", _FLINT_RUNTIME_API_SOCKET: api.address } : { AWS_LAMBDA_RUNTIME_API: api.address };
  const child = spawn(file, args, { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...transport, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const watchers = new Set<() => void>();
  const onOutput = (d: Buffer) => {
    out += d.toString("utf8");
    for (const w of watchers) w();
  };
  child.stdout!.on("data", onOutput);
  child.stderr!.on("data", onOutput);
  const exited = new Promise<never>((_, reject) =>
    child.on("exit", (code, signal) => reject(new Error(`the runtime exited (${code ?? signal}); output:\n${out}`))),
  );
  exited.catch(() => {}); // only an invocation in flight cares
  return {
    child,
    output: () => out,
    waitForOutput: (re) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(out);
          if (!m) return;
          watchers.delete(check);
          clearTimeout(timer);
          resolve(m);
        };
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`no output matching ${re} in ${PATIENCE_MS} ms; output:\n${out}`));
        }, PATIENCE_MS);
        watchers.add(check);
        check();
      }),
    invoke: (event, receive) => Promise.race([api.invoke(event, receive), exited]),
    stop: () => void child.kill("SIGKILL"),
  };
}
