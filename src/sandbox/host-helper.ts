/**
 * A long-lived root shell that performs the host-side steps of sandboxes (mounts, images,
 * unmounts). Forking the Flint process for every `mount` costs milliseconds per call once its
 * memory has grown; this small shell forks cheaply. One request per line, `<seq> <verb> <args…>`,
 * answered `<seq> <status> <message>`. Arguments are never user-controlled (ids, sizes and paths
 * under Flint's own run directory), and never contain spaces.
 */
import { spawn, type ChildProcess } from "node:child_process";
import readline from "node:readline";

const SCRIPT = String.raw`
set -u
# tmp <template> <image> <dir>: a private, disk-backed /tmp from a pre-formatted template image
tmp() { cp --sparse=always "$1" "$2" && mount -o loop,nosuid,nodev,noatime "$2" "$3" && chmod 1777 "$3"; }
# template <image> <sizeMB>: format an ext4 image once per size (no journal: /tmp needs none)
template() { truncate -s "$2M" "$1.part" && mkfs.ext4 -q -F -m 0 -O ^has_journal -E lazy_itable_init=1,nodiscard "$1.part" && mv "$1.part" "$1"; }
# bind <source> <target>: a bind mount (read-only when the source mount is)
bind() { mount --bind "$1" "$2"; }
# unmount <path…>: unmount whatever is mounted there, freeing loop devices
unmount() { for p in "$@"; do if mountpoint -q "$p"; then umount -d "$p" || umount -l "$p"; fi; done; }
while IFS=' ' read -r seq verb a b c d; do
  err=$( { "$verb" $a $b $c $d; } 2>&1 >/dev/null )
  status=$?
  printf '%s %s %s\n' "$seq" "$status" "$(printf '%s' "$err" | tr '\n' ' ')"
done
`;

export class HostHelper {
  private readonly child: ChildProcess;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void; what: string }>();

  constructor() {
    this.child = spawn("/bin/sh", ["-c", SCRIPT, "flint-host-helper"], { stdio: ["pipe", "pipe", "inherit"], env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } });
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
