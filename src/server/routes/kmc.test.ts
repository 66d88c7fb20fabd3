/**
 * Issue 19: SM2 pairs at 制证 with the key management centre on an SDF device (SoftSDF), through the real app.
 * A 政府采购 order (a pair project) produced from a UKEY's PKCS#10 (made by GmSSL, as the UKEY's tool would)
 * gets a signing and an encryption certificate; 制证 downloads the encryption key's envelope once; GmSSL opens it
 * with the UKEY's signing key, and the key inside decrypts what GmSSL encrypts to the encryption certificate
 * (sm2encrypt, cmsencrypt); GmSSL verifies both chains; the private key is nowhere in the database, the files or
 * the logs; revoking the signing certificate revokes both, and the CRL and OCSP say so. A generated (soft) key
 * gets a PKCS#12 holding both pairs.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../ca/cert/parse.js';
import { sm2PublicPoint } from '../../ca/kmc/envelope.js';
import { gmsslOpenEnvelope } from '../../ca/testing/envelope-oracle.js';
import { gmsslEncryptedKeyPem } from '../../ca/testing/gmssl-key.js';
import { openssl, opensslResult, tempDir, type TempDir } from '../../ca/testing/openssl.js';
import { gmssl, runTool, SHARED_TOOLS } from '../../ca/testing/oracles.js';
import { spkiPublicKeyBits } from '../../ca/spki.js';
import { certificates } from '../db/schema-certificates.js';
import { kmcKeys } from '../db/schema-kmc.js';
import { auditEvents } from '../db/schema.js';
import { certificatePem } from '../modules/certificates/registry.js';
import { listMyCertificates } from '../modules/my-certificates/my-certificates.js';
import { findInDatabase, findInFiles, findInLines } from '../testing/find-secret.js';
import { newMobile, testApp, type TestApp, type TestClient } from '../testing/harness.js';
import { fullForm, quickOrder, staffMember } from '../testing/paid-order.js';
import { organizationRepository } from '../modules/accounts/repository.js';
import { createOrder } from '../modules/orders/create-order.js';
import { orderRepository } from '../modules/orders/repository.js';
import { recordPayment } from '../modules/fulfilment/record-payment.js';
import { testCa, testCaEnv } from '../testing/test-ca.js';

const SOFTSDF = path.join(SHARED_TOOLS, 'softsdf');
const DEVICE_PASS = 'Kmc-Route-Pass-19';
const UKEY_PASS = 'Ukey-Pin-0019';

let t: TestApp;
let tmp: TempDir;
let store: string;
let caEnv: Record<string, string>;
let base: string;
let producer: TestClient;
let producer2: TestClient;
let admin: TestClient;

beforeAll(async () => {
  tmp = tempDir('certdesk-kmc-route-');
  store = path.join(tmp.dir, 'hsm');
  await mkdir(store);
  const init = await runTool(path.join(SOFTSDF, 'bin', 'softsdfinit'), ['-kek', '1', '-key', '1', '-pass', DEVICE_PASS], { cwd: store });
  expect(init.code, init.out).toBe(0);
  caEnv = await testCaEnv();
  t = await testApp({
    captureLogs: true,
    env: {
      ...caEnv,
      CERTDESK_SDF_LIBRARY: path.join(SOFTSDF, 'lib', 'libsoftsdf.so'),
      CERTDESK_SDF_DIR: store,
      CERTDESK_SDF_PASSWORD: DEVICE_PASS,
      CERTDESK_KMC_KEK_INDEX: '1',
    },
  });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = t.app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  base = `http://127.0.0.1:${addr.port}`;
  producer = (await staffMember(t, ['制证'], '孙制证')).c;
  producer2 = (await staffMember(t, ['制证'], '李制证')).c;
  admin = (await staffMember(t, ['管理员'], '赵管理')).c;
}, 120_000);
afterAll(async () => {
  t?.config.ca.sdf?.close();
  await t?.close();
  tmp?.remove();
});

let n = 0;
/** A UKEY: its signing key pair made by GmSSL master, and the PKCS#10 its tool exports. */
async function ukey(): Promise<{ keyPem: string; csr: string }> {
  const keyPem = tmp.path(`ukey${++n}.pem`);
  const csrPem = tmp.path(`ukey${n}.csr`);
  expect((await gmssl('master', ['sm2keygen', '-pass', UKEY_PASS, '-out', keyPem])).code).toBe(0);
  const r = await gmssl('master', [
    'reqgen',
    '-C',
    'CN',
    '-O',
    'usbkey',
    '-CN',
    'usbkey',
    '-key',
    keyPem,
    '-pass',
    UKEY_PASS,
    '-out',
    csrPem,
  ]);
  expect(r.code, r.out).toBe(0);
  return { keyPem, csr: await readFile(csrPem, 'utf8') };
}

