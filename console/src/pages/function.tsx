/**
 * A function: its configuration and environment, versions and aliases (with their routing
 * weights), concurrency, asynchronous invocation settings, resource-based policy, URL, event source
 * mappings and tags, one tab each (`?tab=`), and a link to download its code. Each tab makes its own
 * calls and shows its own refusals, so a user allowed some of them sees the rest.
 */
import type { ComponentChildren } from "preact";
import {
  type FunctionConfiguration,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetPolicyCommand,
  LambdaClient,
  ListTagsCommand,
  paginateListAliases,
  paginateListEventSourceMappings,
  paginateListFunctionEventInvokeConfigs,
  paginateListFunctionUrlConfigs,
  paginateListProvisionedConcurrencyConfigs,
  paginateListVersionsByFunction,
} from "@aws-sdk/client-lambda";
import { useEffect, useState } from "preact/hooks";
import { ApiError, apiError, call, client } from "../aws";
import type { PageProps } from "../routes";
import { Link, seg, setQuery } from "../router";
import { useAsync } from "../ui/async";
import { ArnLink } from "../ui/arn";
import { functionArnOf, logGroupOf, qualifierOf, routingText } from "../ui/function-links";
import { DataTable, ErrorBox, Field, JsonView, KeyValue, PageHeader, Section, Show, Tabs, fmtBytes, fmtNumber, fmtTime } from "../ui/ui";

const TABS = [
  { id: "configuration", label: "Configuration" },
  { id: "environment", label: "Environment" },
  { id: "versions", label: "Versions and aliases" },
  { id: "concurrency", label: "Concurrency" },
  { id: "async", label: "Asynchronous invocation" },
  { id: "policy", label: "Resource-based policy" },
  { id: "url", label: "Function URL" },
  { id: "mappings", label: "Event source mappings" },
  { id: "tags", label: "Tags" },
];

const lambda = () => client(LambdaClient);

/** Every page of a paginated list, as one array. */
async function all<P, T>(pages: AsyncIterable<P>, items: (p: P) => T[] | undefined): Promise<T[]> {
  const out: T[] = [];
  for await (const p of pages) out.push(...(items(p) ?? []));
  return out;
}

export default function FunctionPage({ params, query }: PageProps) {
  const name = params.name!;
  const tab = TABS.some((t) => t.id === query.get("tab")) ? query.get("tab")! : "configuration";
  const fn = useAsync(() => call(lambda().send(new GetFunctionCommand({ FunctionName: name }))), [name]);
  const config = fn.data?.Configuration;
  const code = fn.data?.Code;

  return (
    <>
      <PageHeader title={name} crumbs={[{ to: "/functions", label: "Functions" }]}>
        <Link to={`/functions/${seg(name)}/invoke`} class="button primary">
          Invoke
        </Link>
        <Link to={`/logs/${seg(logGroupOf(name, config))}`} class="button">
          Logs
        </Link>
        <Link to={`/functions/${seg(name)}/metrics`} class="button">
          Metrics
        </Link>
        {code?.Location && <DownloadCode name={name} location={code.Location} />}
        {code?.ImageUri && <span class="mono">Image: {code.ImageUri}</span>}
      </PageHeader>
      <Tabs tabs={TABS} current={tab} onSelect={(id) => setQuery({ tab: id === "configuration" ? undefined : id, qualifier: undefined })} />
      <div role="tabpanel" aria-label={TABS.find((t) => t.id === tab)!.label}>
        {tab === "configuration" && (
          <Show state={fn} what="Loading the function">
            {(d) => <Configuration config={d.Configuration!} />}
          </Show>
        )}
        {tab === "environment" && <Show state={fn} what="Loading the function">{(d) => <Environment config={d.Configuration!} />}</Show>}
        {tab === "versions" && <Versions name={name} />}
        {tab === "concurrency" && <Concurrency name={name} />}
        {tab === "async" && <AsyncConfig name={name} />}
        {tab === "policy" && <Policy name={name} qualifier={query.get("qualifier") ?? ""} />}
        {tab === "url" && <Urls name={name} />}
        {tab === "mappings" && <Mappings name={name} />}
        {tab === "tags" && <Tags name={name} />}
      </div>
    </>
  );
}

/** Lambda's presigned code URLs last 10 minutes: a link older than that is signed afresh when clicked. */
const CODE_URL_FRESH_MS = 8 * 60_000;

