import { useCallback, useRef } from 'react';

/**
 * Loads that overlap (a search typed while the full list is still coming, a tab switched mid-load) can
 * answer out of order; only the newest may touch the page, or a slow earlier answer overwrites the one
 * the user asked for. `begin()` starts a load and returns `current()`, true while no newer load began.
 */
export function useLatestLoad(): () => () => boolean {
  const seq = useRef(0);
  return useCallback(() => {
    const mine = ++seq.current;
    return () => mine === seq.current;
  }, []);
}