const produce = (orderId: string, key: unknown) => producer.post(`/api/staff/orders/${orderId}/produce`, { key });
const rowOf = async (id: string) => (await t.db.select().from(certificates).where(eq(certificates.id, id)))[0]!;

async function chainFiles() {
  const issuing = (await testCa()).issuing('sm2');
  return {
    root: tmp.write('root.pem', certificatePem(issuing.rootDer)),
    issuing: tmp.write('issuing.pem', certificatePem(issuing.certDer)),
    issuingPem: certificatePem(issuing.certDer),
  };
}

describe('制证 of a pair project with the KMC', () => {
  let sign: Awaited<ReturnType<typeof rowOf>>;
  let enc: Awaited<ReturnType<typeof rowOf>>;
  let d: Buffer;
  let key: Awaited<ReturnType<typeof ukey>>;

  it('issues the signing and the encryption certificate; the envelope downloads once and GmSSL opens it with the UKEY’s key', async () => {
    const o = await quickOrder(t, 'in_production'); // 江西省政府采购电子卖场, 主锁
    key = await ukey();
    const res = await produce(o.orderId, { kind: 'csr', csr: key.csr });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.encryptionCertificate).toMatchObject({ envelope: true });
    expect(body.encryptionSkipped).toBeUndefined();
    sign = await rowOf(body.certificate.id);
    enc = await rowOf(body.encryptionCertificate.id);
    expect(sign).toMatchObject({ status: 'issued', usage: 'signing', orderId: o.orderId });
    expect(enc).toMatchObject({ status: 'issued', usage: 'encryption', signingCertificateId: sign.id, orderId: null });
    expect(enc.notAfter.getTime()).toBe(sign.notAfter.getTime());

    // Only 制证 (or a counter producer) may take it; then it is gone.
    const reviewer = (await staffMember(t, ['受理'], '钱受理')).c;
    const denied = await reviewer.post(`/api/staff/certificates/${enc.id}/enveloped-key`);
    expect(denied.statusCode, denied.body).toBe(403);
    const dl = await producer.post(`/api/staff/certificates/${enc.id}/enveloped-key`);
    expect(dl.statusCode, dl.body).toBe(200);
    expect(dl.headers['cache-control']).toBe('no-store');
    const blob = Buffer.from(dl.json().envelopedKeyBlob, 'base64');
    const again = await producer2.post(`/api/staff/certificates/${enc.id}/enveloped-key`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toMatch(/只能下载一次/);
    expect((await t.db.select().from(kmcKeys).where(eq(kmcKeys.certificateId, enc.id)))[0]!.envelope).toBeNull();

    const opened = await gmsslOpenEnvelope(blob, key.keyPem, UKEY_PASS, tmp.dir, 'route');
    d = opened.d;
    const encPoint = spkiPublicKeyBits(parseCertificate(enc.der!).spki);
    expect(opened.publicKey.equals(Buffer.from(encPoint))).toBe(true);
    expect(sm2PublicPoint(d).equals(Buffer.from(encPoint))).toBe(true);
  }, 60_000);

  it('data GmSSL encrypts to the encryption certificate (sm2encrypt, cmsencrypt) decrypts with the delivered key', async () => {
    const encPem = tmp.write('enc.pem', certificatePem(enc.der!));
    const encPoint = spkiPublicKeyBits(parseCertificate(enc.der!).spki);
    const dKey = tmp.write('delivered.pem', gmsslEncryptedKeyPem(d, encPoint, 'Delivered-1'));
    const msg = tmp.write('bid.txt', '开标：投标报价 998,000.00 元');
    const c1 = tmp.path('bid.sm2');
    expect((await gmssl('master', ['sm2encrypt', '-cert', encPem, '-in', msg, '-out', c1])).code).toBe(0);
    const out1 = tmp.path('bid1.out');
    const r1 = await gmssl('master', ['sm2decrypt', '-key', dKey, '-pass', 'Delivered-1', '-in', c1, '-out', out1]);
    expect(r1.code, r1.out).toBe(0);
    expect(await readFile(out1, 'utf8')).toBe('开标：投标报价 998,000.00 元');

    const cms = tmp.path('bid.cms');
    const e = await gmssl('master', ['cmsencrypt', '-rcptcert', encPem, '-in', msg, '-out', cms]);
    expect(e.code, e.out).toBe(0);
    const out2 = tmp.path('bid2.out');
    const r2 = await gmssl('master', ['cmsdecrypt', '-key', dKey, '-pass', 'Delivered-1', '-cert', encPem, '-in', cms, '-out', out2]);
    expect(r2.code, r2.out).toBe(0);
    expect(await readFile(out2, 'utf8')).toBe('开标：投标报价 998,000.00 元');
    // The UKEY's signing key is not the encryption key: it cannot open the bid.
    const wrong = await gmssl('master', ['sm2decrypt', '-key', key.keyPem, '-pass', UKEY_PASS, '-in', c1]);
    expect(wrong.code).not.toBe(0);
  }, 60_000);

  it('GmSSL verifies both chains; the encryption certificate has GM/T 0015’s key usage and no EKU', async () => {
    const f = await chainFiles();
    for (const [name, row] of [
      ['sign', sign],
      ['enc', enc],
    ] as const) {
      const chain = tmp.write(`${name}-chain.pem`, certificatePem(row.der!) + f.issuingPem);
      const r = await gmssl('3.1.1', ['certverify', '-in', chain, '-cacert', f.root]);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toContain('Verification success');
    }
    const text = (await openssl(['x509', '-in', tmp.write('enc-text.pem', certificatePem(enc.der!)), '-noout', '-text'])).stdout;
    expect(text).toMatch(/X509v3 Key Usage: critical\s*\n\s*Key Encipherment, Data Encipherment, Key Agreement/);
    expect(text).not.toMatch(/Extended Key Usage/);
    expect(text).toMatch(/Subject: .*CN ?= ?/);
    const signText = (await openssl(['x509', '-in', tmp.write('sign-text.pem', certificatePem(sign.der!)), '-noout', '-text'])).stdout;
    expect(signText).toMatch(/Digital Signature, Non Repudiation/);
  }, 60_000);

  it('the encryption private key is nowhere: not in the database, the files or the logs', async () => {
    expect(await findInDatabase(t.db, d)).toEqual([]);
    expect(await findInFiles([store, path.dirname(caEnv.CERTDESK_CA_DIR!), t.config.dataDir], d)).toEqual([]);
    expect(findInLines(t.logs, d)).toEqual([]);
    // …while the escrow is there, as ciphertext under KEK 1.
    const escrow = (await t.db.select().from(kmcKeys).where(eq(kmcKeys.certificateId, enc.id)))[0]!;
    expect(escrow.kekIndex).toBe(1);
    expect(escrow.encryptedPrivateKey.length).toBeGreaterThanOrEqual(32);
    expect(Buffer.from(escrow.publicKey).equals(Buffer.from(spkiPublicKeyBits(parseCertificate(enc.der!).spki)))).toBe(true);
  });

  it('我的证书 lists the pair as one key; revoking the signing certificate revokes both, and CRL and OCSP say so', async () => {
    const mine = await listMyCertificates({ db: t.db, clock: t.clock }, sign.organizationId!);
    expect(mine.certificates.map((c) => c.id)).toEqual([sign.id]);
    expect(mine.certificates[0]!.encryption).toMatchObject({ id: enc.id, serial: enc.serial, statusLabel: '有效' });
    // The encryption certificate cannot be revoked on its own.
    const alone = await producer.post('/api/staff/revocations', { certificateId: enc.id, reason: 1, note: '单独吊销' });
    expect(alone.statusCode).toBe(409);
    const r = await producer.post('/api/staff/revocations', { certificateId: sign.id, reason: 1, note: 'USB Key 丢失' });
    expect(r.statusCode, r.body).toBe(201);
    const a = await admin.post(`/api/staff/revocations/${r.json().request.id}/approve`, {});
    expect(a.statusCode, a.body).toBe(200);
    expect((await rowOf(sign.id)).status).toBe('revoked');
    const encNow = await rowOf(enc.id);
    expect(encNow).toMatchObject({ status: 'revoked', revocationReason: 1 });

    const crl = await fetch(`${base}/crl/sm2/complete.crl`);
    expect(crl.status).toBe(200);
    const crlFile = tmp.write('pair.crl', new Uint8Array(await crl.arrayBuffer()));
    const crlText = (await openssl(['crl', '-inform', 'DER', '-in', crlFile, '-noout', '-text'])).stdout;
    const listed = [...crlText.matchAll(/Serial Number: ([0-9A-F]+)/g)].map((m) => m[1]!.toLowerCase().replace(/^0+/, ''));
    expect(listed).toEqual(expect.arrayContaining([sign.serial, enc.serial]));
    const f = await chainFiles();
    const ocsp = await opensslResult([
      'ocsp',
      '-issuer',
      f.issuing,
      '-cert',
      tmp.write('enc-ocsp.pem', certificatePem(enc.der!)),
      '-url',
      `${base}/ocsp`,
      '-noverify',
    ]);
    expect(ocsp.out, ocsp.out).toMatch(/: revoked/);
  }, 60_000);
});

