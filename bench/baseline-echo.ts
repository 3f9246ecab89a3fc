/** The baseline: a bare Node.js HTTP server that echoes the request body (and streams, for bench/http.ts). Prints its port. */
import http from "node:http";

/** What the streaming benchmark compares with: `megabytes` MB written in 64 KB chunks, waiting whenever the socket is full. */
async function stream(res: http.ServerResponse, megabytes: number): Promise<void> {
  res.writeHead(200, { "Content-Type": "application/octet-stream" });
  const chunk = Buffer.alloc(64 * 1024, 120);
  for (let left = megabytes * 16; left > 0; left--) {
    if (!res.write(chunk)) await new Promise((resolve) => res.once("drain", resolve));
  }
  res.end();
}

const server = http.createServer((req, res) => {
  const mb = /^\/stream\?megabytes=(\d+)$/.exec(req.url ?? "");
  if (mb) return void stream(res, Number(mb[1]));
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  const addr = server.address();
  process.stdout.write(`${typeof addr === "object" && addr ? addr.port : 0}\n`);
});
