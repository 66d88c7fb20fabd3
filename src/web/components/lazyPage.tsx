/**
 * Pages load on demand (issue 14): each area — public site, applicant pages, staff console, the phone pages —
 * is its own chunk, fetched when a route first needs it, so a phone opening 法人核验 never downloads the staff
 * console. While a chunk is on its way the person sees a light 正在加载… (no antd: it must show at once).
 */
import { lazy, type ComponentType } from 'react';

/** React.lazy for a module's named export (our pages are named exports). */
export function lazyPage<M, K extends keyof M>(load: () => Promise<M>, name: K): M[K] {
  return lazy(async () => {
    const module = (await load()) as M | undefined;
    // undefined: the chunk is gone and reloadOnStaleChunk is loading the new release; keep 正在加载… till then.
    if (module == null) return new Promise<never>(() => {});
    return { default: module[name] as ComponentType<object> };
  }) as M[K];
}

const RELOADED_AT = 'certdesk-stale-chunk-reload';

/**
 * After a release, a page left open asks for chunks of the old build, which are gone (a 404, see the server's
 * web-app plugin): load the new index.html once instead of failing. A second failure within a minute is left
 * to fail, so a chunk that is truly missing never loops.
 */
export function reloadOnStaleChunk(): void {
  window.addEventListener('vite:preloadError', (event) => {
    try {
      const last = Number(sessionStorage.getItem(RELOADED_AT) ?? 0);
      if (Date.now() - last < 60_000) return;
      sessionStorage.setItem(RELOADED_AT, String(Date.now()));
    } catch {
      return; // no sessionStorage: no way to avoid a loop, so no reload
    }
    event.preventDefault();
    window.location.reload();
  });
}

export function PageLoading() {
  return (
    <div className="page-loading" role="status" data-testid="page-loading">
      正在加载…
    </div>
  );
}
