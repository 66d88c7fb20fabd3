import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import { Spin } from 'antd';
import { useOrgSession } from '../session.js';

/** The login page, coming back to `path` afterwards. */
export const loginUrl = (path: string) => `/login?next=${encodeURIComponent(path)}`;

/** Pages of a logged-in organization: without a session, go to the login page and come back here after. */
export function LoginGate({ children }: { children: ReactNode }) {
  const { loaded, organization } = useOrgSession();
  const loc = useLocation();
  if (!loaded)
    return (
      <div style={{ padding: 48, textAlign: 'center' }}>
        <Spin />
      </div>
    );
  if (!organization) return <Navigate to={loginUrl(loc.pathname + loc.search)} replace />;
  return <>{children}</>;
}
