/**
 * The `strict` driver: every environment is a bubblewrap sandbox (new pid, ipc, uts and cgroup
 * namespaces, and a net namespace in isolated mode) with cgroup limits, running as its own
 * unprivileged uid with no capabilities and no_new_privs. Why bubblewrap and how: sandbox/README.md.
 *
 * What the function sees: its package read-only at /var/task, Flint's runtimes read-only at
 * /var/runtime, a private disk-backed /tmp of EphemeralStorage size (a loop-mounted ext4 image, so
 * it is not charged to the function's memory), read-only /usr (and /bin, /lib), a few files of /etc,
 * its own /proc and /dev, and nothing else of the host.
 */
import { spawn, execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, openSync, readSync, closeSync, rmSync } from "node:fs";
import { access, constants, mkdir, writeFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { RUNTIMES_DIR } from "../paths.js";
import { CgroupTree, type Cgroup } from "./cgroups.js";
import type { ExitInfo, RuntimeApiAddresses, Sandbox, SandboxDriver, SandboxShape, SandboxSpec } from "./driver.js";
import { SandboxStartError, bootstrapMissing } from "./errors.js";
import { layoutEnv, runtimeCommand, type Layout } from "./runtime-command.js";

const run = promisify(execFile);

/** First uid handed to sandboxes; each live environment has its own. */
const UID_BASE = 61000;
const UID_COUNT = 4096;
const PIDS_MAX = 1024;
const NOFILE = 1024;
/** Lambda gives one full core at 1,769 MB; cpu.shares weighs the environment the same way. */
const cpuShares = (memoryMb: number) => Math.max(2, Math.round((1024 * memoryMb) / 1769));
/** Inside the sandbox. */
const SOCKET_IN_SANDBOX = "/run/flint/runtime-api.sock";
const RUNTIME_API_PORT_IN_NETNS = 9001;
const STATUS_BUF = Buffer.alloc(4096);

/** ext4 metadata takes ~3% of an image: size it so the free space is at least what was asked. */
const imageMb = (storageMb: number) => Math.ceil(storageMb * 1.04) + 8;

/** Host /etc entries a runtime needs (TLS roots, name resolution, dynamic linker cache, alternatives). */
const ETC = ["ssl", "ca-certificates", "ca-certificates.conf", "alternatives", "ld.so.cache", "resolv.conf", "hosts", "nsswitch.conf", "localtime", "mime.types"];

class BwrapSandbox implements Sandbox {
  readonly exited: Promise<ExitInfo>;
  frozen = false;
  private dead = false;
  private runtimePid: number | undefined;
  private statusFd: number | undefined;

  constructor(
    private readonly child: ReturnType<typeof spawn>,
    private readonly cgroup: Cgroup,
    private readonly driver: BwrapDriver,
    private readonly id: string,
    private readonly uid: number,
  ) {
    this.exited = new Promise((resolve) =>
      child.once("exit", (code, signal) => {
        this.dead = true;
        if (this.statusFd !== undefined) closeSync(this.statusFd);
        this.statusFd = undefined;
        // bwrap reports a child killed by a signal as 128 + the signal number.
        const oom = this.cgroup.oomKilledSinceLastCheck();
        if (code !== null && code > 128 && code < 160) resolve({ code: null, signal: signalName(code - 128), oom });
        else resolve({ code, signal, oom });
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }
  get stdout() {
    return this.child.stdout!;
  }
  get stderr() {
    return this.child.stderr!;
  }

  async bind(codeDir: string): Promise<Record<string, string>> {
    await this.driver.mountPackage(this.id, codeDir);
    return {};
  }

  /** The runtime's own peak RSS, or the group's charged peak, whichever is larger (see linux-sandbox.md trap 7). */
  maxMemoryUsedMb(): number {
    let rss = 0;
    try {
      if (this.runtimePid === undefined) this.runtimePid = Math.max(...this.cgroup.pids());
      this.statusFd ??= openSync(`/proc/${this.runtimePid}/status`, "r");
      const n = readSync(this.statusFd, STATUS_BUF, 0, STATUS_BUF.length, 0);
      const m = /VmHWM:\s+(\d+) kB/.exec(STATUS_BUF.toString("latin1", 0, n));
      rss = m ? Number(m[1]) * 1024 : 0;
    } catch {
      // the runtime is gone
    }
    return Math.ceil(Math.max(rss, this.cgroup.peakBytes()) / (1024 * 1024));
  }

  memoryBytes(): Promise<number> {
    return this.cgroup.memoryUsageBytes();
  }

  async freeze(): Promise<void> {
    if (this.frozen || this.dead) return;
    this.cgroup.freeze(true);
    this.frozen = true;
  }

  async thaw(): Promise<void> {
    if (!this.frozen) return;
    this.cgroup.freeze(false);
    this.frozen = false;
  }

  private destroying: Promise<void> | undefined;

  destroy(): Promise<void> {
    this.destroying ??= (async () => {
      this.cgroup.kill();
      await this.exited;
      await this.cgroup.remove();
      await this.driver.release(this.id, this.uid);
    })();
    return this.destroying;
  }
}

function signalName(n: number): NodeJS.Signals {
  const names: Record<number, NodeJS.Signals> = { 1: "SIGHUP", 2: "SIGINT", 6: "SIGABRT", 9: "SIGKILL", 11: "SIGSEGV", 15: "SIGTERM" };
  return names[n] ?? ("SIGKILL" as NodeJS.Signals);
}

export class BwrapDriver implements SandboxDriver {
  readonly name = "bwrap";
  readonly isolation = "strict" as const;
  private readonly uids = new Map<string, number>();
  private readonly freeUids: number[] = [];
  private nextUid = UID_BASE;

  private constructor(
    readonly reason: string,
    /** Per-environment files (images, mount points, sockets, passwd). */
    private readonly runDir: string,
    /** A shared mount: packages mounted on <slots>/<id> afterwards appear at a sandbox's /var/task. */
    private readonly slotsDir: string,
    /** A read-only bind of the data dir's code: every package mounted from here is read-only. */
    private readonly codeRoot: string,
    private readonly cgroups: CgroupTree,
    private readonly node: { file: string; prefix?: string },
  ) {}

  static async create(codeDir: string, reason: string): Promise<BwrapDriver> {
    const runDir = await mkdirTemp("flint-sandbox-");
    const slotsDir = path.join(runDir, "slots");
    const codeRoot = path.join(runDir, "code");
    await mkdir(slotsDir);
    await mkdir(codeRoot);
    await run("sh", ["-ec", `mount --bind "$1" "$1"; mount --make-shared "$1"; mount --bind "$2" "$3"; mount -o remount,bind,ro "$3"`, "sh", slotsDir, codeDir, codeRoot]);
    const cgroups = await CgroupTree.create(`flint-${process.pid}`);
    // Node runs from /usr here; an installation elsewhere is mounted where AWS keeps it, /var/lang.
    const node = process.execPath.startsWith("/usr/") ? { file: process.execPath } : { file: "/var/lang/bin/node", prefix: path.dirname(path.dirname(process.execPath)) };
    return new BwrapDriver(reason, runDir, slotsDir, codeRoot, cgroups, node);
  }

  private allocUid(id: string): number {
    let uid = this.uids.get(id);
    if (uid !== undefined) return uid;
    uid = this.freeUids.pop() ?? this.nextUid++;
    if (uid >= UID_BASE + UID_COUNT) throw new Error("no sandbox uids left");
    this.uids.set(id, uid);
    return uid;
  }

  runtimeApiTargets(id: string, shape: SandboxShape) {
    const uid = this.allocUid(id);
    const dir = path.join(this.runDir, id);
    mkdirSync(dir, { recursive: true });
    // In default mode the environment shares the host's loopback: only its own uid may connect.
    const tcp = shape.network === "isolated" ? { host: "127.0.0.1", port: 0, peerUid: -1 } : { host: "127.0.0.1", port: 0, peerUid: uid };
    return { tcp, socket: { path: path.join(dir, "runtime-api.sock") } };
  }

  async create(spec: SandboxSpec, api: RuntimeApiAddresses): Promise<Sandbox> {
    const uid = this.allocUid(spec.id);
    const dir = path.join(this.runDir, spec.id);
    const tmp = path.join(dir, "tmp");
    const slot = path.join(this.slotsDir, spec.id);
    await mkdir(tmp, { recursive: true });
    await mkdir(slot, { recursive: true });
    let cgroup: Cgroup | undefined;
    try {
      await writeFile(path.join(dir, "passwd"), `root:x:0:0:root:/root:/usr/sbin/nologin\nsbx_user${uid}:x:${uid}:${uid}::/tmp:/usr/sbin/nologin\n`);
      await writeFile(path.join(dir, "group"), `root:x:0:\nsbx_user${uid}:x:${uid}:\n`);
      // The socket is the environment's door to its Runtime API: only its uid may open it.
      await run("chown", [`${uid}:${uid}`, api.socket!]);
      await run("sh", [
        "-ec",
        `truncate -s "$1M" "$2"; mkfs.ext4 -q -F -m 0 -O ^has_journal -E lazy_itable_init=1,nodiscard "$2"; mount -o loop,nosuid,nodev,noatime "$2" "$3"; chmod 1777 "$3"`,
        "sh",
        String(imageMb(spec.ephemeralStorageMb)),
        path.join(dir, "tmp.img"),
        tmp,
      ]);
      if (spec.codeDir) await this.mountPackage(spec.id, spec.codeDir);
      if (spec.family === "provided" && spec.codeDir) {
        try {
          await access(path.join(spec.codeDir, "bootstrap"), constants.X_OK);
        } catch (err) {
          throw bootstrapMissing("/var/task", err as NodeJS.ErrnoException);
        }
      }
      cgroup = await this.cgroups.group(spec.id, { memoryMb: spec.memoryMb, pids: PIDS_MAX, cpuShares: cpuShares(spec.memoryMb) });
      const isolated = spec.network === "isolated";
      const layout: Layout = { taskRoot: "/var/task", runtimeDir: "/var/runtime", node: this.node.file, python: "/usr/bin/python3", socket: SOCKET_IN_SANDBOX };
      const runtimeApi = isolated ? { tcp: `127.0.0.1:${RUNTIME_API_PORT_IN_NETNS}` } : { tcp: api.tcp };
      const { file, args } = runtimeCommand(spec, layout);
      const inner = ["/usr/bin/setpriv", `--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"];
      // A custom runtime in an isolated network reaches its Runtime API through a bridge in its namespace.
      const command =
        isolated && spec.family === "provided"
          ? [...inner, "/bin/sh", "-c", `socat TCP-LISTEN:${RUNTIME_API_PORT_IN_NETNS},bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:${SOCKET_IN_SANDBOX} & until grep -q ':${RUNTIME_API_PORT_IN_NETNS.toString(16).toUpperCase()} 00000000:0000 0A' /proc/net/tcp; do :; done; exec "$0" "$@"`, file, ...args]
          : [...inner, file, ...args];
      const bwrap = [
        "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
        ...(isolated ? ["--unshare-net"] : []),
        "--hostname", "sandbox",
        "--ro-bind", "/usr", "/usr",
        "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
        "--perms", "0755", "--dir", "/etc",
        ...ETC.flatMap((e) => ["--ro-bind-try", `/etc/${e}`, `/etc/${e}`]),
        "--ro-bind", path.join(dir, "passwd"), "/etc/passwd",
        "--ro-bind", path.join(dir, "group"), "/etc/group",
        "--proc", "/proc", "--dev", "/dev",
        "--bind", tmp, "/tmp",
        "--perms", "0755", "--dir", "/var",
        "--ro-bind", RUNTIMES_DIR, "/var/runtime",
        "--ro-bind", slot, "/var/task",
        ...(this.node.prefix ? ["--ro-bind", this.node.prefix, "/var/lang"] : []),
        "--perms", "0755", "--dir", "/run/flint",
        "--bind", api.socket!, SOCKET_IN_SANDBOX,
        "--chdir", "/var/task",
        "--", ...command,
      ];
      // The launcher joins the environment's cgroups and sets its file limit before anything runs.
      const launcher = `for f in ${cgroup.procsFiles().map((f) => `'${f}'`).join(" ")}; do echo $$ > "$f"; done; ulimit -n ${NOFILE}; exec "$@"`;
      const child = spawn("/bin/sh", ["-c", launcher, "flint-sandbox", "/usr/bin/bwrap", ...bwrap], {
        env: layoutEnv(spec, layout, runtimeApi),
        stdio: ["ignore", "pipe", "pipe"],
      });
      await new Promise<void>((resolve, reject) => {
        child.once("spawn", resolve);
        child.once("error", (err) => reject(new SandboxStartError("Runtime.InvalidEntrypoint", `fork/exec ${file}: ${err.message}`)));
      });
      return new BwrapSandbox(child, cgroup, this, spec.id, uid);
    } catch (err) {
      await cgroup?.remove().catch(() => undefined);
      await this.release(spec.id, uid);
      throw err;
    }
  }

  /** Mount a package (read-only, from the read-only code root) where a sandbox's /var/task points. */
  async mountPackage(id: string, codeDir: string): Promise<void> {
    const source = path.join(this.codeRoot, path.basename(codeDir));
    await run("mount", ["--bind", source, path.join(this.slotsDir, id)]);
  }

  /** Undo everything an environment had on the host: mounts, image, files, uid. */
  async release(id: string, uid: number): Promise<void> {
    const dir = path.join(this.runDir, id);
    const slot = path.join(this.slotsDir, id);
    await run("sh", ["-c", `mountpoint -q "$1" && umount "$1"; mountpoint -q "$2" && umount -d "$2"; true`, "sh", slot, path.join(dir, "tmp")]).catch(() => undefined);
    await rm(slot, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
    if (this.uids.get(id) === uid) {
      this.uids.delete(id);
      this.freeUids.push(uid);
    }
  }

  async close(): Promise<void> {
    await run("sh", ["-c", `umount "$1"; umount "$2"; true`, "sh", this.slotsDir, this.codeRoot]).catch(() => undefined);
    await this.cgroups.remove();
    rmSync(this.runDir, { recursive: true, force: true });
  }
}

async function mkdirTemp(prefix: string): Promise<string> {
  const dir = path.join(tmpdir(), `${prefix}${randomBytes(4).toString("hex")}`);
  await mkdir(dir, { mode: 0o711 });
  return dir;
}
