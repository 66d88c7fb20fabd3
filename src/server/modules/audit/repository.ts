import { and, desc, eq, lt, ne } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { auditEvents } from '../../db/schema.js';

export type AuditInput = typeof auditEvents.$inferInsert;
export type AuditRow = typeof auditEvents.$inferSelect;

export const auditRepository = {
  async record(db: DbOrTx, e: AuditInput): Promise<void> {
    await db.insert(auditEvents).values(e);
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
};
