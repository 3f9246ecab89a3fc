import { useCallback, useEffect, useRef, useState } from "preact/hooks";
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
 * call started is dropped.
 */
export function useAsync<T>(fn: () => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const seq = useRef(0);
  const run = useCallback(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    fn().then(
      (data) => mine === seq.current && setState({ data, loading: false }),
      (err) => mine === seq.current && setState({ error: apiError(err), loading: false }),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(() => {
    run();
    return () => void seq.current++;
  }, [run]);
  return { ...state, reload: run };
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
