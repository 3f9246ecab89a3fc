/**
 * Sign-in: an access key and secret (the root key Flint printed, or an IAM user's), checked with
 * sts:GetCallerIdentity before anything is kept. Nothing is sent anywhere but signed requests.
 */
import { useEffect, useState } from "preact/hooks";
import { type ApiError, apiError } from "./aws";
import { signIn } from "./session";
import { ErrorBox, Field } from "./ui/ui";

export function SignIn() {
  const [region, setRegion] = useState("");
  const [accountId, setAccountId] = useState("");
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = "Sign in · Flint console";
    // Flint's region and account, which calls are signed for (an unsigned, public endpoint).
    fetch("/_flint/health")
      .then((r) => r.json())
      .then((h: { region?: string; accountId?: string }) => {
        setRegion((r) => r || h.region || "us-east-1");
        setAccountId(h.accountId ?? "");
      })
      .catch(() => setRegion((r) => r || "us-east-1"));
  }, []);

  async function submit(e: Event) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const accessKeyId = String(form.get("accessKeyId") ?? "").trim();
    const secretAccessKey = String(form.get("secretAccessKey") ?? "").trim();
    const sessionToken = String(form.get("sessionToken") ?? "").trim();
    const r = String(form.get("region") ?? "").trim() || "us-east-1";
    setBusy(true);
    setError(undefined);
    try {
      const { STSClient, GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
      const sts = new STSClient({
        region: r,
        endpoint: location.origin,
        credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
        maxAttempts: 1,
      });
      const me = await sts.send(new GetCallerIdentityCommand({}));
      signIn({ accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}), region: r, accountId: me.Account ?? accountId, arn: me.Arn ?? "" });
    } catch (err) {
      setError(apiError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" class="sign-in">
      <h1>Sign in to Flint</h1>
      <p>
        Use the access key Flint printed when it started (<code>flint serve</code>), or an IAM user's. The console signs each call with it, so IAM
        decides what you may see and do; the key stays in this tab only.
      </p>
      <form onSubmit={submit} aria-describedby={error ? "sign-in-error" : undefined}>
        <Field label="Access key ID" id="accessKeyId">
          <input id="accessKeyId" name="accessKeyId" required autoComplete="username" spellcheck={false} />
        </Field>
        <Field label="Secret access key" id="secretAccessKey">
          <input id="secretAccessKey" name="secretAccessKey" type="password" required autoComplete="current-password" />
        </Field>
        <Field label="Session token (temporary credentials only)" id="sessionToken">
          <input id="sessionToken" name="sessionToken" type="password" autoComplete="off" />
        </Field>
        <Field label="Region" id="region">
          <input id="region" name="region" value={region} onInput={(e) => setRegion((e.target as HTMLInputElement).value)} />
        </Field>
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      {error && (
        <div id="sign-in-error">
          <ErrorBox error={error} context="Sign-in refused" />
        </div>
      )}
    </main>
  );
}
