import { useEffect, useRef } from "preact/hooks";

/**
 * Ask now (with `wait`: after `ms`), then `ms` after each answer, while `ms` is set and the page
 * shows: never two calls at once (a slow answer delays the next call instead of racing it), and none
 * while the browser tab is hidden (asked at once when it shows again). `fn` gets `live()`, false once
 * the page went or `deps` changed: an answer for an older page is not to be shown.
 */
export function usePoll(fn: (live: () => boolean) => Promise<unknown>, ms: number | undefined, deps: unknown[], { wait = false }: { wait?: boolean } = {}): void {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    if (ms === undefined) return;
    let live = true;
    let running = false;
    let missed = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const isLive = () => live;
    const tick = async () => {
      timer = undefined;
      if (!live) return;
      if (document.visibilityState === "hidden") {
        missed = true;
        return;
      }
      running = true;
      try {
        await saved.current(isLive);
      } catch {
        // `fn` shows its own errors; the polling goes on.
      } finally {
        running = false;
      }
      if (live) timer = setTimeout(() => void tick(), ms);
    };
    const onVisibility = () => {
      if (document.visibilityState !== "visible" || !missed || running || !live) return;
      missed = false;
      void tick();
    };
    document.addEventListener("visibilitychange", onVisibility);
    if (wait) timer = setTimeout(() => void tick(), ms);
    else void tick();
    return () => {
      live = false;
      if (timer !== undefined) clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisibility);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ms, ...deps]);
}
