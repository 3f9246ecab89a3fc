/** The console's shell: sign-in, the navigation, and the page the URL names. */
import "./style.css";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ROUTES, NAV, type PageModule } from "./routes";
import { Link, match, navigate, usePlace } from "./router";
import { onSessionChange, session, signOut } from "./session";
import { ErrorBox, Loading, PageHeader } from "./ui/ui";
import { apiError } from "./aws";
import { SignIn } from "./sign-in";

const loaded = new Map<() => Promise<PageModule>, PageModule>();

function Page({ load, view, params, query }: { load: () => Promise<PageModule>; view: string; params: Record<string, string>; query: URLSearchParams }) {
  const [mod, setMod] = useState<PageModule | undefined>(loaded.get(load));
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    if (loaded.has(load)) return setMod(loaded.get(load));
    setMod(undefined);
    load().then(
      (m) => {
        loaded.set(load, m);
        setMod(m);
      },
      (err) => setError(err),
    );
  }, [load]);
  if (error) return <ErrorBox error={apiError(error)} context="The page did not load" />;
  if (!mod) return <Loading />;
  const C = mod.default;
  return <C view={view} params={params} query={query} />;
}

function Shell() {
  const place = usePlace();
  const s = session()!;
  useEffect(() => {
    if (place.path === "/") navigate("/functions", true);
  }, [place.path]);
  let page = <NotFound path={place.path} />;
  for (const r of ROUTES) {
    const params = match(r.pattern, place.path);
    if (params) {
      page = <Page key={r.pattern + JSON.stringify(params)} load={r.load} view={r.view} params={params} query={place.query} />;
      break;
    }
  }
  const section = "/" + (place.path.split("/")[1] ?? "");
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link to="/functions" class="brand">
          Flint
        </Link>
        <span class="who" title={s.arn}>
          {s.arn}
        </span>
        <button type="button" onClick={() => signOut()}>
          Sign out
        </button>
      </header>
      <div class="layout">
        <nav aria-label="Console" class="side">
          <ul>
            {NAV.map((n) => (
              <li key={n.to}>
                <Link to={n.to} aria-current={section === n.to ? "page" : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          {place.path === "/" ? <Loading /> : page}
        </main>
      </div>
    </>
  );
}

function NotFound({ path }: { path: string }) {
  return (
    <div>
      <PageHeader title="No such page" />
      <p>
        The console has no page at <code>{path}</code>. <Link to="/functions">Go to functions</Link>.
      </p>
    </div>
  );
}

function App() {
  const [, setVersion] = useState(0);
  useEffect(() => onSessionChange(() => setVersion((v) => v + 1)), []);
  return session() ? <Shell /> : <SignIn />;
}

render(<App />, document.getElementById("app")!);
