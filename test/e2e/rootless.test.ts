/**
 * Strict isolation without root: `flint serve --sandbox strict` run by an unprivileged user whose
 * cgroup subtree is delegated to it (as systemd's user delegation gives one), on whichever cgroup
 * layout this host has. Bubblewrap makes a user namespace per sandbox; the limits come from the
 * delegated groups; all sandboxes share the user's uid outside, so the Runtime API tells them apart
 * by the processes of each one's cgroup.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startFlint, type FlintProcess } from "../harness/flint.js";
import { delegatedUser, delegationProblem, type DelegatedUser } from "../harness/delegated-user.js";
import { Arena, errorTypeOf } from "../harness/sandbox.js";
import { createFunction, invoke } from "../harness/functions.js";
import { zipFixture } from "../harness/zip.js";

const MB = 2 ** 20;
const problem = delegationProblem();

describe("strict isolation without root, in a delegated cgroup subtree", { skip: problem }, () => {
  let user: DelegatedUser;
  let flint: FlintProcess;
  let arena: Arena;
  before(async () => {
    user = await delegatedUser();
    flint = await startFlint({ dataDir: user.dataDir, asUser: user, args: ["--sandbox", "strict"] });
    arena = await new Arena(flint).start();
  });
  after(async () => {
    await flint?.stop();
    await user?.remove();
  });

  test("the server runs as the user, says it is strict without root, and enforces every limit", async (t) => {
    t.diagnostic(`cgroup layout: ${user.layout}`);
    const status = (await import("node:fs")).readFileSync(`/proc/${flint.child.pid}/status`, "utf8");
    assert.match(status, new RegExp(`^Uid:\\s+${user.uid}\\s`, "m"), "the server is not root");
    const health = await (await fetch(`${flint.endpoint}/_flint/health`)).json();
    assert.equal(health.isolation, "strict");
    assert.equal(health.driver, "bwrap");
    assert.deepEqual(health.limits.enforced, ["memory", "pids", "cpu", "freeze", "kill"]);
    assert.deepEqual(health.limits.missing, []);
    assert.match(flint.output(), /without root/);
  });

  test("a function runs as Lambda's sandbox user with no capabilities, a read-only package, a /tmp of its size and nothing of the host", async () => {
    const fn = await arena.hostile({ label: "Node.js", runtime: "nodejs20.x", fixture: "nodejs" }, { EphemeralStorage: { Size: 1024 } });
    const id = (await arena.act(fn, "identity")).payload;
    assert.equal(id.uid, 993);
    assert.equal(id.user, "sbx_user993");
    assert.equal(id.capEff, "0000000000000000");
    assert.equal(id.capBnd, "0000000000000000");
    assert.equal(id.noNewPrivs, "1");
    assert.equal(id.tmpBytes, 1024 * MB, "/tmp is EphemeralStorage in size");
    const writes = (await arena.act(fn, "write", { paths: ["/var/task/escaped", "/var/runtime/escaped", "/escaped", "/var/escaped", "/tmp/ok"] })).payload;
    const refused = { ok: false, code: "EROFS" };
    assert.deepEqual(writes, { "/var/task/escaped": refused, "/var/runtime/escaped": refused, "/escaped": refused, "/var/escaped": refused, "/tmp/ok": { ok: true } });
    const reads = (await arena.act(fn, "read", { paths: [`${flint.dataDir}/credentials.json`, "/etc/shadow", "/root"] })).payload;
    for (const [p, r] of Object.entries(reads)) assert.deepEqual(r, { ok: false, code: "ENOENT" }, `${p} is not in the sandbox`);
  });

  test("memory past MemorySize is Runtime.OutOfMemory, and a fork bomb stops at the process limit", async () => {
    const fn = await arena.hostile({ label: "Node.js", runtime: "nodejs20.x", fixture: "nodejs" }, { MemorySize: 128, Timeout: 60 });
    const oom = await arena.act(fn, "allocate", { mb: 400, kind: "buffer" });
    assert.equal(errorTypeOf(oom), "Runtime.OutOfMemory", oom.log);
    // As long as the machine needs to start a thousand processes: the function returns at the refusal.
    const bomb = await arena.hostile({ label: "Node.js", runtime: "nodejs20.x", fixture: "nodejs" }, { MemorySize: 2048, Timeout: 900 });
    const { spawned, code } = (await arena.act(bomb, "forkUntilRefused")).payload;
    assert.equal(code, "EAGAIN", "the kernel refused a process past pids.max");
    assert.ok(spawned > 900 && spawned < 1024, `${spawned} processes started next to the runtime (pids.max 1,024)`);
  });

  test("a custom runtime reaches its own Runtime API over TCP, and no other environment can take its invocations", async () => {
    // The server's uid owns every sandbox's sockets: only a socket held by a process of the
    // environment's own cgroup may use its TCP listener.
    const custom = await createFunction(flint, await zipFixture("provided"), "echo", { runtime: "provided.al2023" });
    assert.deepEqual((await invoke(flint, custom, { over: "tcp" })).payload.echo, { over: "tcp" });
    const victim = await arena.hostile({ label: "Node.js", runtime: "nodejs20.x", fixture: "nodejs" });
    const port = Number(String((await arena.act(victim, "env")).payload.AWS_LAMBDA_RUNTIME_API).split(":")[1]);
    const attacker = await arena.hostile({ label: "Node.js", runtime: "nodejs20.x", fixture: "nodejs" });
    const tried = (await arena.act(attacker, "hijack", { ports: [port], ms: 3000 })).payload;
    assert.deepEqual(tried, { hijacked: null, refused: 1 }, "the victim's listener refused the attacker");
    assert.deepEqual((await arena.act(victim, "list", { path: "/var/task" })).functionError, undefined, "and still serves its own");
  });
});

test("without a delegated subtree, strict refuses to start and names the fix", { skip: problem }, async () => {
  const user = await delegatedUser();
  try {
    // The server runs as the user but in root's groups: nothing there is the user's to change.
    await assert.rejects(startFlint({ dataDir: user.dataDir, asUser: { uid: user.uid, procs: [] }, args: ["--sandbox", "strict"] }), /not delegated to this user.*Delegate=yes/s);
  } finally {
    await user.remove();
  }
});
