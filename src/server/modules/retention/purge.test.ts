/**
 * The retention purge on the real app and a database of its own (PGlite, or PostgreSQL with DATABASE_URL),
 * driven by a ManualClock: orders made through the real flows (uploads, 制证 with seals, a scan reused by
 * another order), then the clock moved past the retention of some of them. The purge removes exactly those
 * (rows, and the encrypted files no kept row uses), writes its audit rows, cuts the head of the audit chain
 * under a signed checkpoint, and the chain still verifies — through the staff route too.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray, sql } from 'drizzle-orm';
import {
  auditCheckpoints,
  auditEvents,
  certificates,
  orderDocuments,
  orderEvents,
  orders,
  seals,
  storedBlobs,
  sealExtractions,
} from '../../db/schema.js';
import { ManualClock, systemClock } from '../../clock.js';
import { testApp, type TestApp } from '../../testing/harness.js';
import { testCaEnv } from '../../testing/test-ca.js';
import { isolatedDb, type IsolatedDb } from '../../testing/isolated-db.js';
import { submittedOrder } from '../../testing/applicant-flow.js';
import { sealedOrder } from '../seals/testing.js';
import { orderRepository } from '../orders/repository.js';
import { auditRepository } from '../audit/repository.js';
import { auditJobs } from '../audit/jobs.js';
import { verifyAuditTrailIn } from '../audit/checkpoints.js';
import { createStaff } from '../staff/staff-accounts.js';
import { seedCatalog } from '../catalog/seed-catalog.js';
import { seedCalendar } from '../calendar/seed-calendar.js';
import { fileStoreFor } from '../../adapters/storage/configured.js';
import { addYears } from './rule.js';
import { runRetention } from './purge.js';
import { retentionJobs } from './jobs.js';

const DAY = 86_400_000;
let t: TestApp;
let iso: IsolatedDb;
let clock: ManualClock;

beforeAll(async () => {
  iso = await isolatedDb('retention');
  clock = new ManualClock(new Date());
  const { db } = await iso.open();
  await seedCatalog(db, clock.now());
  await seedCalendar(db, clock.now());
  t = await testApp({ env: await testCaEnv(), db, clock });
}, 120_000);
afterAll(async () => {
  await t?.close();
  await iso?.drop();
});

const count = async (table: typeof orders | typeof certificates | typeof storedBlobs | typeof auditEvents) =>
  Number((await t.db.select({ n: sql<number>`count(*)` }).from(table))[0]!.n);
const blobNames = async () => new Set((await t.db.select({ n: storedBlobs.name }).from(storedBlobs)).map((r) => r.n));
const docKeys = async (orderId: string) =>
  (await t.db.select().from(orderDocuments).where(eq(orderDocuments.orderId, orderId))).flatMap((d) => [d.storageKey, d.thumbnailKey]);
const orderIds = async () => new Set((await t.db.select({ id: orders.id }).from(orders)).map((r) => r.id));
const certOf = async (orderId: string) => (await t.db.select().from(certificates).where(eq(certificates.orderId, orderId)))[0]!;

describe('retention purge', () => {
  it('removes exactly what is past retention (files included), leaves audit rows, cuts the audit chain, and it still verifies', async () => {
    const T0 = clock.now();
    // Audit rows from long ago, about nothing still kept: the head of the chain a purge may cut.
    for (let i = 0; i < 4; i++)
      await auditRepository.record(t.db, {
        actorType: 'system',
        action: 'test.old',
        detail: { i },
        at: new Date(T0.getTime() - 7 * 365 * DAY),
      });

    // B: submitted with uploads, its licence scan reused by C (same organization, kept: a draft), then cancelled.
    const b = await submittedOrder(t);
    const bLicence = (await t.db.select().from(orderDocuments).where(eq(orderDocuments.orderId, b.orderId))).find(
      (d) => d.slot === 'business-license',
    )!;
    const cRes = await b.c.post('/api/orders', { projectCode: 'gov-procurement', keyType: 'sub', agree: true });
    expect(cRes.statusCode).toBe(201);
    const cId = cRes.json().order.id as string;
    const cNo = cRes.json().order.orderNo as string;
    const reused = await b.c.post(`/api/orders/${cId}/documents/business-license/reuse`, { documentId: bLicence.id });
    expect(reused.statusCode).toBe(201);
    const cDoc = reused.json().document.id as string;
    expect(await orderRepository.setStatus(t.db, b.orderId, 'submitted', 'cancelled', T0)).toBeTruthy();
    // A: produced, with a certificate, seals and seal images.
    const a = await sealedOrder(t);
    // D: the same two years later, so its certificate expires two years later.
    clock.advance(2 * 366 * DAY);
    const d = await sealedOrder(t);

    const aCert = await certOf(a.orderId);
    const dCert = await certOf(d.orderId);
    const bKeys = await docKeys(b.orderId);
    const cKeys = await docKeys(cId);
    expect(bKeys.length).toBeGreaterThan(4);
    expect(cKeys.every((k) => bKeys.includes(k))).toBe(true);
    const blobsBefore = await blobNames();
    expect(bKeys.every((k) => blobsBefore.has(k))).toBe(true);
    const dEvents = (await t.db.select().from(orderEvents).where(eq(orderEvents.orderId, d.orderId))).length;
    const auditBefore = await count(auditEvents);

    // The day after A's certificate has been expired five years (B closed before that); D is two years short.
    clock.set(new Date(addYears(aCert.notAfter, 5).getTime() + DAY));
    expect(addYears(dCert.notAfter, 5).getTime()).toBeGreaterThan(clock.now().getTime());

    // A dry run says what would go and deletes nothing.
    const dry = await runRetention(t, { dryRun: true });
    expect(dry.refused).toBeNull();
    expect(dry.dossiers.flatMap((x) => x.orderNos).sort()).toEqual([a.orderNo, b.orderNo].sort());
    expect(dry.dossiers.flatMap((x) => x.serials)).toEqual([aCert.serial]);
    expect(dry.kept).toBe(2);
    expect(dry.audit).toMatchObject({ fromSeq: 0, throughSeq: 4, rows: 4 });
    expect(await count(orders)).toBe(4);
    expect(await count(auditEvents)).toBe(auditBefore);

    // The job purges.
    const log = t.app.log;
    await retentionJobs({ db: t.db, clock, config: t.config, log }).runOnce();
    expect(await orderIds()).toEqual(new Set([cId, d.orderId]));
    expect((await t.db.select().from(certificates)).map((c) => c.id)).toEqual([dCert.id]);
    expect(await t.db.select().from(seals).where(eq(seals.orderId, a.orderId))).toEqual([]);
    expect(await t.db.select().from(sealExtractions).where(eq(sealExtractions.orderId, a.orderId))).toEqual([]);
    expect((await t.db.select().from(seals).where(eq(seals.orderId, d.orderId))).length).toBeGreaterThan(0);
    expect(
      await t.db
        .select()
        .from(orderEvents)
        .where(inArray(orderEvents.orderId, [a.orderId, b.orderId])),
    ).toEqual([]);
    expect((await t.db.select().from(orderEvents).where(eq(orderEvents.orderId, d.orderId))).length).toBe(dEvents);
    // B's files are gone, except the licence scan C still uses, which C still reads.
    const blobsAfter = await blobNames();
    for (const k of bKeys) expect(blobsAfter.has(k)).toBe(cKeys.includes(k));
    expect([...blobsBefore].filter((k) => !blobsAfter.has(k)).sort()).toEqual(bKeys.filter((k) => !cKeys.includes(k)).sort());
    // (Read from the store: the applicant's session ran out years ago on this clock.)
    const cRow = (await t.db.select().from(orderDocuments).where(eq(orderDocuments.id, cDoc)))[0]!;
    expect((await fileStoreFor(t.config, t.db).get(cRow.storageKey)).length).toBeGreaterThan(1000);

    // Audit: one row per purged dossier, and the four old rows cut under a signed 'cut' checkpoint.
    const purged = await t.db.select().from(auditEvents).where(eq(auditEvents.action, 'retention.purge'));
    expect(purged.map((r) => (r.detail as { orderNos: string[] }).orderNos[0]).sort()).toEqual([a.orderNo, b.orderNo].sort());
    const bRow = purged.find((r) => r.targetId === b.orderId)!;
    expect(bRow.detail).toMatchObject({ files: bKeys.length - cKeys.length, serials: [] });
    expect(purged.find((r) => r.targetId === a.orderId)!.detail).toMatchObject({ serials: [aCert.serial] });
    expect(await t.db.select().from(auditEvents).where(eq(auditEvents.action, 'test.old'))).toEqual([]);
    const cuts = await t.db.select().from(auditCheckpoints).where(eq(auditCheckpoints.kind, 'cut'));
    expect(cuts.map((c) => c.seq)).toEqual([4]);
    expect(await count(auditEvents)).toBe(auditBefore - 4 + 3);
    const v = await verifyAuditTrailIn(t.db, t.config.ca);
    expect(v).toMatchObject({ ok: true, fromSeq: 4, broken: null });

    // Nothing more is past retention: a second run deletes nothing and cuts nothing.
    const again = await runRetention(t, { dryRun: false });
    expect(again).toMatchObject({ dossiers: [], audit: null, refused: null });

    // Later: C closed two years after T0, D's certificate five years expired. Everything goes, the shared
    // scan with its last user, and the chain is cut up to the first purge row (written at the purge's time).
    expect(await orderRepository.setStatus(t.db, cId, 'draft', 'deleted', new Date(T0.getTime() + 2 * 366 * DAY))).toBeTruthy();
    await auditJobs({ db: t.db, clock: systemClock, config: t.config, log }).runOnce();
    clock.set(new Date(addYears(dCert.notAfter, 5).getTime() + DAY));
    const last = await runRetention(t, { dryRun: false });
    expect(last.dossiers.flatMap((x) => x.orderNos).sort()).toEqual([cNo, d.orderNo].sort());
    expect(await count(orders)).toBe(0);
    expect(await count(certificates)).toBe(0);
    const remaining = await blobNames();
    expect(bKeys.some((k) => remaining.has(k))).toBe(false);
    const firstPurge = Math.min(...purged.map((r) => r.seq!));
    expect(last.audit).toMatchObject({ fromSeq: 4, throughSeq: firstPurge - 1 });
    const v2 = await verifyAuditTrailIn(t.db, t.config.ca);
    expect(v2).toMatchObject({ ok: true, fromSeq: firstPurge - 1, broken: null });

    // The staff page's verification agrees.
    const username = `rt${randomBytes(4).toString('hex')}`;
    await createStaff(
      { db: t.db, clock: systemClock },
      { username, displayName: '保存期限', roles: ['管理员'], password: 'Staff2026pw' },
      null,
      {
        ip: 'test',
      },
    );
    const admin = t.client();
    expect((await admin.staffLogin(username, 'Staff2026pw')).statusCode).toBe(200);
    expect((await admin.get('/api/staff/audit/verify')).json()).toMatchObject({ ok: true, fromSeq: firstPurge - 1 });
  }, 240_000);

  it('deletes nothing at all when the audit chain does not verify', async () => {
    const o = await submittedOrder(t);
    expect(await orderRepository.setStatus(t.db, o.orderId, 'submitted', 'cancelled', clock.now())).toBeTruthy();
    clock.set(new Date(addYears(clock.now(), 5).getTime() + DAY));
    const [row] = await t.db
      .select()
      .from(auditEvents)
      .orderBy(sql`seq desc`)
      .limit(1);
    await t.db.execute(sql`UPDATE audit_events SET detail = '{"x": 1}'::jsonb WHERE id = ${row!.id}`);
    const before = await count(auditEvents);
    const blobs = await blobNames();
    const r = await runRetention(t, { dryRun: false });
    expect(r.refused).toMatch(/操作记录校验未通过/);
    expect(r.dossiers).toEqual([]);
    expect(await orderIds()).toEqual(new Set([o.orderId]));
    expect(await count(auditEvents)).toBe(before);
    expect(await blobNames()).toEqual(blobs);
    // Put back, the same run purges it.
    await t.db.execute(sql`UPDATE audit_events SET detail = ${JSON.stringify(row!.detail)}::jsonb WHERE id = ${row!.id}`);
    const ok = await runRetention(t, { dryRun: false });
    expect(ok.dossiers.flatMap((x) => x.orderNos)).toEqual([o.orderNo]);
    expect(await count(orders)).toBe(0);
  }, 120_000);
});
