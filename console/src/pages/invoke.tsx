/**
 * Invoke a function from the page: a JSON payload (checked before anything is sent), a version or
 * alias, synchronous or asynchronous, and saved test events (this browser's localStorage, per
 * function: payloads are not secrets). A synchronous result shows the status, the executed version,
 * any function error, the response, the log tail and the REPORT line's duration and memory; an
 * asynchronous one its request id, with links to the event's timeline and the logs.
 */
import { useState } from "preact/hooks";
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient, paginateListAliases, paginateListVersionsByFunction } from "@aws-sdk/client-lambda";
import { type ApiError, apiError, call, client } from "../aws";
import type { PageProps } from "../routes";
import { Link, seg, setQuery } from "../router";
import { requireSession } from "../session";
import { useAsync } from "../ui/async";
import { textFromBase64 } from "../ui/base64";
import { logGroupOf } from "../ui/function-links";
import { ErrorBox, Field, JsonView, KeyValue, Loading, PageHeader, Section } from "../ui/ui";

interface SyncResult {
  kind: "sync";
  status?: number;
  executedVersion?: string;
  functionError?: string;
  payload: string;
  log?: string;
  requestId?: string;
}
interface AsyncResult {
  kind: "async";
  status?: number;
  requestId?: string;
}

/** The REPORT line's numbers, as Lambda writes them (text log format) or as a platform.report record (JSON format). */
export interface Report {
  duration?: string;
  billed?: string;
  memorySize?: string;
  maxMemory?: string;
  init?: string;
}

export function parseReport(log: string): Report | undefined {
  const line = log.split("\n").find((l) => l.startsWith("REPORT RequestId:"));
  if (line) {
    const get = (label: string) => line.match(new RegExp(`${label}: ([0-9.]+ [A-Za-z]+)`))?.[1];
    return { duration: get("Duration"), billed: get("Billed Duration"), memorySize: get("Memory Size"), maxMemory: get("Max Memory Used"), init: get("Init Duration") };
  }
  for (const l of log.split("\n")) {
    if (!l.includes('"platform.report"')) continue;
    try {
      const m = (JSON.parse(l) as { record?: { metrics?: Record<string, number> } }).record?.metrics ?? {};
      const ms = (n?: number) => (n === undefined ? undefined : `${n} ms`);
      const mb = (n?: number) => (n === undefined ? undefined : `${n} MB`);
      return { duration: ms(m.durationMs), billed: ms(m.billedDurationMs), memorySize: mb(m.memorySizeMB), maxMemory: mb(m.maxMemoryUsedMB), init: ms(m.initDurationMs) };
    } catch {
      // Not a JSON line after all.
    }
  }
  return undefined;
}

/** Saved test events: one localStorage entry per function (and region and account), a name → payload map. */
function storageKey(name: string): string {
  const s = requireSession();
  return `flint.console.test-events.${s.accountId}.${s.region}.${name}`;
}
function loadSaved(name: string): Record<string, string> {
  try {
    return JSON.parse(localStorage.getItem(storageKey(name)) ?? "{}") as Record<string, string>;
  } catch {
    return {};
  }
}

const decoder = new TextDecoder();

