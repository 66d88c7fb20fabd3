/**
 * Electronic seals through the real app (issue 8): 制证 makes one GM/T 0031 seal per confirmed impression,
 * bound to the order's certificate; staff download the DER; the organization lists its certificate's
 * seals and tries them on a sample page; anyone verifies a seal — and a changed picture, a revoked
 * certificate or a replaced seal fails. Wrong roles, other organizations and malformed input get Chinese
 * errors, never a 500.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSeal, parseSeal, verifySealSignature } from '../../ca/seal/seal.js';
import { auditEvents, orderEvents } from '../db/schema.js';
import { caRuntime } from '../modules/certificates/ca-runtime.js';
import { certificateRepository } from '../modules/certificates/repository.js';
import { produceOrder } from '../modules/fulfilment/produce-order.js';
import { orderRepository } from '../modules/orders/repository.js';
import { revocationRepository } from '../modules/revocation/repository.js';
import { confirmTestImages, impressionPng, producedOrder } from '../modules/seals/testing.js';
import { testApp, type TestApp, type TestClient } from '../testing/harness.js';
import { paidOrder, quickOrder, staffMember, type TestOrder } from '../testing/paid-order.js';
import { testCaEnv } from '../testing/test-ca.js';

let t: TestApp;
let producer: TestClient;
let reviewer: TestClient;

beforeAll(async () => {
  t = await testApp({ env: await testCaEnv() });
  producer = (await staffMember(t, ['制证'], '周制证')).c;
  reviewer = (await staffMember(t, ['受理'], '吴受理')).c;
}, 120_000);
afterAll(async () => {
  await t?.close();
});

/** An applicant's own order (logged-in client) taken through 制证 with its images confirmed. */
async function ownOrderWithSeals(): Promise<TestOrder & { certificateId: string }> {
  const o = await paidOrder(t);
  expect(await orderRepository.setStatus(t.db, o.orderId, 'paper_awaiting', 'in_production', t.clock.now())).toBeTruthy();
  const r = await produceOrder(
    t,
    { id: randomUUID(), roles: ['制证'] },
    o.orderId,
    { kind: 'generate', password: 'seal-test-pass' },
    { ip: 'test' },
  );
  await confirmTestImages(t.db, o.orderId);
  const made = await producer.post(`/api/staff/orders/${o.orderId}/seals`);
  expect(made.statusCode, made.body).toBe(201);
  return { ...o, certificateId: r.certificate.id };
}

const verify = (body: Buffer | object | string, type = Buffer.isBuffer(body) ? 'application/octet-stream' : 'application/json') =>
  t.app.inject({
    method: 'POST',
    url: '/api/seals/verify',
    payload: (Buffer.isBuffer(body) || typeof body === 'string' ? body : JSON.stringify(body)) as never,
    headers: { 'content-type': type },
  });

const download = async (sealId: string) => {
  const r = await producer.get(`/api/staff/seals/${sealId}/download`);
  expect(r.statusCode, r.body).toBe(200);
  return r.rawPayload;
};

