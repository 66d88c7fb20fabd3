/** Captchas (table `captchas`): the HMAC of the answer, and when it was used — once. */
import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { captchas } from '../../db/schema.js';

export const captchaRepository = {
  async insert(db: DbOrTx, row: typeof captchas.$inferInsert): Promise<void> {
    await db.insert(captchas).values(row);
  },
  async deleteExpiredBefore(db: DbOrTx, before: Date): Promise<void> {
    await db.delete(captchas).where(lt(captchas.expiresAt, before));
  },
  /**
   * Marks the captcha used if it is unused and unexpired (compare-and-set, so it is spent exactly once) and
   * returns its answer's HMAC; undefined when it was not there to spend.
   */
  async spend(db: DbOrTx, id: string, now: Date): Promise<string | undefined> {
    const [row] = await db
      .update(captchas)
      .set({ usedAt: now })
      .where(and(eq(captchas.id, id), isNull(captchas.usedAt), gt(captchas.expiresAt, now)))
      .returning({ answerHash: captchas.answerHash });
    return row?.answerHash;
  },
};
