import { and, eq, lt } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { sessions } from '../../db/schema.js';

export type Realm = 'org' | 'staff';
export type SessionRow = typeof sessions.$inferSelect;

export const sessionRepository = {
  async insert(db: DbOrTx, row: typeof sessions.$inferInsert): Promise<void> {
    await db.insert(sessions).values(row);
  },
  async find(db: DbOrTx, idHash: string, realm: Realm): Promise<SessionRow | undefined> {
    const [row] = await db
      .select()
      .from(sessions)
      .where(and(eq(sessions.idHash, idHash), eq(sessions.realm, realm)));
    return row;
  },
  async touch(db: DbOrTx, idHash: string, at: Date): Promise<void> {
    await db.update(sessions).set({ lastSeenAt: at }).where(eq(sessions.idHash, idHash));
  },
  async delete(db: DbOrTx, idHash: string): Promise<void> {
    await db.delete(sessions).where(eq(sessions.idHash, idHash));
  },
  async deleteForSubject(db: DbOrTx, realm: Realm, subjectId: string): Promise<void> {
    await db.delete(sessions).where(and(eq(sessions.realm, realm), eq(sessions.subjectId, subjectId)));
  },
  async deleteExpired(db: DbOrTx, now: Date, idleBefore: Date): Promise<void> {
    await db.delete(sessions).where(lt(sessions.expiresAt, now));
    await db.delete(sessions).where(lt(sessions.lastSeenAt, idleBefore));
  },
};
