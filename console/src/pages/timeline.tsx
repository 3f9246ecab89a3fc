/**
 * Async events: find one by its request id, and follow it: its state and outcome, then every step
 * Flint recorded (accepted, each attempt and its error, throttles and retries, where it was sent on
 * failure or success, how it ended), read from `GET /_flint/events/<request-id>` every 2 s while it
 * is pending. Where it went links to that queue, topic or function, and its lines to the logs page.
 */
import { useState } from "preact/hooks";
import { type ApiError, apiError, flintFetch } from "../aws";
import type { PageProps } from "../routes";
import { Link, navigate, seg } from "../router";
import { ArnLink } from "../ui/arn";
import { functionArnOf, useFunctionLogGroup } from "../ui/function-links";
import { usePoll } from "../ui/poll";
import { ErrorBox, Field, KeyValue, Loading, PageHeader, Section, fmtNumber } from "../ui/ui";

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
  return view === "event" ? <Event key={params.requestId} id={params.requestId!} /> : <Find />;
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

/** Whether to ask again: while the event is pending, or not read yet for a reason that may pass (a 404 or a refusal will not). */
function askAgain(event: EventView | undefined, error: ApiError | undefined): boolean {
  if (event) return event.State === "pending";
  if (!error) return true;
  const s = error.status;
  return s === undefined || s === 429 || s >= 500;
}

function Event({ id }: { id: string }) {
  const [event, setEvent] = useState<EventView>();
  const [error, setError] = useState<ApiError>();
  // Asked now, then 2 s after each answer while it is pending, even after a failed read (shown meanwhile).
  usePoll(
    (live) =>
      flintFetch<EventView>(`/_flint/events/${encodeURIComponent(id)}`).then(
        (v) => {
          if (!live()) return;
          setEvent(v);
          setError(undefined);
        },
        (err) => live() && setError(apiError(err)),
      ),
    askAgain(event, error) ? POLL_MS : undefined,
    [id],
  );

  const accepted = event?.Timeline.find((e) => e.Kind === "accepted");
  const functionName = typeof accepted?.functionName === "string" ? accepted.functionName : undefined;
  const qualifier = typeof accepted?.qualifier === "string" ? accepted.qualifier : undefined;
  const { group: logGroup, error: functionError } = useFunctionLogGroup(functionName);
  const attempts = event?.Timeline.filter((e) => e.Kind === "attempt").length ?? 0;

  return (
    <>
      <PageHeader title={`Event ${id}`} crumbs={[{ to: "/events", label: "Async events" }]} />
      {error && <ErrorBox error={error} context={event ? "Reading the event again" : undefined} />}
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
          {functionError && <ErrorBox error={functionError} context={`The function ${functionName}`} />}
          <KeyValue
            entries={[
              ["Function", functionName && <ArnLink arn={functionArnOf(functionName)} show="name" />],
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
          <span class="bad">Could not send</span> to the {where} <Target arn={str(e.target)} />: {str(e.error)}
        </>
      ) : (
        <>
          Sent to the {where} <Target arn={str(e.target)} />.
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

/** A destination or dead-letter ARN: its kind and name, linked to its page when it is this account's and region's; else the ARN. */
function Target({ arn }: { arn: string | undefined }) {
  return <ArnLink arn={arn} show="kind" />;
}