describe('制证 of a pair project with a generated key', () => {
  it('returns one PKCS#12 holding both pairs; each key matches its certificate; no envelope to download', async () => {
    const o = await quickOrder(t, 'in_production');
    const password = 'Shuangzheng-2026!';
    const res = await produce(o.orderId, { kind: 'generate', password });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.encryptionCertificate).toMatchObject({ envelope: false });
    const p12 = tmp.write('pair.p12', Buffer.from(body.pkcs12, 'base64'));
    const out = await opensslResult(['pkcs12', '-in', p12, '-passin', `pass:${password}`, '-nodes']);
    expect(out.code, out.out).toBe(0);
    expect(out.out.match(/BEGIN PRIVATE KEY/g)).toHaveLength(2);
    const enc = await rowOf(body.encryptionCertificate.id);
    const sign = await rowOf(body.certificate.id);
    // Each key bag's public key is its certificate's (openssl pairs them by localKeyId: friendlyName shows which).
    const keys = [...out.out.matchAll(/friendlyName: (\S+)[\s\S]*?(-----BEGIN PRIVATE KEY-----[\s\S]*?-----END PRIVATE KEY-----)/g)];
    expect(keys.map((k) => k[1]).sort()).toEqual(['encryption', 'signing']);
    for (const [, name, pem] of keys) {
      const pub = tmp.path(`p12-${name}.pub`);
      await openssl(['pkey', '-in', tmp.write(`p12-${name}.key`, pem!), '-pubout', '-outform', 'DER', '-out', pub]);
      const cert = name === 'encryption' ? enc : sign;
      expect(Buffer.from(await readFile(pub)).equals(Buffer.from(parseCertificate(cert.der!).spki))).toBe(true);
    }
    const dl = await producer.post(`/api/staff/certificates/${enc.id}/enveloped-key`);
    expect(dl.statusCode).toBe(409);
    expect(dl.json().error.message).toMatch(/PKCS#12/);
  }, 60_000);
});

