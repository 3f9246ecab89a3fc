/**
 * Async events: find one by its request id, and follow it: its state and outcome, then every step
 * Flint recorded (accepted, each attempt and its error, throttles and retries, where it was sent on
 * failure or success, how it ended), read from `GET /_flint/events/<request-id>` every 2 s while it
 * is pending. Where it went links to that queue, topic or function, and its lines to the logs page.
 */
import { useEffect, useState } from "preact/hooks";
import { GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { type ApiError, apiError, call, client, flintFetch } from "../aws";
import type { PageProps } from "../routes";
import { Link, navigate, seg } from "../router";
import { ErrorBox, Field, KeyValue, Loading, PageHeader, Section, fmtNumber } from "../ui/ui";
import { useInterval } from "../ui/async";

/** `GET /_flint/events/<id>` (src/api/server.ts): each entry's At and Kind, with its details beside them. */
interface EventView {
  RequestId: string;
  State: "pending" | "ended";
  Outcome?: string;
  Timeline: Entry[];
}

interface Entry {
  At: string;
  Kind: string;
  [detail: string]: unknown;
}

export default function Timeline({ view, params }: PageProps) {
  return view === "event" ? <Event id={params.requestId!} /> : <Find />;
}

function Find() {
  const [id, setId] = useState("");
  return (
    <>
      <PageHeader title="Async events" />
      <p>An asynchronous invocation (InvocationType Event, an S3 or SNS trigger, …) answers with a request id: follow that event's attempts, retries and where it went.</p>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          const v = id.trim();
          if (v) navigate(`/events/${seg(v)}`);
        }}
      >
        <Field label="Request id" id="event-request-id" hint="The x-amzn-RequestId of the 202 answer to an Event invoke.">
          <input id="event-request-id" class="mono" size={40} required value={id} aria-describedby="event-request-id-hint" onInput={(e) => setId((e.target as HTMLInputElement).value)} />
        </Field>
        <div class="field">
          <button type="submit" class="primary">
            Show timeline
          </button>
        </div>
      </form>
    </>
  );
}

const POLL_MS = 2000;

