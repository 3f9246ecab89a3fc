/** A log group's live tail (StartLiveTail). */
import { useEffect, useRef, useState } from "preact/hooks";
import { CloudWatchLogsClient, type LiveTailSessionLogEvent, StartLiveTailCommand } from "@aws-sdk/client-cloudwatch-logs";
import { type ApiError, apiError, call, client } from "../aws";
import { useInterval } from "./async";
import { ErrorBox, Section, fmtNumber } from "./ui";
import { LogLine } from "./logs-message";
import { type Filter, patternOf } from "./logs-filter";

const logs = () => client(CloudWatchLogsClient);

/** The last lines kept on the page; older ones go. */
const TAIL_CAP = 1000;
/** How often, at most, a screen reader hears how many lines arrived (unless each line is announced). */
const NEWS_MS = 3000;

interface TailLine {
  key: number;
  timestamp?: number;
  stream?: string;
  message: string;
}

/**
 * StartLiveTail's event stream (through the SDK's fetch handler), from Start until Stop, a change of
 * pattern or stream (which starts a new session), or the page going (which aborts the request, and
 * the server ends the session). The lines are a `log` region that does not speak each line (a busy
 * function would drown a screen reader): a polite status says how many arrived, at most every few
 * seconds, unless the reader asks for every line ("Announce each line").
 */
export function LiveTail({ group, ready, arn, filter }: { group: string; ready: boolean; arn?: string; filter: Filter }) {
  const [running, setRunning] = useState(false);
  const [lines, setLines] = useState<TailLine[]>([]);
  const [error, setError] = useState<ApiError>();
  const [status, setStatus] = useState("Stopped.");
  const [sampled, setSampled] = useState(false);
  const [announce, setAnnounce] = useState(false);
  const [news, setNews] = useState("");
  // Lines arrived since the last news.
  const unannounced = useRef(0);
  const seq = useRef(0);
  const box = useRef<HTMLDivElement>(null);
  const pattern = patternOf(filter);
  const stream = filter.stream;

  useEffect(() => {
    if (!running) return;
    const abort = new AbortController();
    let live = true;
    setError(undefined);
    setStatus("Starting…");
    (async () => {
      try {
        const out = await call(
          logs().send(
            new StartLiveTailCommand({
              // The group's ARN as AWS asks; its name until DescribeLogGroups answered.
              logGroupIdentifiers: [arn ?? group],
              ...(pattern ? { logEventFilterPattern: pattern } : {}),
              ...(stream ? { logStreamNames: [stream] } : {}),
            }),
            { abortSignal: abort.signal },
          ),
        );
        for await (const ev of out.responseStream ?? []) {
          if (!live) return;
          if (ev.sessionStart) setStatus(`Tailing${pattern ? ` events matching ${pattern}` : " every event"}${stream ? ` in ${stream}` : ""} since ${new Date().toISOString()}.`);
          else if (ev.sessionUpdate) {
            if (ev.sessionUpdate.sessionMetadata?.sampled) setSampled(true);
            const results = (ev.sessionUpdate.sessionResults ?? []).map((r: LiveTailSessionLogEvent) => ({ key: ++seq.current, timestamp: r.timestamp, stream: r.logStreamName, message: r.message ?? "" }));
            if (results.length) {
              unannounced.current += results.length;
              setLines((ls) => [...ls, ...results].slice(-TAIL_CAP));
            }
          } else if (ev.SessionTimeoutException || ev.SessionStreamingException) {
            const e = ev.SessionTimeoutException ?? ev.SessionStreamingException!;
            throw apiError({ name: ev.SessionTimeoutException ? "SessionTimeoutException" : "SessionStreamingException", message: e.message });
          }
        }
        if (live) {
          setStatus("The session ended.");
          setRunning(false);
        }
      } catch (err) {
        if (!live) return;
        setError(apiError(err));
        setStatus("Stopped.");
        setRunning(false);
      }
    })();
    return () => {
      live = false;
      abort.abort();
      setStatus("Stopped.");
    };
  }, [running, group, arn, pattern, stream]);

  // The count of new lines, told at most every NEWS_MS (each line is told by the log region instead when asked).
  useInterval(() => {
    const n = unannounced.current;
    unannounced.current = 0;
    if (n > 0 && !announce) setNews(`${fmtNumber(n)} new line${n === 1 ? "" : "s"} in the live tail; ${fmtNumber(lines.length)} shown.`);
  }, running ? NEWS_MS : undefined);

  // Follow the newest line unless the reader scrolled up.
  const stick = useRef(true);
  useEffect(() => {
    const el = box.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [lines]);

  return (
    <Section
      title="Live tail"
      actions={
        <div class="row">
          <span class="hint" role="status" aria-label="New lines">
            {news}
          </span>
          <button type="button" class={running ? undefined : "primary"} disabled={!ready} onClick={() => setRunning(!running)}>
            {running ? "Stop live tail" : "Start live tail"}
          </button>
          <button
            type="button"
            onClick={() => {
              setLines([]);
              setNews("");
              unannounced.current = 0;
            }}
            disabled={lines.length === 0}
          >
            Clear
          </button>
          <label>
            <input type="checkbox" checked={announce} onChange={(e) => setAnnounce((e.target as HTMLInputElement).checked)} /> Announce each line
          </label>
        </div>
      }
    >
      <p class="hint" role="status">
        {status} {pattern ? `Filter pattern: ${pattern}.` : "No filter pattern."} The last {fmtNumber(TAIL_CAP)} lines are kept.
        {sampled && " CloudWatch Logs sampled this session: some events were skipped."}
      </p>
      {error && <ErrorBox error={error} context="StartLiveTail" />}
      <div
        ref={box}
        class="log logs-tail"
        role="log"
        aria-live={announce ? "polite" : "off"}
        aria-label="Live tail"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget as HTMLDivElement;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {lines.length === 0 ? (
          <span class="hint">{running ? "Waiting for new events…" : "Start the live tail to see new events as they arrive."}</span>
        ) : (
          lines.map((l) => <LogLine key={l.key} timestamp={l.timestamp} stream={l.stream} message={l.message} style={filter.json} />)
        )}
      </div>
    </Section>
  );
}

// ---- paging