/** The code's zip, a real `<a download>` link to the presigned (same-origin) URL GetFunction gave. */
function DownloadCode({ name, location }: { name: string; location: string }) {
  const [href, setHref] = useState(location);
  const [at, setAt] = useState(() => Date.now());
  const [error, setError] = useState<ApiError>();
  useEffect(() => {
    setHref(location);
    setAt(Date.now());
  }, [location]);
  async function refresh(e: MouseEvent) {
    if (Date.now() - at < CODE_URL_FRESH_MS) return;
    e.preventDefault();
    setError(undefined);
    try {
      const out = await call(lambda().send(new GetFunctionCommand({ FunctionName: name })));
      const fresh = out.Code?.Location;
      if (!fresh) return;
      setHref(fresh);
      setAt(Date.now());
      const a = document.createElement("a");
      a.href = fresh;
      a.download = `${name}.zip`;
      a.click();
    } catch (err) {
      setError(apiError(err));
    }
  }
  return (
    <>
      <a class="button" href={href} download={`${name}.zip`} onClick={refresh}>
        Download code
      </a>
      {error && <ErrorBox error={error} context="Download code" />}
    </>
  );
}

function stateText(state?: string, reason?: string, code?: string): ComponentChildren {
  if (!state) return undefined;
  const cls = ["Active", "Successful", "Enabled", "READY"].includes(state) ? "good" : ["Failed", "FAILED", "Inactive"].includes(state) ? "bad" : undefined;
  return (
    <>
      <span class={cls}>{state}</span>
      {code && <span> ({code})</span>}
      {reason && <span>: {reason}</span>}
    </>
  );
}

function Configuration({ config: c }: { config: FunctionConfiguration }) {
  const vpc = c.VpcConfig;
  const hasVpc = !!(vpc?.SubnetIds?.length || vpc?.SecurityGroupIds?.length || vpc?.VpcId);
  return (
    <>
      <Section title="General">
        <KeyValue
          entries={[
            ["Function ARN", <span class="mono">{c.FunctionArn}</span>],
            ["Description", c.Description],
            ["Package type", c.PackageType],
            ["Runtime", c.Runtime],
            ["Handler", c.Handler],
            ["Memory", c.MemorySize !== undefined ? `${c.MemorySize} MB` : undefined],
            ["Timeout", c.Timeout !== undefined ? `${c.Timeout} s` : undefined],
            ["Ephemeral storage", c.EphemeralStorage?.Size !== undefined ? `${c.EphemeralStorage.Size} MB` : undefined],
            ["Architectures", c.Architectures?.join(", ")],
            ["Execution role", <ArnLink arn={c.Role} />],
            ["Version", c.Version],
            ["Last modified", c.LastModified ? fmtTime(c.LastModified) : undefined],
          ]}
        />
      </Section>
      <Section title="State">
        <KeyValue
          entries={[
            ["State", stateText(c.State, c.StateReason, c.StateReasonCode)],
            ["Last update status", stateText(c.LastUpdateStatus, c.LastUpdateStatusReason, c.LastUpdateStatusReasonCode)],
            ["Revision id", <span class="mono">{c.RevisionId}</span>],
          ]}
        />
      </Section>
      <Section title="Code">
        <KeyValue
          entries={[
            ["Code size", c.CodeSize !== undefined ? `${fmtBytes(c.CodeSize)} (${fmtNumber(c.CodeSize)} bytes)` : undefined],
            ["Code SHA-256", <span class="mono">{c.CodeSha256}</span>],
            [
              "Layers",
              c.Layers?.length ? (
                <ul>
                  {c.Layers.map((l) => (
                    <li key={l.Arn} class="mono">
                      {l.Arn} ({fmtBytes(l.CodeSize)})
                    </li>
                  ))}
                </ul>
              ) : (
                "None"
              ),
            ],
          ]}
        />
      </Section>
      <Section title="Logging, tracing and failures">
        <KeyValue
          entries={[
            ["Log group", <Link to={`/logs/${seg(logGroupOf(c.FunctionName!, c))}`}>{logGroupOf(c.FunctionName!, c)}</Link>],
            ["Log format", c.LoggingConfig?.LogFormat],
            ["Application log level", c.LoggingConfig?.ApplicationLogLevel],
            ["System log level", c.LoggingConfig?.SystemLogLevel],
            ["Tracing", c.TracingConfig?.Mode],
            ["Dead-letter queue", c.DeadLetterConfig?.TargetArn ? <ArnLink arn={c.DeadLetterConfig.TargetArn} /> : "None"],
            [
              "VPC",
              hasVpc
                ? `${vpc!.VpcId ?? ""} subnets: ${vpc!.SubnetIds?.join(", ") || "none"}; security groups: ${vpc!.SecurityGroupIds?.join(", ") || "none"}`
                : "None",
            ],
          ]}
        />
      </Section>
    </>
  );
}

