/**
 * Response shapes of 制证 (online and at the counter) and of the certificate registry's routes
 * (server/routes/certificates.ts); the requests and labels they share with the pages are core/certificates.ts.
 */
import { z } from 'zod';
import { ZInstant } from './response.js';

const ZIssuedSummary = z.object({ id: z.string(), serial: z.string(), notBefore: ZInstant, notAfter: ZInstant });

/**
 * A pair project's encryption certificate, issued beside the signing one (docs/kmc.md). `envelope`: its key's
 * envelope waits to be downloaded once (a UKEY's key); false when it went into the PKCS#12 instead.
 */
export const ZEncryptionIssued = ZIssuedSummary.extend({ envelope: z.boolean() });
export type EncryptionIssued = z.input<typeof ZEncryptionIssued>;

/**
 * What 制证 answers with, online and at the counter alike: the new certificate, a pair project's encryption
 * certificate or why it was not issued, and, when the CA generated the key, its one-time PKCS#12 (base64; it
 * is stored nowhere).
 */
export const ZProducedCertificate = z.object({
  certificate: ZIssuedSummary.extend({
    /** A key made on a UKEY by the 证书助手: the certificate (base64 DER) for the agent to write next to it. */
    der: z.string().optional(),
    tokenSerial: z.string().nullable().optional(),
  }),
  encryptionCertificate: ZEncryptionIssued.optional(),
  encryptionSkipped: z.string().optional(),
  pkcs12: z.string().optional(),
});
export type ProducedCertificate = z.input<typeof ZProducedCertificate>;

// ——— the registry (server/routes/certificates.ts) ———

const ZPublicCertStatus = z.enum(['valid', 'revoked', 'expired', 'not_yet_valid', 'unknown']);
const ZCertKeyType = z.enum(['main', 'sub']);
const ZCertStatus = z.enum(['pending', 'issued', 'revoked', 'failed']);
const ZCertSource = z.enum(['online', 'import', 'counter']);

/** The applicant's order certificate (without ?format: the file itself with it). */
export const ZOrderCertificate = z.object({
  certificate: z.object({
    /** The registry id: what 我的证书 and the seal/revocation routes name the certificate by. */
    id: z.string(),
    serial: z.string(),
    notBefore: ZInstant,
    notAfter: ZInstant,
    status: ZPublicCertStatus,
    statusLabel: z.string(),
    hasDer: z.boolean(),
  }),
});
export type OrderCertificate = z.input<typeof ZOrderCertificate>;

export const ZRegistryItem = z.object({
  id: z.string(),
  serial: z.string(),
  serialDisplay: z.string(),
  family: z.string(),
  uscc: z.string(),
  unitName: z.string(),
  projectCode: z.string(),
  keyType: ZCertKeyType,
  status: ZCertStatus,
  publicStatus: ZPublicCertStatus,
  publicStatusLabel: z.string(),
  /** 'encryption': an SM2 pair's encryption certificate (docs/kmc.md). */
  usage: z.enum(['signing', 'encryption']),
  source: ZCertSource,
  notBefore: ZInstant,
  notAfter: ZInstant,
  orderId: z.string().nullable(),
  flag: z.string().nullable(),
  createdAt: ZInstant,
});
export const ZRegistryPage = z.object({ items: z.array(ZRegistryItem), next: z.string().nullable() });
export type RegistryPage = z.input<typeof ZRegistryPage>;

export const ZCertificateDetail = ZRegistryItem.extend({
  issuer: z.string(),
  keySource: z.enum(['csr', 'generated', 'import', 'token']),
  /** The UKEY the key was made on at 制证 (key source 'token'). */
  tokenSerial: z.string().nullable(),
  issuedAt: ZInstant.nullable(),
  revokedAt: ZInstant.nullable(),
  revocationReason: z.number().nullable(),
  /** Counter business (issue 7): the counter order that issued it, and the certificate it replaces or renews. */
  counterOrderId: z.string().nullable(),
  replacesId: z.string().nullable(),
  /** An encryption certificate's label and its signing certificate (docs/kmc.md). */
  usageLabel: z.string(),
  signingCertificateId: z.string().nullable(),
  hasDer: z.boolean(),
  sha256: z.string().nullable(),
});
export type CertificateDetail = z.input<typeof ZCertificateDetail>;
export const ZCertificateOne = z.object({ certificate: ZCertificateDetail });
export type CertificateOne = z.input<typeof ZCertificateOne>;
export const ZCertificateOfOrder = z.object({ certificate: ZCertificateDetail.nullable() });
export const ZCertificatesImported = z.object({ imported: z.number() });
export type CertificatesImported = z.input<typeof ZCertificatesImported>;
