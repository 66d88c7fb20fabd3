/**
 * The counter order page's data: the order as the server shows it, the ticks on screen (saved as they
 * change, useMaterialsAutosave.ts) and the page's warning; and the steps run from it (one busy flag for the
 * page, useAction), each judged against the saved checklist.
 */
import { useCallback, useEffect, useState } from 'react';
import { App, type FormInstance } from 'antd';
import type { CounterView } from '../../../../core/counter-response-schemas.js';
import { ApiError, apiGet, apiPost, apiUpload } from '../../../api.js';
import { showServerErrors } from '../../../components/forms.js';
import { useAction } from '../../../components/useAction.js';
import { useStaffErrors } from '../staffSession.js';
import { useMaterialsAutosave } from './useMaterialsAutosave.js';

export function useCounterOrder(id: string | undefined) {
  const fail = useStaffErrors();
  const [v, setV] = useState<CounterView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [ticked, setTicked] = useState<string[]>([]);
  const materials = useMaterialsAutosave(id);
  const { dirty } = materials;

  const load = useCallback(async () => {
    try {
      const r = await apiGet<CounterView>(`/api/staff/counter/orders/${id}`);
      setV(r);
      // Ticks still being saved stay as the clerk left them; otherwise show the saved list.
      if (!dirty()) setTicked(r.materials.filter((m) => m.ticked).map((m) => m.code));
      setError(null);
    } catch (e) {
      setError(fail(e));
    }
  }, [id, fail, dirty]);
  useEffect(() => {
    void load();
  }, [load]);

  /** A tick changed on screen: shown at once, saved in the background. */
  const tick = (codes: string[]) => {
    setTicked(codes);
    materials.change(codes);
  };

  return { v, error, setError, ticked, tick, materials, load };
}

export type CounterOrderState = ReturnType<typeof useCounterOrder>;

/** Runs a step: `null` when it did not happen (refused, failed, or the checklist could not be saved first). */
export type RunStep = (
  url: string,
  body: unknown,
  done: string,
  form?: FormInstance,
) => Promise<Record<string, unknown> | null | undefined>;

export function useCounterSteps({ load, setError, materials }: Pick<CounterOrderState, 'load' | 'setError' | 'materials'>) {
  const { message } = App.useApp();
  const fail = useStaffErrors();
  const { run, busy } = useAction();

  /** Runs a step; a 409 (someone else moved it) shows the server's message and reloads. */
  const step: RunStep = (url, body, done, form) =>
    run(
      async () => {
        // Every step is judged against the saved checklist: wait for the ticks on screen to be saved first.
        if (!(await materials.settled())) {
          message.error('资料清单未能保存，请点“重试”保存后再操作');
          return null;
        }
        const r = await apiPost<Record<string, unknown>>(url, body);
        void message.success(done);
        await load();
        return r;
      },
      async (e) => {
        const text = form ? showServerErrors(form, e) : fail(e);
        if (e instanceof ApiError && e.status === 409) {
          setError(text ?? e.message);
          await load();
        } else if (text) message.error(text);
        fail(e);
      },
    );

  const uploadScan = (orderId: string, material: string, file: File) =>
    run(
      async () => {
        const form = new FormData();
        form.append('file', file, file.name);
        await apiUpload(`/api/staff/counter/orders/${orderId}/materials/${material}/scan`, form);
        void message.success('扫描件已上传');
        await load();
      },
      (e) => {
        message.error(e instanceof ApiError && Object.keys(e.fields).length ? Object.values(e.fields).join('；') : fail(e));
      },
    );

  return { busy, step, uploadScan };
}
