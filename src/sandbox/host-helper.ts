/**
 * A long-lived root process that performs the host-side steps of sandboxes:
 *
 * - starting them: it forks, joins the environment's cgroups, lowers the open-files limit and
 *   execs bubblewrap, with the sandbox's stdout and stderr on pipes whose read ends Flint opens
 *   through /proc, and reports each sandbox's exit. Forking the Flint process instead costs ~2 ms per environment on a quiet
 *   machine and ~6 ms of blocked event loop under load (page tables grow with the server), plus a
 *   shell to join the cgroups;
 * - a private /tmp image for each environment (copied from a pre-formatted template, attached to a
 *   loop device and mounted), the bind of its package, and unmounting both, with the system calls
 *   themselves (mount(2), umount2(2), the loop-control ioctls, copy_file_range(2)) rather than
 *   `cp`, `mount` and `umount`, each of which forks, execs and re-reads the whole mount table
 *   (~17 ms of CPU per environment once a hundred run). Formatting a template (once per /tmp size)
 *   runs `mkfs.ext4`.
 *
 * Python, because Node.js can neither make these calls nor fork cheaply, and the strict driver runs
 * Python functions with the system's /usr/bin/python3 anyway. It dies with Flint (PR_SET_PDEATHSIG),
 * and the sandboxes with it (bubblewrap's --die-with-parent). One JSON request per line on stdin,
 * `{"seq", "verb", …}`, answered `{"seq", "error"?, …}`; exits come as `{"exit", "code", "signal"}`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { constants, openSync } from "node:fs";
import { Socket } from "node:net";
import readline from "node:readline";
import type { Readable } from "node:stream";
import { PYTHON } from "./runtime-command.js";

const SCRIPT = String.raw`
import ctypes, errno, fcntl, json, os, resource, selectors, signal, struct, subprocess, sys

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = (ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_void_p)
libc.umount2.argtypes = (ctypes.c_char_p, ctypes.c_int)
libc.prctl.argtypes = (ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong)
PR_SET_PDEATHSIG = 1
MS_NOSUID, MS_NODEV, MS_NOATIME, MS_BIND, MS_PRIVATE = 2, 4, 1024, 4096, 1 << 18
MNT_DETACH = 2
LOOP_CTL_GET_FREE, LOOP_CONFIGURE = 0x4C82, 0x4C0A
LO_FLAGS_AUTOCLEAR = 4

libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
if os.getppid() == 1:
    sys.exit(0)  # Flint died before the line above
# Flint's shutdown still needs this process: a Ctrl-C at the terminal (SIGINT to the whole process
# group) or a service manager's SIGTERM to every process must reach Flint alone. This process ends
# when Flint closes its input, or with Flint.
SHIELDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
for s in SHIELDED:
    signal.signal(s, signal.SIG_IGN)


def check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, "%s: %s" % (what, os.strerror(err)))


def sparse_copy(source, target):
    """Copy only the template's data extents (mkfs writes a few MB of a sparse image)."""
    src = os.open(source, os.O_RDONLY)
    dst = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        size = os.fstat(src).st_size
        offset = 0
        while offset < size:
            try:
                data = os.lseek(src, offset, os.SEEK_DATA)
            except OSError as e:
                if e.errno == errno.ENXIO:
                    break
                raise
            hole = os.lseek(src, data, os.SEEK_HOLE)
            while data < hole:
                data += os.copy_file_range(src, dst, hole - data, data, data)
            offset = hole
        os.ftruncate(dst, size)
    finally:
        os.close(src)
        os.close(dst)


def attach_loop(image):
    """A free loop device backed by image, freed by the kernel when its filesystem is unmounted."""
    backing = os.open(image, os.O_RDWR)
    try:
        control = os.open("/dev/loop-control", os.O_RDWR)
        try:
            for _ in range(64):
                n = fcntl.ioctl(control, LOOP_CTL_GET_FREE)
                device = "/dev/loop%d" % n
                loop = os.open(device, os.O_RDWR)
                # struct loop_config: fd, block_size, loop_info64 (lo_flags at byte 52 of it), reserved.
                config = bytearray(8 + 232 + 64)
                struct.pack_into("=II", config, 0, backing, 0)
                struct.pack_into("=I", config, 8 + 52, LO_FLAGS_AUTOCLEAR)
                try:
                    fcntl.ioctl(loop, LOOP_CONFIGURE, bytes(config))
                    return device, loop
                except OSError as e:
                    os.close(loop)
                    if e.errno != errno.EBUSY:  # taken by someone else meanwhile: try the next one
                        raise
            raise OSError(errno.EBUSY, "no free loop device")
        finally:
            os.close(control)
    finally:
        os.close(backing)


def tmp(template, image, directory):
    sparse_copy(template, image)
    device, loop = attach_loop(image)
    try:
        check(libc.mount(device.encode(), directory.encode(), b"ext4", MS_NOSUID | MS_NODEV | MS_NOATIME, None), "mount " + directory)
    finally:
        os.close(loop)  # the mount holds the device now; unmounting frees it (autoclear)


def template(image, size_mb):
    part = image + ".part"
    with open(part, "wb") as f:
        f.truncate(int(size_mb) * 1024 * 1024)
    # No journal (/tmp needs none); the root directory world-writable and sticky like /tmp.
    subprocess.run(["mkfs.ext4", "-q", "-F", "-m", "0", "-O", "^has_journal", "-E", "lazy_itable_init=1,nodiscard", part], check=True, capture_output=True)
    subprocess.run(["debugfs", "-w", "-R", "sif / mode 041777", part], check=True, capture_output=True)
    os.rename(part, image)


def bind(source, target):
    # A bind of a path inside a read-only mount is read-only too.
    check(libc.mount(source.encode(), target.encode(), None, MS_BIND, None), "bind " + target)


HOST_NS = os.open("/proc/self/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
CLONE_NEWNS = 0x20000
SYS_MOUNT_SETATTR = 442  # the same number on every architecture (new system calls share them)
AT_EMPTY_PATH, AT_RECURSIVE = 0x1000, 0x8000


def open_proc(pid, name, flags):
    try:
        return os.open("/proc/%d/%s" % (pid, name), flags | os.O_CLOEXEC)
    except (FileNotFoundError, ProcessLookupError):
        return None


def listed(pid, procs):
    try:
        with open(procs) as f:
            return str(pid) in f.read().split()
    except FileNotFoundError:  # the environment has ended meanwhile
        return False


def make_sandbox_private(pid, procs):
    """Make every mount of the sandbox that pid is in private, from inside its mount namespace.
    False, changing nothing, for a pid that has gone or was reused outside that sandbox (checked
    after the namespace is open, so the check holds for it), or where the kernel has no
    mount_setattr (before 5.12) or refuses it."""
    root, ns = open_proc(pid, "root", os.O_PATH), open_proc(pid, "ns/mnt", os.O_RDONLY)
    try:
        if root is None or ns is None or not listed(pid, procs) or os.fstat(ns).st_ino == os.fstat(HOST_NS).st_ino:
            return False
        if libc.setns(ns, CLONE_NEWNS) != 0:
            return False  # not allowed here (an LSM, a seccomp profile)
        try:
            attr = ctypes.create_string_buffer(struct.pack("=QQQQ", 0, 0, MS_PRIVATE, 0), 32)
            if libc.syscall(SYS_MOUNT_SETATTR, root, b"", AT_EMPTY_PATH | AT_RECURSIVE, attr, 32) == 0:
                return True
            err = ctypes.get_errno()
            if err in (errno.ENOSYS, errno.EPERM, errno.EINVAL):
                return False
            raise OSError(err, "make the sandbox's mounts private: " + os.strerror(err))
        finally:
            # Every later mount of this helper must happen on the host: if it cannot get back,
            # it must not go on (Flint sees it exit and its sandboxes die with it).
            if libc.setns(HOST_NS, CLONE_NEWNS) != 0:
                os._exit(70)
            os.chdir("/")
    finally:
        for fd in (root, ns):
            if fd is not None:
                os.close(fd)


def detach(pid, procs, *paths):
    """Take an environment's mounts out of the host's table once its sandbox has its own copies
    (pid: a process of the sandbox, listed in its cgroup's procs file). The sandbox's copies are
    made private first: an unmount on the host propagates through the shared parent to them
    otherwise. The file systems then stay mounted in the sandbox alone and go (loop device and
    all) with its mount namespace. When that cannot be done, the host keeps its copies until the
    environment is released."""
    if not make_sandbox_private(int(pid), procs):
        return
    for p in paths:
        libc.mount(None, p.encode(), None, MS_PRIVATE, None)  # fails only where nothing is mounted
    unmount(*paths)


def unmount(*paths):
    for p in paths:
        if libc.umount2(p.encode(), 0) == 0:
            continue
        err = ctypes.get_errno()
        if err in (errno.EINVAL, errno.ENOENT):  # not mounted (or gone): nothing to do
            continue
        if err == errno.EBUSY:
            check(libc.umount2(p.encode(), MNT_DETACH), "unmount " + p)
            continue
        raise OSError(err, "unmount %s: %s" % (p, os.strerror(err)))


children = {}  # pid -> sandbox id
holding = {}  # sandbox id -> read ends of its stdout and stderr, kept until Flint has its own


def start(id, file, args, env, cgroups, nofile, seccomp=None):
    """Fork; the child joins the cgroups, sets its open-files limit and execs file, its stdout and
    stderr on pipes. Flint opens the read ends through /proc/<helper>/fd/<n> (an anonymous pipe,
    unlike a FIFO, costs no file system operation); they are held here until then, so nothing the
    process writes early is lost, and Flint sees end-of-file once its last process closes them."""
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    filter_fd = os.open(seccomp, os.O_RDONLY) if seccomp else None
    pid = os.fork()
    if pid == 0:
        try:
            # What this process ignores (and Python's own SIGPIPE and SIGXFSZ) is not the sandbox's to inherit.
            for s in SHIELDED + (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGCHLD):
                signal.signal(s, signal.SIG_DFL)
            for f in cgroups:
                with open(f, "w") as procs:
                    procs.write(str(os.getpid()))
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
            os.dup2(os.open("/dev/null", os.O_RDONLY), 0)
            os.dup2(out_w, 1)
            os.dup2(err_w, 2)
            if filter_fd is not None:
                os.dup2(filter_fd, 3)
            os.execve(file, args, env)
        except BaseException as e:
            os.write(2, ("flint: cannot start %s: %s\n" % (file, e)).encode())
        os._exit(127)
    for fd in (out_w, err_w) + ((filter_fd,) if filter_fd is not None else ()):
        os.close(fd)
    children[pid] = id
    holding[id] = (out_r, err_r)
    return {"pid": pid, "stdout": out_r, "stderr": err_r}


def release(id):
    for fd in holding.pop(id, ()):
        os.close(fd)


def reap():
    for pid in list(children):
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done, status = pid, 0
        if done:
            id = children.pop(pid)
            if os.WIFSIGNALED(status):
                report({"exit": id, "code": None, "signal": os.WTERMSIG(status)})
            else:
                report({"exit": id, "code": os.WEXITSTATUS(status), "signal": None})


def report(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


VERBS = {"tmp": tmp, "template": template, "bind": bind, "unmount": unmount, "detach": detach}


def handle(request):
    answer = {"seq": request["seq"]}
    try:
        verb = request["verb"]
        if verb == "start":
            answer.update(start(**request["spec"]))
        elif verb == "release":
            release(request["id"])
        else:
            VERBS[verb](*request["args"])
    except subprocess.CalledProcessError as e:
        answer["error"] = "exit %d: %s" % (e.returncode, (e.stderr or b"").decode(errors="replace").strip())
    except Exception as e:
        answer["error"] = str(e)
    report(answer)


wake_r, wake_w = os.pipe()
os.set_blocking(wake_w, False)
signal.set_wakeup_fd(wake_w)
signal.signal(signal.SIGCHLD, lambda *_: None)
events = selectors.DefaultSelector()
events.register(0, selectors.EVENT_READ)
events.register(wake_r, selectors.EVENT_READ)
received = b""  # requests are read unbuffered: select must see every byte not yet handled
while True:
    for key, _ in events.select():
        if key.fileobj == wake_r:
            os.read(wake_r, 4096)
            reap()
            continue
        chunk = os.read(0, 65536)
        if not chunk:
            sys.exit(0)  # Flint closed us: its sandboxes die with this process
        *lines, received = (received + chunk).split(b"\n")
        for line in lines:
            handle(json.loads(line))
`;

export interface StartSpec {
  id: string;
  file: string;
  args: string[];
  env: Record<string, string>;
  /** `cgroup.procs` files the process joins before it execs. */
  cgroups: string[];
  nofile: number;
  /** A seccomp filter program, opened as fd 3 for bubblewrap's `--seccomp 3`. */
  seccomp?: string;
}

