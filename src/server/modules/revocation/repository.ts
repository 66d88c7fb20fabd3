/**
 * SQL of revocation: requests and their decision, the certificate's issued → revoked compare-and-set, CRL
 * shard state (number, marker) and the pre-signed OCSP responses.
 */
import { and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { certificates, type CertificateStatus } from '../../db/schema-certificates.js';
import {
  caOperationalCertificates,
  crlDocuments,
  crlShards,
  ocspResponses,
  revocationRequests,
  type RevocationRequestStatus,
} from '../../db/schema-revocation.js';
import { staff } from '../../db/schema.js';

export type RevocationRequestRow = typeof revocationRequests.$inferSelect;
export type CrlShardRow = typeof crlShards.$inferSelect;
export type CrlDocumentRow = typeof crlDocuments.$inferSelect;
export type OperationalCertificateRow = typeof caOperationalCertificates.$inferSelect;

/** What OCSP answers from, the same columns in the registry and in the CA's own certificates. */
const ocspColumns = (t: typeof certificates | typeof caOperationalCertificates) => ({
  serial: t.serial,
  family: t.family,
  issuerKeyId: t.issuerKeyId,
  status: t.status,
  revokedAt: t.revokedAt,
  revocationReason: t.revocationReason,
  notAfter: t.notAfter,
});

export const revocationRepository = {
  /** Inserts a pending request; null when the certificate already has one open (revocation_requests_open_uq). */
  async insertRequest(db: DbOrTx, row: typeof revocationRequests.$inferInsert): Promise<RevocationRequestRow | null> {
    const r = await db.insert(revocationRequests).values(row).onConflictDoNothing().returning();
    return r[0] ?? null;
  },
  async requestById(db: DbOrTx, id: string, lock = false): Promise<RevocationRequestRow | undefined> {
    const q = db.select().from(revocationRequests).where(eq(revocationRequests.id, id));
    const [r] = lock ? await q.for('update') : await q;
    return r;
  },
  async decide(
    db: DbOrTx,
    id: string,
    d: { status: Exclude<RevocationRequestStatus, 'pending'>; decidedBy: string; decidedAt: Date; decisionNote: string | null },
  ): Promise<boolean> {
    const r = await db
      .update(revocationRequests)
      .set(d)
      .where(and(eq(revocationRequests.id, id), eq(revocationRequests.status, 'pending')))
      .returning({ id: revocationRequests.id });
    return r.length === 1;
  },
  /** The queue (pending, oldest first) or the history (decided, newest first), with the certificate. */
  async list(db: DbOrTx, which: 'pending' | 'decided', limit = 200) {
    return db
      .select({
        id: revocationRequests.id,
        certificateId: revocationRequests.certificateId,
        serial: revocationRequests.serial,
        source: revocationRequests.source,
        reason: revocationRequests.reason,
        note: revocationRequests.note,
        requestedByStaff: revocationRequests.requestedByStaff,
        requestedByOrg: revocationRequests.requestedByOrg,
        requestedAt: revocationRequests.requestedAt,
        status: revocationRequests.status,
        decidedBy: revocationRequests.decidedBy,
        decidedAt: revocationRequests.decidedAt,
        decisionNote: revocationRequests.decisionNote,
        unitName: certificates.unitName,
        uscc: certificates.uscc,
        family: certificates.family,
        certificateStatus: certificates.status,
        revokedAt: certificates.revokedAt,
      })
      .from(revocationRequests)
      .innerJoin(certificates, eq(certificates.id, revocationRequests.certificateId))
      .where(which === 'pending' ? eq(revocationRequests.status, 'pending') : inArray(revocationRequests.status, ['approved', 'refused']))
      .orderBy(which === 'pending' ? asc(revocationRequests.requestedAt) : desc(revocationRequests.decidedAt))
      .limit(limit);
  },
  async requestsOfCertificate(db: DbOrTx, certificateId: string) {
    return db
      .select()
      .from(revocationRequests)
      .where(eq(revocationRequests.certificateId, certificateId))
      .orderBy(desc(revocationRequests.requestedAt));
  },
  async staffNames(db: DbOrTx, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const r = await db.select({ id: staff.id, name: staff.displayName }).from(staff).where(inArray(staff.id, ids));
    return new Map(r.map((x) => [x.id, x.name]));
  },

  /** issued → revoked, compare-and-set (RFC 5280: a revocation is final; a second approval finds nothing); OCSP due at once. */
  async revokeCertificate(db: DbOrTx, id: string, at: Date, reason: number) {
    const [r] = await db
      .update(certificates)
      .set({ status: 'revoked', revokedAt: at, revocationReason: reason, updatedAt: at, ocspDueAt: at })
      .where(and(eq(certificates.id, id), eq(certificates.status, 'issued')))
      .returning();
    return r;
  },
  /** The encryption certificate of signing certificate `signingId`, issued → revoked with it (compare-and-set). */
  async revokeEncryptionOf(db: DbOrTx, signingId: string, at: Date, reason: number) {
    const [r] = await db
      .update(certificates)
      .set({ status: 'revoked', revokedAt: at, revocationReason: reason, updatedAt: at, ocspDueAt: at })
      .where(and(eq(certificates.signingCertificateId, signingId), eq(certificates.status, 'issued')))
      .returning();
    return r;
  },
  async lockCertificate(db: DbOrTx, id: string) {
    const [r] = await db.select().from(certificates).where(eq(certificates.id, id)).for('update');
    return r;
  },
  /** The organization's own certificates (issue 7's 我的证书 builds on this). */
  async certificatesOfOrg(db: DbOrTx, organizationId: string) {
    return db
      .select({
        id: certificates.id,
        serial: certificates.serial,
        family: certificates.family,
        unitName: certificates.unitName,
        projectCode: certificates.projectCode,
        keyType: certificates.keyType,
        status: certificates.status,
        notBefore: certificates.notBefore,
        notAfter: certificates.notAfter,
        revokedAt: certificates.revokedAt,
        revocationReason: certificates.revocationReason,
      })
      .from(certificates)
      .where(
        and(
          eq(certificates.organizationId, organizationId),
          inArray(certificates.status, ['issued', 'revoked']),
          eq(certificates.usage, 'signing'),
        ),
      )
      .orderBy(desc(certificates.createdAt))
      .limit(200);
  },
  async openRequestsOfOrg(db: DbOrTx, organizationId: string) {
    return db
      .select({ certificateId: revocationRequests.certificateId, requestedAt: revocationRequests.requestedAt })
      .from(revocationRequests)
      .innerJoin(certificates, eq(certificates.id, revocationRequests.certificateId))
      .where(and(eq(certificates.organizationId, organizationId), eq(revocationRequests.status, 'pending')));
  },

  /**
   * One page of an issuing CA's revoked certificates, in serial order after `after` (keyset pagination on
   * certificates_revoked_idx, or certificates_revoked_shard_idx for one shard): a CRL streams its entries
   * page by page, so neither the database nor this process ever holds the whole list at once.
   * `lastHexDigit`: only serials whose last hex digit is this one — shard s of CRL_SHARD_COUNT (16) is
   * serial mod 16 = the serial's last hex digit (the registry stores serials as lower-case hex).
   */
  async revokedPage(
    db: DbOrTx,
    q: { family: string; issuerKeyId: string; lastHexDigit?: string; expiredBefore?: Date; after: string | null; limit: number },
  ) {
    return db
      .select({ serial: certificates.serial, revokedAt: certificates.revokedAt, reason: certificates.revocationReason })
      .from(certificates)
      .where(
        and(
          eq(certificates.family, q.family),
          eq(certificates.issuerKeyId, q.issuerKeyId),
          eq(certificates.status, 'revoked'),
          q.lastHexDigit === undefined ? undefined : sql`right(${certificates.serial}, 1) = ${q.lastHexDigit}`,
          q.expiredBefore === undefined ? undefined : gte(certificates.notAfter, q.expiredBefore),
          q.after === null ? undefined : gt(certificates.serial, q.after),
        ),
      )
      .orderBy(asc(certificates.serial))
      .limit(q.limit);
  },
  /**
   * What the revoked certificates of an issuing CA (or one shard) add up to, to size a CRL's buffer before
   * streaming it: their number, their serials' octets and how many carry a reason code (crl/build.ts).
   */
  async revokedTotals(db: DbOrTx, q: { family: string; issuerKeyId: string; lastHexDigit?: string; expiredBefore?: Date }) {
    const [r] = await db
      .select({
        count: sql<number>`count(*)::int`,
        serialOctets: sql<number>`coalesce(sum((length(${certificates.serial}) + 1) / 2), 0)::bigint`.mapWith(Number),
        withReason: sql<number>`count(*) filter (where coalesce(${certificates.revocationReason}, 0) <> 0)::int`,
      })
      .from(certificates)
      .where(
        and(
          eq(certificates.family, q.family),
          eq(certificates.issuerKeyId, q.issuerKeyId),
          eq(certificates.status, 'revoked'),
          q.lastHexDigit === undefined ? undefined : sql`right(${certificates.serial}, 1) = ${q.lastHexDigit}`,
          q.expiredBefore === undefined ? undefined : gte(certificates.notAfter, q.expiredBefore),
        ),
      );
    return r!;
  },
  /**
   * The certificate an OCSP request names, by serial: a registry row (certificates_serial_uq) or else one of
   * the CA's own end-entity certificates (the seal maker's, the audit signer's: ca_operational_certificates).
   */
  /** certificateForOcsp for a batch of serials (the CA job's refresh): two queries, whatever their number. */
  async certificatesForOcsp(db: DbOrTx, serials: string[]) {
    if (serials.length === 0) return [];
    const rows = await db.select(ocspColumns(certificates)).from(certificates).where(inArray(certificates.serial, serials));
    const found = new Set(rows.map((r) => r.serial));
    const rest = serials.filter((s) => !found.has(s));
    if (rest.length === 0) return rows;
    const own = await db
      .select(ocspColumns(caOperationalCertificates))
      .from(caOperationalCertificates)
      .where(inArray(caOperationalCertificates.serial, rest));
    return [...rows, ...own];
  },
  async certificateForOcsp(db: DbOrTx, serial: string) {
    const [r] = await db.select(ocspColumns(certificates)).from(certificates).where(eq(certificates.serial, serial));
    if (r) return r;
    const [o] = await db
      .select(ocspColumns(caOperationalCertificates))
      .from(caOperationalCertificates)
      .where(eq(caOperationalCertificates.serial, serial));
    return o;
  },

  // --- The CA's own end-entity certificates (seal maker, audit signer) ---------------------------------
  /** Records them (a certificate already recorded keeps its row: its status is never reset). */
  async recordOperational(db: DbOrTx, rows: (typeof caOperationalCertificates.$inferInsert)[]): Promise<number> {
    if (rows.length === 0) return 0;
    const r = await db
      .insert(caOperationalCertificates)
      .values(rows)
      .onConflictDoNothing()
      .returning({ serial: caOperationalCertificates.serial });
    return r.length;
  },
  async operationalCertificates(db: DbOrTx, kind?: 'seal' | 'audit'): Promise<OperationalCertificateRow[]> {
    return db
      .select()
      .from(caOperationalCertificates)
      .where(kind ? eq(caOperationalCertificates.kind, kind) : undefined)
      .orderBy(desc(caOperationalCertificates.notBefore));
  },
  /** issued → revoked, compare-and-set, as revokeCertificate. */
  async revokeOperational(db: DbOrTx, serial: string, at: Date, reason: number): Promise<OperationalCertificateRow | undefined> {
    const [r] = await db
      .update(caOperationalCertificates)
      .set({ status: 'revoked', revokedAt: at, revocationReason: reason })
      .where(and(eq(caOperationalCertificates.serial, serial), eq(caOperationalCertificates.status, 'issued')))
      .returning();
    return r;
  },
  /** The revoked ones of an issuing CA (or one shard), for its CRLs: a handful, read whole. */
  async revokedOperational(db: DbOrTx, q: { family: string; issuerKeyId: string; lastHexDigit?: string }) {
    return db
      .select({
        serial: caOperationalCertificates.serial,
        revokedAt: caOperationalCertificates.revokedAt,
        reason: caOperationalCertificates.revocationReason,
      })
      .from(caOperationalCertificates)
      .where(
        and(
          eq(caOperationalCertificates.family, q.family),
          eq(caOperationalCertificates.issuerKeyId, q.issuerKeyId),
          eq(caOperationalCertificates.status, 'revoked'),
          q.lastHexDigit === undefined ? undefined : sql`right(${caOperationalCertificates.serial}, 1) = ${q.lastHexDigit}`,
        ),
      )
      .orderBy(asc(caOperationalCertificates.serial));
  },

  /**
   * What the OCSP responder needs about a serial it has no answer for in memory, in ONE indexed lookup
   * (certificates_serial_uq, then ocsp_responses' primary key): the registry row and its stored response, if
   * any. No row: a serial never issued here (issue 21: an unknown serial costs this one query).
   */
  async ocspLookup(db: DbOrTx, serial: string) {
    const stored = {
      der: ocspResponses.der,
      storedFamily: ocspResponses.family,
      storedStatus: ocspResponses.status,
      thisUpdate: ocspResponses.thisUpdate,
      nextUpdate: ocspResponses.nextUpdate,
    };
    const registry = db
      .select({
        serial: certificates.serial,
        family: certificates.family,
        issuerKeyId: certificates.issuerKeyId,
        status: sql<CertificateStatus>`${certificates.status}`.as('status'),
        revokedAt: certificates.revokedAt,
        revocationReason: certificates.revocationReason,
        notAfter: certificates.notAfter,
        ...stored,
      })
      .from(certificates)
      .leftJoin(ocspResponses, eq(ocspResponses.serial, certificates.serial))
      .where(eq(certificates.serial, serial));
    // The CA's own end-entity certificates (seal maker, audit signer) in the same statement: still one query.
    const own = db
      .select({
        serial: caOperationalCertificates.serial,
        family: caOperationalCertificates.family,
        issuerKeyId: caOperationalCertificates.issuerKeyId,
        status: sql<CertificateStatus>`${caOperationalCertificates.status}`.as('status'),
        revokedAt: caOperationalCertificates.revokedAt,
        revocationReason: caOperationalCertificates.revocationReason,
        notAfter: caOperationalCertificates.notAfter,
        ...stored,
      })
      .from(caOperationalCertificates)
      .leftJoin(ocspResponses, eq(ocspResponses.serial, caOperationalCertificates.serial))
      .where(eq(caOperationalCertificates.serial, serial));
    const [r] = await registry.unionAll(own).limit(1);
    if (!r) return undefined;
    const { der, storedFamily, storedStatus, thisUpdate, nextUpdate, ...row } = r;
    return {
      ...row,
      stored: der ? { der, family: storedFamily!, status: storedStatus!, thisUpdate: thisUpdate!, nextUpdate: nextUpdate! } : null,
    };
  },

  // --- CRL shards -------------------------------------------------------------------------------------
  async ensureShard(db: DbOrTx, family: string, shard: number, at: Date): Promise<void> {
    await db.insert(crlShards).values({ family, shard, dirtySince: at }).onConflictDoNothing();
  },
  /** The republish marker, set inside the revocation's transaction (outbox-style). */
  async markDirty(db: DbOrTx, family: string, shard: number, at: Date): Promise<void> {
    await db
      .insert(crlShards)
      .values({ family, shard, dirtySince: at })
      .onConflictDoUpdate({ target: [crlShards.family, crlShards.shard], set: { dirtySince: at } });
  },
  async shard(db: DbOrTx, family: string, shard: number): Promise<CrlShardRow | undefined> {
    const [r] = await db
      .select()
      .from(crlShards)
      .where(and(eq(crlShards.family, family), eq(crlShards.shard, shard)));
    return r;
  },
  /** Shards to publish: marked, never published, or with nextUpdate closer than `refreshBefore`. */
  async dueShards(db: DbOrTx, refreshBefore: Date): Promise<CrlShardRow[]> {
    return db
      .select()
      .from(crlShards)
      .where(or(isNotNull(crlShards.dirtySince), isNull(crlShards.nextUpdate), lt(crlShards.nextUpdate, refreshBefore)));
  },
  /** Per family: the soonest nextUpdate and the oldest thisUpdate of its published CRLs (health, metrics). */
  async crlFreshness(db: DbOrTx): Promise<{ family: string; nextUpdate: Date; thisUpdate: Date }[]> {
    const rows = await db
      .select({
        family: crlShards.family,
        nextUpdate: sql<string>`min(${crlShards.nextUpdate})`,
        thisUpdate: sql<string>`min(${crlShards.thisUpdate})`,
      })
      .from(crlShards)
      .where(isNotNull(crlShards.nextUpdate))
      .groupBy(crlShards.family);
    return rows.map((r) => ({ family: r.family, nextUpdate: new Date(r.nextUpdate), thisUpdate: new Date(r.thisUpdate) }));
  },
  /** Takes the next CRL number (RFC 5280 5.2.3: monotonically increasing); committed before signing, so never reused. */
  async nextCrlNumber(db: DbOrTx, family: string, shard: number): Promise<bigint> {
    const [r] = await db
      .update(crlShards)
      .set({ crlNumber: sql`${crlShards.crlNumber} + 1` })
      .where(and(eq(crlShards.family, family), eq(crlShards.shard, shard)))
      .returning({ n: crlShards.crlNumber });
    return r!.n;
  },
  /**
   * Claims the building of a scope's next CRL for `holder` until `ttlMs` from now (the database's clock, the
   * one all instances share): only when nobody holds it or the holder's claim has lapsed (compare-and-set).
   * False: someone is building it — another instance, or another call in this process.
   */
  async takeCrlLease(db: DbOrTx, family: string, shard: number, holder: string, ttlMs: number): Promise<boolean> {
    const r = await db
      .update(crlShards)
      .set({ leaseHolder: holder, leaseUntil: sql`clock_timestamp() + make_interval(secs => ${ttlMs / 1000}::float8)` })
      .where(
        and(
          eq(crlShards.family, family),
          eq(crlShards.shard, shard),
          or(isNull(crlShards.leaseUntil), sql`${crlShards.leaseUntil} <= clock_timestamp()`),
        ),
      )
      .returning({ family: crlShards.family });
    return r.length === 1;
  },
  /** Extends `holder`'s claim; false when another instance has taken the scope over (the claim had lapsed). */
  async renewCrlLease(db: DbOrTx, family: string, shard: number, holder: string, ttlMs: number): Promise<boolean> {
    const r = await db
      .update(crlShards)
      .set({ leaseUntil: sql`clock_timestamp() + make_interval(secs => ${ttlMs / 1000}::float8)` })
      .where(and(eq(crlShards.family, family), eq(crlShards.shard, shard), eq(crlShards.leaseHolder, holder)))
      .returning({ family: crlShards.family });
    return r.length === 1;
  },
  async releaseCrlLease(db: DbOrTx, family: string, shard: number, holder: string): Promise<void> {
    await db
      .update(crlShards)
      .set({ leaseHolder: null, leaseUntil: null })
      .where(and(eq(crlShards.family, family), eq(crlShards.shard, shard), eq(crlShards.leaseHolder, holder)));
  },
  /**
   * Stores a signed CRL unless the scope already has one with the same or a greater number (compare-and-set
   * on crl_number): a publisher that took its number earlier and finished later loses. True when stored.
   */
  async storeCrl(db: DbOrTx, row: typeof crlDocuments.$inferInsert): Promise<boolean> {
    const r = await db
      .insert(crlDocuments)
      .values(row)
      .onConflictDoUpdate({
        target: [crlDocuments.family, crlDocuments.issuerKeyId, crlDocuments.scope],
        set: {
          crlNumber: sql`excluded.crl_number`,
          thisUpdate: sql`excluded.this_update`,
          nextUpdate: sql`excluded.next_update`,
          sha256: sql`excluded.sha256`,
          size: sql`excluded.size`,
          der: sql`excluded.der`,
          storedAt: sql`excluded.stored_at`,
        },
        setWhere: sql`${crlDocuments.crlNumber} < excluded.crl_number`,
      })
      .returning({ crlNumber: crlDocuments.crlNumber });
    return r.length === 1;
  },
  /**
   * The stored CRLs' numbers and times for these signing keys, without their bytes: what an instance polls
   * (at most once a second, a few dozen short rows) to learn that a newer CRL exists.
   */
  async crlHeads(db: DbOrTx, issuerKeyIds: string[]) {
    if (issuerKeyIds.length === 0) return [];
    return db
      .select({
        family: crlDocuments.family,
        issuerKeyId: crlDocuments.issuerKeyId,
        scope: crlDocuments.scope,
        crlNumber: crlDocuments.crlNumber,
        nextUpdate: crlDocuments.nextUpdate,
      })
      .from(crlDocuments)
      .where(inArray(crlDocuments.issuerKeyId, issuerKeyIds));
  },
  /** One stored CRL with its bytes (whole: tests and tools; serving reads it in slices, crlDocumentSlice). */
  async crlDocument(db: DbOrTx, family: string, issuerKeyId: string, scope: number): Promise<CrlDocumentRow | undefined> {
    const [r] = await db
      .select()
      .from(crlDocuments)
      .where(and(eq(crlDocuments.family, family), eq(crlDocuments.issuerKeyId, issuerKeyId), eq(crlDocuments.scope, scope)));
    return r;
  },
  /** What identifies a stored CRL's bytes, without them: its number, size and SHA-256. */
  async crlDocumentHead(db: DbOrTx, family: string, issuerKeyId: string, scope: number) {
    const [r] = await db
      .select({ crlNumber: crlDocuments.crlNumber, size: crlDocuments.size, sha256: crlDocuments.sha256 })
      .from(crlDocuments)
      .where(and(eq(crlDocuments.family, family), eq(crlDocuments.issuerKeyId, issuerKeyId), eq(crlDocuments.scope, scope)));
    return r;
  },
  /**
   * `length` bytes of a stored CRL from `offset` (0-based), only while the scope still holds CRL number
   * `crlNumber` (undefined once a newer one replaced it). The column is stored uncompressed out of line
   * (migration 0027), so a slice reads only the TOAST chunks it covers: a 40 MB CRL read in 1 MiB slices
   * costs what reading it whole does, without a 40 MB result (80 MB of hex text) in the driver at once.
   */
  async crlDocumentSlice(
    db: DbOrTx,
    k: { family: string; issuerKeyId: string; scope: number; crlNumber: bigint },
    offset: number,
    length: number,
  ): Promise<Buffer | undefined> {
    const [r] = await db
      .select({ part: sql<Buffer>`substring(${crlDocuments.der} from ${offset + 1}::int for ${length}::int)`.mapWith(crlDocuments.der) })
      .from(crlDocuments)
      .where(
        and(
          eq(crlDocuments.family, k.family),
          eq(crlDocuments.issuerKeyId, k.issuerKeyId),
          eq(crlDocuments.scope, k.scope),
          eq(crlDocuments.crlNumber, k.crlNumber),
        ),
      );
    return r?.part;
  },
  /** Records a stored CRL in its scope's state; clears the marker only if no revocation marked it again meanwhile. */
  async published(
    db: DbOrTx,
    s: { family: string; shard: number; crlNumber: bigint; thisUpdate: Date; nextUpdate: Date; entries: number; markSeen: Date | null },
  ): Promise<void> {
    await db
      .update(crlShards)
      .set({ thisUpdate: s.thisUpdate, nextUpdate: s.nextUpdate, entries: s.entries, publishedAt: s.thisUpdate })
      .where(
        and(
          eq(crlShards.family, s.family),
          eq(crlShards.shard, s.shard),
          sql`(${crlShards.thisUpdate} is null or ${crlShards.thisUpdate} <= ${s.thisUpdate})`,
        ),
      );
    if (s.markSeen)
      await db
        .update(crlShards)
        .set({ dirtySince: null })
        .where(and(eq(crlShards.family, s.family), eq(crlShards.shard, s.shard), eq(crlShards.dirtySince, s.markSeen)));
  },

  // --- OCSP --------------------------------------------------------------------------------------------
  async storedOcsp(db: DbOrTx, serial: string) {
    const [r] = await db
      .select({
        der: ocspResponses.der,
        family: ocspResponses.family,
        status: ocspResponses.status,
        thisUpdate: ocspResponses.thisUpdate,
        nextUpdate: ocspResponses.nextUpdate,
      })
      .from(ocspResponses)
      .where(eq(ocspResponses.serial, serial));
    return r;
  },
  async storeOcsp(db: DbOrTx, row: typeof ocspResponses.$inferInsert): Promise<void> {
    await db
      .insert(ocspResponses)
      .values(row)
      .onConflictDoUpdate({
        target: ocspResponses.serial,
        set: { family: row.family, status: row.status, der: row.der, thisUpdate: row.thisUpdate, nextUpdate: row.nextUpdate, stale: false },
      });
  },
  /** storeOcsp for several answers (distinct serials) in one statement. */
  async storeOcspMany(db: DbOrTx, rows: (typeof ocspResponses.$inferInsert)[]): Promise<void> {
    if (rows.length === 0) return;
    await db
      .insert(ocspResponses)
      .values(rows)
      .onConflictDoUpdate({
        target: ocspResponses.serial,
        set: {
          family: sql`excluded.family`,
          status: sql`excluded.status`,
          der: sql`excluded.der`,
          thisUpdate: sql`excluded.this_update`,
          nextUpdate: sql`excluded.next_update`,
          stale: false,
        },
      });
  },
  /** The revocation feed (publication.ts): serials revoked after `since` (certificates_revoked_at_idx). */
  async revokedSince(db: DbOrTx, since: Date): Promise<string[]> {
    const rows = await db
      .select({ serial: certificates.serial })
      .from(certificates)
      .where(and(eq(certificates.status, 'revoked'), gt(certificates.revokedAt, since)));
    const own = await db
      .select({ serial: caOperationalCertificates.serial })
      .from(caOperationalCertificates)
      .where(and(eq(caOperationalCertificates.status, 'revoked'), gt(caOperationalCertificates.revokedAt, since)));
    return [...rows, ...own].map((r) => r.serial);
  },
  async dropOcsp(db: DbOrTx, serial: string): Promise<void> {
    await db.delete(ocspResponses).where(eq(ocspResponses.serial, serial));
  },
  /**
   * When a certificate's OCSP response is next due (null: no scheduled signing). `whileStatus`: only if the
   * certificate still has the status the response was signed for — a revocation committed meanwhile made it
   * due at once, and that must not be pushed back by the `good` signed just before it.
   */
  async setOcspDue(db: DbOrTx, serial: string, dueAt: Date | null, whileStatus?: CertificateStatus): Promise<void> {
    await db
      .update(certificates)
      .set({ ocspDueAt: dueAt })
      .where(and(eq(certificates.serial, serial), whileStatus === undefined ? undefined : eq(certificates.status, whileStatus)));
  },
  /** setOcspDue with `whileStatus` for several certificates in one statement: UPDATE … FROM (VALUES …). */
  async setOcspDueMany(db: DbOrTx, items: { serial: string; dueAt: Date | null; whileStatus: CertificateStatus }[]): Promise<void> {
    if (items.length === 0) return;
    const values = sql.join(
      items.map((i) => sql`(${i.serial}::text, ${i.dueAt ? i.dueAt.toISOString() : null}::timestamptz, ${i.whileStatus}::text)`),
      sql`, `,
    );
    await db
      .update(certificates)
      .set({ ocspDueAt: sql`v.due` })
      .from(sql`(values ${values}) as v(serial, due, status)`)
      .where(and(sql`${certificates.serial} = v.serial`, sql`${certificates.status} = v.status`));
  },
  /**
   * Certificates of these issuers whose OCSP response is due by `at`, earliest first: a range of
   * certificates_ocsp_due_idx per issuer, so when nothing is due no row is read (issue 21).
   */
  ocspDueQuery(db: DbOrTx, issuerKeyIds: string[], at: Date, limit: number) {
    return db
      .select({ serial: certificates.serial })
      .from(certificates)
      .where(and(inArray(certificates.issuerKeyId, issuerKeyIds), isNotNull(certificates.ocspDueAt), lte(certificates.ocspDueAt, at)))
      .orderBy(asc(certificates.ocspDueAt))
      .limit(limit);
  },
  /**
   * What is due: the registry's by `at` (ocspDueQuery), then the CA's own end-entity certificates (seal
   * maker, audit signer: a handful, not in the registry) whose stored response is missing or ends before
   * `ownBefore`.
   */
  async ocspDue(db: DbOrTx, issuerKeyIds: string[], at: Date, limit: number, ownBefore: Date) {
    if (issuerKeyIds.length === 0) return [];
    const registry = await this.ocspDueQuery(db, issuerKeyIds, at, limit);
    if (registry.length >= limit) return registry;
    const own = await db
      .select({ serial: caOperationalCertificates.serial })
      .from(caOperationalCertificates)
      .leftJoin(ocspResponses, eq(ocspResponses.serial, caOperationalCertificates.serial))
      .where(
        and(
          inArray(caOperationalCertificates.issuerKeyId, issuerKeyIds),
          or(isNull(ocspResponses.serial), lt(ocspResponses.nextUpdate, ownBefore), eq(ocspResponses.stale, true)),
        ),
      )
      .limit(limit - registry.length);
    return [...registry, ...own];
  },
};
