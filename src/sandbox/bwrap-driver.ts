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
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { access, chown, constants, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { constants as osConstants, tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { RUNTIMES_DIR } from "../paths.js";
import { realCgroupFs } from "./cgroups/cgroup-fs.js";
import { favorDynamicModifications } from "./cgroups/host.js";
import type { CgroupLayout } from "./cgroups/layout.js";
import { CgroupTree, sweepCgroups, type Cgroup, type CgroupReport } from "./cgroups/tree.js";
import { HostHelper, type Started } from "./host-helper.js";
import { SandboxEtc } from "./etc.js";
import { PeakRss } from "./peak-rss.js";
import { seccompFilter } from "./seccomp.js";
import { UidLedger } from "./uids.js";
import type { Peer } from "../runtime-api/peer.js";
import type { ExitInfo, RuntimeApiAddresses, Sandbox, SandboxDriver, SandboxShape, SandboxSpec } from "./driver.js";
import { SandboxStartError, bootstrapMissing } from "./errors.js";
import { PYTHON, layoutEnv, runtimeCommand, type Layout } from "./runtime-command.js";

const run = promisify(execFile);

const PIDS_MAX = 1024;
const NOFILE = 1024;
/** Inside the sandbox. */
const SOCKET_IN_SANDBOX = "/run/flint/runtime-api.sock";
const RUNTIME_API_PORT_IN_NETNS = 9001;
/**
 * Without root every sandbox runs as the server's own uid outside and as this one inside its user
 * namespace (Lambda's `sbx_user1051`).
 */
const ROOTLESS_UID = 993;
/** How stale the runtime's VmHWM may get while its group's peak stands still (see maxMemoryUsedMb). */
const HWM_REFRESH_MS = 1000;

/** ext4 metadata takes ~3% of an image: size it so the free space is at least what was asked. */
const imageMb = (storageMb: number) => Math.ceil(storageMb * 1.04) + 8;

class BwrapSandbox implements Sandbox {
  readonly exited: Promise<ExitInfo>;
  frozen = false;
  private dead = false;
  private readonly peakRss = new PeakRss(() => this.runtimePid());
  /** The runtime's VmHWM as last read, and the group's peak and the time when it was. */
  private hwm = { bytes: 0, groupPeak: -1, at: 0 };

  constructor(
    private readonly process: Started,
    private readonly cgroup: Cgroup,
    private readonly driver: BwrapDriver,
    private readonly id: string,
    private readonly uid: number,
    /** The /tmp filesystem, being mounted while the runtime starts. */
    private readonly storage: Promise<void>,
    private readonly memoryMb: number,
  ) {
    this.exited = process.exit.then(({ code, signal }) => {
      this.dead = true;
      this.peakRss.close();
      // bwrap reports a child killed by a signal as 128 + the signal number.
      const oom = this.cgroup.oomKilledSinceLastCheck();
      if (code !== null && code > 128 && code < 160) return { code: null, signal: signalName(code - 128), oom };
      return { code, signal: signal === null ? null : signalName(signal), oom };
    });
  }

  get pid(): number {
    return this.process.pid;
  }
  get stdout() {
    return this.process.stdout;
  }
  get stderr() {
    return this.process.stderr;
  }

  async bind(codeDir: string): Promise<Record<string, string>> {
    await this.storage;
    await this.driver.mountPackage(this.id, codeDir);
    return {};
  }

  /**
   * The runtime's own peak RSS, or the group's charged peak, whichever is larger (see
   * linux-sandbox.md trap 7). Reading the group's peak costs ~1.5 µs; the runtime's VmHWM 10–30 µs
   * (`/proc/<pid>/status` is generated under the process's memory-map lock), which was 6% of Flint's
   * thread at 8 parallel invokes. Every anonymous page the runtime touches is charged to the group, so
   * a new peak of its RSS moves the group's peak too, unless it is made only of file pages charged
   * elsewhere (the interpreter's own code, already in the page cache): VmHWM is re-read when the group's
   * peak moved, and at least every second.
   */
  maxMemoryUsedMb(): number {
    const groupPeak = this.cgroup.peakBytes();
    const now = performance.now();
    if (groupPeak !== this.hwm.groupPeak || now - this.hwm.at >= HWM_REFRESH_MS) this.hwm = { bytes: this.peakRss.bytes(), groupPeak, at: now };
    return Math.ceil(Math.max(this.hwm.bytes, groupPeak) / (1024 * 1024));
  }

  async memoryBytes(): Promise<number> {
    return this.cgroup.memoryBytes();
  }

  /** The runtime is the newest process of the group (bwrap's own two come first). */
  private runtimePid(): number {
    return Math.max(...this.cgroup.pids());
  }

  initialized(): void {
    this.cgroup.limitCpu(this.memoryMb);
    const runtime = this.runtimePid();
    if (runtime > 0) this.driver.detachMounts(this.id, runtime, this.cgroup.procsFiles()[0]!);
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

const SIGNAL_NAMES = new Map(Object.entries(osConstants.signals).map(([name, n]) => [n as number, name as NodeJS.Signals]));
const signalName = (n: number): NodeJS.Signals => SIGNAL_NAMES.get(n) ?? "SIGKILL";

export class BwrapDriver implements SandboxDriver {
  readonly name = "bwrap";
  /** Strict when every limit holds on this host; the cgroup report names any that does not. */
  readonly isolation: "strict" | "partial";
  private readonly uids = new Map<string, number>();
  private readonly ledger = new UidLedger();
  /** Pre-formatted /tmp images, one per size in use. */
  private readonly templates = new Map<number, Promise<string>>();

  private constructor(
    readonly reason: string,
    /**
     * `<root>/run`: a tmpfs for what each environment has on the host apart from its /tmp image
     * (mount points, Runtime API socket, passwd), so starting and ending one creates no inode on
     * disk. (A root ext4 without a journal, as here, skips every inode freed in the last 30 s when
     * it allocates one: after a hundred environments ended, each new file scanned past all of theirs,
     * ~12 ms of CPU per environment.) `<root>/img`: /tmp images and their templates, on disk,
     * because Lambda's /tmp is disk and an image on tmpfs would be memory.
     */
    private readonly root: string,
    /**
     * A shared mount: what the host mounts on <mounts>/<id>/task and <id>/tmp afterwards appears at
     * that sandbox's /var/task and /tmp, so a sandbox can start before its storage and package are in.
     */
    private readonly mountsDir: string,
    /** A read-only bind of the data dir's code: every package mounted from here is read-only. */
    private readonly codeRoot: string,
    private readonly cgroups: CgroupTree,
    /** Mounts and images. */
    private readonly helper: HostHelper,
    /** Starts sandboxes: a helper of its own, so that a start never waits behind a /tmp image. */
    private readonly launcher: HostHelper,
    private readonly node: { file: string; prefix?: string },
    private readonly etc: SandboxEtc,
    /**
     * Run without root: bubblewrap makes a user namespace per sandbox, the package is bound when the
     * sandbox starts (no spares: nothing can be mounted into a running sandbox), and /tmp is a
     * size-limited tmpfs (charged to the function's memory; a loop-mounted image needs root).
     */
    readonly rootless: boolean,
  ) {
    this.isolation = cgroups.report.missing.length === 0 ? "strict" : "partial";
    this.bindsLater = !rootless;
  }

  readonly bindsLater: boolean;
  /** Environments' groups, for the rootless Runtime API's peer check. */
  private readonly groups = new Map<string, Cgroup>();

  get limits(): CgroupReport {
    return this.cgroups.report;
  }

  static async create(codeDir: string, reason: string, layout: CgroupLayout, rootless = false): Promise<BwrapDriver> {
    await BwrapDriver.sweep(layout, rootless);
    const root = await mkdirTemp(`flint-sandbox-${process.pid}-`);
    const runDir = path.join(root, "run");
    await mkdir(runDir, { mode: 0o711 });
    await mkdir(path.join(root, "img"), { mode: 0o700 });
    if (!rootless) await run("mount", ["-t", "tmpfs", "-o", "mode=0711,size=64m", "flint-sandbox", runDir]);
    const mountsDir = path.join(runDir, "mnt");
    const codeRoot = path.join(runDir, "code");
    await mkdir(mountsDir);
    await mkdir(codeRoot);
    await mkdir(path.join(runDir, "env"));
    const etc = await SandboxEtc.create(path.join(runDir, "etc"));
    if (!rootless) {
      await run("sh", ["-ec", `mount --bind "$1" "$1"; mount --make-shared "$1"; mount --bind "$2" "$3"; mount -o remount,bind,ro,nosuid,nodev "$3"`, "sh", mountsDir, codeDir, codeRoot]);
      await prepareDev(path.join(runDir, "dev"));
    }
    const cgroups = await CgroupTree.create(layout, realCgroupFs, `flint-${process.pid}`, !rootless);
    reason = rootless ? `${reason}; /tmp is a tmpfs counted in the function's memory, no spare sandboxes` : `${reason}; ${await favorDynamicModifications(layout)}`;
    const filter = seccompFilter();
    if (filter) await writeFile(path.join(runDir, "seccomp.bpf"), filter);
    else reason = `${reason}; no seccomp filter for ${process.arch}: functions can create user namespaces`;
    // Node runs from /usr here; an installation elsewhere is mounted where AWS keeps it, /var/lang.
    const node = process.execPath.startsWith("/usr/") ? { file: process.execPath } : { file: "/var/lang/bin/node", prefix: path.dirname(path.dirname(process.execPath)) };
    return new BwrapDriver(reason, root, mountsDir, codeRoot, cgroups, new HostHelper(), new HostHelper(), node, etc, rootless);
  }

  private allocUid(id: string): number {
    let uid = this.uids.get(id);
    if (uid === undefined) this.uids.set(id, (uid = this.ledger.reserve()));
    return uid;
  }

  runtimeApiTargets(id: string, shape: SandboxShape) {
    const dir = path.join(this.runDir, "env", id);
    mkdirSync(dir, { recursive: true });
    // In default mode the environment shares the host's loopback: only its own uid may connect
    // (without root, where all share one uid: only a socket its own processes hold). In an isolated
    // network nothing on the host's loopback is reachable from it anyway.
    const own: Peer = this.rootless ? { processes: () => this.groups.get(id)?.pids() ?? [] } : { uid: this.allocUid(id) };
    const tcp = { host: "127.0.0.1", port: 0, peer: shape.network === "isolated" ? { uid: -1 } : own };
    return { tcp, socket: { path: path.join(dir, "runtime-api.sock") } };
  }

  private get runDir(): string {
    return path.join(this.root, "run");
  }

  private image(name: string): string {
    return path.join(this.root, "img", name);
  }

  private get seccompFile(): string {
    return path.join(this.runDir, "seccomp.bpf");
  }

  private template(storageMb: number): Promise<string> {
    let t = this.templates.get(storageMb);
    if (!t) {
      const file = this.image(`template-${storageMb}.img`);
      t = this.helper.run("template", file, String(imageMb(storageMb))).then(() => file);
      t.catch(() => this.templates.delete(storageMb));
      this.templates.set(storageMb, t);
    }
    return t;
  }

  async create(spec: SandboxSpec, opening: RuntimeApiAddresses | Promise<RuntimeApiAddresses>): Promise<Sandbox> {
    if (this.rootless) return this.createRootless(spec, opening);
    const uid = this.allocUid(spec.id);
    const task = path.join(this.mountsDir, spec.id, "task");
    const tmp = path.join(this.mountsDir, spec.id, "tmp");
    let cgroup: Cgroup | undefined;
    let storage: Promise<void> | undefined;
    try {
      if (spec.family === "provided" && spec.codeDir) {
        try {
          await access(path.join(spec.codeDir, "bootstrap"), constants.X_OK);
        } catch (err) {
          throw bootstrapMissing("/var/task", err as NodeJS.ErrnoException);
        }
      }
      this.etc.refresh();
      const mountPoints = mkdir(tmp, { recursive: true }).then(() => mkdir(task));
      storage = Promise.all([this.template(spec.ephemeralStorageMb), mountPoints]).then(([template]) => this.helper.run("tmp", template, this.image(`${spec.id}.img`), tmp));
      storage.catch(() => undefined);
      // The socket is the environment's door to its Runtime API: only its uid may open it.
      const [group, api, users] = await Promise.all([
        this.cgroups.group({ memoryMb: spec.memoryMb, pids: PIDS_MAX }),
        Promise.resolve(opening).then(async (api) => (await chown(api.socket!, uid, uid), api)),
        this.etc.usersOf(uid),
        mountPoints,
      ]);
      cgroup = group;
      // A runtime that loads code at once needs its storage and package before it starts; Flint's
      // own runtimes wait for their binding, so their sandbox starts while both are mounted.
      if (spec.codeDir) {
        await storage;
        await this.mountPackage(spec.id, spec.codeDir);
      }
      const inner = ["/usr/bin/setpriv", `--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"];
      const mounts = ["--dev-bind", path.join(this.runDir, "dev"), "/dev", "--bind", tmp, "/tmp", "--ro-bind", task, "/var/task"];
      const started = await this.launch(spec, api, users, mounts, inner, cgroup);
      return new BwrapSandbox(started, cgroup, this, spec.id, uid, storage, spec.memoryMb);
    } catch (err) {
      await storage?.catch(() => undefined);
      cgroup?.kill();
      await cgroup?.remove().catch(() => undefined);
      await this.release(spec.id, uid);
      throw err;
    }
  }

  /**
   * Without root: the sandbox's user namespace maps its uid to the server's; bubblewrap drops every
   * capability and sets no_new_privs itself. Its package is bound as it starts, /tmp is a tmpfs of
   * EphemeralStorage size.
   */
  private async createRootless(spec: SandboxSpec, opening: RuntimeApiAddresses | Promise<RuntimeApiAddresses>): Promise<Sandbox> {
    if (!spec.codeDir) throw new SandboxStartError("Runtime.InvalidEntrypoint", "a sandbox without root is bound to its package when it starts");
    if (spec.family === "provided") {
      try {
        await access(path.join(spec.codeDir, "bootstrap"), constants.X_OK);
      } catch (err) {
        throw bootstrapMissing("/var/task", err as NodeJS.ErrnoException);
      }
    }
    this.etc.refresh();
    const [cgroup, api, users] = await Promise.all([this.cgroups.group({ memoryMb: spec.memoryMb, pids: PIDS_MAX }), opening, this.etc.usersOf(ROOTLESS_UID)]);
    this.groups.set(spec.id, cgroup);
    try {
      const identity = ["--unshare-user", "--uid", String(ROOTLESS_UID), "--gid", String(ROOTLESS_UID)];
      const mounts = ["--dev", "/dev", "--size", String(spec.ephemeralStorageMb * 1024 * 1024), "--perms", "1777", "--tmpfs", "/tmp", "--ro-bind", spec.codeDir, "/var/task"];
      const started = await this.launch(spec, api, users, [...identity, ...mounts], [], cgroup);
      return new BwrapSandbox(started, cgroup, this, spec.id, ROOTLESS_UID, Promise.resolve(), spec.memoryMb);
    } catch (err) {
      cgroup.kill();
      await cgroup.remove().catch(() => undefined);
      await this.release(spec.id, ROOTLESS_UID);
      throw err;
    }
  }

  private async launch(spec: SandboxSpec, api: RuntimeApiAddresses, users: { passwd: string; group: string }, mounts: string[], inner: string[], cgroup: Cgroup): Promise<Started> {
    const isolated = spec.network === "isolated";
    const layout: Layout = { taskRoot: "/var/task", runtimeDir: "/var/runtime", node: this.node.file, python: PYTHON, socket: SOCKET_IN_SANDBOX };
    const runtimeApi = isolated ? { tcp: `127.0.0.1:${RUNTIME_API_PORT_IN_NETNS}` } : { tcp: api.tcp };
    const { file, args } = runtimeCommand(spec, layout);
    // A custom runtime in an isolated network reaches its Runtime API through a bridge in its namespace.
    const port = RUNTIME_API_PORT_IN_NETNS;
    const command =
      isolated && spec.family === "provided"
        ? [...inner, "/bin/sh", "-c", `socat TCP-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:${SOCKET_IN_SANDBOX} & until grep -q ':${port.toString(16).toUpperCase()} 00000000:0000 0A' /proc/net/tcp; do :; done; exec "$0" "$@"`, file, ...args]
        : [...inner, file, ...args];
    const bwrap = [
      "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
      ...(isolated ? ["--unshare-net"] : []),
      "--hostname", "sandbox",
      "--ro-bind", "/usr", "/usr",
      "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
      "--ro-bind", this.etc.dir, "/etc",
      "--ro-bind", users.passwd, "/etc/passwd",
      "--ro-bind", users.group, "/etc/group",
      "--proc", "/proc",
      "--perms", "0755", "--dir", "/var",
      "--ro-bind", RUNTIMES_DIR, "/var/runtime",
      // The AWS SDK, as Lambda's Node.js runtimes carry it: /var/runtime/node_modules links here.
      "--ro-bind-try", path.join(RUNTIMES_DIR, "..", "node_modules"), "/var/node_modules",
      // /dev, /tmp and /var/task (after /var: a directory bubblewrap makes on its own is 0700).
      ...mounts,
      ...(this.node.prefix ? ["--ro-bind", this.node.prefix, "/var/lang"] : []),
      "--perms", "0755", "--dir", "/run/flint",
      "--bind", api.socket!, SOCKET_IN_SANDBOX,
      // Without root the new root directory belongs to the sandbox's own user: make it read-only.
      ...(this.rootless ? ["--remount-ro", "/"] : []),
      "--chdir", "/var/task",
      "--", ...command,
    ];
    // The helper's child joins the environment's cgroups and sets its file limit before it execs bwrap.
    const seccomp = existsSync(this.seccompFile) ? this.seccompFile : undefined;
    try {
      return await this.launcher.start({
        id: spec.id,
        file: "/usr/bin/bwrap",
        args: ["bwrap", ...(seccomp ? ["--seccomp", "3"] : []), ...bwrap],
        env: layoutEnv(spec, layout, runtimeApi),
        cgroups: cgroup.procsFiles(),
        nofile: NOFILE,
        seccomp,
      });
    } catch (err) {
      throw new SandboxStartError("Runtime.InvalidEntrypoint", `fork/exec bwrap: ${(err as Error).message}`);
    }
  }

  /** Mount a package (read-only, from the read-only code root) where a sandbox's /var/task points. */
  mountPackage(id: string, codeDir: string): Promise<void> {
    return this.helper.run("bind", path.join(this.codeRoot, path.basename(codeDir)), path.join(this.mountsDir, id, "task"));
  }

  /**
   * The environment's /tmp and package are in its own mount namespace now (its runtime ran its init
   * from them): take the host's copies out of the host's mount table. Every sandbox start copies
   * that table and bubblewrap re-reads it after each of its binds, so two host mounts per running
   * environment made each new one slower (0 -> 100 environments 28/s, 200 -> 300 15/s).
   */
  detachMounts(id: string, pid: number, procs: string): void {
    if (this.rootless) return;
    const mounts = path.join(this.mountsDir, id);
    this.helper.run("detach", String(pid), procs, path.join(mounts, "task"), path.join(mounts, "tmp")).catch((err) => console.error(`flint: ${(err as Error).message}`));
  }

  /**
   * A server killed without closing (kill -9) leaves mounts, images and cgroups behind; its sandboxes
   * died with it (--die-with-parent). The next start removes what such servers left.
   */
  static async sweep(layout: CgroupLayout, rootless: boolean): Promise<void> {
    const dead = readdirSync(tmpdir()).filter((d) => {
      const m = /^flint-sandbox-(\d+)-[0-9a-f]+$/.exec(d);
      if (!m) return false;
      try {
        process.kill(Number(m[1]), 0);
        return false;
      } catch (err) {
        return (err as NodeJS.ErrnoException).code !== "EPERM";
      }
    });
    for (const d of dead) {
      const dir = path.join(tmpdir(), d);
      try {
        if (!rootless) await unmountUnder(dir);
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // another user's server left it: not ours to remove
      }
    }
    await sweepCgroups(layout, realCgroupFs, "flint-", !rootless);
  }

  /** Undo everything an environment had on the host: mounts, image, files, uid. */
  async release(id: string, uid: number): Promise<void> {
    this.groups.delete(id);
    const mounts = path.join(this.mountsDir, id);
    if (!this.rootless) await this.helper.run("unmount", path.join(mounts, "task"), path.join(mounts, "tmp")).catch(() => undefined);
    await rm(mounts, { recursive: true, force: true });
    await rm(path.join(this.runDir, "env", id), { recursive: true, force: true });
    await rm(this.image(`${id}.img`), { force: true });
    if (this.uids.get(id) === uid) {
      this.uids.delete(id);
      this.ledger.release(uid);
    }
  }

  async close(): Promise<void> {
    this.helper.close();
    this.launcher.close();
    if (!this.rootless) await unmountUnder(this.root);
    await this.cgroups.remove();
    this.ledger.releaseAll();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Device nodes a sandbox's /dev has (bound from the host's, as bwrap's own --dev does). */
const DEVICES = ["null", "zero", "full", "random", "urandom", "tty"];

/**
 * The /dev every sandbox binds whole (root's, read-only to a sandbox's user): the host's null, zero,
 * full, random, urandom and tty, and the fd/stdin/stdout/stderr links. One bind instead of bwrap's
 * --dev, which makes a tmpfs, six binds (each re-reading the mount table) and a devpts per sandbox.
 * No /dev/shm and no ptys, as on Lambda.
 */
async function prepareDev(dir: string): Promise<void> {
  await mkdir(dir, { mode: 0o755 });
  const links = { fd: "/proc/self/fd", stdin: "/proc/self/fd/0", stdout: "/proc/self/fd/1", stderr: "/proc/self/fd/2" };
  for (const [name, target] of Object.entries(links)) await symlink(target, path.join(dir, name));
  for (const d of DEVICES) await writeFile(path.join(dir, d), "", { mode: 0o644 });
  await run("sh", ["-ec", `for d in ${DEVICES.join(" ")}; do mount --bind "/dev/$d" "$1/$d"; done`, "sh", dir]);
}

/** Unmount everything mounted at or below `dir`, deepest first (`-d` frees /tmp images' loop devices). */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[4] ?? "")
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await run("umount", ["-d", m]).catch(() => run("umount", ["-l", m]).catch(() => undefined));
}

async function mkdirTemp(prefix: string): Promise<string> {
  const dir = path.join(tmpdir(), `${prefix}${randomBytes(4).toString("hex")}`);
  await mkdir(dir, { mode: 0o711 });
  return dir;
}