export default function InvokePage({ params, query }: PageProps) {
  const name = params.name!;
  const lambda = client(LambdaClient);
  const qualifier = query.get("qualifier") || "$LATEST";
  const type = query.get("type") === "Event" ? "Event" : "RequestResponse";
  const [payload, setPayload] = useState('{\n  "key": "value"\n}');
  const [parseError, setParseError] = useState<string>();
  const [saved, setSaved] = useState(() => loadSaved(name));
  const [eventName, setEventName] = useState("");
  const [chosen, setChosen] = useState("");
  const [savedNote, setSavedNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<SyncResult | AsyncResult>();
  const [error, setError] = useState<ApiError>();

  const config = useAsync(() => call(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))), [name]);
  const qualifiers = useAsync(async () => {
    const versions: string[] = [];
    const aliases: string[] = [];
    for await (const p of paginateListVersionsByFunction({ client: lambda }, { FunctionName: name })) versions.push(...(p.Versions ?? []).map((v) => v.Version!).filter((v) => v !== "$LATEST"));
    for await (const p of paginateListAliases({ client: lambda }, { FunctionName: name })) aliases.push(...(p.Aliases ?? []).map((a) => a.Name!));
    return { versions, aliases };
  }, [name]);

  function persist(next: Record<string, string>) {
    setSaved(next);
    try {
      localStorage.setItem(storageKey(name), JSON.stringify(next));
    } catch (err) {
      setSavedNote(`Could not save: ${(err as Error).message}`);
    }
  }

  async function invoke(e: Event) {
    e.preventDefault();
    try {
      JSON.parse(payload);
    } catch (err) {
      setParseError((err as Error).message);
      return;
    }
    setParseError(undefined);
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      const out = await call(
        lambda.send(
          new InvokeCommand({
            FunctionName: name,
            Qualifier: qualifier === "$LATEST" ? undefined : qualifier,
            InvocationType: type,
            LogType: type === "RequestResponse" ? "Tail" : undefined,
            Payload: new TextEncoder().encode(payload),
          }),
        ),
      );
      if (type === "Event") setResult({ kind: "async", status: out.StatusCode, requestId: out.$metadata.requestId });
      else
        setResult({
          kind: "sync",
          status: out.StatusCode,
          executedVersion: out.ExecutedVersion,
          functionError: out.FunctionError,
          payload: out.Payload ? decoder.decode(out.Payload) : "",
          log: out.LogResult ? textFromBase64(out.LogResult) : undefined,
          requestId: out.$metadata.requestId,
        });
    } catch (err) {
      setError(apiError(err));
    } finally {
      setBusy(false);
    }
  }

  const logGroup = logGroupOf(name, config.data);
  const names = Object.keys(saved).sort();

  return (
    <>
      <PageHeader
        title={`Invoke ${name}`}
        crumbs={[
          { to: "/functions", label: "Functions" },
          { to: `/functions/${seg(name)}`, label: name },
        ]}
      >
        <Link to={`/logs/${seg(logGroup)}`} class="button">
          Logs
        </Link>
      </PageHeader>
      {config.error && <ErrorBox error={config.error} context="The function" />}
      <form onSubmit={invoke} noValidate>
        <div class="row">
          <Field label="Version or alias" id="invoke-qualifier">
            <select id="invoke-qualifier" value={qualifier} onChange={(e) => setQuery({ qualifier: (e.target as HTMLSelectElement).value === "$LATEST" ? undefined : (e.target as HTMLSelectElement).value })}>
              <option value="$LATEST">$LATEST</option>
              {qualifiers.data && qualifiers.data.versions.length > 0 && (
                <optgroup label="Versions">
                  {qualifiers.data.versions.map((v) => (
                    <option key={v} value={v}>
                      {v}
                    </option>
                  ))}
                </optgroup>
              )}
              {qualifiers.data && qualifiers.data.aliases.length > 0 && (
                <optgroup label="Aliases">
                  {qualifiers.data.aliases.map((a) => (
                    <option key={a} value={a}>
                      {a}
                    </option>
                  ))}
                </optgroup>
              )}
              {qualifiers.data && qualifier !== "$LATEST" && !qualifiers.data.versions.includes(qualifier) && !qualifiers.data.aliases.includes(qualifier) && (
                <option value={qualifier}>{qualifier}</option>
              )}
            </select>
          </Field>
          <fieldset class="field invoke-type">
            <legend>Invocation type</legend>
            <label>
              <input type="radio" name="invocation-type" value="RequestResponse" checked={type === "RequestResponse"} onChange={() => setQuery({ type: undefined })} /> Synchronous
              (RequestResponse)
            </label>
            <label>
              <input type="radio" name="invocation-type" value="Event" checked={type === "Event"} onChange={() => setQuery({ type: "Event" })} /> Asynchronous (Event)
            </label>
          </fieldset>
        </div>
        {qualifiers.error && <ErrorBox error={qualifiers.error} context="Versions and aliases" />}
        <div class="field invoke-payload">
          <label for="invoke-payload">Event payload (JSON)</label>
          <textarea
            id="invoke-payload"
            value={payload}
            spellcheck={false}
            aria-invalid={parseError ? "true" : undefined}
            aria-describedby={parseError ? "invoke-payload-error" : undefined}
            onInput={(e) => setPayload((e.target as HTMLTextAreaElement).value)}
          />
          {parseError && (
            <p id="invoke-payload-error" class="error" role="alert">
              <strong>Not valid JSON</strong>, nothing was sent: {parseError}
            </p>
          )}
        </div>
        <div class="row">
          <button type="submit" class="primary" disabled={busy}>
            Invoke
          </button>
          {busy && <Loading what="Invoking" />}
        </div>
      </form>

      <div aria-live="polite">
        {error && <ErrorBox error={error} context="Invoke" />}
        {result?.kind === "sync" && <SyncView result={result} />}
        {result?.kind === "async" && (
          <Section title="Result">
            <KeyValue
              entries={[
                ["Status code", String(result.status ?? "—")],
                ["Request id", <span class="mono">{result.requestId}</span>],
              ]}
            />
            <p>
              Queued for asynchronous invocation.{" "}
              {result.requestId && <Link to={`/events/${seg(result.requestId)}`}>Follow this event on its timeline</Link>}
              {" · "}
              <Link to={`/logs/${seg(logGroup)}`}>Logs of {name}</Link>
            </p>
          </Section>
        )}
      </div>
      <Section title="Saved test events">
        <p class="hint">Kept in this browser for this function (not secrets: don't save credentials in a payload).</p>
        <div class="row">
          <Field label="Test event name" id="test-event-name">
            <input id="test-event-name" value={eventName} onInput={(e) => setEventName((e.target as HTMLInputElement).value)} />
          </Field>
          <div class="field">
            <button
              type="button"
              disabled={!eventName.trim()}
              onClick={() => {
                persist({ ...saved, [eventName.trim()]: payload });
                setChosen(eventName.trim());
                setSavedNote(`Saved “${eventName.trim()}”.`);
              }}
            >
              Save test event
            </button>
          </div>
        </div>
        <div class="row">
          <Field label="Saved test event" id="test-event-saved">
            <select id="test-event-saved" value={chosen} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
              <option value="">{names.length ? "Choose one…" : "None saved yet"}</option>
              {names.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </Field>
          <div class="field">
            <button
              type="button"
              disabled={!chosen || !(chosen in saved)}
              onClick={() => {
                setPayload(saved[chosen]!);
                setEventName(chosen);
                setParseError(undefined);
                setSavedNote(`Loaded “${chosen}”.`);
              }}
            >
              Load test event
            </button>
          </div>
          <div class="field">
            <button
              type="button"
              disabled={!chosen || !(chosen in saved)}
              onClick={() => {
                const next = { ...saved };
                delete next[chosen];
                persist(next);
                setSavedNote(`Deleted “${chosen}”.`);
                setChosen("");
              }}
            >
              Delete test event
            </button>
          </div>
        </div>
        <p role="status" aria-live="polite" class="hint">
          {savedNote}
        </p>
      </Section>

    </>
  );
}

function SyncView({ result: r }: { result: SyncResult }) {
  const report = r.log ? parseReport(r.log) : undefined;
  return (
    <Section title="Result">
      {r.functionError && (
        <div class="error" role="alert">
          <p class="error-code">
            Function error: <strong>{r.functionError}</strong>
          </p>
          <p class="error-message">The function failed; its error is the response below.</p>
        </div>
      )}
      <KeyValue
        entries={[
          ["Status code", String(r.status ?? "—")],
          ["Executed version", r.executedVersion],
          ["Outcome", r.functionError ? <span class="bad">Failed ({r.functionError})</span> : <span class="good">Succeeded</span>],
          ["Request id", <span class="mono">{r.requestId}</span>],
          ["Duration", report?.duration],
          ["Billed duration", report?.billed],
          ["Memory size", report?.memorySize],
          ["Max memory used", report?.maxMemory],
          ["Init duration", report?.init ?? (report ? "None (a warm start)" : undefined)],
        ]}
      />
      <h3>Response</h3>
      <JsonView value={r.payload} label="Response payload" />
      <h3>Log tail</h3>
      {r.log !== undefined ? (
        <pre class="log" tabIndex={0} aria-label="Log tail">
          {r.log}
        </pre>
      ) : (
        <p>No log tail returned.</p>
      )}
    </Section>
  );
}
