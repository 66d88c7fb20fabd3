import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import type { OrgSession as OrgSessionAnswer, PublicOrg } from '../core/accounts-schemas.js';
import { ensureSession } from './api.js';

export type OrgInfo = PublicOrg;
interface OrgSession {
  loaded: boolean;
  organization: OrgInfo | null;
  passwordRule: string;
  sandbox: { sms: boolean };
  refresh(): Promise<void>;
  setOrganization(o: OrgInfo | null): void;
}

const Ctx = createContext<OrgSession | null>(null);

export function OrgSessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState({ loaded: false, organization: null as OrgInfo | null, passwordRule: '', sandbox: { sms: false } });
  const refresh = useCallback(async () => {
    try {
      const s = await ensureSession<OrgSessionAnswer>('org');
      setState({ loaded: true, organization: s.organization, passwordRule: s.passwordRule, sandbox: s.sandbox });
    } catch {
      setState((s) => ({ ...s, loaded: true }));
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return (
    <Ctx.Provider value={{ ...state, refresh, setOrganization: (o) => setState((s) => ({ ...s, organization: o })) }}>
      {children}
    </Ctx.Provider>
  );
}

export function useOrgSession(): OrgSession {
  const c = useContext(Ctx);
  if (!c) throw new Error('OrgSessionProvider missing');
  return c;
}
