/**
 * The staff queues at a million orders (issue 21 item 6): the counts are kept by the database's triggers
 * in the same statement as every status change, never counted from `orders`; a unit-name fragment is
 * found through the name-grams index. On a database of this file's own, so the counts are exact.
 */
import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderStatus } from '../../../core/workflow.js';
import type { DbHandle, DbOrTx } from '../../db/client.js';
import { organizations, orders } from '../../db/schema.js';
import { seedCatalog } from '../catalog/seed-catalog.js';
import { isolatedDb, type IsolatedDb } from '../../testing/isolated-db.js';
import { newMobile, newUscc } from '../../testing/harness.js';
import { staffOrderRepository } from './repository.js';

/** The rows of a raw query (the two drivers type execute() differently). */
const rows = async <T>(db: DbOrTx, q: SQL): Promise<T[]> => ((await db.execute(q)) as unknown as { rows: T[] }).rows;

let iso: IsolatedDb;
let h: DbHandle;
let seq = 0;

beforeAll(async () => {
  iso = await isolatedDb('queue_counts');
  h = await iso.open();
  await seedCatalog(h.db, new Date());
}, 60_000);
afterAll(async () => iso?.drop());

async function newOrg(name: string): Promise<string> {
  const now = new Date();
  const id = randomUUID();
  await h.db.insert(organizations).values({
    id,
    uscc: newUscc(),
    name,
    mobile: newMobile(),
    passwordHash: 'not-a-login',
    agreementAcceptedAt: now,
    createdAt: now,
    updatedAt: now,
  });
  return id;
}

function orderRow(orgId: string, status: OrderStatus) {
  seq += 1;
  return {
    orderNo: `261207${String(seq).padStart(8, '0')}${seq % 10}`,
    organizationId: orgId,
    projectCode: 'gov-procurement',
    keyType: 'main' as const,
    status,
    form: {},
    legalCheckNonce: randomUUID(),
    legalCheckTokenHash: randomUUID(),
  };
}

/** The counts as the queues read them, and as counted from `orders`. */
async function countsBothWays() {
  const statuses = (await h.db.selectDistinct({ s: orders.status }).from(orders)).map((r) => r.s as OrderStatus);
  const all = [...new Set([...statuses, 'submitted', 'paper_awaiting', 'in_production'] as OrderStatus[])];
  const kept = Object.fromEntries((await staffOrderRepository.queueCountsQuery(h.db, all)).map((r) => [r.status, Number(r.count)]));
  const counted = Object.fromEntries(
    (await rows<{ status: string; n: number }>(h.db, sql`select status, count(*)::int as n from orders group by status`)).map((r) => [
      r.status,
      Number(r.n),
    ]),
  );
  for (const s of Object.keys(kept)) if (kept[s] === 0) delete kept[s];
  return { kept, counted };
}

