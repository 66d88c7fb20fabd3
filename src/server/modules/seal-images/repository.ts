/** SQL for extracted seal images (tables seal_extractions, seal_extraction_images, seal_image_confirmations). */
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { sealExtractionImages, sealExtractions, sealImageConfirmations } from '../../db/schema.js';

export type SealExtractionRow = typeof sealExtractions.$inferSelect;
export type SealExtractionImageRow = typeof sealExtractionImages.$inferSelect;
export type SealConfirmationRow = typeof sealImageConfirmations.$inferSelect;

export const sealImageRepository = {
  async findAuto(db: DbOrTx, documentId: string): Promise<SealExtractionRow | undefined> {
    const [r] = await db
      .select()
      .from(sealExtractions)
      .where(and(eq(sealExtractions.documentId, documentId), eq(sealExtractions.source, 'auto')));
    return r;
  },
  async findInOrder(db: DbOrTx, orderId: string, extractionId: string): Promise<SealExtractionRow | undefined> {
    const [r] = await db
      .select()
      .from(sealExtractions)
      .where(and(eq(sealExtractions.id, extractionId), eq(sealExtractions.orderId, orderId)));
    return r;
  },
  /** The newest run for a document (staff adjustments come after the automatic one). */
  async latestForDocument(db: DbOrTx, documentId: string): Promise<SealExtractionRow | undefined> {
    const [r] = await db
      .select()
      .from(sealExtractions)
      .where(eq(sealExtractions.documentId, documentId))
      .orderBy(desc(sealExtractions.createdAt), desc(sql`source = 'staff'`))
      .limit(1);
    return r;
  },
  /**
   * Inserts a run with its images. The automatic run is unique per document: when another request got
   * there first, nothing is written and undefined is returned (the caller re-reads).
   */
  async insertRun(
    db: DbOrTx,
    run: typeof sealExtractions.$inferInsert,
    images: Omit<typeof sealExtractionImages.$inferInsert, 'extractionId'>[],
  ): Promise<SealExtractionRow | undefined> {
    const [r] = await db.insert(sealExtractions).values(run).onConflictDoNothing().returning();
    if (!r) return undefined;
    if (images.length) await db.insert(sealExtractionImages).values(images.map((i) => ({ ...i, extractionId: r.id })));
    return r;
  },
  async images(db: DbOrTx, extractionId: string): Promise<SealExtractionImageRow[]> {
    return db
      .select()
      .from(sealExtractionImages)
      .where(eq(sealExtractionImages.extractionId, extractionId))
      .orderBy(sealExtractionImages.kind, sealExtractionImages.box);
  },
  async image(db: DbOrTx, extractionId: string, kind: string, box: number): Promise<SealExtractionImageRow | undefined> {
    const [r] = await db
      .select()
      .from(sealExtractionImages)
      .where(
        and(eq(sealExtractionImages.extractionId, extractionId), eq(sealExtractionImages.kind, kind), eq(sealExtractionImages.box, box)),
      );
    return r;
  },
  async confirmation(db: DbOrTx, orderId: string): Promise<SealConfirmationRow | undefined> {
    const [r] = await db.select().from(sealImageConfirmations).where(eq(sealImageConfirmations.orderId, orderId));
    return r;
  },
  /** First confirmation: inserted only if none exists (a concurrent one wins, this returns undefined). */
  async insertConfirmation(db: DbOrTx, row: typeof sealImageConfirmations.$inferInsert): Promise<SealConfirmationRow | undefined> {
    const [r] = await db.insert(sealImageConfirmations).values(row).onConflictDoNothing().returning();
    return r;
  },
  /** Later confirmation: compare-and-set on the version the staff member saw. */
  async updateConfirmation(
    db: DbOrTx,
    orderId: string,
    expectedVersion: number,
    set: Pick<SealConfirmationRow, 'extractionId' | 'picks' | 'confirmedBy' | 'confirmedAt'>,
  ): Promise<SealConfirmationRow | undefined> {
    const [r] = await db
      .update(sealImageConfirmations)
      .set({ ...set, version: expectedVersion + 1 })
      .where(and(eq(sealImageConfirmations.orderId, orderId), eq(sealImageConfirmations.version, expectedVersion)))
      .returning();
    return r;
  },
  /** The confirmed images: per kind, the picked box of the confirmed run. */
  async confirmedImages(db: DbOrTx, orderId: string): Promise<SealExtractionImageRow[]> {
    const c = await this.confirmation(db, orderId);
    if (!c) return [];
    const rows = await db
      .select()
      .from(sealExtractionImages)
      .where(and(eq(sealExtractionImages.extractionId, c.extractionId), inArray(sealExtractionImages.kind, Object.keys(c.picks))));
    return rows.filter((r) => c.picks[r.kind] === r.box);
  },
};
