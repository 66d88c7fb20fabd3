/**
 * What 制证 answers with, online (routes/fulfilment.ts) and at the counter (routes/counter.ts) alike: both issue
 * through the same CA core, so the staff pages read one shape for the new certificate and the one-time PKCS#12.
 */
import type { CertificateRow } from '../modules/certificates/repository.js';

export const producedCertificateReply = (r: { certificate: CertificateRow; pkcs12?: Buffer }) => ({
  certificate: {
    id: r.certificate.id,
    serial: r.certificate.serial,
    notBefore: r.certificate.notBefore,
    notAfter: r.certificate.notAfter,
    // A key made on a UKEY by the 证书助手: the page hands the certificate to the agent to write next to it.
    ...(r.certificate.keySource === 'token' && r.certificate.der
      ? { der: r.certificate.der.toString('base64'), tokenSerial: r.certificate.tokenSerial }
      : {}),
  },
  // The generated key's PKCS#12, this once: it is not stored anywhere.
  ...(r.pkcs12 ? { pkcs12: r.pkcs12.toString('base64') } : {}),
});
