import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { ApiError, apiGet, ensureSession } from '../../api.js';
import type { PublicStaff, StaffSession as StaffSessionAnswer } from '../../../core/accounts-schemas.js';
import type { StaffRole } from '../../../core/schemas.js';

export type StaffInfo = PublicStaff;
interface StaffSession {
  loaded: boolean;
  staff: StaffInfo | null;
  setStaff(s: StaffInfo | null): void;
  refresh(): Promise<void>;
}
const Ctx = createContext<StaffSession | null>(null);

export function StaffSessionProvider({ children }: { children: ReactNode }) {
  const [loaded, setLoaded] = useState(false);
  const [staff, setStaff] = useState<StaffInfo | null>(null);
  const refresh = useCallback(async () => {
    try {
      const s = await ensureSession<StaffSessionAnswer>('staff');
      setStaff(s.staff);
    } finally {
      setLoaded(true);
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return <Ctx.Provider value={{ loaded, staff, setStaff, refresh }}>{children}</Ctx.Provider>;
}

export function useStaffSession(): StaffSession {
  const c = useContext(Ctx);
  if (!c) throw new Error('StaffSessionProvider missing');
  return c;
}

export const hasRole = (s: StaffInfo | null, ...roles: StaffRole[]) => !!s && roles.some((r) => s.roles.includes(r));

/**
 * Turns an API failure into a message for the page. A 401 means the staff session ended (logged out
 * elsewhere, idle too long, or the account was disabled): forget it, and the console shows the login page.
 */
export function useStaffErrors(): (e: unknown) => string {
  const { setStaff } = useStaffSession();
  return useCallback(
    (e: unknown) => {
      if (e instanceof ApiError && e.status === 401) setStaff(null);
      return e instanceof ApiError ? e.message : '系统繁忙，请稍后再试';
    },
    [setStaff],
  );
}

/**
 * What a staff page shows from one GET: the answer (null until it first comes), the failure as
 * useStaffErrors words it (null once a load succeeds), and `load` to fetch it again after a change. A failed
 * reload keeps the last answer on the page.
 */
export function useStaffGet<T>(url: string) {
  const fail = useStaffErrors();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setData(await apiGet<T>(url));
      setError(null);
    } catch (e) {
      setError(fail(e));
    }
  }, [url, fail]);
  useEffect(() => {
    void load();
  }, [load]);
  return { data, setData, error, load };
}
