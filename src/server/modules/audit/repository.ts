import { and, asc, desc, eq, gt, isNull, lt, lte, ne, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client.js';
import { auditChain, auditCheckpoints, auditEvents } from '../../db/schema.js';
import { GENESIS, linkHash, type CheckpointRow, type StoredRow } from './chain.js';

export type AuditInput = Omit<typeof auditEvents.$inferInsert, 'id' | 'seq' | 'chainHash'>;
export type AuditRow = typeof auditEvents.$inferSelect;

/** Rows linked per statement when the chain is first made over rows written before it existed. */
const LEGACY_BATCH = 500;

function inTransaction(db: DbOrTx): db is Tx {
  // A drizzle transaction has rollback(); the database handle has not.
  return typeof (db as { rollback?: unknown }).rollback === 'function';
}

/**
 * Locks the chain head (the one audit_chain row) until the transaction ends and returns it with the id the
 * new row will have. The first chained write on a database that has none creates the head, linking the rows
 * written before the chain existed, in id order, once (a concurrent first write waits on the insert).
 */
async function lockHead(tx: Tx): Promise<{ seq: number; hash: string; nextId: number }> {
  // One round trip: lock the head and draw the new row's id (its hash covers the id). A wait on the lock
  // may draw an id twice; ids may have gaps, seq may not.
  const select = async () =>
    (
      (await tx.execute(
        sql`SELECT seq, hash, nextval(pg_get_serial_sequence('audit_events', 'id')) AS next_id FROM ${auditChain} WHERE id = 1 FOR UPDATE`,
      )) as unknown as { rows: { seq: string | number; hash: string; next_id: string | number }[] }
    ).rows[0];
  let r = await select();
  if (!r) {
    const created = await tx.insert(auditChain).values({ id: 1, seq: 0, hash: GENESIS }).onConflictDoNothing().returning();
    if (created.length) await linkUnchained(tx);
    r = (await select())!;
  }
  return { seq: Number(r.seq), hash: r.hash, nextId: Number(r.next_id) };
}

/** Links the rows that have no seq yet (written before the chain existed) after the head, in id order. */
async function linkUnchained(tx: Tx): Promise<number> {
  const [head] = await tx.select().from(auditChain).where(eq(auditChain.id, 1));
  let { seq, hash } = head!;
  let linked = 0;
  for (;;) {
    const rows = await tx.select().from(auditEvents).where(isNull(auditEvents.seq)).orderBy(asc(auditEvents.id)).limit(LEGACY_BATCH);
    if (!rows.length) break;
    for (const r of rows) {
      seq += 1;
      hash = linkHash(hash, { ...r, seq });
      await tx.update(auditEvents).set({ seq, chainHash: hash }).where(eq(auditEvents.id, r.id));
    }
    linked += rows.length;
  }
  await tx.update(auditChain).set({ seq, hash }).where(eq(auditChain.id, 1));
  return linked;
}

async function append(tx: Tx, e: AuditInput): Promise<void> {
  const head = await lockHead(tx);
  // The stored values are what gets hashed: the time at millisecond precision (what a Date reads back),
  // nulls for what is not given.
  const row = {
    id: head.nextId,
    seq: head.seq + 1,
    actorType: e.actorType,
    actorId: e.actorId ?? null,
    action: e.action,
    targetType: e.targetType ?? null,
    targetId: e.targetId ?? null,
    detail: e.detail ?? {},
    ip: e.ip ?? null,
    at: e.at ?? new Date(),
  };
  const chainHash = linkHash(head.hash, row);
  await tx.insert(auditEvents).values({ ...row, chainHash });
  await tx.update(auditChain).set({ seq: row.seq, hash: chainHash }).where(eq(auditChain.id, 1));
}

export const auditRepository = {
  /**
   * Appends a row to the audit chain. Inside a transaction the chain head stays locked until it commits, so
   * concurrent writers take turns and seq has no gaps (a rolled-back row takes its seq with it).
   */
  async record(db: DbOrTx, e: AuditInput): Promise<void> {
    if (inTransaction(db)) await append(db, e);
    else await db.transaction((tx) => append(tx, e));
  },
  /** The start-up step: creates the chain head if missing, linking rows written before the chain existed. */
  async ensureChain(db: DbOrTx): Promise<void> {
    await db.transaction(async (tx) => {
      await lockHead(tx);
    });
  },
  /** A target's events, newest first; `action` keeps only that action, `exceptAction` leaves it out. */
  async forTarget(
    db: DbOrTx,
    targetType: string,
    targetId: string,
    limit = 100,
    filter: { action?: string; exceptAction?: string } = {},
  ): Promise<AuditRow[]> {
    return db
      .select()
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.targetType, targetType),
          eq(auditEvents.targetId, targetId),
          filter.action ? eq(auditEvents.action, filter.action) : undefined,
          filter.exceptAction ? ne(auditEvents.action, filter.exceptAction) : undefined,
        ),
      )
      .orderBy(desc(auditEvents.id))
      .limit(limit);
  },
  /** Newest first, keyset-paginated by id. */
  async recent(db: DbOrTx, limit = 50, beforeId?: number): Promise<AuditRow[]> {
    return db
      .select()
      .from(auditEvents)
      .where(beforeId ? lt(auditEvents.id, beforeId) : undefined)
      .orderBy(desc(auditEvents.id))
      .limit(limit);
  },

  // ── the chain as verification and checkpoints read it ──

  async head(db: DbOrTx): Promise<{ seq: number; hash: string } | null> {
    const [h] = await db.select().from(auditChain).where(eq(auditChain.id, 1));
    return h ? { seq: h.seq, hash: h.hash } : null;
  },
  /** Rows with seq > after, in seq order (keyset), `limit` at a time. */
  async chainedAfter(db: DbOrTx, after: number, limit: number): Promise<StoredRow[]> {
    const rows = await db.select().from(auditEvents).where(gt(auditEvents.seq, after)).orderBy(asc(auditEvents.seq)).limit(limit);
    return rows.map((r) => ({ ...r, seq: r.seq! }));
  },
  async firstUnchained(db: DbOrTx): Promise<{ id: number } | null> {
    const [r] = await db
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(isNull(auditEvents.seq))
      .orderBy(asc(auditEvents.id))
      .limit(1);
    return r ?? null;
  },
  async checkpoints(db: DbOrTx): Promise<CheckpointRow[]> {
    return db.select().from(auditCheckpoints).orderBy(asc(auditCheckpoints.seq), asc(auditCheckpoints.id));
  },
  async lastCheckpoint(db: DbOrTx): Promise<CheckpointRow | null> {
    const [c] = await db.select().from(auditCheckpoints).orderBy(desc(auditCheckpoints.seq), desc(auditCheckpoints.id)).limit(1);
    return c ?? null;
  },
  async addCheckpoint(db: DbOrTx, c: Omit<CheckpointRow, 'id'>): Promise<void> {
    await db.insert(auditCheckpoints).values(c);
  },
  /** Removes the chained rows up to and including seq (a retention cut, signed first); returns how many. */
  async deleteThrough(db: DbOrTx, seq: number): Promise<number> {
    const gone = await db.delete(auditEvents).where(lte(auditEvents.seq, seq)).returning({ id: auditEvents.id });
    return gone.length;
  },
};
