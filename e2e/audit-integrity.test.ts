import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { DESKTOP, PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { staffLogin } from './page-api.js';
import { auditRepository } from '../src/server/modules/audit/repository.js';
import { signCheckpoint } from '../src/server/modules/audit/checkpoints.js';
import { caRuntime } from '../src/server/modules/certificates/ca-runtime.js';
import { testConfig } from '../src/server/testing/harness.js';

/**
 * 操作记录 → 校验完整性 in a browser: the administrator checks the audit trail (intact, with a signed
 * checkpoint); a row is then changed directly in SQL and the page names it; put back, it is intact again.
 */

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
  // On the PostgreSQL database that CI's unit and browser runs share, test processes with CAs of their own
  // (payments-exactly-once starts main.ts, whose audit job signs) leave checkpoints this server's audit key
  // rightly refuses. One database is one CA's trail: start from this CA's checkpoints only.
  await e.db.execute(sql`DELETE FROM audit_checkpoints`);
});

const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 30_000 });

async function verifyOnPage(page: Page) {
  await page.getByRole('button', { name: /校验完整性/ }).click();
  const result = page.getByTestId('audit-integrity-result');
  await result.waitFor();
  return result;
}

describe('操作记录完整性校验', () => {
  it('shows the trail intact, names a row changed by SQL, and is intact again once it is put back', async () => {
    const marker = `校验${randomBytes(3).toString('hex')}`;
    for (let i = 0; i < 3; i++)
      await auditRepository.record(e.db, { actorType: 'system', action: 'organization.search', detail: { q: `${marker}-${i}`, count: 0 } });
    const ca = await caRuntime(testConfig().ca);
    await signCheckpoint(e.db, ca.auditSigner(), new Date());

    for (const viewport of [DESKTOP, PHONE]) {
      const { context, page, errors } = await newPage(e, viewport);
      await staffLogin(page, 'admin');
      await page.goto('/staff/audit');
      const wide = viewport === DESKTOP;
      const ok = await verifyOnPage(page);
      await poll(() => ok.textContent()).toContain('操作记录完整，未发现改动');
      expect(await ok.textContent()).toMatch(/签名检查点\d+ 个，最近一个签到第 \d+ 条/);
      await shot(page, `staff-audit-integrity-ok-${wide ? 'desktop' : 'phone'}`);
      expect(await fitsWidth(page)).toBe(true);

      // Someone with SQL access edits one of the rows.
      const res = (await e.db.execute(
        sql`SELECT id, seq, detail::text AS detail FROM audit_events WHERE detail->>'q' = ${`${marker}-1`}`,
      )) as unknown as { rows: { id: number | string; seq: number | string; detail: string }[] };
      const row = res.rows[0]!;
      await e.db.execute(sql`UPDATE audit_events SET detail = '{"q": "无关内容", "count": 0}'::jsonb WHERE id = ${row.id}`);
      try {
        await page.getByRole('button', { name: /校验完整性/ }).click();
        const broken = page.getByTestId('audit-integrity-broken');
        await broken.waitFor();
        expect(await page.getByTestId('audit-integrity-result').textContent()).toContain('操作记录被改动过');
        expect(await broken.textContent()).toContain(`第 ${row.seq} 条记录（id ${row.id}）的内容或链接值与链不符`);
        await shot(page, `staff-audit-integrity-broken-${wide ? 'desktop' : 'phone'}`);
        expect(await fitsWidth(page)).toBe(true);
      } finally {
        await e.db.execute(sql`UPDATE audit_events SET detail = ${row.detail}::jsonb WHERE id = ${row.id}`);
      }
      const again = await verifyOnPage(page);
      await poll(() => again.textContent()).toContain('操作记录完整');
      expect(errors).toEqual([]);
      await context.close();
    }
  }, 180_000);
});
