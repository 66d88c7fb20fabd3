import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { ensureSession } from '../../api.js';
import type { StaffRole } from '../../../core/schemas.js';

export interface StaffInfo {
  id: string;
  username: string;
  displayName: string;
  roles: StaffRole[];
}
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
      const s = await ensureSession<{ staff: StaffInfo | null }>('staff');
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