function Environment({ config }: { config: FunctionConfiguration }) {
  const vars = Object.entries(config.Environment?.Variables ?? {}).map(([k, v]) => ({ k, v }));
  return (
    <Section title="Environment variables">
      {config.Environment?.Error && <ErrorBox error={new ApiError(config.Environment.Error.ErrorCode ?? "Error", config.Environment.Error.Message ?? "")} context="Environment" />}
      <DataTable
        caption={`${vars.length} environment variable${vars.length === 1 ? "" : "s"}`}
        rows={vars}
        rowKey={(r) => r.k}
        columns={[
          { label: "Name", render: (r) => <span class="mono">{r.k}</span> },
          { label: "Value", render: (r) => <span class="mono">{r.v}</span> },
        ]}
        searchText={(r) => `${r.k} ${r.v}`}
        searchLabel="Search environment variables"
        empty="No environment variables."
      />
    </Section>
  );
}

function Versions({ name }: { name: string }) {
  const versions = useAsync(() => call(all(paginateListVersionsByFunction({ client: lambda() }, { FunctionName: name }), (p) => p.Versions)), [name]);
  const aliases = useAsync(() => call(all(paginateListAliases({ client: lambda() }, { FunctionName: name }), (p) => p.Aliases)), [name]);
  return (
    <>
      <Section title="Aliases">
        <Show state={aliases} what="Loading aliases">
          {(rows) => (
            <DataTable
              caption={`${rows.length} alias${rows.length === 1 ? "" : "es"}`}
              rows={rows}
              rowKey={(a) => a.Name!}
              columns={[
                { label: "Alias", render: (a) => <strong>{a.Name}</strong> },
                { label: "Version", value: (a) => a.FunctionVersion },
                { label: "Routing (version: weight)", value: (a) => routingText(a.FunctionVersion, a.RoutingConfig?.AdditionalVersionWeights) },
                { label: "Description", value: (a) => a.Description || undefined },
              ]}
              empty="No aliases."
            />
          )}
        </Show>
      </Section>
      <Section title="Versions">
        <Show state={versions} what="Loading versions">
          {(rows) => (
            <DataTable
              caption={`${rows.length} version${rows.length === 1 ? "" : "s"} (with $LATEST)`}
              rows={rows}
              rowKey={(v) => v.Version!}
              columns={[
                { label: "Version", render: (v) => <strong>{v.Version}</strong> },
                { label: "Description", value: (v) => v.Description || undefined },
                { label: "Runtime", value: (v) => v.Runtime },
                { label: "Code SHA-256", render: (v) => <span class="mono" title={v.CodeSha256}>{v.CodeSha256?.slice(0, 12)}…</span> },
                { label: "Last modified", value: (v) => (v.LastModified ? fmtTime(v.LastModified) : undefined) },
              ]}
            />
          )}
        </Show>
      </Section>
    </>
  );
}

function Concurrency({ name }: { name: string }) {
  const reserved = useAsync(() => call(lambda().send(new GetFunctionConcurrencyCommand({ FunctionName: name }))), [name]);
  const provisioned = useAsync(
    () => call(all(paginateListProvisionedConcurrencyConfigs({ client: lambda() }, { FunctionName: name }), (p) => p.ProvisionedConcurrencyConfigs)),
    [name],
  );
  return (
    <>
      <Section title="Reserved concurrency">
        <Show state={reserved} what="Loading reserved concurrency">
          {(r) => (
            <KeyValue
              entries={[
                [
                  "Reserved concurrent executions",
                  r.ReservedConcurrentExecutions === undefined ? "Unreserved (shares the account's pool)" : r.ReservedConcurrentExecutions === 0 ? "0 (throttled: every invocation refused)" : fmtNumber(r.ReservedConcurrentExecutions),
                ],
              ]}
            />
          )}
        </Show>
      </Section>
      <Section title="Provisioned concurrency">
        <Show state={provisioned} what="Loading provisioned concurrency">
          {(rows) => (
            <DataTable
              caption={`${rows.length} provisioned concurrency configuration${rows.length === 1 ? "" : "s"}`}
              rows={rows}
              rowKey={(p) => p.FunctionArn!}
              columns={[
                { label: "Qualifier", value: (p) => qualifierOf(p.FunctionArn) },
                { label: "Requested", value: (p) => p.RequestedProvisionedConcurrentExecutions, numeric: true },
                { label: "Allocated", value: (p) => p.AllocatedProvisionedConcurrentExecutions, numeric: true },
                { label: "Available", value: (p) => p.AvailableProvisionedConcurrentExecutions, numeric: true },
                { label: "Status", render: (p) => stateText(p.Status, p.StatusReason) ?? "—" },
                { label: "Last modified", value: (p) => (p.LastModified ? fmtTime(p.LastModified) : undefined) },
              ]}
              empty="No provisioned concurrency."
            />
          )}
        </Show>
      </Section>
    </>
  );
}

