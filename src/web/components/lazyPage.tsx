/**
 * Pages load on demand (issue 14): each area — public site, applicant pages, staff console, the phone pages —
 * is its own chunk, fetched when a route first needs it, so a phone opening 法人核验 never downloads the staff
 * console. While a chunk is on its way the person sees a light 正在加载… (no antd: it must show at once).
 */
import { lazy, type ComponentType } from 'react';

/** React.lazy for a module's named export (our pages are named exports). */
export function lazyPage<M, K extends keyof M>(load: () => Promise<M>, name: K): M[K] {
  return lazy(async () => ({ default: (await load())[name] as ComponentType<object> })) as M[K];
}

export function PageLoading() {
  return (
    <div className="page-loading" role="status" data-testid="page-loading">
      正在加载…
    </div>
  );
}
