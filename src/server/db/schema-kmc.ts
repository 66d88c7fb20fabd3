/**
 * The key management centre's escrow (docs/kmc.md): one row per encryption key pair the KMC made. The private
 * key is here only as ciphertext — SM4-CBC under a session key that only the device's KEK unwraps — so neither
 * the database nor a web instance that reads it holds a usable key.
 */
import { index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { bytea } from './bytea.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const kmcKeys = pgTable(
  'kmc_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The encryption certificate that certifies this key (certificates.id, usage 'encryption'). */
    certificateId: uuid('certificate_id').notNull().unique(),
    /** 04‖x‖y. */
    publicKey: bytea('public_key').notNull(),
    kekIndex: integer('kek_index').notNull(),
    wrappedKey: bytea('wrapped_key').notNull(),
    iv: bytea('iv').notNull(),
    encryptedPrivateKey: bytea('encrypted_private_key').notNull(),
    /** The public key the envelope is for (the UKEY's signing key), 04‖x‖y. */
    envelopeRecipient: bytea('envelope_recipient').notNull(),
    /**
     * The GM/T 0016 ENVELOPEDKEYBLOB for the UKEY, until 制证 downloads it (once; then null). Only the recipient's
     * private key opens it. Null from the start for a generated (soft) key: its PKCS#12 carried both pairs.
     */
    envelope: bytea('envelope'),
    envelopeDownloadedAt: ts('envelope_downloaded_at'),
    envelopeDownloadedBy: uuid('envelope_downloaded_by'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('kmc_keys_created_idx').on(t.createdAt)],
);
export type KmcKeyRow = typeof kmcKeys.$inferSelect;

/**
 * 密钥恢复 (key recovery) requests: one 密钥管理员 asks, another approves; then the escrowed key is enveloped for
 * the recipient — a new UKEY's signing key (补办: 'user') or an authority's certificate ('judicial') — and
 * downloaded once. The envelope is made at download and never stored; every step is an audit row.
 */
export const kmcRecoveries = pgTable(
  'kmc_recoveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The escrowed key (kmc_keys.id) and its encryption certificate. */
    kmcKeyId: uuid('kmc_key_id').notNull(),
    certificateId: uuid('certificate_id').notNull(),
    kind: text('kind').$type<'user' | 'judicial'>().notNull(),
    /** The recipient's SM2 public key, 04‖x‖y: from the new UKEY's PKCS#10 (proof of possession) or the authority's certificate. */
    recipient: bytea('recipient').notNull(),
    /** What the recipient was given as (PEM of the PKCS#10 or of the authority's certificate), for the record. */
    recipientDocument: text('recipient_document').notNull(),
    /** Who receives it and why: the 补办's 受理单号, or the authority and its document number. */
    reason: text('reason').notNull(),
    status: text('status').$type<'pending' | 'approved' | 'refused'>().notNull(),
    requestedBy: uuid('requested_by').notNull(),
    requestedAt: ts('requested_at').notNull(),
    decidedBy: uuid('decided_by'),
    decidedAt: ts('decided_at'),
    decisionNote: text('decision_note'),
    deliveredBy: uuid('delivered_by'),
    deliveredAt: ts('delivered_at'),
  },
  (t) => [index('kmc_recoveries_status_idx').on(t.status, t.requestedAt)],
);
export type KmcRecoveryRow = typeof kmcRecoveries.$inferSelect;
