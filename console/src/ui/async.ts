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
