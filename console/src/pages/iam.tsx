/**
 * IAM: roles, users and policies (tabs in `?tab=`), each with its own page. The policy explainer
 * (`/iam/explain`) is iam-explain.tsx.
 */
import { useState } from "preact/hooks";
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
import { call, client } from "../aws";
import type { PageProps } from "../routes";
import { Link, seg, setQuery } from "../router";
import { every, useAsync } from "../ui/async";
import { DataTable, ErrorBox, KeyValue, Loading, PageHeader, Section, Show, Tabs, fmtTime } from "../ui/ui";
import { CRUMBS, PolicyDocument, decodeDocument, trustSummary } from "../ui/iam-policy";

export default function Iam({ view, params, query }: PageProps) {
  if (view === "role") return <RolePage name={params.name!} />;
  if (view === "user") return <UserPage name={params.name!} />;
  if (view === "policy") return <PolicyPage arn={params.arn!} />;
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
