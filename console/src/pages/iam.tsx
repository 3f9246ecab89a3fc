/**
 * IAM: roles, users and policies (tabs in `?tab=`), each with its own page, and the policy
 * explainer (`/iam/explain`): would principal P be allowed action A on resource R now, and which
 * statement of which policy decides. The explainer asks Flint's `POST /_flint/iam/explain` (the
 * Authorizer every request meets: the caller's live policies and the resource's own); its question
 * is in the URL, so an explanation can be shared.
 */
import { useEffect, useMemo, useState } from "preact/hooks";
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  type AccessKeyMetadata,
  type AttachedPolicy,
  type Policy,
  type PolicyVersion,
  type Role,
  type Tag,
  type User,
  paginateListAccessKeys,
  paginateListAttachedRolePolicies,
  paginateListAttachedUserPolicies,
  paginateListPolicies,
  paginateListPolicyVersions,
  paginateListRolePolicies,
  paginateListRoleTags,
  paginateListRoles,
  paginateListUserPolicies,
  paginateListUserTags,
  paginateListUsers,
} from "@aws-sdk/client-iam";
import { type FunctionConfiguration, LambdaClient, paginateListFunctions } from "@aws-sdk/client-lambda";
import { call, client, flintFetch } from "../aws";
import type { PageProps } from "../routes";
import { Link, navigate, seg, setQuery } from "../router";
import { useAsync } from "../ui/async";
import { DataTable, ErrorBox, Field, KeyValue, Loading, PageHeader, Section, Show, Tabs, fmtTime } from "../ui/ui";
import { PolicyDocument, PolicyLink, decodeDocument, policyText, statementsOf, trustSummary } from "../ui/iam-policy";

/** Every item of an IAM list, its pages followed by their Marker to the end (IsTruncated false). */
async function every<P, T>(pages: AsyncIterable<P>, items: (page: P) => T[] | undefined): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...(items(page) ?? []));
  return all;
}

/** A role's or a user's attached managed policies and inline policies' names, every page of both. */
function identityPolicies(kind: "user" | "role", name: string): Promise<[AttachedPolicy[], string[]]> {
  const iam = client(IAMClient);
  const config = { client: iam, pageSize: 1000 };
  return kind === "user"
    ? Promise.all([every(paginateListAttachedUserPolicies(config, { UserName: name }), (p) => p.AttachedPolicies), every(paginateListUserPolicies(config, { UserName: name }), (p) => p.PolicyNames)])
    : Promise.all([every(paginateListAttachedRolePolicies(config, { RoleName: name }), (p) => p.AttachedPolicies), every(paginateListRolePolicies(config, { RoleName: name }), (p) => p.PolicyNames)]);
}

export default function Iam({ view, params, query }: PageProps) {
  if (view === "role") return <RolePage name={params.name!} />;
  if (view === "user") return <UserPage name={params.name!} />;
  if (view === "policy") return <PolicyPage arn={params.arn!} />;
  if (view === "explain") return <Explain query={query} />;
  return <Overview query={query} />;
}

const TABS = [
  { id: "roles", label: "Roles" },
  { id: "users", label: "Users" },
  { id: "policies", label: "Policies" },
];

function Overview({ query }: { query: URLSearchParams }) {
  const tab = TABS.some((t) => t.id === query.get("tab")) ? query.get("tab")! : "roles";
  return (
    <>
      <PageHeader title="IAM">
        <Link to="/iam/explain" class="button">
          Policy explainer
        </Link>
      </PageHeader>
      <Tabs tabs={TABS} current={tab} onSelect={(id) => setQuery({ tab: id === "roles" ? undefined : id, scope: undefined })} />
      <div role="tabpanel" aria-label={TABS.find((t) => t.id === tab)!.label}>
        {tab === "roles" && <RoleList />}
        {tab === "users" && <UserList />}
        {tab === "policies" && <PolicyList aws={query.get("scope") === "aws"} />}
      </div>
    </>
  );
}

function RoleList() {
  const roles = useAsync(() => every<{ Roles?: Role[] }, Role>(paginateListRoles({ client: client(IAMClient), pageSize: 1000 }, {}), (p) => p.Roles), []);
  return (
    <Show state={roles} what="Loading roles">
      {(rs) => (
        <DataTable<Role>
          caption={`${rs.length.toLocaleString("en-US")} role${rs.length === 1 ? "" : "s"}`}
          rows={rs}
          rowKey={(r) => r.Arn!}
          searchText={(r) => `${r.RoleName} ${r.Arn}`}
          searchLabel="Search roles"
          empty="No roles. Create one with: aws iam create-role --role-name … --assume-role-policy-document …"
          columns={[
            { label: "Role", render: (r) => <Link to={`/iam/roles/${seg(r.RoleName!)}`}>{r.RoleName}</Link> },
            { label: "ARN", value: (r) => r.Arn },
            { label: "Created", value: (r) => fmtTime(r.CreateDate) },
            { label: "Trusted by", value: (r) => trustSummary(r.AssumeRolePolicyDocument) },
          ]}
        />
      )}
    </Show>
  );
}

