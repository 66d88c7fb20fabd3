/**
 * What 制证 answers with, online (routes/fulfilment.ts) and at the counter (routes/counter.ts) alike: both issue
 * through the same CA core, so the staff pages read one shape for the new certificate and the one-time PKCS#12.
 */
import type { CertificateRow } from '../modules/certificates/repository.js';

const summary = (c: CertificateRow) => ({ id: c.id, serial: c.serial, notBefore: c.notBefore, notAfter: c.notAfter });

export const producedCertificateReply = (r: {
  certificate: CertificateRow;
  encryptionCertificate?: CertificateRow;
  encryptionSkipped?: string;
  pkcs12?: Buffer;
}) => ({
  certificate: {
    ...summary(r.certificate),
    // A key made on a UKEY by the 证书助手: the page hands the certificate to the agent to write next to it.
    ...(r.certificate.keySource === 'token' && r.certificate.der
      ? { der: r.certificate.der.toString('base64'), tokenSerial: r.certificate.tokenSerial }
      : {}),
  },
  // An SM2 pair's encryption certificate (docs/kmc.md); its key's envelope is downloaded once, apart
  // (POST /api/staff/certificates/:id/enveloped-key) — a generated key's is inside the PKCS#12 instead.
  ...(r.encryptionCertificate
    ? { encryptionCertificate: { ...summary(r.encryptionCertificate), envelope: r.encryptionCertificate.keySource !== 'generated' } }
    : {}),
  ...(r.encryptionSkipped ? { encryptionSkipped: r.encryptionSkipped } : {}),
  // The generated key's PKCS#12, this once: it is not stored anywhere.
  ...(r.pkcs12 ? { pkcs12: r.pkcs12.toString('base64') } : {}),
});
