/**
 * The policy explainer (`/iam/explain`): would principal P be allowed action A on resource R now,
 * and which statement of which policy decides. It asks Flint's `POST /_flint/iam/explain` (the
 * Authorizer every request meets: the caller's live policies and the resource's own); the question
 * is in the URL, so an explanation can be shared.
 */
import { useEffect, useMemo, useState } from "preact/hooks";
import { IAMClient, paginateListRoles, paginateListUsers } from "@aws-sdk/client-iam";
import { client, flintFetch } from "../aws";
import type { PageProps } from "../routes";
import { navigate } from "../router";
import { every, useAsync } from "../ui/async";
import { ErrorBox, Field, KeyValue, Loading, PageHeader, Section } from "../ui/ui";
import { CRUMBS, PolicyLink, identityPolicies, policyText, statementsOf } from "../ui/iam-policy";

export default function ExplainPage({ query }: PageProps) {
  return <Explain query={query} />;
}


interface Explanation {
  Allowed: boolean;
  Decision: "allowed" | "explicitDeny" | "implicitDeny";
  Reason: "root" | "allow" | "explicit-deny" | "implicit-deny";
  Message?: string;
  Statement?: { Policy: string; Kind: "identity" | "resource" | "boundary" | "session"; Sid?: string; Index: number };
  Mode: "enforce" | "report" | "off";
}

interface ContextRow {
  key: string;
  type: "string" | "list";
  value: string;
}

function contextRows(query: URLSearchParams): ContextRow[] {
  try {
    const rows = JSON.parse(query.get("context") ?? "[]") as ContextRow[];
    return Array.isArray(rows) ? rows.filter((r) => r && typeof r.key === "string") : [];
  } catch {
    return [];
  }
}

