import { useCallback, useEffect, useRef, useState } from 'react';

/** How often lists, the queue and an open session re-read the API: well within the 5 s the console promises. */
export const REFRESH_MS = 2000;

export interface Polled<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  /** Read again now (after an action). */
  readonly reload: () => Promise<void>;
}

/**
 * Reads `load` now and every REFRESH_MS while the page is open (a read in flight is never doubled). A failed read
 * keeps the last data and shows the error; `key` changes (a new filter, another session) start over. A failure
 * `isFinal` says will not change by asking again (a 404) stops the refresh until the key changes.
 */
export function usePolled<T>(load: () => Promise<T>, key: string, intervalMs = REFRESH_MS, isFinal: (error: unknown) => boolean = () => false): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const finalRef = useRef(isFinal);
  finalRef.current = isFinal;
  const timer = useRef<number | undefined>(undefined);
  const inFlight = useRef<Promise<void> | undefined>(undefined);
  const generation = useRef(0);

  const reload = useCallback(async () => {
    if (inFlight.current) return inFlight.current;
    const mine = generation.current;
    const run = loadRef
      .current()
      .then(
        (value) => {
          if (mine !== generation.current) return;
          setData(value);
          setError(undefined);
        },
        (failure: unknown) => {
          if (mine !== generation.current) return;
          setError(failure);
          if (finalRef.current(failure)) window.clearInterval(timer.current);
        },
      )
      .finally(() => {
        inFlight.current = undefined;
        if (mine === generation.current) setLoading(false);
      });
    inFlight.current = run;
    return run;
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names what `load` reads; a new key starts over on purpose.
  useEffect(() => {
    generation.current += 1;
    inFlight.current = undefined;
    setData(undefined);
    setError(undefined);
    setLoading(true);
    void reload();
    timer.current = window.setInterval(() => void reload(), intervalMs);
    return () => window.clearInterval(timer.current);
  }, [key, intervalMs, reload]);

  return { data, error, loading, reload };
}

/** The page the hash names: `#/sessions`, `#/sessions/<id>`, `#/queue`, `#/compare?a=..&b=..`. */
export interface Route {
  readonly path: string[];
  readonly query: URLSearchParams;
}

function readHash(): Route {
  const [path = '', query = ''] = window.location.hash.replace(/^#\/?/, '').split('?');
  return { path: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query) };
}

/** Hash routing: every page is one URL under the console's index.html (S3 and the local server need no rewrites). */
export function useRoute(): Route {
  const [route, setRoute] = useState(readHash);
  useEffect(() => {
    const onChange = () => setRoute(readHash());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export const navigate = (hash: string) => {
  window.location.hash = hash;
};
