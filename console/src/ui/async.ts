import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { type ApiError, apiError } from "../aws";

export interface Async<T> {
  data?: T;
  error?: ApiError;
  loading: boolean;
  /** Run again (after a change the page made). */
  reload: () => void;
}

/**
 * The result of an async call, run again whenever `deps` change; a result that arrives after a newer
 * call started is dropped. When `deps` change, what was shown for the old ones goes at once (the
 * state is "loading" until the new answer): a policy, an answer, is never shown under a question it
 * was not the answer to. `reload()` (same deps) keeps the data on screen while it asks again.
 */
export function useAsync<T>(fn: () => Promise<T>, deps: unknown[]): Async<T> {
  // Which deps the state belongs to: a new object whenever they change.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const of = useMemo(() => ({}), deps);
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean; of?: object }>({ loading: true });
  const seq = useRef(0);
  const run = useCallback(() => {
    const mine = ++seq.current;
    setState((s) => (s.of === of ? { ...s, loading: true } : { loading: true, of }));
    fn().then(
      (data) => mine === seq.current && setState({ data, loading: false, of }),
      (err) => mine === seq.current && setState({ error: apiError(err), loading: false, of }),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [of]);
  useEffect(() => {
    run();
    return () => void seq.current++;
  }, [run]);
  // Until the effect above has run for new deps, the state is still the old deps': not shown.
  const { data, error, loading } = state.of === of ? state : { data: undefined, error: undefined, loading: true };
  return { data, error, loading, reload: run };
}

/** Call `fn` every `ms` while the page shows (and once now); stops when the page goes. */
export function useInterval(fn: () => void, ms: number | undefined): void {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    if (ms === undefined) return;
    const t = setInterval(() => saved.current(), ms);
    return () => clearInterval(t);
  }, [ms]);
}

export interface StreamedList<T> {
  /** What has arrived so far (undefined before the first page). */
  items?: T[];
  /** The last page has arrived. */
  done: boolean;
  error?: ApiError;
}

/**
 * A list read page by page (an SDK paginator's pages, mapped to their items), shown as it arrives:
 * `items` grows with each page and `done` is set after the last. New `deps` start over from nothing;
 * pages that arrive for old ones, or after the page is gone, are dropped.
 */
export function useStreamedList<T>(pages: () => AsyncIterable<T[]>, deps: unknown[]): StreamedList<T> {
  const [state, setState] = useState<StreamedList<T>>({ done: false });
  useEffect(() => {
    let live = true;
    setState({ done: false });
    (async () => {
      const all: T[] = [];
      try {
        for await (const page of pages()) {
          if (!live) return;
          all.push(...page);
          setState({ items: [...all], done: false });
        }
        if (live) setState({ items: [...all], done: true });
      } catch (err) {
        if (live) setState((s) => ({ ...s, error: apiError(err) }));
      }
    })();
    return () => void (live = false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return state;
}

/** An SDK paginator's pages as lists of their items: `itemsOf(paginateListTopics(...), (p) => p.Topics)`. */
export async function* itemsOf<P, T>(pages: AsyncIterable<P>, items: (page: P) => T[] | undefined): AsyncIterable<T[]> {
  for await (const page of pages) yield items(page) ?? [];
}

/** Every item of an IAM list, its pages followed by their Marker to the end (IsTruncated false). */
export async function every<P, T>(pages: AsyncIterable<P>, items: (page: P) => T[] | undefined): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...(items(page) ?? []));
  return all;
}

export interface Action<T> {
  busy: boolean;
  error?: ApiError;
  /** What the last run answered; cleared when a run starts. */
  result?: T;
  /** Run `fn` (a form's submit): busy while it runs, its answer or the API's refusal kept. */
  run: (fn: () => Promise<T>) => Promise<void>;
}

/** The state of a form that sends one request at a time: busy, its refusal, its answer. */
export function useAction<T>(): Action<T> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [result, setResult] = useState<T>();
  async function run(fn: () => Promise<T>): Promise<void> {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      setResult(await fn());
    } catch (err) {
      setError(apiError(err));
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, result, run };
}
