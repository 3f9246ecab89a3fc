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
ERR=$1
# tmp <template> <image> <dir>: a private, disk-backed /tmp from a pre-formatted template image
tmp() { cp --sparse=always "$1" "$2" && mount -o loop,nosuid,nodev,noatime "$2" "$3"; }
# template <image> <sizeMB>: format an ext4 image once per size (no journal: /tmp needs none), its
# root directory world-writable and sticky like /tmp, so a copy needs no chmod after mounting
template() {
  truncate -s "$2M" "$1.part" && mkfs.ext4 -q -F -m 0 -O ^has_journal -E lazy_itable_init=1,nodiscard "$1.part" &&
    debugfs -w -R "sif / mode 041777" "$1.part" 2>/dev/null && mv "$1.part" "$1"
}
# bind <source> <target>: a bind mount (read-only when the source mount is)
bind() { mount --bind "$1" "$2"; }
# unmount <path…>: unmount whatever is mounted there, freeing loop devices
unmount() { for p in "$@"; do if mountpoint -q "$p"; then umount -d "$p" || umount -l "$p"; fi; done; }
# Each request is answered without forking for the answer itself: errors go through a file, read
# (with tr) only when the command failed.
while IFS=' ' read -r seq verb a b c d; do
  "$verb" $a $b $c $d 2>"$ERR" >/dev/null
  status=$?
  if [ "$status" -eq 0 ]; then printf '%s 0 \n' "$seq"; else printf '%s %s %s\n' "$seq" "$status" "$(tr '\n' ' ' < "$ERR")"; fi
done
`;

export class HostHelper {
  private readonly child: ChildProcess;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void; what: string }>();

  constructor(errorFile: string) {
    this.child = spawn("/bin/sh", ["-c", SCRIPT, "flint-host-helper", errorFile], { stdio: ["pipe", "pipe", "inherit"], env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } });
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