function UserList() {
  const users = useAsync(() => every<{ Users?: User[] }, User>(paginateListUsers({ client: client(IAMClient), pageSize: 1000 }, {}), (p) => p.Users), []);
  return (
    <Show state={users} what="Loading users">
      {(us) => (
        <DataTable<User>
          caption={`${us.length.toLocaleString("en-US")} user${us.length === 1 ? "" : "s"}`}
          rows={us}
          rowKey={(u) => u.Arn!}
          searchText={(u) => `${u.UserName} ${u.Arn}`}
          searchLabel="Search users"
          empty="No users. Create one with: aws iam create-user --user-name …"
          columns={[
            { label: "User", render: (u) => <Link to={`/iam/users/${seg(u.UserName!)}`}>{u.UserName}</Link> },
            { label: "ARN", value: (u) => u.Arn },
            { label: "User id", value: (u) => u.UserId },
            { label: "Created", value: (u) => fmtTime(u.CreateDate) },
          ]}
        />
      )}
    </Show>
  );
}

function PolicyList({ aws }: { aws: boolean }) {
  const policies = useAsync(() => every<{ Policies?: Policy[] }, Policy>(paginateListPolicies({ client: client(IAMClient), pageSize: 1000 }, { Scope: aws ? "AWS" : "Local" }), (p) => p.Policies), [aws]);
  return (
    <>
      <div class="row iam-scope">
        <label>
          <input type="checkbox" checked={aws} onChange={(e) => setQuery({ scope: (e.target as HTMLInputElement).checked ? "aws" : undefined })} /> Show AWS managed policies
          instead of this account's
        </label>
      </div>
      <Show state={policies} what="Loading policies">
        {(ps) => (
          <DataTable<Policy>
            caption={`${ps.length.toLocaleString("en-US")} ${aws ? "AWS managed" : "customer managed"} polic${ps.length === 1 ? "y" : "ies"}`}
            rows={ps}
            rowKey={(p) => p.Arn!}
            searchText={(p) => `${p.PolicyName} ${p.Arn}`}
            searchLabel="Search policies"
            empty={aws ? "No AWS managed policies." : "No customer managed policies. Create one with: aws iam create-policy --policy-name … --policy-document …"}
            columns={[
              { label: "Policy", render: (p) => <Link to={`/iam/policies/${seg(p.Arn!)}`}>{p.PolicyName}</Link> },
              { label: "ARN", value: (p) => p.Arn },
              { label: "Default version", value: (p) => p.DefaultVersionId },
              { label: "Attachments", value: (p) => p.AttachmentCount, numeric: true },
              { label: "Updated", value: (p) => fmtTime(p.UpdateDate) },
            ]}
          />
        )}
      </Show>
    </>
  );
}

/* ---------------------------------------------------------------- roles and users */

const CRUMBS = (tab?: string) => [{ to: tab ? `/iam?tab=${tab}` : "/iam", label: "IAM" }];

function AttachedPolicies({ state }: { state: { data?: AttachedPolicy[]; error?: import("../aws").ApiError; loading: boolean } }) {
  return (
    <Section title="Attached managed policies">
      <Show state={state} what="Loading attached policies">
        {(ps) => (
          <DataTable<AttachedPolicy>
            caption={`${ps.length} attached polic${ps.length === 1 ? "y" : "ies"}`}
            rows={ps}
            rowKey={(p) => p.PolicyArn!}
            empty="No managed policies attached."
            columns={[
              { label: "Policy", render: (p) => <Link to={`/iam/policies/${seg(p.PolicyArn!)}`}>{p.PolicyName}</Link> },
              { label: "ARN", value: (p) => p.PolicyArn },
            ]}
          />
        )}
      </Show>
    </Section>
  );
}

function InlinePolicies({ state }: { state: { data?: { name: string; document?: string }[]; error?: import("../aws").ApiError; loading: boolean } }) {
  return (
    <Section title="Inline policies">
      <Show state={state} what="Loading inline policies">
        {(ps) =>
          ps.length === 0 ? (
            <p>No inline policies.</p>
          ) : (
            ps.map((p) => (
              <div key={p.name} class="iam-inline">
                <h3>{p.name}</h3>
                <PolicyDocument text={p.document} label={`Inline policy ${p.name}`} />
              </div>
            ))
          )
        }
      </Show>
    </Section>
  );
}