describe('密钥恢复 (key recovery), four eyes', () => {
  it('补办: one 密钥管理员 asks, the same one cannot approve, another does; the new UKEY’s key then decrypts what was encrypted to the old encryption certificate', async () => {
    const a = await staffMember(t, ['密钥管理员'], '甲密钥');
    const b = await staffMember(t, ['密钥管理员'], '乙密钥');
    const o = await quickOrder(t, 'in_production');
    const old = await ukey();
    const res = await produce(o.orderId, { kind: 'csr', csr: old.csr });
    expect(res.statusCode, res.body).toBe(200);
    const enc = await rowOf(res.json().encryptionCertificate.id);
    // A bid encrypted to the old encryption certificate, before the old UKEY is lost.
    const encPem = tmp.write('old-enc.pem', certificatePem(enc.der!));
    const bid = tmp.path('old-bid.sm2');
    expect(
      (await gmssl('master', ['sm2encrypt', '-cert', encPem, '-in', tmp.write('old-bid.txt', '旧标书：报价 77 万元'), '-out', bid])).code,
    ).toBe(0);

    const fresh = await ukey();
    const body = { certificateId: enc.id, kind: 'user', recipient: fresh.csr, reason: '补办：USB Key 丢失，受理单号 3601-0001' };
    expect((await producer.post('/api/staff/kmc/recoveries', body)).statusCode).toBe(403); // 制证 may not ask
    const bad = await a.c.post('/api/staff/kmc/recoveries', { ...body, recipient: 'not a request' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields.recipient).toMatch(/新 USB Key 的证书请求/);
    const asked = await a.c.post('/api/staff/kmc/recoveries', body);
    expect(asked.statusCode, asked.body).toBe(201);
    const id = asked.json().recovery.id;

    const early = await a.c.post(`/api/staff/kmc/recoveries/${id}/envelope`);
    expect(early.statusCode).toBe(409);
    expect(early.json().error.message).toMatch(/尚未经另一位密钥管理员批准/);
    const own = await a.c.post(`/api/staff/kmc/recoveries/${id}/approve`, {});
    expect(own.statusCode).toBe(403);
    expect(own.json().error.message).toMatch(/不能批准或驳回自己提出的密钥恢复申请/);
    const ok = await b.c.post(`/api/staff/kmc/recoveries/${id}/approve`, {});
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await b.c.post(`/api/staff/kmc/recoveries/${id}/approve`, {})).statusCode).toBe(409);

    const dl = await producer.post(`/api/staff/kmc/recoveries/${id}/envelope`);
    expect(dl.statusCode, dl.body).toBe(200);
    expect((await a.c.post(`/api/staff/kmc/recoveries/${id}/envelope`)).statusCode).toBe(409);
    const opened = await gmsslOpenEnvelope(
      Buffer.from(dl.json().envelopedKeyBlob, 'base64'),
      fresh.keyPem,
      UKEY_PASS,
      tmp.dir,
      'recovered',
    );
    const encPoint = spkiPublicKeyBits(parseCertificate(enc.der!).spki);
    expect(sm2PublicPoint(opened.d).equals(Buffer.from(encPoint))).toBe(true);
    const recoveredKey = tmp.write('recovered.pem', gmsslEncryptedKeyPem(opened.d, encPoint, 'Recovered-2'));
    const out = tmp.path('old-bid.out');
    const r = await gmssl('master', ['sm2decrypt', '-key', recoveredKey, '-pass', 'Recovered-2', '-in', bid, '-out', out]);
    expect(r.code, r.out).toBe(0);
    expect(await readFile(out, 'utf8')).toBe('旧标书：报价 77 万元');

    // Every step is on the audit log; the key is not.
    const actions = (await t.db.select().from(auditEvents).where(eq(auditEvents.targetId, enc.id))).map((e) => e.action).sort();
    expect(actions).toEqual(['kmc.recovery_approve', 'kmc.recovery_download', 'kmc.recovery_request']);
    expect(await findInDatabase(t.db, opened.d)).toEqual([]);
    expect(findInLines(t.logs, opened.d)).toEqual([]);
  }, 90_000);

  it('asks by a serial of the pair for the new UKEY’s signing certificate this CA issued; wrong fields are named; the list says who asked and who may decide', async () => {
    const a = await staffMember(t, ['密钥管理员'], '戊密钥');
    const b = await staffMember(t, ['密钥管理员'], '己密钥');
    const o = await quickOrder(t, 'in_production');
    const old = await ukey();
    const first = (await produce(o.orderId, { kind: 'csr', csr: old.csr })).json();
    const sign = await rowOf(first.certificate.id);
    const enc = await rowOf(first.encryptionCertificate.id);
    // The new UKEY of the same unit: its own order (副锁) and signing certificate, issued from its PKCS#10.
    const org = (await organizationRepository.findById(t.db, sign.organizationId!))!;
    const second = await createOrder(t, org, { projectCode: 'gov-procurement', keyType: 'sub' });
    await orderRepository.update(t.db, second.id, { form: fullForm(org, newMobile(), `kmc-${randomUUID().slice(0, 8)}@example.com`) });
    await orderRepository.setStatus(t.db, second.id, 'draft', 'review_passed', t.clock.now());
    await recordPayment(t, second.id, { channel: 'wechat', amountFen: 19000, transactionId: randomUUID() }, t.clock.now());
    await orderRepository.setStatus(t.db, second.id, 'paper_awaiting', 'in_production', t.clock.now());
    const fresh = await ukey();
    const made = await produce(second.id, { kind: 'csr', csr: fresh.csr });
    expect(made.statusCode, made.body).toBe(200);
    const newSign = await rowOf(made.json().certificate.id);
    const ask = (body: Record<string, unknown>) =>
      a.c.post('/api/staff/kmc/recoveries', { kind: 'user', reason: '补办：受理单号 3601-0002', ...body });

    // Every field the text decides is named at once, in Chinese.
    const blank = await a.c.post('/api/staff/kmc/recoveries', { kind: 'user', recipient: 'x', reason: ' ' });
    expect(blank.statusCode).toBe(400);
    expect(blank.json().error.fields).toMatchObject({
      serial: expect.stringMatching(/序列号/),
      recipient: expect.stringMatching(/新 USB Key 的证书请求/),
      reason: expect.stringMatching(/恢复原因/),
    });
    expect((await ask({ serial: 'zz-12', recipient: fresh.csr })).json().error.fields.serial).toMatch(/十六进制/);
    expect((await ask({ serial: 'abcdef0123', recipient: fresh.csr })).json().error.fields.serial).toMatch(/找不到该序列号的证书/);
    // The lost key's own signing certificate, and a certificate this CA did not issue, are refused.
    const oldPem = certificatePem(sign.der!);
    expect((await ask({ serial: sign.serial, recipient: oldPem })).json().error.fields.recipient).toMatch(/原 USB Key 的签名证书/);
    const strangerKey = tmp.path('stranger.pem');
    const strangerCert = tmp.path('stranger-cert.pem');
    expect((await gmssl('master', ['sm2keygen', '-pass', 'S-1', '-out', strangerKey])).code).toBe(0);
    const cg = await gmssl('master', [
      'certgen',
      ...['-C', 'CN', '-O', 'Stranger', '-CN', 'Stranger', '-serial_len', '12', '-days', '30'],
      ...['-key', strangerKey, '-pass', 'S-1', '-key_usage', 'digitalSignature', '-out', strangerCert],
    ]);
    expect(cg.code, cg.out).toBe(0);
    const foreign = await ask({ serial: sign.serial, recipient: await readFile(strangerCert, 'utf8') });
    expect(foreign.json().error.fields.recipient).toMatch(/不是本 CA 签发/);
    // The encryption certificate itself is no recipient.
    expect((await ask({ serial: sign.serial, recipient: certificatePem(enc.der!) })).json().error.fields.recipient).toMatch(/不是加密证书/);

    // By the signing certificate's serial as the unit reads it (upper case, colons): the pair's encryption key.
    const spaced = sign.serial.toUpperCase().replace(/(..)(?=.)/g, '$1:');
    const asked = await ask({ serial: spaced, recipient: certificatePem(newSign.der!) });
    expect(asked.statusCode, asked.body).toBe(201);
    const id = asked.json().recovery.id;
    expect(asked.json().recovery.certificateId).toBe(enc.id);

    const mine = (await a.c.get('/api/staff/kmc/recoveries')).json().recoveries.find((r: { id: string }) => r.id === id);
    expect(mine).toMatchObject({
      serial: enc.serial,
      unitName: enc.unitName,
      uscc: enc.uscc,
      status: 'pending',
      kindLabel: '用户密钥恢复（补办）',
      requestedByName: '戊密钥',
      decidedByName: null,
      mine: true,
    });
    expect(mine.recipientLabel).toMatch(/^新 USB Key 的签名证书：/);
    expect((await b.c.get('/api/staff/kmc/recoveries')).json().recoveries.find((r: { id: string }) => r.id === id).mine).toBe(false);

    expect((await b.c.post(`/api/staff/kmc/recoveries/${id}/approve`, {})).statusCode).toBe(200);
    const dl = await a.c.post(`/api/staff/kmc/recoveries/${id}/envelope`);
    expect(dl.statusCode, dl.body).toBe(200);
    const opened = await gmsslOpenEnvelope(Buffer.from(dl.json().envelopedKeyBlob, 'base64'), fresh.keyPem, UKEY_PASS, tmp.dir, 'by-cert');
    expect(sm2PublicPoint(opened.d).equals(Buffer.from(spkiPublicKeyBits(parseCertificate(enc.der!).spki)))).toBe(true);
    const after = (await b.c.get('/api/staff/kmc/recoveries')).json().recoveries.find((r: { id: string }) => r.id === id);
    expect(after).toMatchObject({ status: 'approved', decidedByName: '己密钥', deliveredByName: '戊密钥' });
    expect(after.deliveredAt).toBeTruthy();
  }, 120_000);

  it('司法恢复: the authority’s certificate receives the key; a refused request delivers nothing', async () => {
    const a = await staffMember(t, ['密钥管理员'], '丙密钥');
    const b = await staffMember(t, ['密钥管理员'], '丁密钥');
    const o = await quickOrder(t, 'in_production');
    const holder = await ukey();
    const res = await produce(o.orderId, { kind: 'csr', csr: holder.csr });
    const enc = await rowOf(res.json().encryptionCertificate.id);
    const authorityKey = tmp.path('authority.pem');
    const authorityCert = tmp.path('authority-cert.pem');
    expect((await gmssl('master', ['sm2keygen', '-pass', 'Court-1', '-out', authorityKey])).code).toBe(0);
    const cg = await gmssl('master', [
      'certgen',
      '-C',
      'CN',
      '-O',
      'Court',
      '-CN',
      'Court',
      '-serial_len',
      '12',
      '-days',
      '30',
      '-key',
      authorityKey,
      '-pass',
      'Court-1',
      '-key_usage',
      'keyEncipherment',
      '-out',
      authorityCert,
    ]);
    expect(cg.code, cg.out).toBe(0);
    const body = {
      certificateId: enc.id,
      kind: 'judicial',
      recipient: await readFile(authorityCert, 'utf8'),
      reason: '司法协助：（2026）赣01刑初1号',
    };

    const refusedReq = (await b.c.post('/api/staff/kmc/recoveries', body)).json().recovery.id;
    expect((await a.c.post(`/api/staff/kmc/recoveries/${refusedReq}/refuse`, {})).statusCode).toBe(400); // a reason is required
    expect((await a.c.post(`/api/staff/kmc/recoveries/${refusedReq}/refuse`, { note: '文书不全' })).statusCode).toBe(200);
    expect((await b.c.post(`/api/staff/kmc/recoveries/${refusedReq}/envelope`)).json().error.message).toMatch(/已被驳回/);

    const id = (await b.c.post('/api/staff/kmc/recoveries', body)).json().recovery.id;
    expect((await a.c.post(`/api/staff/kmc/recoveries/${id}/approve`, {})).statusCode).toBe(200);
    const dl = await b.c.post(`/api/staff/kmc/recoveries/${id}/envelope`);
    expect(dl.statusCode, dl.body).toBe(200);
    const opened = await gmsslOpenEnvelope(Buffer.from(dl.json().envelopedKeyBlob, 'base64'), authorityKey, 'Court-1', tmp.dir, 'court');
    expect(sm2PublicPoint(opened.d).equals(Buffer.from(spkiPublicKeyBits(parseCertificate(enc.der!).spki)))).toBe(true);
    const list = await a.c.get('/api/staff/kmc/recoveries');
    expect(list.json().recoveries.find((x: { id: string }) => x.id === id)).toMatchObject({ kind: 'judicial', status: 'approved' });
    expect(JSON.stringify(list.json())).not.toContain(opened.d.toString('hex'));
  }, 90_000);
});
