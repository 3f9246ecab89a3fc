/**
 * A long-lived root process that performs the host-side steps of sandboxes: a private /tmp image
 * for each environment (copied from a pre-formatted template, attached to a loop device and
 * mounted), the bind of its package, and unmounting both. It makes the system calls itself
 * (mount(2), umount2(2), the loop-control ioctls, copy_file_range(2)) rather than running `cp`,
 * `mount` and `umount`: each of those forks, execs and re-reads the whole mount table, ~17 ms of
 * CPU per environment on this machine kind once a hundred environments run, and ~10 ms on the
 * path of a cold start. Only formatting a template (once per /tmp size) runs `mkfs.ext4`.
 *
 * Python, because Node.js cannot make these calls and the strict driver runs Python functions with
 * the system's /usr/bin/python3 anyway. One request per line, `<seq> <verb> <args…>`, answered
 * `<seq> <status> <message>`. Arguments are never user-controlled (ids, sizes and paths under
 * Flint's own run directory), and never contain spaces.
 */
import { spawn, type ChildProcess } from "node:child_process";
import readline from "node:readline";
import { PYTHON } from "./runtime-command.js";

const SCRIPT = String.raw`
import ctypes, errno, fcntl, os, struct, subprocess, sys

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = (ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_void_p)
libc.umount2.argtypes = (ctypes.c_char_p, ctypes.c_int)
MS_NOSUID, MS_NODEV, MS_NOATIME, MS_BIND = 2, 4, 1024, 4096
MNT_DETACH = 2
LOOP_CTL_GET_FREE, LOOP_CONFIGURE = 0x4C82, 0x4C0A
LO_FLAGS_AUTOCLEAR = 4


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


VERBS = {"tmp": tmp, "template": template, "bind": bind, "unmount": unmount}
for line in sys.stdin:
    seq, verb, *args = line.split()
    try:
        VERBS[verb](*args)
        answer = "%s 0 " % seq
    except subprocess.CalledProcessError as e:
        answer = "%s %d %s" % (seq, e.returncode, (e.stderr or b"").decode(errors="replace").replace("\n", " "))
    except Exception as e:
        answer = "%s 1 %s" % (seq, str(e).replace("\n", " "))
    sys.stdout.write(answer + "\n")
    sys.stdout.flush()
`;

export class HostHelper {
  private readonly child: ChildProcess;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void; what: string }>();

  constructor() {
    this.child = spawn(PYTHON, ["-S", "-c", SCRIPT, "flint-host-helper"], { stdio: ["pipe", "pipe", "inherit"], env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } });
    readline.createInterface({ input: this.child.stdout! }).on("line", (line) => {
      const [seq, status, ...message] = line.split(" ");
      const w = this.waiting.get(Number(seq));
      if (!w) return;
      this.waiting.delete(Number(seq));
      if (status === "0") w.resolve();
      else w.reject(new Error(`${w.what} failed (${status}): ${message.join(" ").trim()}`));
    });
    this.child.on("exit", () => {
      for (const w of this.waiting.values()) w.reject(new Error("the sandbox host helper exited"));
      this.waiting.clear();
    });
  }

  run(verb: "tmp" | "template" | "bind" | "unmount", ...args: string[]): Promise<void> {
    for (const a of args) if (/\s/.test(a) || a === "") throw new Error(`host helper argument '${a}' is not a single word`);
    if (args.length > 4) throw new Error("host helper takes at most four arguments");
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject, what: `${verb} ${args.join(" ")}` });
      this.child.stdin!.write(`${seq} ${verb} ${args.join(" ")}\n`);
    });
  }

  close(): void {
    this.child.stdin!.end();
  }
}
