/**
 * Test helpers for revocation, CRL and OCSP: real certificates from the test CA (the registry helper's
 * issuance encoding, buildOrderTbs + signRecorded), recorded in the registry as the issuance code does.
 */
import { randomBytes } from 'node:crypto';
import { newSerial } from '../../../ca/cert/serial.js';
import type { KeyAlgorithm } from '../../../ca/signer/port.js';
import type { Db } from '../../db/client.js';
import { caRuntime } from '../certificates/ca-runtime.js';
import { buildOrderTbs, prepareKey, signRecorded } from '../certificates/issue.js';
import { certificateRepository, normalizeSerial, type CertificateRow } from '../certificates/repository.js';
import type { Config } from '../../config.js';

let n = 0;

/** Issues one real certificate of `family` for the organization (or none), registry row 'issued'. */
export async function issueTestCertificate(
  t: { db: Db; config: Config },
  family: KeyAlgorithm,
  opts: { organizationId?: string | null; uscc?: string; unitName?: string; at?: Date } = {},
): Promise<CertificateRow> {
  const rt = await caRuntime(t.config.ca);
  const issuing = rt.issuing(family);
  const key = await prepareKey(family, { kind: 'generate', password: 'not-used-here' });
  const serial = newSerial();
  const at = opts.at ?? new Date();
  const unitName = opts.unitName ?? `吊销测试单位${++n}${randomBytes(2).toString('hex')}`;
  const uscc = opts.uscc ?? `91360100${randomBytes(5).toString('hex').toUpperCase()}`;
  const { tbs, notBefore, notAfter } = buildOrderTbs({
    issuing,
    serial,
    unitName,
    uscc,
    spki: key.spki,
    at,
    baseUrl: rt.config.baseUrl,
    policyOid: rt.config.policyOid,
  });
  const row = await certificateRepository.insert(t.db, {
    serial: normalizeSerial(Buffer.from(serial).toString('hex'))!,
    family,
    issuer: issuing.nameText,
    issuerKeyId: Buffer.from(issuing.keyId).toString('hex'),
    organizationId: opts.organizationId ?? null,
    uscc,
    unitName,
    projectCode: 'gov-procurement',
    keyType: 'main',
    status: 'pending',
    keySource: 'generated',
    tbs: Buffer.from(tbs),
    notBefore,
    notAfter,
    source: 'online',
    createdAt: at,
    updatedAt: at,
  });
  const der = await signRecorded(row, issuing);
  return (await certificateRepository.storeIssued(t.db, row.id, der, at))!;
}
