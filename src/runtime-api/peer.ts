/**
 * Who is at the other end of a loopback TCP connection, from the kernel's socket table: identity
 * from the channel. An environment's Runtime API listener on the host's loopback serves only its
 * own environment: as root every sandbox runs as a uid of its own, so the socket's owner says who
 * it is; without root every sandbox runs as the server's own uid, so the socket itself must be one
 * held by a process of the environment's cgroup.
 */
import { readFileSync, readdirSync, readlinkSync } from "node:fs";

/** Who may connect: the owner uid of the peer socket, or a process among `processes()`. */
export type Peer = { uid: number } | { processes: () => number[] };

const hexPort = (p: number) => p.toString(16).toUpperCase().padStart(4, "0");

/** Owner and inode of the local TCP socket `127.0.0.1:<localPort>` connected to port `remotePort`. */
function tcpSocket(localPort: number, remotePort: number): { uid: number; inode: string } | undefined {
  const local = `:${hexPort(localPort)} `;
  const remote = `:${hexPort(remotePort)} `;
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(file, "latin1");
    } catch {
      continue;
    }
    for (const line of text.split("\n")) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || !`${f[1]} `.endsWith(local) || !`${f[2]} `.endsWith(remote)) continue;
      return { uid: Number(f[7]), inode: f[9]! };
    }
  }
  return undefined;
}

/** Does one of `pids` hold the socket `inode` open? */
function heldBy(pids: number[], inode: string): boolean {
  const link = `socket:[${inode}]`;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === link) return true;
      } catch {
        // closed meanwhile
      }
    }
  }
  return false;
}

/** Is the connection from `remotePort` to our `localPort` from `peer`? (Asked once per connection.) */
export function isPeer(peer: Peer, remotePort: number, localPort: number): boolean {
  const socket = tcpSocket(remotePort, localPort);
  if (!socket) return false;
  return "uid" in peer ? socket.uid === peer.uid : heldBy(peer.processes(), socket.inode);
}
