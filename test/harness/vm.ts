/**
 * Run a compiled script inside a Linux VM whose only cgroup hierarchy is the unified cgroup v2 one,
 * mounted at /sys/fs/cgroup as systemd mounts it: the layout most users' hosts have, which this
 * machine kind (hybrid v1 + v2) cannot be turned into.
 *
 * The VM is qemu's `pc` machine under TCG (software emulation: this machine's /dev/kvm does not
 * boot stock kernels) with no network device, Debian's cloud kernel booted with `cgroup_no_v1=all`,
 * and an initramfs holding busybox, the host's own `node` with the libraries it links, the
 * project's package.json and dist/. Serial ports carry everything out: ttyS0 the kernel console and
 * this harness's markers, ttyS1 the script's stdout, ttyS2 its stderr.
 * `node scripts/vm-setup.mjs` installs qemu and busybox and fetches the kernel into .cache/vm/.
 */
import { spawn, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFileSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Cpio } from "./cpio.js";
import { ROOT } from "./flint.js";

const CACHE = path.join(ROOT, ".cache/vm");
const KERNEL = path.join(CACHE, "vmlinuz");
const QEMU = "qemu-system-x86_64";
const BUSYBOX = "/bin/busybox";
const SETUP = "node scripts/vm-setup.mjs (as root: it installs qemu-system-x86 and busybox-static)";
const MARKER = "@@flint-vm";
// Not `microvm` (~2 s faster to boot when it boots): it has no HPET or ACPI PM timer, so when the
// kernel's TSC calibration against the PIT fails, as it does on a busy host under emulation, the boot
// hangs for good.
const MACHINE = "pc";
// `quiet`: the kernel's console costs ~1 ms a character on the emulated UART (a verbose boot took
// 35 s instead of 11). panic=-1 with -no-reboot ends qemu when the guest panics. no_timer_check:
// on a busy host the emulated timer ticks late and the kernel's IO-APIC timer check panicked
// ("IO-APIC + timer doesn't work!", seen in a CI run at load 20); virtual machines skip that check.
const CMDLINE = "console=ttyS0 cgroup_no_v1=all panic=-1 quiet no_timer_check";

export interface VmOptions {
  /** The script to run with `node`: a project-relative path inside dist/, e.g. "dist/test/vm/guest/x.js". */
  script: string;
  args?: string[];
  /** qemu is killed and the run rejected after this long. */
  timeoutMs: number;
  /** More project-relative paths to copy into the guest (e.g. "node_modules/yauzl"); package.json and dist/ always are. */
  include?: string[];
  /** Guest memory; default 1024 MiB (the initramfs alone takes ~220 MiB of it while it unpacks). */
  memoryMb?: number;
  /** Guest CPUs; default 1 (two booted and ran no faster here under emulation, and took two host cores). */
  cpus?: number;
}

export interface VmRun {
  stdout: string;
  stderr: string;
  /** The script's exit code; 128 + n when signal n ended it, as a shell reports it. */
  exitCode: number;
  /** The guest's console: kernel messages (errors only: it boots `quiet`) and this harness's markers. */
  console: string;
  /** Host wall-clock milliseconds: qemu started → the script was started → it ended → qemu was gone. */
  timings: { bootMs: number; scriptMs: number; totalMs: number };
}

/** Why no VM can be run here (with what would fix it), or undefined when one can. */
export function vmUnavailable(): string | undefined {
  if (process.platform !== "linux" || process.arch !== "x64") return `the guest runs this host's node binary, which must be linux-x64 (this is ${process.platform}-${process.arch})`;
  for (const tool of ["nice", "timeout"]) if (!onPath(tool)) return `coreutils' ${tool} is not on PATH`;
  if (!onPath(QEMU)) return `${QEMU} is not installed: run ${SETUP}`;
  if (!existsSync(BUSYBOX)) return `${BUSYBOX} is not installed: run ${SETUP}`;
  if (!existsSync(KERNEL)) return `no kernel at ${path.relative(ROOT, KERNEL)}: run ${SETUP}`;
  return undefined;
}

