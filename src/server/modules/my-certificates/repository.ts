/**
 * SQL of 我的证书: the organization's certificates with their project, order and open revocation request,
 * and the SMS codes that confirm an online revocation request or renewal.
 */
import { and, desc, eq, gt, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { certificates } from '../../db/schema-certificates.js';
import { counterOrders, offices } from '../../db/schema-counter.js';
import { revocationCodes } from '../../db/schema-reminders.js';
import { revocationRequests } from '../../db/schema-revocation.js';
import { orders, projects } from '../../db/schema.js';

/**
 * Whether `c` has been renewed (or replaced): an issued certificate names it in replaces_id (the counter's
 * 续费/补办/变更 link), or — for renewals the link does not record (imports, the old office system) — another
 * issued certificate of the same organization, project and key type expires later and was issued within the
 * 90 days before `c` expires (the renewal window, so a second 副锁 bought months earlier is not taken for one).
 */
export const renewedSql = sql<boolean>`(exists (
  select 1 from certificates r where r.replaces_id = ${certificates.id} and r.status = 'issued'
) or exists (
  select 1 from certificates r
  where r.organization_id = ${certificates.organizationId}
    and r.project_code = ${certificates.projectCode}
    and r.key_type = ${certificates.keyType}
    and r.status = 'issued'
    and r.id <> ${certificates.id}
    and r.not_after > ${certificates.notAfter}
    and r.not_before >= ${certificates.notAfter} - interval '90 days'
))`;

export const myCertificatesRepository = {
  /** Every issued or revoked certificate of the organization, newest first, with project name and order number. */
  async listOfOrg(db: DbOrTx, organizationId: string, limit = 500) {
    return (
      db
        .select({
          id: certificates.id,
          serial: certificates.serial,
          family: certificates.family,
          unitName: certificates.unitName,
          projectCode: certificates.projectCode,
          projectName: projects.name,
          keyType: certificates.keyType,
          status: certificates.status,
          source: certificates.source,
          notBefore: certificates.notBefore,
          notAfter: certificates.notAfter,
          issuedAt: certificates.issuedAt,
          revokedAt: certificates.revokedAt,
          revocationReason: certificates.revocationReason,
          orderId: certificates.orderId,
          // The order link only for the organization's own order (a counter order of a former holder is not shown).
          orderNo: sql<string | null>`case when ${orders.organizationId} = ${organizationId} then ${orders.orderNo} end`,
          renewed: renewedSql,
          /** An online renewal not yet completed (the page resumes it). */
          renewalOpen: sql<boolean>`exists (
          select 1 from renewals rn where rn.certificate_id = ${certificates.id} and rn.status not in ('completed', 'cancelled')
        )`,
          // A counter certificate: its 受理单号, business and office (shown as text; counter orders have no page online).
          counterOrderNo: sql<
            string | null
          >`case when ${counterOrders.organizationId} = ${organizationId} then ${counterOrders.orderNo} end`,
          counterBusiness: counterOrders.business,
          officeName: offices.name,
        })
        .from(certificates)
        .leftJoin(projects, eq(projects.code, certificates.projectCode))
        .leftJoin(orders, eq(orders.id, certificates.orderId))
        .leftJoin(counterOrders, eq(counterOrders.id, certificates.counterOrderId))
        .leftJoin(offices, eq(offices.code, counterOrders.officeCode))
        // An encryption certificate is listed with its signing certificate (docs/kmc.md), not on its own.
        .where(
          and(
            eq(certificates.organizationId, organizationId),
            inArray(certificates.status, ['issued', 'revoked']),
            eq(certificates.usage, 'signing'),
          ),
        )
        .orderBy(desc(certificates.notAfter), desc(certificates.id))
        .limit(limit)
    );
  },
  /** The certificate if it is the organization's own (issued or revoked), else undefined. */
  async ownCertificate(db: DbOrTx, organizationId: string, id: string) {
    const [r] = await db
      .select()
      .from(certificates)
      .where(
        and(eq(certificates.id, id), eq(certificates.organizationId, organizationId), inArray(certificates.status, ['issued', 'revoked'])),
      );
    return r;
  },
  /** The revocation requests of the organization's certificates (all, newest first). */
  async requestsOfOrg(db: DbOrTx, organizationId: string) {
    return db
      .select({
        id: revocationRequests.id,
        certificateId: revocationRequests.certificateId,
        source: revocationRequests.source,
        reason: revocationRequests.reason,
        note: revocationRequests.note,
        status: revocationRequests.status,
        requestedAt: revocationRequests.requestedAt,
        decidedAt: revocationRequests.decidedAt,
        decisionNote: revocationRequests.decisionNote,
      })
      .from(revocationRequests)
      .innerJoin(certificates, eq(certificates.id, revocationRequests.certificateId))
      .where(eq(certificates.organizationId, organizationId))
      .orderBy(desc(revocationRequests.requestedAt));
  },
  async hasOpenRequest(db: DbOrTx, certificateId: string): Promise<boolean> {
    const r = await db
      .select({ id: revocationRequests.id })
      .from(revocationRequests)
      .where(and(eq(revocationRequests.certificateId, certificateId), eq(revocationRequests.status, 'pending')));
    return r.length > 0;
  },

  // --- SMS codes --------------------------------------------------------------------------------------
  /** A new code replaces the earlier ones for the same certificate: they expire now. */
  async expireOpenCodes(db: DbOrTx, organizationId: string, certificateId: string, purpose: 'revoke' | 'renew', now: Date): Promise<void> {
    await db
      .update(revocationCodes)
      .set({ expiresAt: now })
      .where(
        and(
          eq(revocationCodes.organizationId, organizationId),
          eq(revocationCodes.certificateId, certificateId),
          eq(revocationCodes.purpose, purpose),
          isNull(revocationCodes.usedAt),
          gt(revocationCodes.expiresAt, now),
        ),
      );
  },
  async insertCode(db: DbOrTx, row: typeof revocationCodes.$inferInsert): Promise<string> {
    const [r] = await db.insert(revocationCodes).values(row).returning({ id: revocationCodes.id });
    return r!.id;
  },
  async latestCode(db: DbOrTx, organizationId: string, certificateId: string, purpose: 'revoke' | 'renew') {
    const [r] = await db
      .select()
      .from(revocationCodes)
      .where(
        and(
          eq(revocationCodes.organizationId, organizationId),
          eq(revocationCodes.certificateId, certificateId),
          eq(revocationCodes.purpose, purpose),
        ),
      )
      .orderBy(desc(revocationCodes.createdAt))
      .limit(1);
    return r;
  },
  /** Spends one try before comparing, atomically (parallel guesses cannot exceed the limit); undefined when none is left. */
  async takeAttempt(db: DbOrTx, id: string, maxTries: number, now: Date): Promise<number | undefined> {
    const [r] = await db
      .update(revocationCodes)
      .set({ attempts: sql`${revocationCodes.attempts} + 1` })
      .where(
        and(
          eq(revocationCodes.id, id),
          isNull(revocationCodes.usedAt),
          gt(revocationCodes.expiresAt, now),
          lt(revocationCodes.attempts, maxTries),
        ),
      )
      .returning({ attempts: revocationCodes.attempts });
    return r?.attempts;
  },
  /** Compare-and-set: a code confirms one request, even if two race. */
  async markCodeUsed(db: DbOrTx, id: string, at: Date): Promise<boolean> {
    const r = await db
      .update(revocationCodes)
      .set({ usedAt: at })
      .where(and(eq(revocationCodes.id, id), isNull(revocationCodes.usedAt)))
      .returning({ id: revocationCodes.id });
    return r.length === 1;
  },
};
