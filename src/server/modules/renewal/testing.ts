/**
 * Test helper for 在线续费: a real certificate of the test CA for a public key the test holds (in a SoftHSM2
 * token, or in memory), expiring in `daysLeft` days — the certificate an organization comes to renew.
 * Recorded the way the issuance code records one (a pending row with its TBS, signed, stored as issued).
 */
import { newSerial } from '../../../ca/cert/serial.js';
import type { KeyAlgorithm } from '../../../ca/signer/port.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { caRuntime } from '../certificates/ca-runtime.js';
import { buildOrderTbs, signRecorded } from '../certificates/issue.js';
import { certificateRepository, normalizeSerial, type CertificateRow } from '../certificates/repository.js';

const DAY_MS = 86400_000;

export async function certificateForKey(
  t: { db: Db; config: Config },
  o: { organizationId: string; uscc: string; unitName: string; spki: Uint8Array; family?: KeyAlgorithm; daysLeft: number; now?: Date },
): Promise<CertificateRow> {
  const family = o.family ?? 'ecdsa-p256';
  const rt = await caRuntime(t.config.ca);
  const issuing = rt.issuing(family);
  const serial = newSerial();
  const now = o.now ?? new Date();
  const notAfter = new Date(Math.floor((now.getTime() + o.daysLeft * DAY_MS) / 1000) * 1000);
  const notBefore = new Date(notAfter.getTime() - 364 * DAY_MS);
  const { tbs } = buildOrderTbs({
    issuing,
    serial,
    unitName: o.unitName,
    uscc: o.uscc,
    spki: o.spki,
    at: notBefore,
    validity: { notBefore, notAfter },
    baseUrl: rt.config.baseUrl,
    policyOid: rt.config.policyOid,
  });
  const row = await certificateRepository.insert(t.db, {
    serial: normalizeSerial(Buffer.from(serial).toString('hex'))!,
    family,
    issuer: issuing.nameText,
    issuerKeyId: Buffer.from(issuing.keyId).toString('hex'),
    organizationId: o.organizationId,
    uscc: o.uscc,
    unitName: o.unitName,
    projectCode: 'gov-procurement',
    keyType: 'main',
    status: 'pending',
    keySource: 'csr',
    tbs: Buffer.from(tbs),
    notBefore,
    notAfter,
    source: 'online',
    createdAt: notBefore,
    updatedAt: notBefore,
  });
  const der = await signRecorded(row, issuing);
  return (await certificateRepository.storeIssued(t.db, row.id, der, notBefore))!;
}
