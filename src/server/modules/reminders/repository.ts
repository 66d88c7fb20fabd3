/**
 * SQL of the expiry reminders: the certificates due for a stage (issued, organization known, expiring
 * inside the stage's window, not renewed, no open revocation request, no reminder of that stage yet) and
 * the reminder row, whose primary key (certificate, stage) decides between instances.
 */
import { and, asc, eq, gt, lte, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { certificates } from '../../db/schema-certificates.js';
import { certificateReminders } from '../../db/schema-reminders.js';
import { organizations, projects } from '../../db/schema.js';
import { renewedSql } from '../my-certificates/repository.js';

export type ReminderRow = typeof certificateReminders.$inferSelect;

export const remindersRepository = {
  async due(db: DbOrTx, stage: number, after: Date, upTo: Date, limit: number) {
    return db
      .select({
        id: certificates.id,
        serial: certificates.serial,
        unitName: certificates.unitName,
        projectCode: certificates.projectCode,
        projectName: projects.name,
        keyType: certificates.keyType,
        notAfter: certificates.notAfter,
        mobile: organizations.mobile,
      })
      .from(certificates)
      .innerJoin(organizations, eq(organizations.id, certificates.organizationId))
      .leftJoin(projects, eq(projects.code, certificates.projectCode))
      .where(
        and(
          eq(certificates.status, 'issued'),
          // One reminder per key: a pair's encryption certificate expires with its signing certificate.
          eq(certificates.usage, 'signing'),
          gt(certificates.notAfter, after),
          lte(certificates.notAfter, upTo),
          sql`not exists (select 1 from certificate_reminders r where r.certificate_id = ${certificates.id} and r.stage = ${stage})`,
          sql`not exists (select 1 from revocation_requests q where q.certificate_id = ${certificates.id} and q.status = 'pending')`,
          sql`not ${renewedSql}`,
        ),
      )
      .orderBy(asc(certificates.notAfter), asc(certificates.id))
      .limit(limit);
  },
  /** Records the reminder; false when another run (or instance) already did. */
  async record(db: DbOrTx, row: ReminderRow): Promise<boolean> {
    const r = await db.insert(certificateReminders).values(row).onConflictDoNothing().returning({ id: certificateReminders.certificateId });
    return r.length === 1;
  },
  async ofCertificate(db: DbOrTx, certificateId: string): Promise<ReminderRow[]> {
    return db
      .select()
      .from(certificateReminders)
      .where(eq(certificateReminders.certificateId, certificateId))
      .orderBy(asc(certificateReminders.createdAt));
  },
};
