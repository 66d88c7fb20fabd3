/**
 * The audit chain on a database of its own (PGlite, or PostgreSQL with DATABASE_URL — several connection
 * pools writing at once, as several app instances would): concurrent writers get seq 1..n without gaps and
 * the chain verifies; then each way of editing the table by SQL is found and the first broken row named.
 * Every tampering runs in a transaction that is rolled back, so the cases do not disturb each other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { DbHandle, Tx } from '../../db/client.js';
import { isolatedDb, type IsolatedDb } from '../../testing/isolated-db.js';
import { testCaEnv } from '../../testing/test-ca.js';
import { testConfig } from '../../testing/harness.js';
import { caRuntime } from '../certificates/ca-runtime.js';
import { auditCertificateOf, signCheckpoint, verifyAuditTrail, type AuditSigner } from './checkpoints.js';
import { auditRepository } from './repository.js';
import { linkHash } from './chain.js';

let iso: IsolatedDb;
let handles: DbHandle[];
let signer: AuditSigner;
let cert: Uint8Array;

beforeAll(async () => {
  iso = await isolatedDb('audit_chain');
  // Three pools on PostgreSQL (three "instances"); PGlite has one connection.
  handles = await Promise.all([iso.open(), iso.open(), iso.open()]);
  const env = await testCaEnv();
  const ca = await caRuntime(testConfig(env).ca);
  signer = ca.auditSigner();
  cert = await auditCertificateOf(testConfig(env).ca);
}, 60_000);
afterAll(async () => {
  await iso?.drop();
});

const db = () => handles[0]!.db;
class Rollback extends Error {}
/** Runs tamper + verify in one transaction and rolls it back. */
async function tampered(tamper: (tx: Tx) => Promise<unknown>) {
  let report: Awaited<ReturnType<typeof verifyAuditTrail>> | undefined;
  await db()
    .transaction(async (tx) => {
      await tamper(tx);
      report = await verifyAuditTrail(tx, [cert]);
      throw new Rollback();
    })
    .catch((e: unknown) => {
      if (!(e instanceof Rollback)) throw e;
    });
  return report!;
}
const q = (tx: Tx, text: string) => tx.execute(sql.raw(text));

