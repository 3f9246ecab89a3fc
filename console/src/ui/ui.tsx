/**
 * The console's building blocks: every page is made of these, so every page looks, reads and
 * behaves (keyboard, screen readers, errors) the same way.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { ApiError } from "../aws";
import { Link, hasNavigated, setQuery, usePlace } from "../router";

/**
 * The page's heading and title. After a move within the app, focus goes to the heading, so screen
 * readers announce the new page; on a page load it stays at the top (where Tab reaches "Skip to content").
 */
export function PageHeader({ title, crumbs, children }: { title: string; crumbs?: { to: string; label: string }[]; children?: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Flint console`;
    if (hasNavigated()) ref.current?.focus();
  }, [title]);
  return (
    <header class="page-header">
      {crumbs && crumbs.length > 0 && (
        <nav aria-label="Breadcrumb" class="crumbs">
          <ol>
            {crumbs.map((c) => (
              <li key={c.to}>
                <Link to={c.to}>{c.label}</Link>
              </li>
            ))}
          </ol>
        </nav>
      )}
      <h1 tabIndex={-1} ref={ref}>
        {title}
      </h1>
      {children && <div class="page-actions">{children}</div>}
    </header>
  );
}

/** An API's refusal, as the API gave it: code, HTTP status, message, request id. */
export function ErrorBox({ error, context }: { error: ApiError; context?: string }) {
  return (
    <div class="error" role="alert">
      <p class="error-code">
        {context ? `${context}: ` : ""}
        <strong>{error.code}</strong>
        {error.status !== undefined && <span> (HTTP {error.status})</span>}
      </p>
      <p class="error-message">{error.message}</p>
      {error.requestId && <p class="error-request">Request id: {error.requestId}</p>}
    </div>
  );
}

export function Loading({ what = "Loading" }: { what?: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      {what}…
    </p>
  );
}

/** Loading, the error, or the content made from the data. */
export function Show<T>({ state, children, what }: { state: { data?: T; error?: ApiError; loading: boolean }; children: (data: T) => ComponentChildren; what?: string }) {
  if (state.error) return <ErrorBox error={state.error} />;
  if (state.data === undefined) return <Loading what={what} />;
  return <>{children(state.data)}</>;
}

export function Section({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  const id = useMemo(() => `s-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`, [title]);
  return (
    <section class="section" aria-labelledby={id}>
      <div class="section-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** Label/value pairs (a description list); undefined values show as "—". */
export function KeyValue({ entries }: { entries: [string, ComponentChildren][] }) {
  return (
    <dl class="kv">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v === undefined || v === null || v === "" ? "—" : v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A JSON value (or a string that holds JSON), pretty-printed. */
export function JsonView({ value, label }: { value: unknown; label?: string }) {
  let text: string;
  if (typeof value === "string") {
    try {
      text = JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      text = value;
    }
  } else text = JSON.stringify(value, null, 2) ?? "undefined";
  return (
    <pre class="json" tabIndex={0} aria-label={label ?? "JSON"}>
      {text}
    </pre>
  );
}

export interface Column<R> {
  label: string;
  /** The cell; a string or number by default from `value`. */
  render?: (row: R) => ComponentChildren;
  value?: (row: R) => string | number | undefined;
  /** Right-aligned numbers. */
  numeric?: boolean;
}

/**
 * A table that pages (`pageSize` rows) and, with `searchText`, filters by what the user types
 * (case-insensitive substring). `onVisible` hears which rows are shown (to load what only they need).
 *
 * With `queryKey`, the search and the page are the URL's (so Back returns to them and a search can be
 * linked): the search in `?<queryKey>=`, the page (from 1; absent for the first) in `?page=` when
 * `queryKey` is "q", else in `?<queryKey>-page=` (so two tables on one page keep apart). Without it,
 * both are the table's own and go with it.
 */
export function DataTable<R>({
  caption,
  rows,
  columns,
  rowKey,
  pageSize = 50,
  searchText,
  searchLabel = "Search",
  empty = "Nothing here yet.",
  onVisible,
  more,
  queryKey,
}: {
  caption: string;
  rows: R[];
  columns: Column<R>[];
  rowKey: (r: R) => string;
  pageSize?: number;
  searchText?: (r: R) => string;
  searchLabel?: string;
  empty?: ComponentChildren;
  onVisible?: (rows: R[]) => void;
  /** Shown under the table while more rows are still arriving. */
  more?: ComponentChildren;
  /** Keep the search and the page in the URL's query under this name (see above). */
  queryKey?: string;
}) {
  const [ownSearch, setOwnSearch] = useState("");
  const [ownPage, setOwnPage] = useState(0);
  const { query } = usePlace();
  const pageKey = queryKey === undefined ? undefined : queryKey === "q" ? "page" : `${queryKey}-page`;
  const search = queryKey === undefined ? ownSearch : (query.get(queryKey) ?? "");
  const page = pageKey === undefined ? ownPage : Math.max(0, (Number.parseInt(query.get(pageKey) ?? "1", 10) || 1) - 1);
  const setSearch = (v: string) => (queryKey === undefined ? (setOwnSearch(v), setOwnPage(0)) : setQuery({ [queryKey]: v, [pageKey!]: undefined }));
  const setPage = (p: number) => (pageKey === undefined ? setOwnPage(p) : setQuery({ [pageKey]: p === 0 ? undefined : String(p + 1) }));
  const filtered = useMemo(() => {
    const q = search.trim().toLowerCase();
    return q && searchText ? rows.filter((r) => searchText(r).toLowerCase().includes(q)) : rows;
  }, [rows, search, searchText]);
  const pages = Math.max(1, Math.ceil(filtered.length / pageSize));
  // A page past the end (rows still arriving, or a narrower search) shows the last one.
  const current = Math.min(page, pages - 1);
  const visible = filtered.slice(current * pageSize, (current + 1) * pageSize);
  const visibleKeys = visible.map(rowKey).join("\n");
  useEffect(() => {
    onVisible?.(visible);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [visibleKeys]);
  const inputId = useMemo(() => `search-${Math.random().toString(36).slice(2)}`, []);
  return (
    <div class="table-wrap">
      {searchText && (
        <div class="table-search">
          <label for={inputId}>{searchLabel}</label>
          <input
            id={inputId}
            type="search"
            value={search}
            onInput={(e) => setSearch((e.target as HTMLInputElement).value)}
          />
        </div>
      )}
      <div class="table-scroll">
        <table>
          <caption>{caption}</caption>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.label} scope="col" class={c.numeric ? "num" : undefined}>
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {visible.length === 0 ? (
              <tr>
                <td colSpan={columns.length} class="empty">
                  {search ? `Nothing matches “${search}”.` : empty}
                </td>
              </tr>
            ) : (
              visible.map((r) => (
                <tr key={rowKey(r)}>
                  {columns.map((c) => (
                    <td key={c.label} class={c.numeric ? "num" : undefined}>
                      {c.render ? c.render(r) : (c.value?.(r) ?? "—")}
                    </td>
                  ))}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <div class="pager">
        <span role="status" aria-live="polite">
          {filtered.length === 0 ? "0 rows" : `${current * pageSize + 1}–${current * pageSize + visible.length} of ${filtered.length.toLocaleString("en-US")}`}
        </span>
        <button type="button" disabled={current === 0} onClick={() => setPage(current - 1)}>
          Previous page
        </button>
        <button type="button" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
          Next page
        </button>
      </div>
      {more}
    </div>
  );
}

/** A labelled form field; the label is tied to the control by id. */
export function Field({ label, id, hint, children }: { label: string; id: string; hint?: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

/** The ids that tie a tab to its panel (`idBase` tells two sets of tabs on one page apart). */
const tabId = (idBase: string, id: string) => `${idBase}-tab-${id}`;
const panelId = (idBase: string, id: string) => `${idBase}-panel-${id}`;

/**
 * The attributes of the panel the current tab shows: `<div {...tabPanelProps(tab)}>…</div>` right
 * after `<Tabs current={tab} …/>` (the same `idBase` if the Tabs have one). The panel is named by
 * its tab, and the tab says it controls the panel.
 */
export function tabPanelProps(current: string, idBase = "tabs") {
  return { role: "tabpanel", id: panelId(idBase, current), "aria-labelledby": tabId(idBase, current), tabIndex: 0 } as const;
}

/**
 * Tabs as buttons that change the page's query (`onSelect` calls setQuery), so each tab has a URL.
 * The keyboard as the ARIA tabs pattern has it: one Tab stop (the current tab); Left/Right move to
 * the previous/next tab (wrapping), Home/End to the first/last, each selecting it.
 */
export function Tabs({ tabs, current, onSelect, idBase = "tabs" }: { tabs: { id: string; label: string }[]; current: string; onSelect: (id: string) => void; idBase?: string }) {
  // aria-controls names the panel only once it is on the page (a panel made with tabPanelProps):
  // a reference to an id that is not there is itself an accessibility error.
  const [controlled, setControlled] = useState<string>();
  useLayoutEffect(() => {
    const id = document.getElementById(panelId(idBase, current)) ? panelId(idBase, current) : undefined;
    if (id !== controlled) setControlled(id);
  });
  return (
    <div class="tabs" role="tablist">
      {tabs.map((t) => (
        <button
          key={t.id}
          id={tabId(idBase, t.id)}
          type="button"
          role="tab"
          aria-selected={t.id === current}
          aria-controls={t.id === current && controlled === panelId(idBase, t.id) ? controlled : undefined}
          tabIndex={t.id === current ? 0 : -1}
          onClick={() => onSelect(t.id)}
          onKeyDown={(e) => {
            const i = tabs.findIndex((x) => x.id === current);
            const j = e.key === "ArrowRight" ? (i + 1) % tabs.length : e.key === "ArrowLeft" ? (i + tabs.length - 1) % tabs.length : e.key === "Home" ? 0 : e.key === "End" ? tabs.length - 1 : undefined;
            const next = j === undefined ? undefined : tabs[j];
            if (next) {
              e.preventDefault();
              if (next.id !== current) onSelect(next.id);
              document.getElementById(tabId(idBase, next.id))?.focus();
            }
          }}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

export const fmtTime = (t: number | string | Date | undefined) => (t === undefined ? "—" : new Date(t).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z"));
export const fmtNumber = (n: number | undefined) => (n === undefined ? "—" : n.toLocaleString("en-US"));
export const fmtBytes = (n: number | undefined) => (n === undefined ? "—" : n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / (1 << 20)).toFixed(1)} MiB`);
