/**
 * The seccomp filter every strict sandbox runs under (bwrap --seccomp). A function must not gain a
 * fresh set of kernel privileges: creating a user namespace would make it root over new mount and
 * network namespaces, and from there the kernel's attack surface is far wider. The filter refuses
 * (EPERM) user namespaces and the syscalls a Lambda function has no use for; `clone3`, whose flags
 * a classic BPF filter cannot read, answers ENOSYS so that libc falls back to `clone`.
 * Classic BPF, assembled here: x86_64 and aarch64.
 */
const SECCOMP_RET_ALLOW = 0x7fff0000;
const SECCOMP_RET_KILL_PROCESS = 0x80000000;
const SECCOMP_RET_ERRNO = 0x00050000;
const EPERM = 1;
const ENOSYS = 38;
const CLONE_NEWUSER = 0x10000000;

// struct seccomp_data: nr @0, arch @4, instruction_pointer @8, args[6] @16 (little-endian)
const OFF_NR = 0;
const OFF_ARCH = 4;
const OFF_ARG0_LO = 16;

const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JSET_K = 0x45;
const RET_K = 0x06;
const JGE_K = 0x35;
/** x86_64's x32 ABI numbers syscalls from here; refuse them all rather than filter them twice. */
const X32_SYSCALL_BIT = 0x40000000;

interface Arch {
  audit: number;
  clone: number;
  unshare: number;
  clone3: number;
  /** Syscalls refused outright. */
  denied: number[];
}

const ARCHES: Record<string, Arch> = {
  x64: {
    audit: 0xc000003e,
    clone: 56,
    unshare: 272,
    clone3: 435,
    // mount umount2 pivot_root setns keyctl add_key request_key bpf userfaultfd perf_event_open
    // io_uring_setup/enter/register kexec_load init_module finit_module delete_module
    // open_by_handle_at name_to_handle_at fsopen fsconfig fsmount fspick open_tree move_mount mount_setattr
    denied: [165, 166, 155, 308, 250, 248, 249, 321, 323, 298, 425, 426, 427, 246, 175, 313, 176, 304, 303, 430, 431, 432, 433, 428, 429, 442],
  },
  arm64: {
    audit: 0xc00000b7,
    clone: 220,
    unshare: 97,
    clone3: 435,
    denied: [40, 39, 41, 268, 219, 217, 218, 280, 282, 241, 425, 426, 427, 104, 105, 273, 106, 265, 264, 430, 431, 432, 433, 428, 429, 442],
  },
};

type Insn = [code: number, jt: number, jf: number, k: number];

/** The filter for this machine's architecture, or undefined where Flint has none. */
export function seccompFilter(arch: string = process.arch): Buffer | undefined {
  const a = ARCHES[arch];
  if (!a) return undefined;
  const deny = [a.unshare, a.clone];
  const prog: Insn[] = [
    [LD_W_ABS, 0, 0, OFF_ARCH],
    [JEQ_K, 1, 0, a.audit],
    [RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS],
    [LD_W_ABS, 0, 0, OFF_NR],
  ];
  if (arch === "x64") prog.push([JGE_K, 0, 1, X32_SYSCALL_BIT], [RET_K, 0, 0, SECCOMP_RET_ERRNO | EPERM]);
  // clone3 → ENOSYS
  prog.push([JEQ_K, 0, 1, a.clone3], [RET_K, 0, 0, SECCOMP_RET_ERRNO | ENOSYS]);
  // unshare/clone with CLONE_NEWUSER → EPERM (the flags are the first argument of both)
  for (const nr of deny) {
    prog.push([JEQ_K, 0, 4, nr], [LD_W_ABS, 0, 0, OFF_ARG0_LO], [JSET_K, 0, 1, CLONE_NEWUSER], [RET_K, 0, 0, SECCOMP_RET_ERRNO | EPERM], [RET_K, 0, 0, SECCOMP_RET_ALLOW]);
  }
  for (const nr of a.denied) prog.push([JEQ_K, 0, 1, nr], [RET_K, 0, 0, SECCOMP_RET_ERRNO | EPERM]);
  prog.push([RET_K, 0, 0, SECCOMP_RET_ALLOW]);
  const buf = Buffer.alloc(prog.length * 8);
  prog.forEach(([code, jt, jf, k], i) => {
    buf.writeUInt16LE(code, i * 8);
    buf.writeUInt8(jt, i * 8 + 2);
    buf.writeUInt8(jf, i * 8 + 3);
    buf.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  return buf;
}
