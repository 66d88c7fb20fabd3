/** SQL of the outbox read by health and metrics (the worker's own SQL is in outbox.ts). */
import { inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { outbox } from '../../db/schema.js';

export const outboxRepository = {
  /** Messages waiting to be sent and those given up on, by channel; sent ones grow for ever and are not counted. */
  async unsentCounts(db: DbOrTx): Promise<{ status: 'pending' | 'dead'; channel: string; count: number }[]> {
    const rows = await db
      .select({ status: outbox.status, channel: outbox.channel, count: sql<number>`count(*)::int` })
      .from(outbox)
      .where(inArray(outbox.status, ['pending', 'dead']))
      .groupBy(outbox.status, outbox.channel);
    return rows.map((r) => ({ status: r.status as 'pending' | 'dead', channel: r.channel, count: Number(r.count) }));
  },
};
