/**
 * Every page has a URL under `/_flint/console/` (the server answers all of them with the app); the
 * history API moves between them without a reload. `GET /` shows the app too, which moves to
 * `/_flint/console/functions`.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";

export const BASE = "/_flint/console";

export interface Place {
  /** The path after BASE, always starting with "/". */
  path: string;
  query: URLSearchParams;
}

function here(): Place {
  const p = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : "/";
  return { path: p || "/", query: new URLSearchParams(location.search) };
}

const listeners = new Set<() => void>();
let moved = false;
addEventListener("popstate", () => {
  moved = true;
  listeners.forEach((l) => l());
});

/** Whether the app has moved between pages since it loaded (focus then goes to the new page's heading). */
export const hasNavigated = () => moved;

/** Go to a console path ("/functions/f?tab=code"); `replace` keeps the history entry. */
export function navigate(to: string, replace = false): void {
  const url = BASE + to;
  // A replacement (the redirect from `/`) is not a move the user made.
  if (!replace) moved = true;
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  listeners.forEach((l) => l());
}

/** Change this page's query string (filters, tabs) without a new history entry. */
export function setQuery(values: Record<string, string | undefined>): void {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || v === "") q.delete(k);
    else q.set(k, v);
  }
  const s = q.toString();
  history.replaceState(null, "", location.pathname + (s ? `?${s}` : ""));
  listeners.forEach((l) => l());
}

export function usePlace(): Place {
  const [place, setPlace] = useState(here);
  useEffect(() => {
    const l = () => setPlace(here());
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return place;
}

/** A path segment: names with `/` or `:` (log groups, ARNs) stay one segment. */
export const seg = (s: string) => encodeURIComponent(s);

/**
 * Match "/functions/:name/invoke" against a path; `:rest*` takes the remainder. Parameters are
 * decoded. undefined if it does not match, or if a parameter is not valid percent-encoding
 * (`/functions/%E0`), so such a URL is "no such page" rather than an error that stops the app.
 */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const ps = pattern.split("/").filter(Boolean);
  const xs = path.split("/").filter(Boolean);
  const params: Record<string, string> = {};
  try {
    for (let i = 0; i < ps.length; i++) {
      const p = ps[i]!;
      if (p.startsWith(":") && p.endsWith("*")) {
        if (i >= xs.length) return undefined;
        params[p.slice(1, -1)] = xs.slice(i).map(decodeURIComponent).join("/");
        return params;
      }
      const x = xs[i];
      if (x === undefined) return undefined;
      if (p.startsWith(":")) params[p.slice(1)] = decodeURIComponent(x);
      else if (p !== x) return undefined;
    }
  } catch (err) {
    if (err instanceof URIError) return undefined;
    throw err;
  }
  return ps.length === xs.length ? params : undefined;
}

interface AnchorProps {
  to: string;
  children?: ComponentChildren;
  class?: string;
  title?: string;
  "aria-label"?: string;
  "aria-current"?: "page" | "step" | "location" | "true";
}

/** A link to a console path: a real `<a href>` (open in a new tab works), moved to in place on a plain click. */
export function Link({ to, children, ...rest }: AnchorProps) {
  return (
    <a
      {...rest}
      href={BASE + to}
      onClick={(e: MouseEvent) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}
