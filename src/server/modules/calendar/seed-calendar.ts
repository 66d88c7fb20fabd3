/**
 * Loads the published holiday schedules (official-schedules.ts) into the working-day calendar at start.
 * Idempotent: each schedule is loaded once, in one transaction with its marker row, so restarting (or
 * several instances starting together) never loads it twice, and a day an administrator deleted or
 * changed afterwards is not put back.
 */
import type { Db } from '../../db/client.js';
import { OFFICIAL_SCHEDULES, scheduleDays } from './official-schedules.js';
import { calendarRepository } from './repository.js';

export async function seedCalendar(db: Db, now: Date): Promise<void> {
  for (const s of OFFICIAL_SCHEDULES) {
    await db.transaction(async (tx) => {
      if (!(await calendarRepository.claimSeed(tx, s.key, now))) return;
      await calendarRepository.insertMissing(
        tx,
        scheduleDays(s).map((d) => ({ ...d, updatedAt: now })),
      );
    });
  }
}