describe('制作电子签章 (制证)', () => {
  it('makes one seal per confirmed impression, bound to the certificate, valid as long as it; downloads the DER', async () => {
    const o = await producedOrder(t);
    const before = await producer.get(`/api/staff/orders/${o.orderId}/seals`);
    expect(before.json()).toMatchObject({ relevant: true, seals: [], canMake: false, refusal: expect.stringContaining('印模尚未确认') });
    const early = await producer.post(`/api/staff/orders/${o.orderId}/seals`);
    expect(early.statusCode).toBe(409);
    expect(early.json().error.message).toMatch(/印模尚未确认/);

    await confirmTestImages(t.db, o.orderId);
    expect((await producer.get(`/api/staff/orders/${o.orderId}/seals`)).json()).toMatchObject({ canMake: true, refusal: null });
    const res = await producer.post(`/api/staff/orders/${o.orderId}/seals`);
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ made: 3, kept: 0, superseded: 0, message: '已制作 3 枚电子签章' });
    expect(body.seals.map((s: { kind: string }) => s.kind).sort()).toEqual(['company', 'legal-person', 'signature']);
    for (const s of body.seals)
      expect(s).toMatchObject({ status: 'valid', statusLabel: '有效', picture: expect.stringMatching(/^data:image\/png;base64,/) });

    const cert = (await certificateRepository.findById(t.db, o.certificateId))!;
    const company = body.seals.find((s: { kind: string }) => s.kind === 'company');
    const der = await download(company.id);
    const seal = parseSeal(der);
    expect(Buffer.from(seal.certs[0]!).equals(cert.der!)).toBe(true);
    expect(seal.validStart).toEqual(cert.notBefore);
    expect(seal.validEnd).toEqual(cert.notAfter);
    expect(seal.type).toBe(1);
    expect(seal.name).toMatch(/电子公章$/);
    expect(seal.picture).toMatchObject({ type: 'png', widthMm: 42, heightMm: 42 });
    expect(Buffer.from(seal.picture.data).equals(await impressionPng('company'))).toBe(true);
    const maker = (await caRuntime(t.config.ca)).sealMaker();
    expect(verifySealSignature(seal, { trustedMakers: [maker.certDer] }).ok).toBe(true);
    const legal = parseSeal(await download(body.seals.find((s: { kind: string }) => s.kind === 'legal-person').id));
    expect(legal).toMatchObject({ type: 2, name: '张三（' + cert.unitName + '法定代表人）电子私章' });

    // The order's timeline and the audit log say who made it; the download is audited too.
    const ev = await t.db
      .select()
      .from(orderEvents)
      .where(and(eq(orderEvents.orderId, o.orderId), eq(orderEvents.action, 'order.seals_made')));
    expect(ev).toHaveLength(1);
    const audit = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, o.orderId)));
    expect(
      audit
        .map((a) => a.action)
        .filter((a) => a.startsWith('seal.'))
        .sort(),
    ).toEqual(['seal.download', 'seal.download', 'seal.make']);
  });

  it('making again: an unchanged picture keeps its seal; a re-confirmed picture supersedes it (the old one cannot be downloaded or verified)', async () => {
    const o = await producedOrder(t);
    await confirmTestImages(t.db, o.orderId);
    const first = (await producer.post(`/api/staff/orders/${o.orderId}/seals`)).json();
    const same = await producer.post(`/api/staff/orders/${o.orderId}/seals`);
    expect(same.statusCode).toBe(200);
    expect(same.json()).toMatchObject({ made: 0, kept: 3, message: '印模未变化，电子签章无需重新制作' });

    await confirmTestImages(t.db, o.orderId, { variant: 1 });
    const again = await producer.post(`/api/staff/orders/${o.orderId}/seals`);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toMatchObject({ made: 3, superseded: 3, message: '已制作 3 枚电子签章（替换 3 枚旧印章）' });
    const list = (await producer.get(`/api/staff/orders/${o.orderId}/seals`)).json().seals as { id: string; status: string }[];
    expect(list.filter((s) => s.status === 'valid')).toHaveLength(3);
    expect(list.filter((s) => s.status === 'superseded')).toHaveLength(3);
    const old = first.seals[0].id as string;
    const oldDownload = await producer.get(`/api/staff/seals/${old}/download`);
    expect(oldDownload.statusCode).toBe(409);
    expect(oldDownload.json().error.message).toBe('此电子签章已被替换，请下载新制作的电子签章');
  });

  it('refuses with Chinese reasons: before 制证, unknown order, bad id, wrong role; never a 500', async () => {
    const inProduction = await quickOrder(t, 'in_production');
    await confirmTestImages(t.db, inProduction.orderId);
    const r1 = await producer.post(`/api/staff/orders/${inProduction.orderId}/seals`);
    expect(r1.statusCode).toBe(409);
    expect(r1.json().error.message).toBe('请先完成制证（签发证书）后再制作电子签章');
    const r2 = await producer.post(`/api/staff/orders/${randomUUID()}/seals`);
    expect(r2.statusCode).toBe(404);
    expect(r2.json().error.message).toBe('找不到该订单');
    const r3 = await producer.post('/api/staff/orders/not-a-uuid/seals');
    expect(r3.statusCode).toBe(400);
    expect(JSON.stringify(r3.json())).toContain('订单编号格式不正确');
    const o = await producedOrder(t);
    await confirmTestImages(t.db, o.orderId);
    const r4 = await reviewer.post(`/api/staff/orders/${o.orderId}/seals`);
    expect(r4.statusCode).toBe(403);
    expect(r4.json().error.message).toContain('制证');
    expect((await producer.get(`/api/staff/orders/${o.orderId}/seals`)).json().seals).toEqual([]);
    // Before 制证 the order page does not show the panel.
    const early = await quickOrder(t, 'paper_awaiting');
    expect((await producer.get(`/api/staff/orders/${early.orderId}/seals`)).json()).toMatchObject({ relevant: false, canMake: false });
    expect((await producer.get(`/api/staff/seals/${randomUUID()}/download`)).statusCode).toBe(404);
    expect((await reviewer.get(`/api/staff/seals/${randomUUID()}/download`)).statusCode).toBe(403);
    expect((await t.client().get(`/api/staff/orders/${o.orderId}/seals`)).statusCode).toBe(401);
  });
});

