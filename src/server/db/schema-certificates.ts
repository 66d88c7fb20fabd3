/**
 * The certificate registry: every certificate CertDesk issued (and those staff recorded by CSV import, issued
 * at an office before go-live). Re-exported by schema.ts, so migrations are generated from both with
 * `npm run db:generate`.
 *
 * Issuance follows Boulder's order (docs/principles.md 4): the serial and the to-be-signed certificate
 * are committed as a 'pending' row before anything is signed, so a crash at any point leaves no signed
 * certificate the registry does not know. Revocation requests, CRL and OCSP state live in schema-revocation.ts.
 */
import { sql } from 'drizzle-orm';
import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { bytea } from './bytea.js';
import { orders } from './schema-core.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export { bytea };

/**
 * 'pending': serial + TBS recorded, not (yet) signed; 'issued': signed and stored; 'revoked'; 'failed': a
 * pending issuance abandoned (lint refused it, or a retry replaced it) — its signature, if one was ever made,
 * never left the process that made it. Imported rows are 'issued' or 'revoked' with no TBS and no DER.
 */
export type CertificateStatus = 'pending' | 'issued' | 'revoked' | 'failed';

export const certificates = pgTable(
  'certificates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Lower-case hex of the serial's positive integer, without leading zeros (as OpenSSL prints it, folded). */
    serial: text('serial').notNull(),
    /** The algorithm family: 'sm2' | 'ecdsa-p256' | 'rsa-2048' (imported: what the CSV says, or 'unknown'). */
    family: text('family').notNull(),
    /** The issuing CA's subject (RFC 4514 text); imported rows: '（导入）'. */
    issuer: text('issuer').notNull(),
    /** The issuing CA's key identifier (hex), so CRL/OCSP find the issuer; null for imported rows. */
    issuerKeyId: text('issuer_key_id'),
    orderId: uuid('order_id').references(() => orders.id),
    organizationId: uuid('organization_id'),
    uscc: text('uscc').notNull(),
    unitName: text('unit_name').notNull(),
    projectCode: text('project_code').notNull(),
    keyType: text('key_type').$type<'main' | 'sub'>().notNull(),
    status: text('status').$type<CertificateStatus>().notNull(),
    /**
     * How the key pair came: 'csr' (the customer's USB key), 'generated' (系统生成, PKCS#12), 'import', 'token'
     * (made on the UKEY by the 证书助手 at the 制证 workstation, which initialized the token).
     */
    keySource: text('key_source').$type<'csr' | 'generated' | 'import' | 'token'>().notNull(),
    /** The UKEY's serial (CK_TOKEN_INFO.serialNumber) the key was made on at 制证 (key source 'token'). */
    tokenSerial: text('token_serial'),
    tbs: bytea('tbs'),
    der: bytea('der'),
    notBefore: ts('not_before').notNull(),
    notAfter: ts('not_after').notNull(),
    issuedAt: ts('issued_at'),
    revokedAt: ts('revoked_at'),
    /** RFC 5280 5.3.1 CRLReason code. */
    revocationReason: integer('revocation_reason'),
    /**
     * When the CA job next (re-)signs this certificate's OCSP response (ocsp-presign.ts refreshOcsp): set to
     * the issuance or revocation time, moved to the new response's half-life when one is signed, null once
     * a response reaching past notAfter is stored (the expiry rule, docs/revocation.md) or for rows that
     * are no certificate of ours. Indexed, so "what is due" reads only what is due.
     */
    ocspDueAt: ts('ocsp_due_at'),
    source: text('source').$type<'online' | 'import' | 'counter'>().notNull(),
    /** Counter business (issue 7): the counter order that issued it (counter_orders.id). */
    counterOrderId: uuid('counter_order_id'),
    /** 补办/变更/续费: the certificate this one replaces or renews. */
    replacesId: uuid('replaces_id'),
    /**
     * 'signing' (the certificate of the key the customer's UKEY made, or a generated one) or 'encryption' (GM/T 0034's
     * encryption certificate: its key made and escrowed by the KMC, docs/kmc.md). An encryption certificate has no
     * order of its own: it belongs to its signing certificate (`signing_certificate_id`), is listed, revoked and
     * renewed with it.
     */
    usage: text('usage').$type<'signing' | 'encryption'>().notNull().default('signing'),
    signingCertificateId: uuid('signing_certificate_id'),
    /** Why a row needs a person's attention (e.g. signed but the order had moved on meanwhile). */
    flag: text('flag'),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('certificates_serial_uq').on(t.serial),
    // One certificate per order: a retry reuses the pending/issued row, it never issues a second one.
    uniqueIndex('certificates_order_uq')
      .on(t.orderId)
      .where(sql`status <> 'failed' and order_id is not null`),
    // One certificate per counter order, as per online order; a certificate is replaced at most once.
    uniqueIndex('certificates_counter_order_uq')
      .on(t.counterOrderId)
      .where(sql`status <> 'failed' and counter_order_id is not null`),
    // One encryption certificate per signing certificate (a retry reuses it, as it reuses the signing one).
    uniqueIndex('certificates_pair_uq')
      .on(t.signingCertificateId)
      .where(sql`status <> 'failed' and signing_certificate_id is not null`),
    uniqueIndex('certificates_replaces_uq')
      .on(t.replacesId)
      .where(sql`status <> 'failed' and replaces_id is not null`),
    // Staff search (keyset, newest first) by USCC, unit name, project; and per organization its keys.
    index('certificates_uscc_idx').on(t.uscc, t.createdAt, t.id),
    index('certificates_created_idx').on(t.createdAt, t.id),
    index('certificates_project_idx').on(t.projectCode, t.createdAt, t.id),
    index('certificates_org_idx').on(t.organizationId, t.projectCode),
    // 在线解锁 finds the organization's certificate on a token by the token's serial.
    index('certificates_token_idx')
      .on(t.tokenSerial)
      .where(sql`token_serial is not null`),
    // A CRL's entries: the revoked certificates of one issuing CA, read on every republication. Partial, so
    // its size follows the revocations (a few), not the registry (millions).
    index('certificates_revoked_idx')
      .on(t.family, t.issuerKeyId, t.serial)
      .where(sql`status = 'revoked'`),
    // One shard's CRL entries (crl-publisher.ts): shard = serial mod 16 = the serial's last hex digit, so a
    // shard reads its own sixteenth, not every revocation of its issuing CA.
    index('certificates_revoked_shard_idx')
      .on(t.family, t.issuerKeyId, sql`right(${t.serial}, 1)`, t.serial)
      .where(sql`status = 'revoked'`),
    // The OCSP responders' revocation feed (ocsp-cache.ts): what was revoked in the last minute, every second.
    index('certificates_revoked_at_idx')
      .on(t.revokedAt)
      .where(sql`status = 'revoked'`),
    // The CA job's OCSP refresh (ocsp-presign.ts): per issuing CA, in due order. Partial: certificates that
    // need no more scheduled signing (expired, not ours) are not in it at all.
    index('certificates_ocsp_due_idx')
      .on(t.issuerKeyId, t.ocspDueAt)
      .where(sql`ocsp_due_at is not null`),
  ],
);
