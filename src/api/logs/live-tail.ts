/**
 * StartLiveTail's answer: HTTP 200 at once, then an event stream: `initial-response`, `sessionStart`, a
 * `sessionUpdate` whenever new events arrived, and an exception message when the session ends
 * (SessionTimeoutException after three hours). Errors in the request are answered before the
 * stream starts, as plain JSON 1.1 errors.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartLiveTail.html
 */
import type { HttpResponse } from "../../lib/http-server.js";
import { event, eventMessage } from "../../lib/event-stream.js";
import { asAwsError } from "../render-error.js";
import { decodeStartLiveTail } from "../../services/logs/inputs.js";
import type { LogsService } from "../../services/logs/service.js";

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

export async function startLiveTail(logs: LogsService, members: Record<string, unknown>, requestId: string, res: HttpResponse): Promise<void> {
  const { session, release } = await logs.openLiveTail(decodeStartLiveTail(members), requestId);
  const body = res.stream(200, { "Content-Type": "application/vnd.amazon.eventstream", "x-amzn-RequestId": requestId });
  body.on("close", release);
  body.on("error", release);
  if (body.destroyed) return release();
  // JSON protocols open an output event stream with the response's other members (none here):
  // botocore refuses a stream without it; the SDK v3 skips it.
  body.write(event("initial-response", "application/json", json({})));
  body.write(event("sessionStart", "application/json", json(session.start)));
  session.run({
    update: (results, sampled) => {
      if (!body.destroyed) body.write(event("sessionUpdate", "application/json", json({ sessionMetadata: { sampled }, sessionResults: results })));
    },
    end: (err) => {
      if (body.destroyed) return;
      if (!err) return void body.end();
      const e = asAwsError(err);
      body.end(eventMessage({ ":message-type": "exception", ":exception-type": e.code, ":content-type": "application/json" }, json({ message: e.message })));
    },
  });
}
