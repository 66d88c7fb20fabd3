/**
 * Group commit of the registry's issuance writes (issue 21 item 5): concurrent issuances share one INSERT and
 * one UPDATE (counted through Drizzle's query log, never timed), in Boulder's order, and each caller's
 * failure stays its own.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { signCertificate } from '../../../ca/cert/build.js';
import { subscriberProfile } from '../../../ca/cert/profiles.js';
import { newSerial, serialHex } from '../../../ca/cert/serial.js';
import { generateSigningKey } from '../../../ca/signer/software.js';
import { testConfig, testDb } from '../../testing/harness.js';
import { queryLogged, type QueryLog } from '../../testing/query-log.js';
import { testCaEnv } from '../../testing/test-ca.js';
import { caRuntime, type IssuingCa } from './ca-runtime.js';
import { registryCommitter } from './group-commit.js';
import { buildOrderTbs } from './issue.js';
import { certificateRepository, normalizeSerial, type NewCertificate } from './repository.js';

const POLICY = '1.2.156.9999.1';
let log: QueryLog;
let issuing: IssuingCa;
let baseUrl: string;
let spki: Uint8Array;
const profile = () => subscriberProfile('sm2', { policyOids: [POLICY] });

beforeAll(async () => {
  log = await queryLogged((await testDb()).db);
  const ca = await caRuntime(testConfig(await testCaEnv()).ca);
  issuing = ca.issuing('sm2');
  baseUrl = ca.config.baseUrl;
  spki = (await generateSigningKey('sm2')).publicKeySpki;
}, 120_000);

/** A pending row as an issuance records it; `years` > 1 makes a TBS the subscriber profile refuses. */
function pendingRow(opts: { years?: number; orderId?: string; serial?: Uint8Array } = {}): NewCertificate {
  const serial = opts.serial ?? newSerial();
  const at = new Date();
  const notAfter = new Date(at.getTime() + (opts.years ?? 1) * 365 * 86_400_000);
  const { tbs, notBefore } = buildOrderTbs({
    issuing,
    serial,
    unitName: '江西分组提交测试有限公司',
    uscc: '91360100MA35G8XX10',
    spki,
    at,
    validity: { notBefore: at, notAfter },
    baseUrl,
    policyOid: POLICY,
  });
  return {
    serial: normalizeSerial(serialHex(serial))!,
    family: 'sm2',
    issuer: issuing.nameText,
    issuerKeyId: Buffer.from(issuing.keyId).toString('hex'),
    orderId: opts.orderId ?? null,
    uscc: '91360100MA35G8XX10',
    unitName: '江西分组提交测试有限公司',
    projectCode: 'gov-procurement',
    keyType: 'sub',
    status: 'pending',
    keySource: 'csr',
    tbs: Buffer.from(tbs),
    notBefore,
    notAfter,
    source: 'online',
  };
}

const statements = (verb: 'insert into' | 'update') => log.queries.filter((q) => q.startsWith(`${verb} "certificates"`));
const settle = <T>(ps: Promise<T>[]) => Promise.allSettled(ps);

