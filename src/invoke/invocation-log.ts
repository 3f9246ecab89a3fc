/**
 * The platform lines of one invocation (START, END, REPORT) in AWS's format, and the last 4 KB of
 * the invocation's log for `X-Amz-Log-Result`.
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html
 */
const TAIL_BYTES = 4096;

export class InvocationLog {
  private readonly lines: string[] = [];
  private bytes = 0;

  constructor(
    private readonly requestId: string,
    private readonly version: string,
    private readonly keepTail: boolean,
  ) {}

  start(): string {
    return this.keep(`START RequestId: ${this.requestId} Version: ${this.version}`);
  }

  /** A line the function wrote during the invocation (already in the log stream). */
  append(line: string): void {
    this.keep(line);
  }

  end(durationMs: number, memoryMb: number, maxMemoryMb: number, initMs?: number, status?: "timeout" | "error", errorType?: string): string[] {
    const billed = Math.ceil(durationMs + (initMs ?? 0));
    let report =
      `REPORT RequestId: ${this.requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${billed} ms\t` +
      `Memory Size: ${memoryMb} MB\tMax Memory Used: ${maxMemoryMb} MB\t`;
    if (initMs !== undefined) report += `Init Duration: ${initMs.toFixed(2)} ms\t`;
    if (status) report += `Status: ${status}\t`;
    if (errorType) report += `Error Type: ${errorType}\t`;
    return [this.keep(`END RequestId: ${this.requestId}`), this.keep(report)];
  }

  private keep(line: string): string {
    if (!this.keepTail) return line;
    this.lines.push(line);
    this.bytes += Buffer.byteLength(line) + 1;
    while (this.bytes - Buffer.byteLength(this.lines[0]!) - 1 >= TAIL_BYTES && this.lines.length > 1) {
      this.bytes -= Buffer.byteLength(this.lines.shift()!) + 1;
    }
    return line;
  }

  /** Base64 of the last 4 KB (cut on a UTF-8 character boundary). */
  tailBase64(): string {
    let buf = Buffer.from(this.lines.join("\n") + "\n", "utf8");
    if (buf.length > TAIL_BYTES) {
      let start = buf.length - TAIL_BYTES;
      while (start < buf.length && (buf[start]! & 0xc0) === 0x80) start++;
      buf = buf.subarray(start);
    }
    return buf.toString("base64");
  }
}