function Event({ id }: { id: string }) {
  const [event, setEvent] = useState<EventView>();
  const [error, setError] = useState<ApiError>();
  const [asked, setAsked] = useState(0);
  useEffect(() => {
    let live = true;
    flintFetch<EventView>(`/_flint/events/${encodeURIComponent(id)}`).then(
      (v) => {
        if (!live) return;
        setEvent(v);
        setError(undefined);
      },
      (err) => live && setError(apiError(err)),
    );
    return () => void (live = false);
  }, [id, asked]);
  // Asked again every 2 s while the event is pending; not once it ended or could not be read.
  useInterval(() => setAsked((n) => n + 1), event?.State === "pending" && !error ? POLL_MS : undefined);

  const accepted = event?.Timeline.find((e) => e.Kind === "accepted");
  const functionName = typeof accepted?.functionName === "string" ? accepted.functionName : undefined;
  const qualifier = typeof accepted?.qualifier === "string" ? accepted.qualifier : undefined;
  const logGroup = useLogGroup(functionName);
  const attempts = event?.Timeline.filter((e) => e.Kind === "attempt").length ?? 0;

  return (
    <>
      <PageHeader title={`Event ${id}`} crumbs={[{ to: "/events", label: "Async events" }]} />
      {error && <ErrorBox error={error} />}
      {!event && !error && <Loading what="Loading the event's timeline" />}
      {event && (
        <>
          <div class="events-state" role="status" aria-live="polite">
            <p>
              <span class="events-label">State</span>{" "}
              <span class={`badge events-badge ${event.State === "ended" ? "" : "events-pending"}`}>{event.State === "ended" ? "Ended" : "Pending"}</span>
              {event.Outcome && (
                <>
                  {" "}
                  <span class="events-label">Outcome</span> <span class={`badge events-badge ${outcomeClass(event.Outcome)}`}>{OUTCOMES[event.Outcome] ?? event.Outcome}</span>
                </>
              )}
            </p>
            {event.State === "pending" && <p class="hint">Still in flight: this page asks again every 2 seconds.</p>}
          </div>
          <KeyValue
            entries={[
              ["Function", functionName && <Link to={`/functions/${seg(functionName)}`}>{functionName}</Link>],
              ["Qualifier", qualifier ?? "$LATEST (unqualified)"],
              ["Payload", typeof accepted?.bytes === "number" ? `${fmtNumber(accepted.bytes)} bytes` : undefined],
              ["Attempts", fmtNumber(attempts)],
              ["Logs", logGroup && <Link to={`/logs/${seg(logGroup)}?requestId=${encodeURIComponent(id)}`}>This event's lines in {logGroup}</Link>],
            ]}
          />
          <Section title="Timeline">
            <ol class="events-timeline">
              {event.Timeline.map((e, i) => (
                <li key={i}>
                  <time dateTime={e.At} class="mono">
                    {e.At}
                  </time>
                  <span class="events-kind">{KINDS[e.Kind] ?? e.Kind}</span>
                  <span class="events-detail">{describe(e)}</span>
                </li>
              ))}
            </ol>
          </Section>
        </>
      )}
    </>
  );
}

/** The function's log group: its LoggingConfig's, or Lambda's default (also when the function is gone). */
function useLogGroup(functionName: string | undefined): string | undefined {
  const [group, setGroup] = useState<string>();
  useEffect(() => {
    if (!functionName) return;
    let live = true;
    const fallback = `/aws/lambda/${functionName}`;
    setGroup(fallback);
    call(client(LambdaClient).send(new GetFunctionConfigurationCommand({ FunctionName: functionName }))).then(
      (c) => live && setGroup(c.LoggingConfig?.LogGroup || fallback),
      // The function may be gone, or not readable by this user: its lines are still in the default group.
      () => undefined,
    );
    return () => void (live = false);
  }, [functionName]);
  return group;
}

const OUTCOMES: Record<string, string> = {
  succeeded: "Succeeded",
  delivered: "Failed, delivered to its failure target",
  discarded: "Failed, discarded",
};

const outcomeClass = (o: string) => (o === "succeeded" ? "good" : "bad");

const KINDS: Record<string, string> = {
  accepted: "Accepted",
  recovered: "Recovered",
  attempt: "Attempt",
  retry: "Retry scheduled",
  throttled: "Throttled",
  destination: "Destination",
  "dead-letter": "Dead-letter queue",
  failed: "Failed",
  dropped: "Dropped",
  ended: "Ended",
};

const CONDITIONS: Record<string, string> = {
  RetriesExhausted: "its retries were exhausted",
  EventAgeExceeded: "it was older than the maximum event age",
};

const str = (v: unknown) => (typeof v === "string" ? v : v === undefined ? undefined : JSON.stringify(v));
const at = (v: unknown) => (typeof v === "number" ? new Date(v).toISOString() : str(v));

/** An entry's details in plain words. */
function describe(e: Entry) {
  switch (e.Kind) {
    case "accepted":
      return (
        <>
          Queued for {str(e.functionName)}
          {e.qualifier !== undefined ? `:${str(e.qualifier)}` : ""}
          {typeof e.bytes === "number" ? ` (${fmtNumber(e.bytes)}-byte payload)` : ""}.
        </>
      );
    case "recovered":
      return <>Taken up again after the node that held it stopped ({str(e.attempts)} attempt(s) so far).</>;
    case "attempt":
      return (
        <>
          Attempt {str(e.attempt)} on version {str(e.executedVersion)}:{" "}
          {e.functionError ? (
            <>
              <span class="bad">failed ({str(e.functionError)})</span>
              {e.error !== undefined && (
                <>
                  {" "}
                  — <q class="events-error">{str(e.error)}</q>
                </>
              )}
            </>
          ) : (
            <span class="good">succeeded</span>
          )}
        </>
      );
    case "retry":
      return <>Next attempt at {at(e.retryAt)}.</>;
    case "throttled":
      return (
        <>
          The function was throttled ({str(e.reason)}); next try at {at(e.retryAt)}.
        </>
      );
    case "destination":
    case "dead-letter": {
      const where = e.Kind === "destination" ? "destination" : "dead-letter queue";
      return e.ok === false ? (
        <>
          <span class="bad">Could not send</span> to the {where} <Target arn={str(e.target)!} />: {str(e.error)}
        </>
      ) : (
        <>
          Sent to the {where} <Target arn={str(e.target)!} />.
        </>
      );
    }
    case "failed":
      return (
        <>
          Failed: {CONDITIONS[str(e.condition) ?? ""] ?? str(e.condition)} after {str(e.attempts)} attempt(s){e.reason !== undefined ? ` (${str(e.reason)})` : ""}.
        </>
      );
    case "dropped":
      return (
        <>
          Dropped: {str(e.reason) === "FunctionNotFound" ? "the function no longer exists" : str(e.reason)}
          {e.message !== undefined ? ` (${str(e.message)})` : ""}.
        </>
      );
    case "ended":
      return <>Ended: {OUTCOMES[str(e.outcome) ?? ""] ?? str(e.outcome)}.</>;
    default: {
      const { At: _at, Kind: _kind, ...rest } = e;
      return <span class="mono">{Object.entries(rest).map(([k, v]) => `${k}=${str(v)}`).join(" ")}</span>;
    }
  }
}

/** A destination or dead-letter ARN, linked to its page in the console when it has one. */
function Target({ arn }: { arn: string }) {
  const parts = arn.split(":");
  const service = parts[2];
  const resource = parts.slice(5).join(":");
  if (parts[0] === "arn" && service === "sqs" && resource) {
    return (
      <Link to={`/queues/${seg(resource)}`} title={arn}>
        SQS queue {resource}
      </Link>
    );
  }
  if (parts[0] === "arn" && service === "sns" && resource) {
    return (
      <Link to={`/topics/${seg(arn)}`} title={arn}>
        SNS topic {resource}
      </Link>
    );
  }
  if (parts[0] === "arn" && service === "lambda" && parts[5] === "function" && parts[6]) {
    return (
      <Link to={`/functions/${seg(parts[6])}`} title={arn}>
        function {parts[6]}
        {parts[7] ? `:${parts[7]}` : ""}
      </Link>
    );
  }
  return <span class="mono">{arn}</span>;
}