/** Boot the VM, run `node <script> <args>` in it, power off; resolves once qemu has exited. */
export async function runInVm(opts: VmOptions): Promise<VmRun> {
  const problem = vmUnavailable();
  if (problem) throw new Error(`no VM: ${problem}`);
  const script = path.posix.normalize(opts.script);
  if (!shipped(opts).some((p) => script.startsWith(`${p}/`)) || !existsSync(path.join(ROOT, script))) {
    throw new Error(`${opts.script} is not a file under ${shipped(opts).join(", ")} (is the project built?)`);
  }
  const base = baseImage();
  removeAbandonedRuns();
  const run = mkdtempSync(path.join(CACHE, `run-${process.pid}-`));
  try {
    const initrd = path.join(run, "initrd.cpio");
    copyFileSync(base, initrd);
    appendFileSync(initrd, payload(opts));
    return await boot(opts, run, initrd);
  } finally {
    rmSync(run, { recursive: true, force: true });
  }
}

function boot(opts: VmOptions, run: string, initrd: string): Promise<VmRun> {
  const out = { stdout: path.join(run, "stdout"), stderr: path.join(run, "stderr") };
  const args = [
    ...["-machine", MACHINE, "-accel", "tcg", "-cpu", "max", "-smp", String(opts.cpus ?? 1), "-m", String(opts.memoryMb ?? 1024)],
    ...["-nodefaults", "-no-user-config", "-nic", "none", "-display", "none", "-no-reboot"],
    ...["-kernel", KERNEL, "-initrd", initrd, "-append", CMDLINE],
    ...["-serial", "stdio", "-serial", `file:${out.stdout}`, "-serial", `file:${out.stderr}`],
  ];
  const started = Date.now();
  // coreutils' timeout enforces the deadline, so no qemu outlives it even if this process is killed
  // (a test runner giving up on a file) while it runs: TERM at the deadline, KILL 5 s later. Niced:
  // the emulator keeps a core busy, and the tests beside it in a run are the ones that time things.
  const qemu = spawn("nice", ["-n", "10", "timeout", "-k", "5", String(opts.timeoutMs / 1000), QEMU, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let consoleText = "";
  let qemuErr = "";
  let bootMs: number | undefined;
  let scriptMs: number | undefined;
  let exitCode: number | undefined;
  qemu.stdout.setEncoding("utf8");
  qemu.stderr.setEncoding("utf8");
  qemu.stderr.on("data", (c: string) => (qemuErr += c));
  qemu.stdout.on("data", (c: string) => {
    consoleText += c.replaceAll("\r", "");
    const now = Date.now() - started;
    if (bootMs === undefined && consoleText.includes(`${MARKER} start`)) bootMs = now;
    const exit = new RegExp(`${MARKER} exit (\\d+)`).exec(consoleText);
    if (exit && exitCode === undefined) {
      exitCode = Number(exit[1]);
      scriptMs = now - (bootMs ?? now);
    }
  });
  const read = (f: string) => (existsSync(f) ? readFileSync(f, "utf8") : "");
  const evidence = () =>
    [`--- stdout\n${read(out.stdout)}`, `--- stderr\n${read(out.stderr)}`, `--- console\n${consoleText.slice(-4000)}`, qemuErr && `--- qemu\n${qemuErr}`].filter(Boolean).join("\n");

  return new Promise((resolve, reject) => {
    qemu.once("error", reject);
    qemu.once("close", (code, signal) => { // "close", not "exit": the console has been read to its end
      if (code === 124) {
        const where = bootMs === undefined ? "before the script started (still booting)" : `${Date.now() - started - bootMs} ms into the script`;
        return reject(new Error(`VM timed out after ${opts.timeoutMs} ms, ${where}\n${evidence()}`));
      }
      if (exitCode === undefined || bootMs === undefined || scriptMs === undefined) {
        return reject(new Error(`the VM stopped (qemu ${code ?? signal}) before the script finished\n${evidence()}`));
      }
      resolve({ stdout: read(out.stdout), stderr: read(out.stderr), exitCode, console: consoleText, timings: { bootMs, scriptMs, totalMs: Date.now() - started } });
    });
  });
}

/** Run directories (~110 MB each) of test processes that were killed before they could remove them. */
function removeAbandonedRuns(): void {
  for (const dir of readdirSync(CACHE)) {
    const pid = Number(/^run-(\d+)-/.exec(dir)?.[1]);
    if (pid && !processExists(pid)) rmSync(path.join(CACHE, dir), { recursive: true, force: true });
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The part of the initramfs every run shares, cached until node, busybox or a library changes:
 * busybox, the host's node binary, and the libraries both link, each at its host path.
 */
function baseImage(): string {
  const binaries = [process.execPath, BUSYBOX];
  const files = [...new Set([...binaries, ...binaries.flatMap(libraries)])];
  const key = createHash("sha256")
    .update(JSON.stringify(files.map((f) => [f, statSync(f).size, statSync(f).mtimeMs])))
    .digest("hex")
    .slice(0, 16);
  const image = path.join(CACHE, `base-${key}.cpio`);
  if (existsSync(image)) return image;
  const cpio = new Cpio();
  for (const d of ["dev", "proc", "sys", "tmp", "run", "root", "etc", "bin", "sbin", "usr/bin", "usr/sbin"]) cpio.dir(d);
  cpio.charDevice("dev/console", 5, 1); // the kernel opens it for init before devtmpfs is mounted
  for (const f of files) cpio.file(f, readFileSync(f), 0o755);
  mkdirSync(CACHE, { recursive: true });
  for (const old of readdirSync(CACHE).filter((f) => f.startsWith("base-") && !f.startsWith(`base-${key}`))) rmSync(path.join(CACHE, old), { force: true });
  writeFileSync(`${image}.${process.pid}`, cpio.end());
  renameSync(`${image}.${process.pid}`, image); // runs started together may both build it; either copy is whole
  return image;
}

/** What the dynamic loader maps for `binary`, by `ldd` (none for a static one). */
function libraries(binary: string): string[] {
  let listing: string;
  try {
    listing = execFileSync("ldd", [binary], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return []; // "not a dynamic executable"
  }
  return [...listing.matchAll(/(?:=> )?(\/\S+) \(0x/g)].map((m) => m[1]!);
}

/** This run's part of the initramfs: /init, and the project's files under /flint. */
function payload(opts: VmOptions): Buffer {
  const cpio = new Cpio();
  for (const rel of shipped(opts)) copyTree(cpio, rel);
  cpio.file("init", init(opts), 0o755);
  return cpio.end();
}

/** Project-relative paths copied into the guest, at /flint/<path>. */
function shipped(opts: VmOptions): string[] {
  return ["package.json", "dist", ...(opts.include ?? [])];
}

function copyTree(cpio: Cpio, rel: string): void {
  const from = path.join(ROOT, rel);
  const to = path.posix.join("flint", rel);
  const st = lstatSync(from);
  if (st.isSymbolicLink()) cpio.symlink(to, readlinkSync(from));
  else if (st.isDirectory()) for (const name of readdirSync(from)) copyTree(cpio, path.join(rel, name));
  else cpio.file(to, readFileSync(from), st.mode & 0o777);
}

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * PID 1 of the guest. The script runs in the root cgroup with a clean environment; its stdout and
 * stderr are pipes, as under spawn(), drained to their serial ports. FLINT_VM_START_UPTIME is the
 * guest's /proc/uptime just before node was started, for scripts that time their own start.
 */
function init(opts: VmOptions): string {
  const command = [process.execPath, opts.script, ...(opts.args ?? [])].map(quote).join(" ");
  return `#!/bin/busybox sh
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t cgroup2 -o nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup
mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /tmp
mount -t tmpfs -o nosuid,nodev,mode=755 tmpfs /run
stty -F /dev/ttyS1 raw -echo
stty -F /dev/ttyS2 raw -echo
mkfifo /run/stdout /run/stderr
cat /run/stdout >/dev/ttyS1 & out=$!
cat /run/stderr >/dev/ttyS2 & err=$!
cd /flint
started=$(cut -d' ' -f1 /proc/uptime)
echo "${MARKER} start $started"
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TMPDIR=/tmp FLINT_VM_START_UPTIME=$started ${command} >/run/stdout 2>/run/stderr
code=$?
# Whatever the script left running would keep its output open: it ends with the script.
for p in $(ls /proc); do case $p in *[!0-9]*|1|$out|$err) ;; *) kill -9 $p 2>/dev/null ;; esac; done
wait $out $err
echo "${MARKER} exit $code $(cut -d' ' -f1 /proc/uptime)"
poweroff -f
`;
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? "").split(":").some((dir) => dir && existsSync(path.join(dir, cmd)));
}
