/**
 * Escape attempts from inside a function under the strict sandbox: host secrets, other functions'
 * code, environment and Runtime API, writes outside /tmp, kill -9 -1, the Flint API without
 * credentials, the network of a function in a VPC, and the identity the function runs with. Every
 * attempt happens while a healthy function keeps answering. Resource limits: sandbox-limits.test.ts.
 */
import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import net from "node:net";
import { hostname, networkInterfaces, tmpdir } from "node:os";
import path from "node:path";
import { startFlint, type FlintProcess } from "../harness/flint.js";
import { createFunction, invoke } from "../harness/functions.js";
import { descendants, procFile } from "../harness/processes.js";
import { Arena, HOSTILE_RUNTIMES, errorTypeOf, listeningPorts, sandboxTest } from "../harness/sandbox.js";
import { FIXTURES, zipFiles } from "../harness/zip.js";

/** Variables of the server's own environment that must never reach a function. */
const SERVER_VARIABLES = /FLINT_SECRET_ACCESS_KEY|FLINT_ACCESS_KEY_ID|NODE_EXTRA_CA_CERTS|HOME=\/root/;
const VPC = { VpcConfig: { SubnetIds: ["subnet-0123"], SecurityGroupIds: ["sg-0123"] } };
const NEXT = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: runtime\r\n\r\n";

type Attempt = { ok: boolean; code?: string; value?: unknown };

/** Every attempt failed, each with one of `codes`. */
function assertRefused(results: Record<string, Attempt>, codes: string[]): void {
  for (const [what, r] of Object.entries(results)) {
    assert.equal(r.ok, false, `${what} was allowed`);
    assert.ok(codes.includes(r.code!), `${what}: ${r.code}, expected one of ${codes}`);
  }
}

const commandLine = (pid: number) => procFile(pid, "cmdline");
const uidOf = (pid: number) => Number(/^Uid:\s+(\d+)/m.exec(procFile(pid, "status"))?.[1]);

/** The Runtime API unix sockets of this server's environments, on the host. */
function hostRuntimeSockets(serverPid: number): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isSocket() && e.name === "runtime-api.sock") found.push(p);
      else if (e.isDirectory() && depth < 4) walk(p, depth + 1);
    }
  };
  for (const d of readdirSync(tmpdir())) if (d.startsWith(`flint-sandbox-${serverPid}-`)) walk(path.join(tmpdir(), d), 0);
  return found;
}

