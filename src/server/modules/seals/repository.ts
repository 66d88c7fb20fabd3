/** SQL for electronic seals (table seals). */
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { seals, type SealKind } from '../../db/schema.js';

export type SealRow = typeof seals.$inferSelect;
export type NewSeal = typeof seals.$inferInsert;

export const sealRepository = {
  async insert(db: DbOrTx, row: NewSeal): Promise<SealRow> {
    const [r] = await db.insert(seals).values(row).returning();
    return r!;
  },
  async findById(db: DbOrTx, id: string): Promise<SealRow | undefined> {
    const [r] = await db.select().from(seals).where(eq(seals.id, id));
    return r;
  },
  async findByEsId(db: DbOrTx, esId: string): Promise<SealRow | undefined> {
    const [r] = await db.select().from(seals).where(eq(seals.esId, esId));
    return r;
  },
  /** The active seals of a certificate, company first. */
  async activeForCertificate(db: DbOrTx, certificateId: string): Promise<SealRow[]> {
    return db
      .select()
      .from(seals)
      .where(and(eq(seals.certificateId, certificateId), eq(seals.status, 'active')))
      .orderBy(asc(seals.createdAt), asc(seals.kind));
  },
  /** The active seals of these certificates (我的证书 lists them with each certificate). */
  async activeForCertificates(db: DbOrTx, certificateIds: string[]): Promise<SealRow[]> {
    if (!certificateIds.length) return [];
    return db
      .select()
      .from(seals)
      .where(and(inArray(seals.certificateId, certificateIds), eq(seals.status, 'active')))
      .orderBy(asc(seals.createdAt), asc(seals.kind));
  },
  /** Every seal of an order, newest first (superseded ones too: the staff page shows the history). */
  async forOrder(db: DbOrTx, orderId: string): Promise<SealRow[]> {
    return db.select().from(seals).where(eq(seals.orderId, orderId)).orderBy(desc(seals.createdAt), asc(seals.kind));
  },
  /** Compare-and-set active → superseded. */
  async supersede(db: DbOrTx, id: string, at: Date): Promise<boolean> {
    const r = await db
      .update(seals)
      .set({ status: 'superseded', supersededAt: at })
      .where(and(eq(seals.id, id), eq(seals.status, 'active')))
      .returning({ id: seals.id });
    return r.length === 1;
  },
  async activeOfKind(db: DbOrTx, certificateId: string, kind: SealKind): Promise<SealRow | undefined> {
    const [r] = await db
      .select()
      .from(seals)
      .where(and(eq(seals.certificateId, certificateId), eq(seals.kind, kind), eq(seals.status, 'active')));
    return r;
  },
};
