/** /api/health lists what the CA must renew from 60 days before it expires (issue 15 item 6). */
import { afterAll, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { testApp, type TestApp } from '../testing/harness.js';
import { testCa, testCaEnv } from '../testing/test-ca.js';

const DAY = 86_400_000;
const apps: TestApp[] = [];
afterAll(async () => {
  for (const t of apps) await t.close();
});

it.each([
  [0, false],
  [320, true],
])(
  '%i days on: OCSP responder renewal listed %s (status stays ok)',
  async (days, listed) => {
    const env = await testCaEnv();
    const ca = await testCa(); // loaded in this process, as main.ts does at start
    const ocspNotAfter = new Date(ca.hierarchy.families.sm2!.ocsp.certDer.length && Date.now());
    const t = await testApp({ env, clock: new ManualClock(new Date(ocspNotAfter.getTime() + days * DAY)) });
    apps.push(t);
    const r = await t.client().get('/api/health');
    expect(r.statusCode).toBe(200);
    expect(r.json().status).toBe('ok');
    const warnings: string[] = r.json().warnings ?? [];
    expect(
      warnings.some((w) => /sm2 OCSP 响应者证书将在 \d+ 天后/.test(w) && w.includes('npm run ca:renew')),
      warnings.join('\n'),
    ).toBe(listed);
  },
  120_000,
);
