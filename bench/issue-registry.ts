/**
 * Issuance end to end through the registry on PostgreSQL (issue 6 goal: ≥ 500 certificates/s), in the
 * production order: tx1 INSERT the pending row (serial + linted TBS), sign outside any transaction, tx2
 * compare-and-set pending → issued with the DER. Measured against the same signer's raw build-and-sign rate
 * in the same run. No order rows (certificates.order_id is nullable), so this is the registry's cost, not
 * the workflow's.
 *
 *   node scripts/pg-test-db.mjs create bench_issue
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_issue npx tsx bench/issue-registry.ts
 *   (BENCH_N=3000 certificates, BENCH_CONCURRENCY=16, BENCH_FAMILY=ecdsa-p256|sm2)
 */
import { scratchDir } from './scratch-dir.js';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { lintTbs } from '../src/ca/cert/lint.js';
import { subscriberProfile } from '../src/ca/cert/profiles.js';
import { newSerial, serialHex } from '../src/ca/cert/serial.js';
import { signCertificate } from '../src/ca/cert/build.js';
import type { KeyAlgorithm } from '../src/ca/signer/port.js';
import { generateSigningKey } from '../src/ca/signer/software.js';
import { openDb } from '../src/server/db/client.js';
import { caRuntime } from '../src/server/modules/certificates/ca-runtime.js';
import { buildOrderTbs } from '../src/server/modules/certificates/issue.js';
import { certificateRepository, normalizeSerial } from '../src/server/modules/certificates/repository.js';
import { testConfig } from '../src/server/testing/harness.js';

const N = Number(process.env.BENCH_N || 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY || 16);
const FAMILY = (process.env.BENCH_FAMILY || 'ecdsa-p256') as KeyAlgorithm;
if (!process.env.DATABASE_URL) throw new Error('set DATABASE_URL (PostgreSQL)');

const dir = scratchDir('certdesk-bench-ca-');
const config = testConfig({ CERTDESK_CA_DIR: path.join(dir, 'ca'), CERTDESK_CA_FAMILIES: FAMILY, CERTDESK_PUBLIC_URL: 'http://ca.bench' });
const ca = await caRuntime(config.ca);
const issuing = ca.issuing(FAMILY);
const { db, close } = await openDb({ databaseUrl: process.env.DATABASE_URL, poolSize: CONCURRENCY + 2 });
const subject = (await generateSigningKey(FAMILY)).publicKeySpki;
const uscc = '91360100MA35G8XX1'; // 17 characters; the check character is not what the lint looks at
const profile = subscriberProfile(FAMILY, { policyOids: [config.ca.policyOid] });

const build = () => {
  const serial = newSerial();
  const { tbs, notBefore, notAfter } = buildOrderTbs({
    issuing,
    serial,
    unitName: '江西基准测试有限公司',
    uscc: `${uscc}0`,
    spki: subject,
    at: new Date(),
    baseUrl: config.ca.baseUrl,
    policyOid: config.ca.policyOid,
  });
  return { serial, tbs, notBefore, notAfter };
};

// Raw: build + lint + sign, no database.
let t0 = performance.now();
for (let i = 0; i < 2000; i++) {
  const { tbs } = build();
  lintTbs(tbs, profile);
  await signCertificate(tbs, issuing.signer);
}
const raw = 2000 / ((performance.now() - t0) / 1000);

let done = 0;
const run = async () => {
  for (;;) {
    if (done >= N) return;
    done++;
    const { serial, tbs, notBefore, notAfter } = build();
    if (lintTbs(tbs, profile).length) throw new Error('lint');
    const row = await db.transaction((tx) =>
      certificateRepository.insert(tx, {
        serial: normalizeSerial(serialHex(serial))!,
        family: FAMILY,
        issuer: issuing.nameText,
        uscc: `${uscc}0`,
        unitName: '江西基准测试有限公司',
        projectCode: 'bench',
        keyType: 'sub',
        status: 'pending',
        keySource: 'csr',
        tbs: Buffer.from(tbs),
        notBefore,
        notAfter,
        source: 'online',
      }),
    );
    const der = Buffer.from(await signCertificate(tbs, issuing.signer));
    await db.transaction(async (tx) => {
      if (!(await certificateRepository.storeIssued(tx, row.id, der, new Date()))) throw new Error('CAS');
    });
  }
};
t0 = performance.now();
await Promise.all(Array.from({ length: CONCURRENCY }, run));
const e2e = N / ((performance.now() - t0) / 1000);
console.log(`family ${FAMILY}, ${N} certificates, concurrency ${CONCURRENCY}, run ${randomBytes(2).toString('hex')}`);
console.log(`build + lint + sign (no database)        ${raw.toFixed(0).padStart(7)} /s`);
console.log(`through the registry (tx1, sign, tx2)    ${e2e.toFixed(0).padStart(7)} /s  (${(e2e / raw).toFixed(2)}x)`);
await close();
