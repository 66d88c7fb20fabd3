import { afterEach, describe, expect, it, vi } from 'vitest';
import { ensureSession } from './api.js';

/** fetch as the browser's, answering each session request with a new token when the test says. */
function sessionServer() {
  const calls: string[] = [];
  const pending: (() => void)[] = [];
  vi.stubGlobal('fetch', (url: string) => {
    calls.push(url);
    const token = `t${calls.length}`;
    return new Promise<Response>((resolve) =>
      pending.push(() => resolve(new Response(JSON.stringify({ csrfToken: token }), { status: 200 }))),
    );
  });
  return { calls, answerAll: () => pending.splice(0).forEach((f) => f()) };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('ensureSession (web/api.ts)', () => {
  it.each(['org', 'staff'] as const)(
    '%s: callers at the same time share one request (two without a cookie would make two sessions)',
    async (realm) => {
      const server = sessionServer();
      const a = ensureSession(realm);
      const b = ensureSession(realm);
      expect(server.calls).toEqual([realm === 'org' ? '/api/session' : '/api/staff/session']);
      server.answerAll();
      expect(await a).toEqual({ csrfToken: 't1' });
      expect(await b).toEqual({ csrfToken: 't1' });
      // Once answered, the next call asks again (after a login the answer has changed).
      const c = ensureSession(realm);
      expect(server.calls).toHaveLength(2);
      server.answerAll();
      expect(await c).toEqual({ csrfToken: 't2' });
    },
  );

  it("each realm has its own request: the staff console's never waits for the applicant's", async () => {
    const server = sessionServer();
    const org = ensureSession('org');
    const staff = ensureSession('staff');
    expect(server.calls).toEqual(['/api/session', '/api/staff/session']);
    server.answerAll();
    expect(await org).toEqual({ csrfToken: 't1' });
    expect(await staff).toEqual({ csrfToken: 't2' });
  });
});