describe('registryCommitter', () => {
  it('records concurrent pending rows with one INSERT, then stores their DERs with one UPDATE', async () => {
    const committer = registryCommitter(log.db);
    const rows = Array.from({ length: 20 }, () => pendingRow());
    log.reset();
    const recorded = await Promise.all(rows.map((r) => committer.recordPending(r, profile())));
    expect(statements('insert into')).toHaveLength(1);
    expect(recorded.map((r) => r.serial)).toEqual(rows.map((r) => r.serial));
    for (const [i, r] of recorded.entries()) {
      expect(r).toMatchObject({ status: 'pending', der: null });
      expect(r.tbs!.equals(rows[i]!.tbs!)).toBe(true);
    }

    // Signed after the pending rows committed (Boulder's order), stored compare-and-set in one statement.
    const ders = await Promise.all(recorded.map(async (r) => Buffer.from(await signCertificate(r.tbs!, issuing.signer))));
    const at = new Date();
    log.reset();
    const stored = await Promise.all(recorded.map((r, i) => committer.storeIssued(r.id, ders[i]!, at)));
    expect(statements('update')).toHaveLength(1);
    for (const [i, r] of stored.entries()) {
      expect(r).toMatchObject({ id: recorded[i]!.id, status: 'issued', issuedAt: at, ocspDueAt: at });
      expect(r!.der!.equals(ders[i]!)).toBe(true);
      expect((await certificateRepository.findById(log.db, r!.id))!.der!.equals(ders[i]!)).toBe(true);
    }

    // Compare-and-set: a row no longer pending is not stored again.
    expect(await committer.storeIssued(recorded[0]!.id, ders[1]!, new Date())).toBeUndefined();
    expect((await certificateRepository.findById(log.db, recorded[0]!.id))!.der!.equals(ders[0]!)).toBe(true);
  });

  it("fails only the bad row's caller: a refused TBS, a serial already recorded, a row the database rejects", async () => {
    const committer = registryCommitter(log.db);
    const taken = pendingRow();
    await committer.recordPending(taken, profile());
    const good = Array.from({ length: 6 }, () => pendingRow());
    const badLint = pendingRow({ years: 3 });
    const badSerial = { ...pendingRow(), serial: taken.serial };
    const badOrder = pendingRow({ orderId: randomUUID() }); // no such order: the foreign key fails the statement
    const batch = [good[0]!, badLint, good[1]!, badSerial, good[2]!, badOrder, ...good.slice(3)];
    log.reset();
    const outcomes = await settle(batch.map((r) => committer.recordPending(r, profile())));

    const byRow = new Map(batch.map((r, i) => [r, outcomes[i]!]));
    for (const g of good) expect(byRow.get(g)).toMatchObject({ status: 'fulfilled', value: { serial: g.serial, status: 'pending' } });
    expect(byRow.get(badLint)).toMatchObject({ status: 'rejected', reason: { code: 'CONFLICT' } });
    expect(String((byRow.get(badLint) as PromiseRejectedResult).reason.message)).toContain('未通过签发前检查');
    expect(byRow.get(badSerial)).toMatchObject({ status: 'rejected', reason: { code: 'CONFLICT' } });
    expect(byRow.get(badOrder)).toMatchObject({ status: 'rejected' });
    // The refused TBS never reached the database; the rejected statement was tried again row by row.
    expect(log.queries.some((q) => q.includes(badLint.serial))).toBe(false);
    expect(await certificateRepository.findBySerial(log.db, badOrder.serial)).toBeUndefined();
    expect((await certificateRepository.findBySerial(log.db, taken.serial))!.tbs!.equals(taken.tbs!)).toBe(true);
    for (const g of good) expect(await certificateRepository.findBySerial(log.db, g.serial)).toMatchObject({ status: 'pending' });
  });

  it('two callers with one serial, or one row, in a batch: the first wins, the second is refused', async () => {
    const committer = registryCommitter(log.db);
    const serial = newSerial();
    const [first, second] = await settle([
      committer.recordPending(pendingRow({ serial }), profile()),
      committer.recordPending(pendingRow({ serial }), profile()),
    ]);
    expect(first).toMatchObject({ status: 'fulfilled' });
    expect(second).toMatchObject({ status: 'rejected', reason: { code: 'CONFLICT' } });

    const row = (first as PromiseFulfilledResult<{ id: string; tbs: Buffer }>).value;
    const [a, b] = await Promise.all([signCertificate(row.tbs, issuing.signer), signCertificate(row.tbs, issuing.signer)]);
    const stored = await Promise.all([
      committer.storeIssued(row.id, Buffer.from(a), new Date()),
      committer.storeIssued(row.id, Buffer.from(b), new Date()),
    ]);
    expect(stored.filter(Boolean)).toHaveLength(1);
    const kept = (await certificateRepository.findById(log.db, row.id))!.der!;
    expect(kept.equals(stored.find(Boolean)!.der!)).toBe(true);
  });
});