function Tags({ state }: { state: { data?: { Key?: string; Value?: string }[]; error?: import("../aws").ApiError; loading: boolean } }) {
  return (
    <Section title="Tags">
      <Show state={state} what="Loading tags">
        {(tags) => (tags.length === 0 ? <p>No tags.</p> : <KeyValue entries={tags.map((t) => [t.Key!, t.Value])} />)}
      </Show>
    </Section>
  );
}

function RolePage({ name }: { name: string }) {
  const iam = client(IAMClient);
  const role = useAsync(async () => (await call(iam.send(new GetRoleCommand({ RoleName: name })))).Role!, [name]);
  const attached = useAsync(() => every(paginateListAttachedRolePolicies({ client: iam, pageSize: 1000 }, { RoleName: name }), (p) => p.AttachedPolicies), [name]);
  const inline = useAsync(async () => {
    const names = await every(paginateListRolePolicies({ client: iam, pageSize: 1000 }, { RoleName: name }), (p) => p.PolicyNames);
    return Promise.all(names.map(async (n) => ({ name: n, document: decodeDocument((await call(iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: n })))).PolicyDocument) })));
  }, [name]);
  const tags = useAsync(() => every<{ Tags?: Tag[] }, Tag>(paginateListRoleTags({ client: iam, pageSize: 1000 }, { RoleName: name }), (p) => p.Tags), [name]);
  // Finding the functions reads every function: only when asked, for this role (not the next one shown).
  const [functionsOf, setFunctionsOf] = useState<string>();
  const showFunctions = functionsOf === name;
  return (
    <>
      <PageHeader title={`Role ${name}`} crumbs={CRUMBS()}>
        {role.data?.Arn && (
          <Link to={`/iam/explain?principal=${encodeURIComponent(role.data.Arn)}`} class="button">
            Explain this role's access
          </Link>
        )}
      </PageHeader>
      <Show state={role} what="Loading the role">
        {(r) => (
          <>
            <KeyValue
              entries={[
                ["ARN", r.Arn],
                ["Role id", r.RoleId],
                ["Path", r.Path],
                ["Created", fmtTime(r.CreateDate)],
                ["Description", r.Description],
                ["Max session duration", r.MaxSessionDuration !== undefined ? `${r.MaxSessionDuration} s` : undefined],
                ["Permissions boundary", r.PermissionsBoundary?.PermissionsBoundaryArn ? <Link to={`/iam/policies/${seg(r.PermissionsBoundary.PermissionsBoundaryArn)}`}>{r.PermissionsBoundary.PermissionsBoundaryArn}</Link> : undefined],
              ]}
            />
            <Section title="Trust policy">
              <p>Who may assume this role: {trustSummary(r.AssumeRolePolicyDocument)}.</p>
              <PolicyDocument text={r.AssumeRolePolicyDocument} label="Trust policy document" />
            </Section>
          </>
        )}
      </Show>
      <AttachedPolicies state={attached} />
      <InlinePolicies state={inline} />
      <Tags state={tags} />
      <Section title="Functions using this role">
        {showFunctions && role.data?.Arn ? (
          <FunctionsWithRole arn={role.data.Arn} />
        ) : (
          <button type="button" onClick={() => setFunctionsOf(name)} disabled={!role.data}>
            Find functions using this role
          </button>
        )}
      </Section>
    </>
  );
}

function FunctionsWithRole({ arn }: { arn: string }) {
  const fns = useAsync(async () => {
    const found: FunctionConfiguration[] = [];
    for await (const page of paginateListFunctions({ client: client(LambdaClient), pageSize: 50 }, {})) found.push(...(page.Functions ?? []).filter((f) => f.Role === arn));
    return found;
  }, [arn]);
  return (
    <Show state={fns} what="Looking through every function">
      {(fs) => (
        <DataTable<FunctionConfiguration>
          caption={`${fs.length} function${fs.length === 1 ? "" : "s"} using this role`}
          rows={fs}
          rowKey={(f) => f.FunctionName!}
          empty="No function uses this role."
          columns={[
            { label: "Function", render: (f) => <Link to={`/functions/${seg(f.FunctionName!)}`}>{f.FunctionName}</Link> },
            { label: "Runtime", value: (f) => f.Runtime },
          ]}
        />
      )}
    </Show>
  );
}

