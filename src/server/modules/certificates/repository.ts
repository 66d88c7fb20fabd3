/**
 * SQL of the certificate registry. Lists are keyset-paginated newest first by (created_at, id), each
 * search key on its own index (serial: certificates_serial_uq; USCC: certificates_uscc_idx; project:
 * certificates_project_idx), as in modules/staff-orders.
 */
import { and, desc, eq, getTableColumns, gt, ilike, inArray, isNull, like, ne, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { ENDED } from '../../../core/workflow.js';
import type { DbOrTx } from '../../db/client.js';
import { certificates, type CertificateStatus } from '../../db/schema-certificates.js';
import { counterOrders } from '../../db/schema-counter.js';
import { orders } from '../../db/schema-core.js';
import type { Cursor } from '../staff-orders/cursor.js';

export type CertificateRow = typeof certificates.$inferSelect;
export type NewCertificate = typeof certificates.$inferInsert;

/**
 * A serial as the registry keys it: lower-case hex of the positive integer without leading zeros — what
 * OpenSSL prints, folded — whether typed with colons, spaces, upper case or DER's leading 00.
 */
export function normalizeSerial(input: string): string | null {
  const hex = input.replace(/[\s:-]/g, '').toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex) || hex.length > 40) return null;
  const stripped = hex.replace(/^0+/, '');
  return stripped === '' ? null : stripped;
}

const exactTs = sql<string>`to_char(${certificates.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export type CertificateSearchKey = 'serial' | 'uscc' | 'unitName' | 'project';

function searchCondition(key: CertificateSearchKey, value: string): SQL | undefined {
  switch (key) {
    case 'serial':
      return eq(certificates.serial, normalizeSerial(value) ?? '-');
    case 'uscc':
      return eq(certificates.uscc, value.toUpperCase());
    case 'unitName': {
      const pattern = `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      return value.toLowerCase() === value.toUpperCase() ? like(certificates.unitName, pattern) : ilike(certificates.unitName, pattern);
    }
    case 'project':
      return eq(certificates.projectCode, value);
  }
}