describe('验证电子签章 (public)', () => {
  it('a seal the CA made verifies, by DER or Base64, with the bound certificate valid — and a tampered picture does not', async () => {
    const o = await ownOrderWithSeals();
    const seals = (await o.a.c.get(`/api/certificates/${o.certificateId}/seals`)).json().seals as { id: string; kind: string }[];
    const der = await download(seals.find((s) => s.kind === 'company')!.id);
    const r = await verify(der);
    expect(r.statusCode, r.body).toBe(200);
    const v = r.json();
    expect(v).toMatchObject({
      ok: true,
      result: '电子印章有效',
      makerSignatureOk: true,
      certificateStatus: 'valid',
      certificateStatusLabel: '有效',
      seal: { version: 4, vid: 'CertDesk', type: 1, typeLabel: '单位印章', picture: { type: 'png', widthMm: 42, heightMm: 42 } },
    });
    expect(v.maker.subject).toContain('电子印章制章人');
    expect(v.certificate.unitName).toBe(o.a.name);
    const b64 = await verify({ seal: der.toString('base64') });
    expect(b64.json()).toMatchObject({ ok: true, result: '电子印章有效' });
    const pem = await verify({ seal: `-----BEGIN SEAL-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END SEAL-----` });
    expect(pem.json().ok).toBe(true);

    const png = await impressionPng('company');
    const tampered = Buffer.from(der);
    const at = tampered.indexOf(png) + 100;
    tampered[at] = tampered[at]! ^ 0xff;
    const bad = (await verify(tampered)).json();
    expect(bad).toMatchObject({ ok: false, makerSignatureOk: false });
    expect(bad.result).toMatch(/^电子印章无效：.*制章人签名验证失败/);
  });

  it('revoking the certificate revokes its seals: verification fails, 我的证书 shows 已吊销, download refused', async () => {
    const o = await ownOrderWithSeals();
    const seals = (await o.a.c.get(`/api/certificates/${o.certificateId}/seals`)).json().seals as { id: string }[];
    const der = await download(seals[0]!.id);
    expect((await verify(der)).json().ok).toBe(true);
    await revocationRepository.revokeCertificate(t.db, o.certificateId, t.clock.now(), 1);
    const v = (await verify(der)).json();
    expect(v).toMatchObject({ ok: false, makerSignatureOk: true, certificateStatus: 'revoked', certificateStatusLabel: '已吊销' });
    expect(v.result).toMatch(/^电子印章无效：绑定证书 .*已吊销/);
    const listed = (await o.a.c.get(`/api/certificates/${o.certificateId}/seals`)).json().seals as {
      status: string;
      statusLabel: string;
    }[];
    expect(listed.every((s) => s.status === 'revoked' && s.statusLabel === '已吊销（证书已吊销）')).toBe(true);
    const dl = await producer.get(`/api/staff/seals/${seals[0]!.id}/download`);
    expect(dl.statusCode).toBe(409);
    expect(dl.json().error.message).toBe('绑定的证书已吊销或不可用，不能下载此电子签章');
  });

  it('a seal by another maker, or bound to a certificate the CA never issued, is not valid', async () => {
    const o = await ownOrderWithSeals();
    const seals = (await o.a.c.get(`/api/certificates/${o.certificateId}/seals`)).json().seals as { id: string }[];
    const ours = parseSeal(await download(seals[0]!.id));
    const ca = await caRuntime(t.config.ca);
    // Signed by the OCSP responder's SM2 key instead of the seal maker's: a good signature, the wrong maker.
    const ocsp = ca.hierarchy.families.sm2!.ocsp;
    const input = {
      esId: 'CDFOREIGN0001',
      type: 1 as const,
      name: ours.name,
      certs: ours.certs,
      createDate: ours.createDate,
      validStart: ours.validStart,
      validEnd: ours.validEnd,
      picture: ours.picture,
    };
    const foreign = (await verify(Buffer.from(await makeSeal(input, { certDer: ocsp.certDer, signer: ocsp.signer })))).json();
    expect(foreign).toMatchObject({ ok: false, makerSignatureOk: false });
    expect(foreign.result).toContain('制章人证书不是本 CA 的制章人证书');
    // Bound to a certificate that is not in the registry.
    const stranger = await makeSeal({ ...input, esId: 'CDSTRANGER01', certs: [ca.issuing('sm2').certDer] }, ca.sealMaker());
    const s = (await verify(Buffer.from(stranger))).json();
    expect(s).toMatchObject({ ok: false, makerSignatureOk: true, certificateStatus: 'unknown', certificateStatusLabel: '未知' });
    expect(s.result).toContain('不是本 CA 签发的证书');
  });

  it.each<[string, Buffer | object | string, string | undefined, RegExp]>([
    ['an empty file', Buffer.alloc(0), undefined, /请上传电子印章文件/],
    ['garbage bytes', Buffer.from('not a seal at all'), undefined, /不是有效的电子印章（GM\/T 0031）/],
    ['a certificate', Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]), undefined, /不是有效的电子印章/],
    ['JSON without seal', {}, undefined, /请上传电子印章文件或粘贴其 Base64 内容/],
    ['not Base64', { seal: '这不是base64!' }, undefined, /不是有效的 Base64/],
    ['a number', { seal: 42 }, undefined, /应为 Base64 文本/],
    ['Base64 of garbage', { seal: Buffer.from('hello').toString('base64') }, undefined, /不是有效的电子印章/],
    ['broken JSON', '{"seal": ', 'application/json', /./],
  ])('malformed: %s → 400 with a Chinese message', async (_n, body, type, message) => {
    const r = await verify(body as Buffer, type);
    expect(r.statusCode, r.body).toBe(400);
    const e = r.json().error;
    expect(e.message).toMatch(/[\u4e00-\u9fff]/);
    expect(JSON.stringify(e)).toMatch(message);
  });
});

