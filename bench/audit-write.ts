/**
 * What the audit chain costs a write: the chained append (lock the chain head, SM3 link, insert, move the
 * head — modules/audit/repository.ts) against a plain INSERT of the same row (what record() did before the
 * chain), in the same run, on PGlite and on PostgreSQL (a scratch database), one writer and 16 concurrent
 * writers (PostgreSQL pool of 16; PGlite has one connection). Then a full verification's rate.
 *
 *   npx tsx bench/audit-write.ts             (BENCH_ROWS, default 2000 per case)
 */
import { openDb, type Db } from '../src/server/db/client.js';
import { auditEvents } from '../src/server/db/schema.js';
import { auditRepository } from '../src/server/modules/audit/repository.js';
import { verifyAuditTrail } from '../src/server/modules/audit/checkpoints.js';
import { scratchDatabase } from './scratch-db.js';

const ROWS = Number(process.env.BENCH_ROWS || 2000);
const row = (i: number) => ({
  actorType: 'staff' as const,
  actorId: '00000000-0000-4000-8000-000000000001',
  action: 'organization.search',
  targetType: 'organization',
  targetId: String(i),
  detail: { q: `江西测试${i}`, count: 3 },
  ip: '203.0.113.7',
  at: new Date(),
});

async function timed(writers: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < ROWS) await fn(next++);
    }),
  );
  return ROWS / ((performance.now() - t0) / 1000);
}

async function run(label: string, db: Db, writersList: number[]) {
  for (let i = 0; i < 100; i++) await auditRepository.record(db, row(i)); // warm-up, creates the head
  for (const writers of writersList) {
    const plain = await timed(writers, (i) => db.insert(auditEvents).values(row(i)));
    const chained = await timed(writers, (i) => auditRepository.record(db, row(i)));
    console.log(
      `${label.padEnd(11)} ${String(writers).padStart(2)} writer(s): plain insert ${plain.toFixed(0).padStart(6)}/s  chained ${chained
        .toFixed(0)
        .padStart(6)}/s  ratio ${(chained / plain).toFixed(2)}`,
    );
  }
}

async function verifyRate(label: string, db: Db) {
  const t0 = performance.now();
  const r = await verifyAuditTrail(db, []);
  console.log(`${label.padEnd(11)} verify: ${r.rows} rows in ${((performance.now() - t0) / 1000).toFixed(2)} s, ok=${r.ok}`);
}

const lite = await openDb({});
await run('PGlite', lite.db, [1]);
await lite.close();
// Verification on a chain of its own (the plain rows above are outside the chain: verify would name them).
const lite2 = await openDb({});
for (let i = 0; i < ROWS * 5; i++) await auditRepository.record(lite2.db, row(i));
await verifyRate('PGlite', lite2.db);
await lite2.close();

const scratch = await scratchDatabase('bench_audit_write');
try {
  const pgh = await openDb({ databaseUrl: scratch.url, poolSize: 16 });
  await run('PostgreSQL', pgh.db, [1, 16]);
  await pgh.close();
} finally {
  await scratch.drop();
}