/** A TCP listener on the host's loopback that answers "hello" (a stand-in for any host service). */
async function hostService(): Promise<net.Server> {
  const server = net.createServer((s) => s.end("hello"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

describe("escaping the strict sandbox", () => {
  let flint: FlintProcess;
  let arena: Arena;
  let service: net.Server;
  const it = (name: string, fn: Parameters<typeof sandboxTest>[2]) => sandboxTest(name, () => arena, fn);
  before(async () => {
    flint = await startFlint();
    arena = await new Arena(flint).start();
    service = await hostService();
  });
  after(async () => {
    service.close();
    await flint.stop();
  });

  // First in the file: the victim then gets one of the first uids, which the other server reaches quickly.
  it("an environment of another Flint server on this host cannot take this server's invocations", async (t) => {
    // Processes come and go while this looks (the spare pool refills): one gone between the steps is skipped.
    const bootstraps = () =>
      new Map(
        descendants(flint.child.pid!)
          .filter((p) => commandLine(p).startsWith("/bin/sh\0/var/task/bootstrap"))
          .map((p) => [p, uidOf(p)] as const)
          .filter(([, uid]) => Number.isInteger(uid)),
      );
    const before = bootstraps();
    const victim = await createFunction(flint, await arena.zip("provided"), "echo", { runtime: "provided.al2023" });
    await invoke(flint, victim, {});
    const victimUid = [...bootstraps()].find(([p]) => !before.has(p))![1];
    // Without spares the other server hands out uids in order: walk up to the victim's.
    const other = await startFlint({ args: ["--spares", "0"] });
    try {
      const neighbour = new Arena(other);
      let attacker = "";
      let uid = 0;
      for (let i = 0; i < 32 && uid < victimUid; i++) {
        attacker = await neighbour.hostile(HOSTILE_RUNTIMES[0]);
        uid = (await neighbour.act(attacker, "identity")).payload.uid;
      }
      t.diagnostic(`victim uid ${victimUid}, attacker uid ${uid} (another server's function)`);
      const ports = listeningPorts(flint.child.pid!).filter((p) => p !== flint.port);
      let calling = true;
      const answers: unknown[] = [];
      const calls = (async () => {
        for (let i = 0; calling; i++) answers.push((await invoke(flint, victim, { secret: i })).payload);
      })();
      const { payload } = await neighbour.act(attacker, "hijack", { ports, ms: 5000 }).finally(() => (calling = false));
      await calls;
      t.diagnostic(`hijack: ${JSON.stringify(payload)}; ${answers.length} victim invocations`);
      assert.equal(payload.hijacked, null, `a function of another server took this one's invocation ${payload.hijacked?.event}`);
      assert.ok(answers.every((a: any) => a.echo), `answers: ${JSON.stringify(answers)}`);
    } finally {
      await other.stop();
    }
  });

  for (const rt of HOSTILE_RUNTIMES) {
    describe(rt.label, () => {
      it("cannot read /etc/shadow, the Flint data dir or the server's environment", async () => {
        const fn = await arena.hostile(rt);
        const db = path.join(flint.dataDir, "flint.db");
        assert.ok(existsSync(db), "the host has the database the function goes after");
        const { payload } = await arena.whileServing(() =>
          arena.act(fn, "read", { paths: ["/etc/shadow", "/etc/ssl/private", db, path.join(flint.dataDir, "credentials.json"), path.join(flint.dataDir, "code")] }),
        );
        assertRefused(payload, ["ENOENT", "EACCES"]);
        const environs = (await arena.act(fn, "environs")).payload as Record<string, Attempt>;
        assert.ok(environs["1"], "pid 1 of its namespace is visible");
        for (const [pid, r] of Object.entries(environs)) {
          if (r.ok) assert.doesNotMatch((r.value as string[]).join("\n"), SERVER_VARIABLES, `/proc/${pid}/environ`);
        }
      });

      it("cannot read another function's code or environment variables", async () => {
        const secret = randomUUID();
        const zip = await zipFiles({ "victim.js": "exports.handler = async () => process.env.VICTIM_SECRET.length;" });
        const victim = await createFunction(flint, zip, "victim.handler", { runtime: "nodejs20.x", Environment: { Variables: { VICTIM_SECRET: secret } } });
        assert.equal((await invoke(flint, victim)).payload, secret.length, "the victim runs alongside, secret in hand");
        const code = path.join(flint.dataDir, "code");
        const packages = readdirSync(code, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => path.join(code, d.name, "victim.js"));
        const fn = await arena.hostile(rt);
        const stolen = await arena.whileServing(async () => ({
          code: (await arena.act(fn, "read", { paths: packages })).payload,
          task: (await arena.act(fn, "list", { path: "/var/task" })).payload,
          environs: (await arena.act(fn, "environs")).payload,
        }));
        assertRefused(stolen.code, ["ENOENT", "EACCES"]);
        assert.deepEqual(stolen.task.value, readdirSync(path.join(FIXTURES, rt.fixture)).sort(), "/var/task holds only its own package");
        assert.doesNotMatch(JSON.stringify(stolen.environs), new RegExp(secret), "no visible process carries the victim's secret");
        assert.equal((await invoke(flint, victim)).payload, secret.length);
      });

      it("cannot write outside /tmp (EROFS or EACCES), and can write in /tmp", async () => {
        const fn = await arena.hostile(rt);
        const outside = ["/var/task", "/var/runtime", "", "/etc", "/usr", "/usr/bin", "/run/flint", "/dev", "/var"].map((d) => `${d}/escaped.txt`);
        const { payload } = await arena.whileServing(() => arena.act(fn, "write", { paths: [...outside, "/tmp/escaped.txt"] }));
        assert.equal(payload["/tmp/escaped.txt"].ok, true, "/tmp is writable");
        delete payload["/tmp/escaped.txt"];
        assertRefused(payload, ["EROFS", "EACCES"]);
      });

      it("kill -9 -1 ends only its own sandbox (Runtime.ExitError); the server and other functions carry on", async () => {
        const bystander = await createFunction(flint, await arena.zip("nodejs"), "counter.handler");
        const before = (await invoke(flint, bystander)).payload;
        const fn = await arena.hostile(rt);
        const r = await arena.whileServing(() => arena.act(fn, "killAll"));
        assert.equal(errorTypeOf(r), "Runtime.ExitError");
        assert.match(r.payload.errorMessage, /Runtime exited with error: signal: killed$/);
        const later = (await invoke(flint, bystander)).payload;
        assert.deepEqual([later.envId, later.invocations], [before.envId, 2], "the bystander's warm environment survived");
        assert.equal((await arena.act(fn, "list", { path: "/var/task" })).functionError, undefined, "the function comes back in a new environment");
      });

      it("cannot use another environment's Runtime API: its TCP port closes on it, its socket is not visible", async () => {
        const victim = await arena.hostile(rt);
        const [host, port] = (await arena.act(victim, "env")).payload.AWS_LAMBDA_RUNTIME_API.split(":");
        const fn = await arena.hostile(rt);
        const sockets = hostRuntimeSockets(flint.child.pid!);
        assert.ok(sockets.length >= 2, "the host has the environments' sockets");
        const { tcp, unix, own } = await arena.whileServing(async () => ({
          tcp: (await arena.act(fn, "connect", { host, port: Number(port), send: NEXT })).payload,
          unix: (await arena.act(fn, "read", { paths: sockets })).payload,
          own: (await arena.act(fn, "list", { path: "/run/flint" })).payload,
        }));
        assert.equal(tcp.received, "", `the other environment's Runtime API answered: ${tcp.received}`);
        assertRefused(unix, ["ENOENT"]);
        assert.deepEqual(own.value, ["runtime-api.sock"], "only its own socket is mounted");
        assert.equal((await arena.act(victim, "list", { path: "/run/flint" })).functionError, undefined, "the victim still works");
      });

      it("calling the Flint API without credentials gets 403 MissingAuthenticationTokenException", async () => {
        const fn = await arena.hostile(rt);
        const [host] = (await arena.act(fn, "env")).payload.AWS_LAMBDA_RUNTIME_API.split(":");
        assert.equal(host, "127.0.0.1");
        const send = `GET /2015-03-31/functions HTTP/1.1\r\nHost: ${host}:${flint.port}\r\nConnection: close\r\n\r\n`;
        const { payload } = await arena.whileServing(() => arena.act(fn, "connect", { host, port: flint.port, send }));
        assert.match(payload.received, /^HTTP\/1\.1 403 /);
        assert.match(payload.received, /\r\nx-amzn-errortype: MissingAuthenticationTokenException\r\n/i);
      });

      it("runs as its own unprivileged uid, without capabilities, with its own /tmp, root and hostname", async () => {
        const [a, b] = await Promise.all([arena.hostile(rt, { EphemeralStorage: { Size: 512 } }), arena.hostile(rt)]);
        const [ida, idb] = await arena.whileServing(() => Promise.all([a, b].map(async (fn) => (await arena.act(fn, "identity")).payload)));
        assert.notEqual(ida.uid, idb.uid, "each environment has its own uid");
        for (const id of [ida, idb]) {
          assert.ok(id.uid !== 0 && id.gid !== 0, `uid ${id.uid} gid ${id.gid}`);
          assert.ok(id.groups.every((g: number) => g === id.gid), `supplementary groups ${id.groups}`);
          assert.equal(id.capEff, "0000000000000000");
          assert.equal(id.capBnd, "0000000000000000");
          assert.equal(id.noNewPrivs, "1");
          assert.deepEqual(id.openFiles, ["1024", "1024"], "soft and hard open-files limits");
          assert.notEqual(id.tmpDevice, id.rootDevice, "/tmp is a filesystem of its own");
          const mb = id.tmpBytes / 2 ** 20;
          assert.ok(mb >= 500 && mb <= 600, `/tmp is ${mb.toFixed(0)} MB for EphemeralStorage 512`);
          assert.notEqual(id.hostname, hostname());
          assert.equal(id.user, `sbx_user${id.uid}`, "its user has a name, as on Lambda");
          assert.deepEqual(id.users, ["root", `sbx_user${id.uid}`], "/etc/passwd names no other sandbox's user");
          for (const e of ["ssl", "resolv.conf", "hosts", "nsswitch.conf", "ld.so.cache", "group"]) assert.ok(id.etc.includes(e), `/etc/${e} in ${id.etc}`);
          assert.ok(!id.etc.includes("shadow") && !id.etc.includes("hostname"), `only what a runtime needs of /etc: ${id.etc}`);
          assert.deepEqual(id.dev, ["fd", "full", "null", "random", "stderr", "stdin", "stdout", "tty", "urandom", "zero"], "/dev: the usual devices, no /dev/shm, as on Lambda");
          assert.equal(id.devNull, "writable");
          if (rt.fixture === "python") {
            // SIGHUP, SIGINT, SIGQUIT, SIGTERM (bits 0, 1, 2, 14): Flint's helpers ignore them, a sandbox must not inherit that.
            assert.equal(id.childSigIgn & 0b100000000000111, 0, `SigIgn ${id.childSigIgn.toString(16)}`);
          }
          const expected = ["bin", "dev", "etc", "lib", "lib64", "proc", "run", "sbin", "tmp", "usr", "var"];
          assert.deepEqual(id.root.filter((e: string) => !expected.includes(e)), [], `unexpected entries in /: ${id.root}`);
        }
        const tmp = (await arena.act(a, "list", { path: "/tmp" })).payload.value as string[];
        assert.deepEqual(tmp.filter((e) => e.startsWith("flint")), [], "the host's /tmp is not what it sees");
      });

      it("in a VPC cannot reach the Flint API or any host port, and still works", async () => {
        const fn = await arena.hostile(rt, VPC);
        const control = await arena.hostile(rt);
        const servicePort = (service.address() as net.AddressInfo).port;
        const reached = (await arena.act(control, "connect", { host: "127.0.0.1", port: servicePort })).payload;
        assert.equal(reached.received, "hello", "control: a function without VpcConfig reaches the host service");
        const external = Object.values(networkInterfaces()).flat().find((i) => i && i.family === "IPv4" && !i.internal)?.address;
        const targets = [{ host: "127.0.0.1", port: flint.port }, { host: "127.0.0.1", port: servicePort }, ...(external ? [{ host: external, port: flint.port }] : [])];
        const results = await arena.whileServing(() => Promise.all(targets.map(async (to) => (await arena.act(fn, "connect", to)).payload)));
        results.forEach((r, i) => assert.deepEqual([r.connected, r.received], [false, ""], `${JSON.stringify(targets[i])} reached: ${JSON.stringify(r)}`));
        assert.equal((await arena.act(fn, "identity")).functionError, undefined, "its Runtime API works");
      });
    });
  }

  it("process.kill(-1, SIGKILL) in Node.js reaches nothing outside its sandbox (and, by POSIX, spares the caller)", async () => {
    const fn = await arena.hostile(HOSTILE_RUNTIMES[0]);
    const pid = (await arena.act(fn, "identity")).payload.pid;
    const r = await arena.whileServing(() => arena.act(fn, "killAll", { from: "process" }));
    // kill(-1) signals every process the caller may signal except itself: in its pid namespace that is nothing.
    assert.ok(r.payload === "survived" || /ESRCH/.test(r.payload.errorMessage), r.raw);
    assert.equal((await arena.act(fn, "identity")).payload.pid, pid, "the same runtime answers, warm");
  });

  it("a custom runtime in a VPC cannot reach the Flint API, and its Runtime API (curl over TCP) works", async () => {
    const probe = { Environment: { Variables: { PROBE_URL: `${flint.endpoint}/_flint/health` } } };
    const zip = await arena.zip("provided");
    const isolated = await createFunction(flint, zip, "probe", { runtime: "provided.al2023", ...probe, ...VPC });
    const control = await createFunction(flint, zip, "probe", { runtime: "provided.al2023", ...probe });
    const r = await arena.whileServing(() => invoke(flint, isolated, { n: 1 }));
    assert.equal(r.functionError, undefined, r.raw);
    assert.deepEqual(r.payload.echo, { n: 1 });
    assert.notEqual(r.payload.probe, 0, "curl reached the Flint endpoint from inside the VPC");
    assert.equal((await invoke(flint, control, { n: 2 })).payload.probe, 0, "control: without VpcConfig curl gets through");
  });

  it("cannot create a user namespace (root over a fresh set of kernel objects)", async () => {
    const fn = await arena.hostile(HOSTILE_RUNTIMES[0]);
    const { payload } = await arena.whileServing(() => arena.act(fn, "unshare"));
    assert.equal(payload.ok, false, `unshare --user --map-root-user ran as uid ${payload.value} inside a new user namespace`);
  });
});
