/**
 * The owner of the other end of a loopback TCP connection, from the kernel's socket table.
 * Sandboxes run as distinct uids, so a Runtime API listener on the host's loopback can refuse a
 * connection that does not come from its own environment: identity from the channel.
 */
import { readFileSync } from "node:fs";

const hexPort = (p: number) => p.toString(16).toUpperCase().padStart(4, "0");

/** uid owning the local TCP socket `127.0.0.1:<localPort>` connected to port `remotePort`, if any. */
export function tcpPeerUid(localPort: number, remotePort: number): number | undefined {
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
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid ...
      const f = line.trim().split(/\s+/);
      if (f.length < 8 || !`${f[1]} `.endsWith(local) || !`${f[2]} `.endsWith(remote)) continue;
      return Number(f[7]);
    }
  }
  return undefined;
}
