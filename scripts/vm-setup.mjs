#!/usr/bin/env node
// Prepares what test/harness/vm.ts boots to test Flint on a unified cgroup v2 kernel: qemu (software
// emulation, so no /dev/kvm is needed), a static busybox for the guest's init, and Debian's cloud
// kernel, extracted into .cache/vm/ (never installed into /boot). As root it installs and downloads;
// otherwise it prints the exact commands and the tests that need the VM skip, saying why.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const CACHE = fileURLToPath(new URL("../.cache/vm/", import.meta.url));
const KERNEL = path.join(CACHE, "vmlinuz");
// The cloud flavour: a quarter of the generic package's size, and built for virtual machines.
const KERNEL_META = "linux-image-cloud-amd64";
const needs = [
  { pkg: "qemu-system-x86", path: "/usr/bin/qemu-system-x86_64", why: "boots the test kernel (TCG emulation)" },
  { pkg: "busybox-static", path: "/bin/busybox", why: "the guest's init and shell" },
];

const isRoot = process.getuid?.() === 0;
const sh = (cmd, opts = {}) => execFileSync("sh", ["-c", cmd], { encoding: "utf8", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, ...opts });
const log = (msg) => console.error(`flint vm-setup: ${msg}`);
let ready = true;

const missing = needs.filter((n) => !existsSync(n.path));
if (missing.length > 0) {
  for (const m of missing) log(`${m.pkg} is missing (${m.why})`);
  const install = `apt-get install -y --no-install-recommends ${missing.map((m) => m.pkg).join(" ")}`;
  if (isRoot) {
    try {
      sh(install, { stdio: "inherit" });
    } catch {
      sh(`apt-get update && ${install}`, { stdio: "inherit" });
    }
  } else {
    log(`run as root:\n  sudo apt-get update && sudo ${install}`);
    ready = false;
  }
}

if (!existsSync(KERNEL)) {
  if (!existsSync("/usr/bin/apt-get")) {
    log(`no apt here: put an x86-64 bzImage with cgroup2, memcg, pids and an 8250 serial console at ${KERNEL}`);
    process.exit(0);
  }
  // The image package the meta package points at today, e.g. linux-image-6.1.0-50-cloud-amd64.
  const image = () => /Depends: (linux-image-\S+)/.exec(sh(`apt-cache depends ${KERNEL_META}`))?.[1];
  const fetch = (pkg, dir) => sh(`apt-get download ${pkg}`, { cwd: dir, stdio: "pipe" }); // its output is in the error when it fails
  mkdirSync(CACHE, { recursive: true });
  const work = mkdtempSync(path.join(CACHE, "download-"));
  try {
    let pkg = image();
    try {
      if (!pkg) throw new Error(`apt knows no ${KERNEL_META}`);
      fetch(pkg, work);
    } catch (err) {
      if (!isRoot) throw err;
      sh("apt-get update", { stdio: "inherit" }); // the lists named a package the mirror has since replaced
      pkg = image();
      fetch(pkg, work);
    }
    const deb = readdirSync(work).find((f) => f.endsWith(".deb"));
    // Only the kernel image: the package's modules (~100 MB unpacked) are not needed by a guest with
    // everything it uses built in.
    sh(`dpkg-deb --fsys-tarfile '${deb}' | tar -x --wildcards './boot/vmlinuz-*'`, { cwd: work });
    const vmlinuz = readdirSync(path.join(work, "boot"))[0];
    copyFileSync(path.join(work, "boot", vmlinuz), `${KERNEL}.part`);
    renameSync(`${KERNEL}.part`, KERNEL);
    writeFileSync(path.join(CACHE, "vmlinuz.source"), `${deb}\n`);
    log(`kernel ${vmlinuz} from ${deb} is at ${KERNEL}`);
  } catch (err) {
    log(`could not fetch the kernel: ${err.stderr?.trim() || err.message}`);
    if (!isRoot) log(`as root: sudo apt-get update, then run this again (node scripts/vm-setup.mjs)`);
    ready = false;
    if (isRoot) process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
if (!ready) log("tests that boot the cgroup v2 VM will be skipped");
