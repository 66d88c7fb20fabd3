/**
 * The counter materials checklist saves each tick at once (issue 13): the server judges 前台受理 against the
 * saved ticks, so what the clerk sees ticked must be what is saved, with no separate save step to forget.
 *
 * Saves run one at a time, each sending the latest list (ticks made while one is out are coalesced into the
 * next); a failed save keeps the ticks on screen and offers 重试. `settled()` lets a step (前台受理) wait
 * for every tick to be saved first — and retries a failed save — so it can never race ahead of one.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, apiPost } from '../../../api.js';

export type MaterialsSave = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved'; at: Date } | { kind: 'failed'; message: string };

export function useMaterialsAutosave(orderId: string | undefined) {
  const [save, setSave] = useState<MaterialsSave>({ kind: 'idle' });
  /** The latest list not yet sent (null: nothing waiting). */
  const pending = useRef<string[] | null>(null);
  /** The queue of saves: resolves true when everything sent so far is saved. */
  const chain = useRef<Promise<boolean>>(Promise.resolve(true));
  const inFlight = useRef(false);

  const flush = useCallback((): Promise<boolean> => {
    chain.current = chain.current.then(async () => {
      const next = pending.current;
      if (next === null) return true;
      pending.current = null;
      inFlight.current = true;
      setSave({ kind: 'saving' });
      try {
        await apiPost(`/api/staff/counter/orders/${orderId}/materials`, { ticked: next });
        if (pending.current === null) setSave({ kind: 'saved', at: new Date() });
        return true;
      } catch (e) {
        // Keep the list to send again, unless a newer one is already waiting.
        if (pending.current === null) pending.current = next;
        setSave({ kind: 'failed', message: e instanceof ApiError ? e.message : '网络异常' });
        return false;
      } finally {
        inFlight.current = false;
      }
    });
    return chain.current;
  }, [orderId]);

  /** A box ticked or unticked: save the whole list now. */
  const change = useCallback(
    (ticked: string[]) => {
      pending.current = ticked;
      void flush();
    },
    [flush],
  );

  /** Waits until every tick is saved (retrying a failed save once); false when it still could not be. */
  const settled = useCallback(async (): Promise<boolean> => {
    const ok = await chain.current;
    if (pending.current !== null) return flush();
    return ok;
  }, [flush]);

  /** Whether ticks are waiting or being sent (the page must not overwrite them with an older server copy). */
  const dirty = useCallback(() => pending.current !== null || inFlight.current, []);

  // Closing or reloading the tab with ticks not yet saved: the browser asks first.
  useEffect(() => {
    const warn = (ev: BeforeUnloadEvent) => {
      if (dirty()) ev.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  return { save, change, retry: flush, settled, dirty };
}