function Explain({ query }: { query: URLSearchParams }) {
  const asked = { principal: query.get("principal") ?? "", action: query.get("action") ?? "", resource: query.get("resource") ?? "*", context: contextRows(query) };
  const [principal, setPrincipal] = useState(asked.principal);
  const [action, setAction] = useState(asked.action);
  const [resource, setResource] = useState(asked.resource);
  const [context, setContext] = useState<ContextRow[]>(asked.context);
  const known = useAsync(async () => {
    const config = { client: client(IAMClient), pageSize: 1000 };
    const [users, roles] = await Promise.all([every(paginateListUsers(config, {}), (p) => p.Users), every(paginateListRoles(config, {}), (p) => p.Roles)]);
    return [...users.map((u) => u.Arn!), ...roles.map((r) => r.Arn!)];
  }, []);
  const key = query.toString();
  // Back and Forward move between questions: the form shows the one answered.
  useEffect(() => {
    setPrincipal(asked.principal);
    setAction(asked.action);
    setResource(asked.resource);
    setContext(asked.context);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  const ready = asked.principal !== "" && asked.action !== "";
  const explanation = useAsync(async () => {
    if (!ready) return undefined;
    const Context: Record<string, string | string[]> = {};
    for (const r of asked.context) {
      if (!r.key) continue;
      Context[r.key] = r.type === "list" ? r.value.split(",").map((v) => v.trim()).filter(Boolean) : r.value;
    }
    return flintFetch<Explanation>("/_flint/iam/explain", {
      method: "POST",
      service: "iam",
      body: { Caller: asked.principal, Action: asked.action, Resource: asked.resource || "*", ...(Object.keys(Context).length ? { Context } : {}) },
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  const submit = (e: Event) => {
    e.preventDefault();
    const rows = context.filter((r) => r.key.trim());
    const q = new URLSearchParams({ principal: principal.trim(), action: action.trim(), resource: resource.trim() || "*" });
    if (rows.length) q.set("context", JSON.stringify(rows));
    // A new question is a new page: Back returns to the previous answer.
    navigate(`/iam/explain?${q}`);
  };
  const setRow = (i: number, patch: Partial<ContextRow>) => setContext((rows) => rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  return (
    <>
      <PageHeader title="Policy explainer" crumbs={CRUMBS()} />
      <p>Would a principal be allowed an action on a resource now, and which statement decides? The answer applies the principal's policies as they are now and the resource's own policy, as a real call would meet them.</p>
      <form onSubmit={submit} class="iam-explain-form" aria-label="Question">
        <Field label="Principal ARN" id="explain-principal" hint="A user, a role, an assumed role or the account's root.">
          <input id="explain-principal" list="explain-principals" required value={principal} onInput={(e) => setPrincipal((e.target as HTMLInputElement).value)} aria-describedby="explain-principal-hint" />
          <datalist id="explain-principals">{known.data?.map((a) => <option key={a} value={a} />)}</datalist>
        </Field>
        {known.error && <ErrorBox error={known.error} context="Users and roles to suggest" />}
        <Field label="Action" id="explain-action" hint="service:Operation, for example sqs:ListQueues.">
          <input id="explain-action" required value={action} onInput={(e) => setAction((e.target as HTMLInputElement).value)} aria-describedby="explain-action-hint" />
        </Field>
        <Field label="Resource ARN" id="explain-resource" hint="* for an action on no one resource.">
          <input id="explain-resource" value={resource} onInput={(e) => setResource((e.target as HTMLInputElement).value)} aria-describedby="explain-resource-hint" />
        </Field>
        <fieldset class="iam-context">
          <legend>Context keys (optional)</legend>
          {context.map((r, i) => (
            <div class="row" key={i}>
              <Field label={`Key ${i + 1}`} id={`ctx-key-${i}`}>
                <input id={`ctx-key-${i}`} value={r.key} placeholder="aws:SourceIp" onInput={(e) => setRow(i, { key: (e.target as HTMLInputElement).value })} />
              </Field>
              <Field label={`Type ${i + 1}`} id={`ctx-type-${i}`}>
                <select id={`ctx-type-${i}`} value={r.type} onChange={(e) => setRow(i, { type: (e.target as HTMLSelectElement).value as ContextRow["type"] })}>
                  <option value="string">One value</option>
                  <option value="list">List (comma-separated)</option>
                </select>
              </Field>
              <Field label={`Value ${i + 1}`} id={`ctx-value-${i}`}>
                <input id={`ctx-value-${i}`} value={r.value} onInput={(e) => setRow(i, { value: (e.target as HTMLInputElement).value })} />
              </Field>
              <button type="button" onClick={() => setContext((rows) => rows.filter((_, j) => j !== i))} aria-label={`Remove context key ${i + 1}`}>
                Remove
              </button>
            </div>
          ))}
          <button type="button" onClick={() => setContext((rows) => [...rows, { key: "", type: "string", value: "" }])}>
            Add a context key
          </button>
        </fieldset>
        <p>
          <button type="submit" class="button primary">
            Explain
          </button>
        </p>
      </form>
      {ready && (
        <Section title="Answer">
          <div aria-live="polite">
            {explanation.error ? (
              <ErrorBox error={explanation.error} />
            ) : explanation.loading || !explanation.data ? (
              <Loading what="Asking Flint" />
            ) : (
              <Answer e={explanation.data} principal={asked.principal} action={asked.action} resource={asked.resource || "*"} />
            )}
          </div>
        </Section>
      )}
    </>
  );
}

const KIND_WORDS: Record<string, string> = { identity: "identity-based policy", resource: "resource-based policy", boundary: "permissions boundary", session: "session policy" };

function Answer({ e, principal, action, resource }: { e: Explanation; principal: string; action: string; resource: string }) {
  const verdict = e.Decision === "allowed" ? "Allowed" : e.Decision === "explicitDeny" ? "Explicitly denied" : "Implicitly denied";
  const why =
    e.Reason === "root"
      ? "The account's root user may make every call: no policy is consulted."
      : e.Reason === "allow"
        ? "A statement allows it, and no statement denies it."
        : e.Reason === "explicit-deny"
          ? "A statement denies it; an explicit Deny overrides every Allow."
          : "No statement allows it (and none denies it), so it is denied by default.";
  return (
    <div class={`iam-answer ${e.Allowed ? "good-box" : "bad-box"}`}>
      <p class="iam-verdict">
        <span class={e.Allowed ? "good" : "bad"}>{verdict}</span>: {principal} {e.Allowed ? "may" : "may not"} perform <code>{action}</code> on <code>{resource}</code>.
      </p>
      <p>{why}</p>
      {e.Message && <p class="log">{e.Message}</p>}
      {e.Mode !== "enforce" && (
        <p class="bad">
          Flint runs with <code>--iam {e.Mode}</code>: {e.Mode === "report" ? "a denial is only logged, the call goes through." : "nothing is enforced."}
        </p>
      )}
      {e.Statement ? <DecidingStatement s={e.Statement} /> : e.Reason !== "root" && <p>No statement matched this call.</p>}
      <PoliciesConsulted principal={principal} deciding={e.Statement?.Policy} />
    </div>
  );
}

function DecidingStatement({ s }: { s: NonNullable<Explanation["Statement"]> }) {
  const text = useAsync(() => policyText(s.Policy), [s.Policy]);
  const statement = text.data ? statementsOf(text.data)[s.Index] : undefined;
  return (
    <section aria-labelledby="deciding-statement">
      <h3 id="deciding-statement">The statement that decided</h3>
      <KeyValue
        entries={[
          ["Policy", <PolicyLink name={s.Policy} />],
          ["Kind", KIND_WORDS[s.Kind] ?? s.Kind],
          ["Statement", `${s.Sid ? `Sid “${s.Sid}”, ` : ""}statement ${s.Index + 1} of ${text.data ? statementsOf(text.data).length : "…"}`],
          ["Effect", statement?.Effect],
        ]}
      />
      {text.error ? (
        <ErrorBox error={text.error} context="The policy's text" />
      ) : text.loading ? (
        <Loading what="Loading the statement" />
      ) : statement ? (
        <pre class="json" tabIndex={0} aria-label="Matched statement">
          {JSON.stringify(statement, null, 2)}
        </pre>
      ) : (
        <p class="hint">The console cannot show this policy's text.</p>
      )}
    </section>
  );
}

/** The principal's own identity policies (a user's or role's), with the one that decided marked. */
function PoliciesConsulted({ principal, deciding }: { principal: string; deciding?: string }) {
  const direct = /^arn:aws:iam::[^:]*:(user|role)\/(?:.*\/)?([^/]+)$/.exec(principal);
  const session = /^arn:aws:sts::[^:]*:assumed-role\/([^/]+)\//.exec(principal);
  const kind = direct ? (direct[1] as "user" | "role") : session ? "role" : undefined;
  const name = direct ? direct[2] : session?.[1];
  const policies = useAsync(async () => {
    if (!kind || !name) return undefined;
    const [attached, inline] = await identityPolicies(kind, name);
    return [...inline.map((p) => `${kind}/${name}/${p}`), ...attached.map((p) => p.PolicyArn!)];
  }, [kind, name]);
  const rows = useMemo(() => {
    const list = policies.data ?? [];
    return deciding && !list.includes(deciding) ? [...list, deciding] : list;
  }, [policies.data, deciding]);
  if (!kind) return null;
  return (
    <section aria-labelledby="policies-consulted">
      <h3 id="policies-consulted">Policies consulted</h3>
      {policies.error ? (
        <ErrorBox error={policies.error} />
      ) : !policies.data ? (
        <Loading what="Loading the principal's policies" />
      ) : rows.length === 0 ? (
        <p>The {kind} has no identity-based policies, so nothing allows it any call.</p>
      ) : (
        <ul class="iam-consulted">
          {rows.map((p) => (
            <li key={p}>
              <PolicyLink name={p} /> — {p === deciding ? <strong>decided (holds the statement above)</strong> : "consulted"}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