function UserPage({ name }: { name: string }) {
  const iam = client(IAMClient);
  const user = useAsync(async () => (await call(iam.send(new GetUserCommand({ UserName: name })))).User!, [name]);
  const keys = useAsync(() => every<{ AccessKeyMetadata?: AccessKeyMetadata[] }, AccessKeyMetadata>(paginateListAccessKeys({ client: iam, pageSize: 1000 }, { UserName: name }), (p) => p.AccessKeyMetadata), [name]);
  const attached = useAsync(() => every(paginateListAttachedUserPolicies({ client: iam, pageSize: 1000 }, { UserName: name }), (p) => p.AttachedPolicies), [name]);
  const inline = useAsync(async () => {
    const names = await every(paginateListUserPolicies({ client: iam, pageSize: 1000 }, { UserName: name }), (p) => p.PolicyNames);
    return Promise.all(names.map(async (n) => ({ name: n, document: decodeDocument((await call(iam.send(new GetUserPolicyCommand({ UserName: name, PolicyName: n })))).PolicyDocument) })));
  }, [name]);
  const tags = useAsync(() => every<{ Tags?: Tag[] }, Tag>(paginateListUserTags({ client: iam, pageSize: 1000 }, { UserName: name }), (p) => p.Tags), [name]);
  return (
    <>
      <PageHeader title={`User ${name}`} crumbs={CRUMBS("users")}>
        {user.data?.Arn && (
          <Link to={`/iam/explain?principal=${encodeURIComponent(user.data.Arn)}`} class="button">
            Explain this user's access
          </Link>
        )}
      </PageHeader>
      <Show state={user} what="Loading the user">
        {(u) => (
          <KeyValue
            entries={[
              ["ARN", u.Arn],
              ["User id", u.UserId],
              ["Path", u.Path],
              ["Created", fmtTime(u.CreateDate)],
              ["Permissions boundary", u.PermissionsBoundary?.PermissionsBoundaryArn],
            ]}
          />
        )}
      </Show>
      <Section title="Access keys">
        <Show state={keys} what="Loading access keys">
          {(ks) => (
            <DataTable
              caption={`${ks.length} access key${ks.length === 1 ? "" : "s"} (ids only: a secret is shown once, when the key is made)`}
              rows={ks}
              rowKey={(k) => k.AccessKeyId!}
              empty="No access keys."
              columns={[
                { label: "Access key id", render: (k) => <code>{k.AccessKeyId}</code> },
                { label: "Status", value: (k) => k.Status },
                { label: "Created", value: (k) => fmtTime(k.CreateDate) },
              ]}
            />
          )}
        </Show>
      </Section>
      <AttachedPolicies state={attached} />
      <InlinePolicies state={inline} />
      <Tags state={tags} />
    </>
  );
}

/* ---------------------------------------------------------------- managed policies */

function PolicyPage({ arn }: { arn: string }) {
  const iam = client(IAMClient);
  const policy = useAsync(async () => (await call(iam.send(new GetPolicyCommand({ PolicyArn: arn })))).Policy!, [arn]);
  const versions = useAsync(() => every<{ Versions?: PolicyVersion[] }, PolicyVersion>(paginateListPolicyVersions({ client: iam, pageSize: 1000 }, { PolicyArn: arn }), (p) => p.Versions), [arn]);
  const [version, setVersion] = useState<string>();
  const shown = version ?? policy.data?.DefaultVersionId;
  const doc = useAsync(async () => (shown ? (await call(iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: shown })))).PolicyVersion : undefined), [arn, shown]);
  const name = arn.slice(arn.lastIndexOf("/") + 1);
  return (
    <>
      <PageHeader title={`Policy ${name}`} crumbs={CRUMBS("policies")} />
      <Show state={policy} what="Loading the policy">
        {(p) => (
          <KeyValue
            entries={[
              ["ARN", p.Arn],
              ["Policy id", p.PolicyId],
              ["Path", p.Path],
              ["Description", p.Description],
              ["Default version", p.DefaultVersionId],
              ["Attachments", p.AttachmentCount],
              ["Created", fmtTime(p.CreateDate)],
              ["Updated", fmtTime(p.UpdateDate)],
            ]}
          />
        )}
      </Show>
      <Section title={shown ? `Document (version ${shown}${shown === policy.data?.DefaultVersionId ? ", the default" : ""})` : "Document"}>
        {doc.error ? <ErrorBox error={doc.error} /> : doc.data ? <PolicyDocument text={doc.data.Document} label={`Policy ${name} version ${shown}`} /> : <Loading what="Loading the document" />}
      </Section>
      <Section title="Versions">
        <Show state={versions} what="Loading versions">
          {(vs) => (
            <DataTable
              caption={`${vs.length} version${vs.length === 1 ? "" : "s"}`}
              rows={vs}
              rowKey={(v) => v.VersionId!}
              columns={[
                { label: "Version", value: (v) => v.VersionId },
                { label: "Default", value: (v) => (v.IsDefaultVersion ? "yes (in force)" : "no") },
                { label: "Created", value: (v) => fmtTime(v.CreateDate) },
                {
                  label: "Document",
                  render: (v) => (
                    <button type="button" onClick={() => setVersion(v.VersionId)} disabled={v.VersionId === shown}>
                      {v.VersionId === shown ? `Showing ${v.VersionId}` : `Show ${v.VersionId}`}
                    </button>
                  ),
                },
              ]}
            />
          )}
        </Show>
      </Section>
    </>
  );
}

/* ---------------------------------------------------------------- the explainer */

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