function AsyncConfig({ name }: { name: string }) {
  const configs = useAsync(
    () => call(all(paginateListFunctionEventInvokeConfigs({ client: lambda() }, { FunctionName: name }), (p) => p.FunctionEventInvokeConfigs)),
    [name],
  );
  return (
    <Section title="Event invoke configuration">
      <Show state={configs} what="Loading event invoke configuration">
        {(rows) => (
          <DataTable
            caption={`${rows.length} event invoke configuration${rows.length === 1 ? "" : "s"}`}
            rows={rows}
            rowKey={(c) => c.FunctionArn!}
            columns={[
              { label: "Qualifier", value: (c) => qualifierOf(c.FunctionArn) },
              { label: "Maximum retry attempts", value: (c) => c.MaximumRetryAttempts ?? "2 (default)", numeric: true },
              { label: "Maximum event age", value: (c) => (c.MaximumEventAgeInSeconds !== undefined ? `${fmtNumber(c.MaximumEventAgeInSeconds)} s` : "21,600 s (default)"), numeric: true },
              { label: "On success", render: (c) => <ArnLink arn={c.DestinationConfig?.OnSuccess?.Destination} /> },
              { label: "On failure", render: (c) => <ArnLink arn={c.DestinationConfig?.OnFailure?.Destination} /> },
              { label: "Last modified", value: (c) => (c.LastModified ? fmtTime(c.LastModified) : undefined) },
            ]}
            empty="No event invoke configuration: asynchronous events get Lambda's defaults (2 retries, up to 6 hours old, no destinations)."
          />
        )}
      </Show>
    </Section>
  );
}

interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  Action?: unknown;
  Resource?: unknown;
  Condition?: unknown;
}

function Policy({ name, qualifier }: { name: string; qualifier: string }) {
  const aliases = useAsync(() => call(all(paginateListAliases({ client: lambda() }, { FunctionName: name }), (p) => p.Aliases)), [name]);
  const policy = useAsync(async () => {
    try {
      const out = await call(lambda().send(new GetPolicyCommand({ FunctionName: name, ...(qualifier ? { Qualifier: qualifier } : {}) })));
      return { policy: JSON.parse(out.Policy ?? "{}") as { Statement?: Statement[] }, revision: out.RevisionId };
    } catch (err) {
      // No policy is an empty state, not a failure.
      if ((err as { code?: string }).code === "ResourceNotFoundException") return { policy: undefined, revision: undefined };
      throw err;
    }
  }, [name, qualifier]);
  const text = (v: unknown) => (v === undefined ? undefined : typeof v === "string" ? v : JSON.stringify(v));
  return (
    <Section title="Resource-based policy">
      <Field label="Policy of" id="policy-qualifier" hint="An alias has a policy of its own, apart from the function's.">
        <select id="policy-qualifier" value={qualifier} onChange={(e) => setQuery({ qualifier: (e.target as HTMLSelectElement).value || undefined })}>
          <option value="">The function (unqualified)</option>
          {(aliases.data ?? []).map((a) => (
            <option key={a.Name} value={a.Name}>
              Alias {a.Name}
            </option>
          ))}
          {qualifier && !(aliases.data ?? []).some((a) => a.Name === qualifier) && <option value={qualifier}>{qualifier}</option>}
        </select>
      </Field>
      {aliases.error && <ErrorBox error={aliases.error} context="Aliases" />}
      <Show state={policy} what="Loading the policy">
        {({ policy: p }) =>
          !p ? (
            <p>No resource-based policy{qualifier ? ` on ${qualifier}` : ""}: only this account's principals with IAM permission may invoke it.</p>
          ) : (
            <>
              <DataTable
                caption={`${p.Statement?.length ?? 0} statement${p.Statement?.length === 1 ? "" : "s"}`}
                rows={p.Statement ?? []}
                rowKey={(s) => s.Sid ?? JSON.stringify(s)}
                columns={[
                  { label: "Statement id", render: (s) => <strong>{s.Sid}</strong> },
                  { label: "Effect", value: (s) => s.Effect },
                  { label: "Principal", render: (s) => <span class="mono">{text(s.Principal)}</span> },
                  { label: "Action", render: (s) => <span class="mono">{text(s.Action)}</span> },
                  { label: "Condition", render: (s) => <span class="mono">{text(s.Condition) ?? "—"}</span> },
                ]}
              />
              <h3>Policy document</h3>
              <JsonView value={p} label="Policy document" />
            </>
          )
        }
      </Show>
    </Section>
  );
}