export interface HelperExit {
  code: number | null;
  signal: number | null;
}

/** A process the helper started. */
export interface Started {
  pid: number;
  stdout: Readable;
  stderr: Readable;
  exit: Promise<HelperExit>;
}

interface Answer {
  pid?: number;
  stdout?: number;
  stderr?: number;
}
type Waiting = { resolve: (answer: Answer) => void; reject: (e: Error) => void; what: string };

export class HostHelper {
  private readonly child: ChildProcess;
  private seq = 0;
  private readonly waiting = new Map<number, Waiting>();
  private readonly exits = new Map<string, (exit: HelperExit) => void>();
  private gone = false;

  constructor() {
    this.child = spawn(PYTHON, ["-S", "-c", SCRIPT, "flint-host-helper"], { stdio: ["pipe", "pipe", "inherit"], env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } });
    readline.createInterface({ input: this.child.stdout! }).on("line", (line) => {
      const m = JSON.parse(line) as Answer & { seq?: number; error?: string; exit?: string; code: number | null; signal: number | null };
      if (m.exit !== undefined) {
        this.exits.get(m.exit)?.({ code: m.code, signal: m.signal });
        this.exits.delete(m.exit);
        return;
      }
      const w = this.waiting.get(m.seq!);
      if (!w) return;
      this.waiting.delete(m.seq!);
      if (m.error === undefined) w.resolve(m);
      else w.reject(new Error(`${w.what} failed: ${m.error}`));
    });
    // A helper that died under a write (EPIPE) is reported by its exit, not by an unhandled error.
    this.child.stdin!.on("error", () => undefined);
    this.child.on("exit", () => {
      this.gone = true;
      for (const w of this.waiting.values()) w.reject(new Error("the sandbox host helper exited"));
      this.waiting.clear();
      // Its sandboxes died with it.
      for (const exit of this.exits.values()) exit({ code: null, signal: 9 });
      this.exits.clear();
    });
  }

  private request(what: string, message: Record<string, unknown>): Promise<Answer> {
    // Closed (shutdown ends its stdin before the last environments are released) or exited: nothing
    // is written, the request fails as the helper's exit fails the waiting ones.
    if (this.gone || this.child.stdin!.writableEnded) return Promise.reject(new Error("the sandbox host helper exited"));
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject, what });
      this.child.stdin!.write(`${JSON.stringify({ seq, ...message })}\n`);
    });
  }

  async run(verb: "tmp" | "template" | "bind" | "unmount" | "detach", ...args: string[]): Promise<void> {
    await this.request(`${verb} ${args.join(" ")}`, { verb, args });
  }

  /**
   * Start a process. Resolves once it is forked: its pid, its stdout and stderr (the read ends of its
   * pipes, opened through /proc, after which the helper lets go of its own), and how it will end.
   */
  async start(spec: StartSpec): Promise<Started> {
    const exit = new Promise<HelperExit>((resolve) => this.exits.set(spec.id, resolve));
    let a: Answer;
    try {
      a = await this.request(`start ${spec.file}`, { verb: "start", spec });
    } catch (err) {
      this.exits.delete(spec.id);
      throw err;
    }
    const open = (fd: number) => new Socket({ fd: openSync(`/proc/${this.child.pid}/fd/${fd}`, constants.O_RDONLY | constants.O_NONBLOCK), readable: true, writable: false });
    const started = { pid: a.pid!, stdout: open(a.stdout!), stderr: open(a.stderr!), exit };
    void this.request(`release ${spec.id}`, { verb: "release", id: spec.id }).catch(() => undefined);
    return started;
  }

  close(): void {
    this.child.stdin!.end();
  }
}
