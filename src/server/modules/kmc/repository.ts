/** SQL of the KMC's escrow (db/schema-kmc.ts). */
import { and, desc, eq, inArray, isNotNull, isNull } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { certificates } from '../../db/schema-certificates.js';
import { kmcKeys, kmcRecoveries, type KmcKeyRow, type KmcRecoveryRow } from '../../db/schema-kmc.js';
import { staff } from '../../db/schema.js';

export type { KmcKeyRow, KmcRecoveryRow };

export const kmcRepository = {
  async insert(db: DbOrTx, row: typeof kmcKeys.$inferInsert): Promise<KmcKeyRow> {
    const [r] = await db.insert(kmcKeys).values(row).returning();
    return r!;
  },
  async forCertificate(db: DbOrTx, certificateId: string): Promise<KmcKeyRow | undefined> {
    const [r] = await db.select().from(kmcKeys).where(eq(kmcKeys.certificateId, certificateId));
    return r;
  },
  /**
   * Takes the envelope, once: compare-and-set from "not yet downloaded", the envelope cleared in the same
   * statement. Undefined when it was taken already (or there never was one).
   */
  async takeEnvelope(db: DbOrTx, certificateId: string, staffId: string, at: Date): Promise<Buffer | undefined> {
    const [before] = await db
      .select({ envelope: kmcKeys.envelope })
      .from(kmcKeys)
      .where(and(eq(kmcKeys.certificateId, certificateId), isNull(kmcKeys.envelopeDownloadedAt), isNotNull(kmcKeys.envelope)))
      .for('update');
    if (!before?.envelope) return undefined;
    const r = await db
      .update(kmcKeys)
      .set({ envelope: null, envelopeDownloadedAt: at, envelopeDownloadedBy: staffId })
      .where(and(eq(kmcKeys.certificateId, certificateId), isNull(kmcKeys.envelopeDownloadedAt)))
      .returning({ id: kmcKeys.id });
    return r.length === 1 ? before.envelope : undefined;
  },

  // ——— 密钥恢复 ———
  async insertRecovery(db: DbOrTx, row: typeof kmcRecoveries.$inferInsert): Promise<KmcRecoveryRow> {
    const [r] = await db.insert(kmcRecoveries).values(row).returning();
    return r!;
  },
  async recovery(db: DbOrTx, id: string, lock = false): Promise<KmcRecoveryRow | undefined> {
    const q = db.select().from(kmcRecoveries).where(eq(kmcRecoveries.id, id));
    const [r] = lock ? await q.for('update') : await q;
    return r;
  },
  /** The newest requests with their encryption certificate's serial and unit (the 密钥管理员's list). */
  async recoveries(db: DbOrTx, limit = 200) {
    return db
      .select({
        id: kmcRecoveries.id,
        certificateId: kmcRecoveries.certificateId,
        kind: kmcRecoveries.kind,
        recipientDocument: kmcRecoveries.recipientDocument,
        reason: kmcRecoveries.reason,
        status: kmcRecoveries.status,
        requestedBy: kmcRecoveries.requestedBy,
        requestedAt: kmcRecoveries.requestedAt,
        decidedBy: kmcRecoveries.decidedBy,
        decidedAt: kmcRecoveries.decidedAt,
        decisionNote: kmcRecoveries.decisionNote,
        deliveredBy: kmcRecoveries.deliveredBy,
        deliveredAt: kmcRecoveries.deliveredAt,
        serial: certificates.serial,
        unitName: certificates.unitName,
        uscc: certificates.uscc,
        certificateStatus: certificates.status,
      })
      .from(kmcRecoveries)
      .innerJoin(certificates, eq(certificates.id, kmcRecoveries.certificateId))
      .orderBy(desc(kmcRecoveries.requestedAt), desc(kmcRecoveries.id))
      .limit(limit);
  },
  async staffNames(db: DbOrTx, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const r = await db.select({ id: staff.id, name: staff.displayName }).from(staff).where(inArray(staff.id, ids));
    return new Map(r.map((x) => [x.id, x.name]));
  },
  /** pending → approved | refused, compare-and-set. */
  async decideRecovery(
    db: DbOrTx,
    id: string,
    d: { status: 'approved' | 'refused'; decidedBy: string; decidedAt: Date; decisionNote: string | null },
  ): Promise<boolean> {
    const r = await db
      .update(kmcRecoveries)
      .set(d)
      .where(and(eq(kmcRecoveries.id, id), eq(kmcRecoveries.status, 'pending')))
      .returning({ id: kmcRecoveries.id });
    return r.length === 1;
  },
  /** The one delivery of an approved recovery, compare-and-set. */
  async markDelivered(db: DbOrTx, id: string, staffId: string, at: Date): Promise<boolean> {
    const r = await db
      .update(kmcRecoveries)
      .set({ deliveredBy: staffId, deliveredAt: at })
      .where(and(eq(kmcRecoveries.id, id), eq(kmcRecoveries.status, 'approved'), isNull(kmcRecoveries.deliveredAt)))
      .returning({ id: kmcRecoveries.id });
    return r.length === 1;
  },
  /** The signer's check before it re-envelopes: an approved, undelivered recovery of this key for this recipient. */
  async approvedRecoveryFor(db: DbOrTx, publicKey: Uint8Array, recipient: Uint8Array): Promise<boolean> {
    const r = await db
      .select({ id: kmcRecoveries.id })
      .from(kmcRecoveries)
      .innerJoin(kmcKeys, eq(kmcKeys.id, kmcRecoveries.kmcKeyId))
      .where(
        and(
          eq(kmcKeys.publicKey, Buffer.from(publicKey)),
          eq(kmcRecoveries.recipient, Buffer.from(recipient)),
          eq(kmcRecoveries.status, 'approved'),
          isNull(kmcRecoveries.deliveredAt),
        ),
      )
      .limit(1);
    return r.length === 1;
  },
};
