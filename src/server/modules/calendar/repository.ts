/** SQL for the working-day calendar (tables calendar_days and calendar_seeds). */
import { and, asc, eq, gte, lte } from 'drizzle-orm';
import type { CalendarExceptions, DayKind } from '../../../core/working-days.js';
import type { DbOrTx } from '../../db/client.js';
import { calendarDays, calendarSeeds } from '../../db/schema.js';

export type CalendarDayRow = typeof calendarDays.$inferSelect;

export const calendarRepository = {
  /**
   * Every exception (a few dozen rows a year), for core/working-days.ts. Read per request rather than
   * cached, so an administrator's edit counts at once on every instance.
   */
  async exceptions(db: DbOrTx): Promise<CalendarExceptions> {
    const rows = await db.select({ day: calendarDays.day, kind: calendarDays.kind }).from(calendarDays);
    return new Map(rows.map((r) => [r.day, r.kind as DayKind]));
  },
  async year(db: DbOrTx, year: number): Promise<CalendarDayRow[]> {
    return db
      .select()
      .from(calendarDays)
      .where(and(gte(calendarDays.day, `${year}-01-01`), lte(calendarDays.day, `${year}-12-31`)))
      .orderBy(asc(calendarDays.day));
  },
  async find(db: DbOrTx, day: string): Promise<CalendarDayRow | undefined> {
    const [r] = await db.select().from(calendarDays).where(eq(calendarDays.day, day));
    return r;
  },
  /** Reads the day and locks it (when it exists) until the transaction ends: the before of an audited edit. */
  async lock(db: DbOrTx, day: string): Promise<CalendarDayRow | undefined> {
    const [r] = await db.select().from(calendarDays).where(eq(calendarDays.day, day)).for('update');
    return r;
  },
  async upsert(
    db: DbOrTx,
    row: { day: string; kind: DayKind; name: string; updatedAt: Date; updatedBy: string | null },
  ): Promise<CalendarDayRow> {
    const [r] = await db
      .insert(calendarDays)
      .values(row)
      .onConflictDoUpdate({
        target: calendarDays.day,
        set: { kind: row.kind, name: row.name, updatedAt: row.updatedAt, updatedBy: row.updatedBy },
      })
      .returning();
    return r!;
  },
  async remove(db: DbOrTx, day: string): Promise<CalendarDayRow | undefined> {
    const [r] = await db.delete(calendarDays).where(eq(calendarDays.day, day)).returning();
    return r;
  },
  /** Days a seed adds; a day already present (an administrator's entry) is left as it is. */
  async insertMissing(db: DbOrTx, rows: { day: string; kind: DayKind; name: string; updatedAt: Date }[]): Promise<void> {
    if (rows.length) await db.insert(calendarDays).values(rows).onConflictDoNothing();
  },
  /**
   * Claims a published schedule for loading: true once, for the first caller ever (instances starting
   * together queue on the primary key; the loser sees the winner's row and gets false).
   */
  async claimSeed(db: DbOrTx, key: string, at: Date): Promise<boolean> {
    const rows = await db.insert(calendarSeeds).values({ key, seededAt: at }).onConflictDoNothing().returning({ key: calendarSeeds.key });
    return rows.length === 1;
  },
};