export const certificateRepository = {
  async insert(db: DbOrTx, row: NewCertificate): Promise<CertificateRow> {
    const [r] = await db.insert(certificates).values(row).returning();
    return r!;
  },
  async insertMany(db: DbOrTx, rows: NewCertificate[]): Promise<number> {
    let n = 0;
    // PostgreSQL takes at most 65,535 parameters per statement: ~25 columns x 1,000 rows stays below.
    for (let i = 0; i < rows.length; i += 1000) {
      const r = await db
        .insert(certificates)
        .values(rows.slice(i, i + 1000))
        .returning({ id: certificates.id });
      n += r.length;
    }
    return n;
  },
  async findById(db: DbOrTx, id: string): Promise<CertificateRow | undefined> {
    const [r] = await db.select().from(certificates).where(eq(certificates.id, id));
    return r;
  },
  async findBySerial(db: DbOrTx, serial: string): Promise<CertificateRow | undefined> {
    const [r] = await db.select().from(certificates).where(eq(certificates.serial, serial));
    return r;
  },
  /**
   * What the CA signer checks before it signs a certificate (status, recorded TBS, notAfter), for several
   * serials in one query: the signer batches the requests that arrive together (src/signer/registry.ts).
   */
  async signingChecks(db: DbOrTx, serials: string[]) {
    if (serials.length === 0) return [];
    return db
      .select({ serial: certificates.serial, status: certificates.status, tbs: certificates.tbs, notAfter: certificates.notAfter })
      .from(certificates)
      .where(inArray(certificates.serial, serials));
  },
  /** The order's live issuance (pending, issued or revoked), locked: one per order (certificates_order_uq). */
  async liveForOrder(db: DbOrTx, orderId: string, lock = false): Promise<CertificateRow | undefined> {
    const q = db
      .select()
      .from(certificates)
      .where(and(eq(certificates.orderId, orderId), ne(certificates.status, 'failed')));
    const [r] = lock ? await q.for('update') : await q;
    return r;
  },
  /**
   * Gives up a pending issuance (its key is gone, or lint refused it): compare-and-set from 'pending'. Its
   * encryption certificate, pending with it, goes with it (docs/kmc.md).
   */
  async abandon(db: DbOrTx, id: string, flag: string, at: Date): Promise<boolean> {
    const r = await db
      .update(certificates)
      .set({ status: 'failed', flag, updatedAt: at })
      .where(and(eq(certificates.id, id), eq(certificates.status, 'pending')))
      .returning({ id: certificates.id });
    if (r.length === 1)
      await db
        .update(certificates)
        .set({ status: 'failed', flag, updatedAt: at })
        .where(and(eq(certificates.signingCertificateId, id), eq(certificates.status, 'pending')));
    return r.length === 1;
  },
  /** The encryption certificate of a signing certificate (pending, issued or revoked), optionally locked. */
  async encryptionOf(db: DbOrTx, signingId: string, lock = false): Promise<CertificateRow | undefined> {
    const q = db
      .select()
      .from(certificates)
      .where(and(eq(certificates.signingCertificateId, signingId), ne(certificates.status, 'failed')));
    const [r] = lock ? await q.for('update') : await q;
    return r;
  },
  /** The live encryption certificates of several signing certificates (我的证书, the registry's lists). */
  async encryptionsOf(db: DbOrTx, signingIds: string[]): Promise<CertificateRow[]> {
    if (signingIds.length === 0) return [];
    return db
      .select()
      .from(certificates)
      .where(and(inArray(certificates.signingCertificateId, signingIds), ne(certificates.status, 'failed')));
  },
  /** Stores the signed certificate: compare-and-set pending → issued; its OCSP response is due at once. */
  async storeIssued(db: DbOrTx, id: string, der: Buffer, at: Date, flag?: string): Promise<CertificateRow | undefined> {
    const [r] = await db
      .update(certificates)
      .set({ status: 'issued', der, issuedAt: at, updatedAt: at, ocspDueAt: at, ...(flag ? { flag } : {}) })
      .where(and(eq(certificates.id, id), eq(certificates.status, 'pending')))
      .returning();
    return r;
  },
  /**
   * Several pending rows in one statement (group-commit.ts). A row that would break a unique index (its
   * serial, or a second live issuance of one order) is skipped, not an error, so it fails alone: the rows
   * answered are the ones recorded, keyed by serial.
   */
  async insertPendingMany(db: DbOrTx, rows: NewCertificate[]): Promise<CertificateRow[]> {
    if (rows.length === 0) return [];
    return db.insert(certificates).values(rows).onConflictDoNothing().returning();
  },
  /**
   * storeIssued for several rows in one statement: UPDATE … FROM (VALUES …), each compare-and-set from
   * 'pending' on its own. The rows answered are the ones that moved; one that was no longer pending is
   * simply not among them.
   */
  async storeIssuedMany(db: DbOrTx, items: { id: string; der: Buffer; at: Date }[]): Promise<CertificateRow[]> {
    if (items.length === 0) return [];
    const values = sql.join(
      items.map((i) => sql`(${i.id}::uuid, ${i.der}::bytea, ${i.at.toISOString()}::timestamptz)`),
      sql`, `,
    );
    return db
      .update(certificates)
      .set({ status: 'issued', der: sql`v.der`, issuedAt: sql`v.at`, updatedAt: sql`v.at`, ocspDueAt: sql`v.at` })
      .from(sql`(values ${values}) as v(id, der, at)`)
      .where(and(sql`${certificates.id} = v.id`, eq(certificates.status, 'pending')))
      .returning(getTableColumns(certificates));
  },
  async flag(db: DbOrTx, id: string, flag: string, at: Date): Promise<void> {
    await db.update(certificates).set({ flag, updatedAt: at }).where(eq(certificates.id, id));
  },
  async existingSerials(db: DbOrTx, serials: string[]): Promise<string[]> {
    if (serials.length === 0) return [];
    const r = await db.select({ serial: certificates.serial }).from(certificates).where(inArray(certificates.serial, serials));
    return r.map((x) => x.serial);
  },
  /** One page of the registry (optionally one search key), newest first, limit + 1 rows. */
  async page(db: DbOrTx, search: { key: CertificateSearchKey; value: string } | null, after: Cursor | null, limit: number) {
    return db
      .select({
        id: certificates.id,
        serial: certificates.serial,
        family: certificates.family,
        uscc: certificates.uscc,
        unitName: certificates.unitName,
        projectCode: certificates.projectCode,
        keyType: certificates.keyType,
        usage: certificates.usage,
        status: certificates.status,
        source: certificates.source,
        notBefore: certificates.notBefore,
        notAfter: certificates.notAfter,
        orderId: certificates.orderId,
        flag: certificates.flag,
        createdAt: certificates.createdAt,
        sortTs: exactTs,
      })
      .from(certificates)
      .where(
        and(
          search ? searchCondition(search.key, search.value) : undefined,
          after ? sql`(${certificates.createdAt}, ${certificates.id}) < (${after.ts}::timestamptz, ${after.id}::uuid)` : undefined,
        ),
      )
      .orderBy(desc(certificates.createdAt), desc(certificates.id))
      .limit(limit + 1);
  },
  /**
   * The keys an organization holds for a project, for the main/sub rule: issued (online or imported), not
   * revoked, not expired. Imported rows may predate the organization's account, so they match by USCC.
   */
  /**
   * Main keys of the organization and project on their way to the registry: online orders not deleted or
   * cancelled (with their status: 制证完成 and 已发放 hold a key), and counter 新办 orders not yet issued (once
   * issued, the registry row counts). Read here, beside the registry, so that the main/sub rule
   * (key-holdings.ts) is one module's question and neither orders nor counter depends on the other for it.
   */
  async mainKeyOrders(db: DbOrTx, organizationId: string, projectCode: string) {
    const online = await db
      .select({ id: orders.id, status: orders.status })
      .from(orders)
      .where(
        and(
          eq(orders.organizationId, organizationId),
          eq(orders.projectCode, projectCode),
          eq(orders.keyType, 'main'),
          notInArray(orders.status, [...ENDED]),
        ),
      );
    const atCounter = await db
      .select({ id: counterOrders.id })
      .from(counterOrders)
      .where(
        and(
          eq(counterOrders.organizationId, organizationId),
          eq(counterOrders.projectCode, projectCode),
          eq(counterOrders.keyType, 'main'),
          eq(counterOrders.business, 'new'),
          notInArray(counterOrders.status, ['completed', 'cancelled']),
          isNull(counterOrders.certificateId),
        ),
      );
    return { online, atCounter };
  },
  async heldKeys(db: DbOrTx, q: { organizationId: string; uscc: string; projectCode: string; now: Date }) {
    return db
      .select({ id: certificates.id, keyType: certificates.keyType, serial: certificates.serial, notAfter: certificates.notAfter })
      .from(certificates)
      .where(
        and(
          eq(certificates.projectCode, q.projectCode),
          or(eq(certificates.organizationId, q.organizationId), eq(certificates.uscc, q.uscc)),
          eq(certificates.status, 'issued'),
          gt(certificates.notAfter, q.now),
          // A key is its signing certificate; a pair's encryption certificate is not a second key.
          eq(certificates.usage, 'signing'),
        ),
      );
  },
  /** The public status query: certificates with this serial or of this USCC (never pending or failed ones). */
  async forStatus(db: DbOrTx, by: { serial: string } | { uscc: string }, limit = 20) {
    const visible: CertificateStatus[] = ['issued', 'revoked'];
    return db
      .select()
      .from(certificates)
      .where(
        and('serial' in by ? eq(certificates.serial, by.serial) : eq(certificates.uscc, by.uscc), inArray(certificates.status, visible)),
      )
      .orderBy(desc(certificates.createdAt))
      .limit(limit);
  },
};