describe('the audit chain', () => {
  it('gives concurrent writers one order without gaps, and verifies', async () => {
    const N = 120;
    await Promise.all(
      Array.from({ length: N }, (_, i) => {
        const h = handles[i % handles.length]!;
        const e = {
          actorType: 'system' as const,
          action: 'test.write',
          targetType: 'test',
          targetId: String(i),
          detail: { i, note: `第${i}条`, z: { b: 1, a: [i] } },
        };
        // Half write inside a longer transaction that does other work, as business code does.
        return i % 2
          ? auditRepository.record(h.db, e)
          : h.db.transaction(async (tx) => {
              await tx.execute(sql`select 1`);
              await auditRepository.record(tx, e);
              await auditRepository.record(tx, { ...e, action: 'test.second' });
            });
      }),
    );
    const head = await auditRepository.head(db());
    expect(head!.seq).toBe(N + N / 2);
    const rows = await auditRepository.chainedAfter(db(), 0, 10_000);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: head!.seq }, (_, i) => i + 1));
    const r = await verifyAuditTrail(db(), [cert]);
    expect(r).toMatchObject({ ok: true, rows: head!.seq, lastSeq: head!.seq, broken: null, checkpoints: 0, unpinned: head!.seq });
  }, 60_000);

  it('a rolled-back write leaves no gap', async () => {
    await db()
      .transaction(async (tx) => {
        await auditRepository.record(tx, { actorType: 'system', action: 'test.rolled_back' });
        throw new Rollback();
      })
      .catch(() => {});
    await auditRepository.record(db(), { actorType: 'system', action: 'test.after_rollback' });
    expect((await verifyAuditTrail(db(), [cert])).ok).toBe(true);
  });

  it('signs a checkpoint with the CA audit key, and only when something new was written', async () => {
    const c = await signCheckpoint(db(), signer, new Date());
    expect(c).not.toBeNull();
    expect(await signCheckpoint(db(), signer, new Date())).toBeNull();
    for (let i = 0; i < 5; i++) await auditRepository.record(db(), { actorType: 'system', action: 'test.after_checkpoint', detail: { i } });
    const r = await verifyAuditTrail(db(), [cert]);
    expect(r).toMatchObject({ ok: true, checkpoints: 1, unpinned: 5, lastCheckpoint: { seq: c!.seq } });
  });

  // Row seq 10 lies before the checkpoint, the last row after it.
  const cases: {
    name: string;
    tamper: (tx: Tx, last: number) => Promise<unknown>;
    seq: (last: number) => number | null;
    reason: RegExp;
  }[] = [
    {
      name: 'a detail changed by UPDATE',
      tamper: (tx) => q(tx, `UPDATE audit_events SET detail = '{"i": 999}' WHERE seq = 10`),
      seq: () => 10,
      reason: /第 10 条记录.*被修改/,
    },
    {
      name: 'the actor changed by UPDATE',
      tamper: (tx) => q(tx, `UPDATE audit_events SET ip = '10.9.9.9' WHERE seq = 10`),
      seq: () => 10,
      reason: /被修改/,
    },
    {
      name: 'the time moved by UPDATE',
      tamper: (tx) => q(tx, `UPDATE audit_events SET at = at - interval '1 day' WHERE seq = 10`),
      seq: () => 10,
      reason: /被修改/,
    },
    {
      name: 'a row deleted',
      tamper: (tx) => q(tx, `DELETE FROM audit_events WHERE seq = 10`),
      seq: () => 11,
      reason: /第 10 条记录缺失/,
    },
    {
      name: 'the last row deleted',
      tamper: (tx, last) => q(tx, `DELETE FROM audit_events WHERE seq = ${last}`),
      seq: (last) => last,
      reason: /缺失/,
    },
    {
      name: 'two rows swapped in order',
      tamper: async (tx) => {
        await q(tx, `UPDATE audit_events SET seq = -1 WHERE seq = 20`);
        await q(tx, `UPDATE audit_events SET seq = 20 WHERE seq = 21`);
        await q(tx, `UPDATE audit_events SET seq = 21 WHERE seq = -1`);
      },
      seq: () => 20,
      reason: /被修改/,
    },
    {
      name: 'a row inserted by SQL',
      tamper: (tx) => q(tx, `INSERT INTO audit_events (actor_type, action) VALUES ('system', 'forged')`),
      seq: () => null,
      reason: /不在链中/,
    },
    {
      name: 'a row changed and every later link recomputed (the head too): the signed checkpoint disagrees',
      tamper: async (tx) => {
        await q(tx, `UPDATE audit_events SET detail = '{"i": 777}' WHERE seq = 10`);
        const head = await tx.execute(sql`select seq from audit_chain`);
        const last = Number((head as unknown as { rows: { seq: number }[] }).rows[0]!.seq);
        const rows = await auditRepository.chainedAfter(tx, 0, 100_000);
        let prev = rows.find((r) => r.seq === 9)!.chainHash!;
        for (const r of rows.filter((x) => x.seq >= 10)) {
          prev = linkHash(prev, r);
          await tx.execute(sql`UPDATE audit_events SET chain_hash = ${prev} WHERE seq = ${r.seq}`);
        }
        await tx.execute(sql`UPDATE audit_chain SET hash = ${prev} WHERE seq = ${last}`);
      },
      seq: () => 181,
      reason: /第 1–181 条之间的记录被改写/,
    },
    {
      name: 'a checkpoint forged (re-signed by another key)',
      tamper: (tx) => q(tx, `UPDATE audit_checkpoints SET hash = repeat('a', 64)`),
      seq: () => 181,
      reason: /签名无效/,
    },
    {
      name: 'rows purged by SQL without a signed cut',
      tamper: (tx) => q(tx, `DELETE FROM audit_events WHERE seq <= 30`),
      seq: () => 31,
      reason: /第 1–30 条记录缺失/,
    },
  ];

  it.each(cases)('finds $name and names the row', async ({ tamper, seq, reason }) => {
    const last = (await auditRepository.head(db()))!.seq;
    expect(last).toBe(186);
    const r = await tampered((tx) => tamper(tx, last));
    expect(r.ok).toBe(false);
    expect(r.broken!.seq).toBe(seq(last));
    expect(r.broken!.reason).toMatch(reason);
    // Rolled back: the chain is whole again.
    expect((await verifyAuditTrail(db(), [cert])).ok).toBe(true);
  });

  it('links rows written before the chain existed, once, in id order', async () => {
    const legacy = await isolatedDb('audit_legacy');
    try {
      const h = await legacy.open();
      await h.db.execute(sql`DELETE FROM audit_chain`);
      for (let i = 0; i < 7; i++)
        await h.db.execute(
          sql`INSERT INTO audit_events (actor_type, action, detail) VALUES ('system', 'legacy', ${JSON.stringify({ i })}::jsonb)`,
        );
      expect((await verifyAuditTrail(h.db, [cert])).broken?.reason).toMatch(/不在链中/);
      await auditRepository.ensureChain(h.db);
      await auditRepository.ensureChain(h.db);
      await auditRepository.record(h.db, { actorType: 'system', action: 'after' });
      const r = await verifyAuditTrail(h.db, [cert]);
      expect(r).toMatchObject({ ok: true, rows: 8, lastSeq: 8 });
      const rows = await auditRepository.chainedAfter(h.db, 0, 100);
      expect(rows.map((x) => x.action)).toEqual([...Array(7).fill('legacy'), 'after']);
    } finally {
      await legacy.drop();
    }
  });
});