it('is counted per address: after 120 checks in 10 minutes the next one waits (429, Chinese)', async () => {
  const remoteAddress = `10.8.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
  const send = () =>
    t.app.inject({
      method: 'POST',
      url: '/api/seals/verify',
      remoteAddress,
      payload: { seal: 'AAAA' },
      headers: { 'content-type': 'application/json' },
    });
  for (let i = 0; i < 120; i++) expect((await send()).statusCode).toBe(400);
  const r = await send();
  expect(r.statusCode).toBe(429);
  expect(r.json().error.message).toMatch(/[\u4e00-\u9fff]/);
});

describe('我的证书 and 试用 (the organization)', () => {
  it('lists its certificate’s seals; another organization and anonymous callers get nothing', async () => {
    const o = await ownOrderWithSeals();
    const r = await o.a.c.get(`/api/certificates/${o.certificateId}/seals`);
    expect(r.statusCode).toBe(200);
    expect(r.json().seals.map((s: { kindLabel: string }) => s.kindLabel)).toEqual(
      expect.arrayContaining(['企业公章', '法人私章', '法人手写签名']),
    );
    const other = await paidOrder(t);
    const theirs = await other.a.c.get(`/api/certificates/${o.certificateId}/seals`);
    expect(theirs.statusCode).toBe(404);
    expect(theirs.json().error.message).toBe('找不到该证书');
    expect((await t.client().get(`/api/certificates/${o.certificateId}/seals`)).statusCode).toBe(401);
    expect((await o.a.c.get('/api/certificates/nope/seals')).statusCode).toBe(400);
    expect((await other.a.c.get(`/api/orders/${o.orderId}/seals`)).statusCode).toBe(404);
    // 我的证书 lists them with the certificate; the other organization's list has none of them.
    const mine = (await o.a.c.get('/api/my-certificates')).json().certificates as {
      id: string;
      seals: { kindLabel: string; esId: string }[];
    }[];
    const withSeals = mine.find((c) => c.id === o.certificateId)!;
    expect(withSeals.seals.map((s) => s.kindLabel).sort()).toEqual(['企业公章', '法人手写签名', '法人私章'].sort());
    expect(withSeals.seals.map((s) => s.esId)).toEqual(r.json().seals.map((s: { esId: string }) => s.esId));
    const theirList = (await other.a.c.get('/api/my-certificates')).json().certificates as { seals: unknown[] }[];
    expect(theirList.every((c) => c.seals.length === 0)).toBe(true);
  });

  it('stamps the seal on a sample page: PNG preview and PDF; 404 before the seal exists and for other organizations', async () => {
    const o = await ownOrderWithSeals();
    const png = await o.a.c.get(`/api/orders/${o.orderId}/seal-try`);
    expect(png.statusCode, png.body.slice(0, 200)).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.rawPayload.subarray(1, 4).toString()).toBe('PNG');
    if (process.env.SEAL_PREVIEW_OUT) writeFileSync(process.env.SEAL_PREVIEW_OUT, png.rawPayload);
    const seals = (await o.a.c.get(`/api/orders/${o.orderId}/seals`)).json().seals as { id: string; kind: string }[];
    const pdf = await o.a.c.get(`/api/orders/${o.orderId}/seal-try?format=pdf&seal=${seals.find((s) => s.kind === 'signature')!.id}`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const other = await paidOrder(t);
    expect((await other.a.c.get(`/api/orders/${o.orderId}/seal-try`)).statusCode).toBe(404);
    const none = await other.a.c.get(`/api/orders/${other.orderId}/seal-try`);
    expect(none.statusCode).toBe(404);
    expect(none.json().error.message).toBe('本订单的电子签章尚未制作');
    expect((await o.a.c.get(`/api/orders/${o.orderId}/seal-try?format=gif`)).statusCode).toBe(400);
  });
});