function Urls({ name }: { name: string }) {
  const urls = useAsync(() => call(all(paginateListFunctionUrlConfigs({ client: lambda() }, { FunctionName: name }), (p) => p.FunctionUrlConfigs)), [name]);
  return (
    <Section title="Function URL">
      <Show state={urls} what="Loading function URLs">
        {(rows) =>
          rows.length === 0 ? (
            <p>No function URL.</p>
          ) : (
            rows.map((u) => (
              <div key={u.FunctionArn} class="section">
                <KeyValue
                  entries={[
                    ["URL", <a href={u.FunctionUrl}>{u.FunctionUrl}</a>],
                    ["Qualifier", qualifierOf(u.FunctionArn)],
                    ["Auth type", u.AuthType],
                    ["Invoke mode", u.InvokeMode ?? "BUFFERED"],
                    ["Created", u.CreationTime ? fmtTime(u.CreationTime) : undefined],
                    ["Last modified", u.LastModifiedTime ? fmtTime(u.LastModifiedTime) : undefined],
                    ["CORS", u.Cors && Object.keys(u.Cors).length ? <JsonView value={u.Cors} label="CORS configuration" /> : "None"],
                  ]}
                />
              </div>
            ))
          )
        }
      </Show>
    </Section>
  );
}

function Mappings({ name }: { name: string }) {
  const mappings = useAsync(
    () => call(all(paginateListEventSourceMappings({ client: lambda() }, { FunctionName: name }), (p) => p.EventSourceMappings)),
    [name],
  );
  return (
    <Section title="Event source mappings">
      <Show state={mappings} what="Loading event source mappings">
        {(rows) => (
          <DataTable
            caption={`${rows.length} event source mapping${rows.length === 1 ? "" : "s"}`}
            rows={rows}
            rowKey={(m) => m.UUID!}
            columns={[
              { label: "Mapping", render: (m) => <Link to={`/mappings/${seg(m.UUID!)}`}>{m.UUID}</Link> },
              { label: "State", render: (m) => stateText(m.State) ?? "—" },
              { label: "Source", render: (m) => <ArnLink arn={m.EventSourceArn} /> },
              { label: "Batch size", value: (m) => m.BatchSize, numeric: true },
              { label: "Last result", value: (m) => m.LastProcessingResult },
              { label: "Last modified", value: (m) => (m.LastModified ? fmtTime(m.LastModified) : undefined) },
            ]}
            empty="No event source mappings."
          />
        )}
      </Show>
    </Section>
  );
}

function Tags({ name }: { name: string }) {
  const tags = useAsync(() => call(lambda().send(new ListTagsCommand({ Resource: functionArnOf(name) }))), [name]);
  return (
    <Section title="Tags">
      <Show state={tags} what="Loading tags">
        {(t) => {
          const rows = Object.entries(t.Tags ?? {}).map(([k, v]) => ({ k, v }));
          return (
            <DataTable
              caption={`${rows.length} tag${rows.length === 1 ? "" : "s"}`}
              rows={rows}
              rowKey={(r) => r.k}
              columns={[
                { label: "Key", value: (r) => r.k },
                { label: "Value", value: (r) => r.v },
              ]}
              empty="No tags."
            />
          );
        }}
      </Show>
    </Section>
  );
}