describe('queue counts kept by the database', () => {
  // Each step changes orders some way the product (or an operator) does; after each, the kept counts are
  // exactly what counting `orders` says.
  const steps: [string, (org: string) => Promise<unknown>][] = [
    ['one order inserted', (org) => h.db.insert(orders).values(orderRow(org, 'draft'))],
    [
      'several at once, in several statuses',
      (org) =>
        h.db
          .insert(orders)
          .values([orderRow(org, 'submitted'), orderRow(org, 'submitted'), orderRow(org, 'paper_awaiting'), orderRow(org, 'draft')]),
    ],
    ['a status change', () => h.db.execute(sql`update orders set status = 'review_passed' where status = 'draft'`)],
    ['a change that keeps the status (a form save)', () => h.db.execute(sql`update orders set form = '{"a":1}'::jsonb`)],
    ['many changes in one statement', () => h.db.execute(sql`update orders set status = 'in_production' where status <> 'paper_awaiting'`)],
    [
      'one order deleted',
      () => h.db.execute(sql`delete from orders where id = (select id from orders where status = 'in_production' limit 1)`),
    ],
    ['the fold', () => staffOrderRepository.foldStatusCounts(h.db)],
    ['a change after the fold', () => h.db.execute(sql`update orders set status = 'produced' where status = 'paper_awaiting'`)],
    [
      'a bulk load (INSERT … SELECT)',
      (org) =>
        h.db
          .execute(sql`insert into orders (order_no, organization_id, project_code, key_type, status, form, legal_check_nonce, legal_check_token_hash)
          select 'bulk' || i, ${org}::uuid, 'gov-procurement', 'main', case when i % 3 = 0 then 'shipped' else 'submitted' end, '{}'::jsonb, md5('n' || i), md5('t' || i)
          from generate_series(1, 500) i`),
    ],
    ['the fold again', () => staffOrderRepository.foldStatusCounts(h.db)],
    ['everything deleted', () => h.db.execute(sql`delete from orders`)],
  ];
  it.each(steps)('stay exact: %s', async (_label, step) => {
    const org = await newOrg(`江西计数测试${seq}有限公司`);
    await step(org);
    const { kept, counted } = await countsBothWays();
    expect(kept).toEqual(counted);
  });

  it('the fold leaves one row per status and drops statuses that reached zero', async () => {
    const org = await newOrg('江西折叠测试有限公司');
    for (let i = 0; i < 5; i++) await h.db.insert(orders).values(orderRow(org, 'submitted'));
    await h.db.execute(sql`update orders set status = 'review_passed' where status = 'submitted'`);
    await staffOrderRepository.foldStatusCounts(h.db);
    const folded = await rows<{ status: string; n: number }>(h.db, sql`select status, n from order_status_counts order by status`);
    expect(folded.map((r) => [r.status, Number(r.n)])).toEqual([['review_passed', 5]]);
    await h.db.execute(sql`delete from orders`);
    await staffOrderRepository.foldStatusCounts(h.db);
    expect(await rows(h.db, sql`select * from order_status_counts`)).toEqual([]);
  });

  it('stay exact with transitions and folds running at once', async () => {
    const org = await newOrg('江西并发计数测试有限公司');
    await h.db.insert(orders).values(Array.from({ length: 40 }, () => orderRow(org, 'submitted')));
    // On PostgreSQL these run on separate connections, in parallel: transitions one order each (as the
    // workflow does), folds in between.
    const ids = (await h.db.select({ id: orders.id }).from(orders)).map((r) => r.id);
    const other = await iso.open();
    await Promise.all([
      ...ids.map((id, i) =>
        (i % 2 ? other : h).db.execute(sql`update orders set status = 'review_passed' where id = ${id} and status = 'submitted'`),
      ),
      ...Array.from({ length: 6 }, (_, i) => staffOrderRepository.foldStatusCounts((i % 2 ? other : h).db)),
    ]);
    const { kept, counted } = await countsBothWays();
    expect(counted).toEqual({ review_passed: 40 });
    expect(kept).toEqual(counted);
    await h.db.execute(sql`delete from orders`);
  });

  it('reading the counts never reads `orders`', async () => {
    const plan = (
      await rows<Record<string, string>>(
        h.db,
        sql`explain ${staffOrderRepository.queueCountsQuery(h.db, ['submitted', 'paper_awaiting']).getSQL()}`,
      )
    )
      .map((r) => Object.values(r)[0])
      .join('\n');
    expect(plan).toContain('order_status_counts');
    expect(plan).not.toMatch(/\borders\b/);
  });
});

describe('unit-name search by fragment', () => {
  const names = ['南昌鸿源建设工程有限公司', '赣州恒泰医药有限公司', '九江ABC科技有限公司', '上饶100%_a\\b信息技术有限公司', '吉安鑫'];
  let orgIds: Map<string, string>;
  beforeAll(async () => {
    orgIds = new Map();
    for (const n of names) {
      const org = await newOrg(n);
      orgIds.set(n, org);
      await h.db.insert(orders).values(orderRow(org, 'submitted'));
    }
  });

  // The fragment as search-terms.ts makes it: `%…%`, escaped for LIKE.
  const like = (f: string) => `%${f.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const cases: [string, string, string[]][] = [
    ['two characters', '鸿源', ['南昌鸿源建设工程有限公司']],
    ['a longer fragment across words', '恒泰医药', ['赣州恒泰医药有限公司']],
    ['one character', '鑫', ['吉安鑫']],
    ['the pairs in another order are not a match', '源鸿', []],
    ['all pairs present but apart are not a match', '鸿建', []],
    ['Latin letters, any case', 'abc', ['九江ABC科技有限公司']],
    ['LIKE wildcards are taken literally', '100%_a\\b', ['上饶100%_a\\b信息技术有限公司']],
    ['a wildcard does not match any character', '10%0', []],
    ['common to several', '有限公司', names.filter((n) => n.endsWith('有限公司'))],
  ];
  it.each(cases)('%s', async (_label, fragment, expected) => {
    const rows = await staffOrderRepository.searchPageQuery(h.db, 'nameLike', like(fragment), undefined, null, 50);
    expect(rows.map((r) => r.organizationName).sort()).toEqual([...expected].sort());
  });

  it('the name-grams index can serve a fragment', async () => {
    // With sequential scans off the planner shows whether the index applies at all (on a small table it
    // would rightly prefer a scan); at a million rows bench/staff-queue.ts shows it chosen.
    const plan = await h.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      const q = staffOrderRepository.searchPageQuery(tx, 'nameLike', like('恒泰'), undefined, null, 50);
      return (await rows<Record<string, string>>(tx, sql`explain ${q.getSQL()}`)).map((r) => Object.values(r)[0]).join('\n');
    });
    expect(plan).toContain('organizations_name_grams_idx');
  });
});
