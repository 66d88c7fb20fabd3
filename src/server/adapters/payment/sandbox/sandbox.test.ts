/**
 * The real adapters against the sandbox provider, in-process: request signing is checked by the sandbox,
 * answers are checked by the adapters, and create/query/close/refund round-trip for both channels. Then
 * notification delivery: acknowledged once, refused ones redelivered with backoff.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, testConfig, testDb } from '../../../testing/harness.js';
import type { Db } from '../../../db/client.js';
import { paymentProvidersFor, paymentProvidersReady, type PaymentProviders } from '../configured.js';
import { ProviderError, type PayChannel, type PaymentProvider, type VerifiedNotice } from '../port.js';
import { wechatAuthorization, wechatPayProvider } from '../wechatpay.js';
import { privateKeyFrom } from '../crypto.js';
import { alipayProvider } from '../alipay.js';
import type { HttpTransport } from '../http.js';
import { payInSandbox, cancelInSandbox, sandboxNoticesOf, sandboxTrade, redeliverSandboxNotices } from '../testing.js';
import { sandboxKeys, type SandboxKeys } from './keys.js';
import { SANDBOX_ALIPAY_GATEWAY, SANDBOX_WECHAT_BASE, sandboxPayService, sandboxTokenOf } from './server.js';
import { NOTICE_BACKOFF_MS } from './delivery.js';

let db: Db;
let keys: SandboxKeys;
const clock = new ManualClock(new Date('2026-11-20T10:00:00+08:00'));
let providers: PaymentProviders;
let transport: HttpTransport;

/** A stand-in for the payments module's notify routes: verifies with the real adapter, answers as told. */
let notifyApp: FastifyInstance;
let accept = true;
const received: VerifiedNotice[] = [];

beforeAll(async () => {
  db = (await testDb()).db;
  const config = testConfig();
  providers = paymentProvidersFor(config, { db, clock });
  await paymentProvidersReady(config, { db, clock });
  keys = await sandboxKeys(db);
  transport = sandboxPayService({ db, clock }).transport;
  notifyApp = Fastify();
  // Like the real notify routes: the signature covers the raw text, so no JSON parsing before verification.
  notifyApp.removeAllContentTypeParsers();
  notifyApp.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  notifyApp.post<{ Params: { channel: PayChannel } }>('/api/payments/notify/:channel', async (req, reply) => {
    const p = providers[req.params.channel];
    try {
      const v = p.verifyNotice({ headers: req.headers, rawBody: req.body as string }, clock.now());
      if (accept) received.push(v);
      const r = p.reply(accept);
      return reply.status(r.status).type(r.contentType).send(r.body);
    } catch {
      const r = p.reply(false);
      return reply.status(r.status).type(r.contentType).send(r.body);
    }
  });
  await notifyApp.ready();
});
afterAll(() => notifyApp.close());

const newNo = () => `CDT${Date.now().toString(36)}${randomBytes(5).toString('hex')}`.toUpperCase();
const inMinutes = (m: number) => new Date(clock.now().getTime() + m * 60_000);
const otherKeyPem = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const strangerPublicPem = () =>
  generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }) as string;

const channels: PayChannel[] = ['wechat', 'alipay'];

describe.each(channels)('%s through the real adapter and the sandbox', (channel) => {
  const p = (): PaymentProvider => providers[channel];

  it('create → QR code for the sandbox payer page; same out_trade_no again → the same code', async () => {
    const no = newNo();
    const req = { outTradeNo: no, amountFen: 22000, description: '江西CA数字证书 主锁 1个', expiresAt: inMinutes(30) };
    const { codeUrl } = await p().create(req);
    expect(codeUrl).toMatch(new RegExp(`^/sandbox/pay/${channel}/[A-Za-z0-9_-]{32}$`));
    expect((await p().create(req)).codeUrl).toBe(codeUrl);
    expect(await p().query(no)).toEqual({ outTradeNo: no, state: 'pending' });
    const t = (await sandboxTrade(db, codeUrl))!;
    expect(t).toMatchObject({ amountFen: 22000, channel, outTradeNo: no, description: req.description });
  });

  it('query of an unknown trade → not_found', async () => {
    expect(await p().query(newNo())).toEqual(expect.objectContaining({ state: 'not_found' }));
  });

  it('paid → query says paid with amount, transaction id and time; refund idempotent per outRefundNo', async () => {
    const no = newNo();
    const { codeUrl } = await p().create({ outTradeNo: no, amountFen: 22000, description: '主锁', expiresAt: inMinutes(30) });
    const paid = await payInSandbox(notifyApp, db, codeUrl, clock);
    expect(paid.ok).toBe(true);
    const q = await p().query(no);
    expect(q).toMatchObject({ outTradeNo: no, state: 'paid', amountFen: 22000, transactionId: paid.trade!.transactionId });
    expect(q.paidAt?.getTime()).toBe(Math.floor(clock.now().getTime() / 1000) * 1000);
    // Paid: can no longer be closed.
    await expect(p().close(no)).rejects.toBeInstanceOf(ProviderError);

    const first = await p().refund({ outTradeNo: no, outRefundNo: `${no}R1`, amountFen: 10000, totalFen: 22000, reason: '取消订单' });
    expect(first.state).toBe('success');
    const again = await p().refund({ outTradeNo: no, outRefundNo: `${no}R1`, amountFen: 10000, totalFen: 22000, reason: '取消订单' });
    expect(again.refundId).toBe(first.refundId);
    expect((await sandboxTrade(db, no, channel))!.refundedFen).toBe(10000);
    await p().refund({ outTradeNo: no, outRefundNo: `${no}R2`, amountFen: 12000, totalFen: 22000, reason: '取消订单' });
    await expect(
      p().refund({ outTradeNo: no, outRefundNo: `${no}R3`, amountFen: 1, totalFen: 22000, reason: '多退' }),
    ).rejects.toBeInstanceOf(ProviderError);
    expect((await sandboxTrade(db, no, channel))!).toMatchObject({ refundedFen: 22000, status: 'refunded' });
    expect((await p().query(no)).state).toBe(channel === 'wechat' ? 'refunded' : 'closed');
  });

  it('close → closed, and a closed trade cannot be paid', async () => {
    const no = newNo();
    const { codeUrl } = await p().create({ outTradeNo: no, amountFen: 19000, description: '副锁', expiresAt: inMinutes(30) });
    await p().close(no);
    expect((await p().query(no)).state).toBe('closed');
    expect(await payInSandbox(notifyApp, db, codeUrl, clock)).toMatchObject({ ok: false, reason: 'not_pending' });
  });

  it('an expired trade cannot be paid and queries as closed', async () => {
    const no = newNo();
    const { codeUrl } = await p().create({ outTradeNo: no, amountFen: 19000, description: '副锁', expiresAt: inMinutes(1) });
    clock.advance(61_000);
    expect(await payInSandbox(notifyApp, db, codeUrl, clock)).toMatchObject({ ok: false, reason: 'expired' });
    expect((await p().query(no)).state).toBe('closed');
  });

  it('a trade the payer cancelled cannot be paid', async () => {
    const no = newNo();
    const { codeUrl } = await p().create({ outTradeNo: no, amountFen: 19000, description: '副锁', expiresAt: inMinutes(30) });
    expect(await cancelInSandbox(db, codeUrl, clock)).toBe(true);
    expect(await payInSandbox(notifyApp, db, codeUrl, clock)).toMatchObject({ ok: false, reason: 'not_pending' });
  });

  it('the notice is delivered once when acknowledged, and verified by the real adapter', async () => {
    const no = newNo();
    const { codeUrl } = await p().create({ outTradeNo: no, amountFen: 22000, description: '主锁', expiresAt: inMinutes(30) });
    accept = true;
    const r = await payInSandbox(notifyApp, db, codeUrl, clock);
    expect(r.delivery).toMatchObject({ acknowledged: true, status: channel === 'wechat' ? 204 : 200 });
    expect(received.at(-1)).toMatchObject({ channel, outTradeNo: no, amountFen: 22000, paid: true, transactionId: r.trade!.transactionId });
    clock.advance(3600_000);
    const again = await redeliverSandboxNotices({ app: notifyApp, db, clock });
    expect(again.filter((d) => d.noticeId === r.delivery!.noticeId)).toEqual([]);
  });

  it('a refused notice is kept and redelivered after its backoff, freshly signed, until acknowledged', async () => {
    const no = newNo();
    const { codeUrl } = await p().create({ outTradeNo: no, amountFen: 22000, description: '主锁', expiresAt: inMinutes(30) });
    accept = false;
    const r = await payInSandbox(notifyApp, db, codeUrl, clock);
    expect(r.delivery?.acknowledged).toBe(false);
    const id = r.delivery!.noticeId;
    // Not due before the first backoff (15 s).
    expect((await redeliverSandboxNotices({ app: notifyApp, db, clock })).map((d) => d.noticeId)).not.toContain(id);
    clock.advance(NOTICE_BACKOFF_MS[0]! + 1000);
    expect((await redeliverSandboxNotices({ app: notifyApp, db, clock })).find((d) => d.noticeId === id)).toMatchObject({
      acknowledged: false,
    });
    // Ten minutes later the first signature would be stale: each attempt is signed anew.
    clock.advance(10 * 60_000);
    accept = true;
    expect((await redeliverSandboxNotices({ app: notifyApp, db, clock })).find((d) => d.noticeId === id)).toMatchObject({
      acknowledged: true,
    });
    expect(received.at(-1)).toMatchObject({ outTradeNo: no });
    const [n] = await sandboxNoticesOf(db, codeUrl);
    expect(n).toMatchObject({ attempts: 3 });
    expect(n!.deliveredAt).not.toBeNull();
  });
});

describe('the sandbox checks what the real providers check', () => {
  const req = () => ({ outTradeNo: newNo(), amountFen: 22000, description: '主锁', expiresAt: inMinutes(30) });
  const now = () => clock.now();
  const wechatCfg = () => ({
    mchid: keys.wechat.mchid,
    appid: keys.wechat.appid,
    mchSerial: keys.wechat.mchSerial,
    mchPrivateKeyPem: keys.wechat.mchPrivatePem,
    apiV3Key: keys.wechat.apiV3Key,
    platformKeys: { [keys.wechat.platformSerial]: keys.wechat.platformPublicPem },
    baseUrl: SANDBOX_WECHAT_BASE,
    notifyUrl: 'http://localhost/api/payments/notify/wechat',
  });
  const alipayCfg = () => ({
    appId: keys.alipay.appId,
    sellerId: keys.alipay.sellerId,
    appPrivateKeyPem: keys.alipay.appPrivatePem,
    alipayPublicKeyPem: keys.alipay.alipayPublicPem,
    gateway: SANDBOX_ALIPAY_GATEWAY,
    notifyUrl: 'http://localhost/api/payments/notify/alipay',
  });
  const code = (e: unknown) => (e instanceof ProviderError ? e.code : String(e));

  it('WeChat Pay: a request signed with another merchant key is refused (401 SIGN_ERROR)', async () => {
    const forged = wechatPayProvider({ ...wechatCfg(), mchPrivateKeyPem: otherKeyPem() }, transport, now);
    expect(code(await forged.create(req()).catch((e: unknown) => e))).toBe('SIGN_ERROR');
  });
  it.each([
    ['301 s old', -301, 401],
    ['301 s ahead', 301, 401],
    ['300 s old', -300, 404],
  ])('WeChat Pay: a request timestamped %s → %i', async (_name, skew, status) => {
    const urlPath = `/v3/pay/transactions/out-trade-no/${newNo()}?mchid=${keys.wechat.mchid}`;
    const authorization = wechatAuthorization({
      mchid: keys.wechat.mchid,
      serial: keys.wechat.mchSerial,
      key: privateKeyFrom(keys.wechat.mchPrivatePem),
      method: 'GET',
      urlPath,
      body: '',
      timestamp: String(Math.floor(clock.now().getTime() / 1000) + skew),
      nonce: 'N0NCE',
    });
    const res = await transport({ method: 'GET', url: SANDBOX_WECHAT_BASE + urlPath, headers: { authorization }, body: '' });
    expect(res.status).toBe(status);
    expect(JSON.parse(res.body).code).toBe(status === 401 ? 'SIGN_ERROR' : 'ORDER_NOT_EXIST');
  });
  it('WeChat Pay: an answer not signed by the configured platform key is not believed', async () => {
    const wrong = wechatPayProvider(
      { ...wechatCfg(), platformKeys: { [keys.wechat.platformSerial]: strangerPublicPem() } },
      transport,
      now,
    );
    expect(code(await wrong.create(req()).catch((e: unknown) => e))).toBe('BAD_RESPONSE');
  });
  it('WeChat Pay: an answer changed on the way is not believed', async () => {
    const tampering: HttpTransport = async (r) => {
      const res = await transport(r);
      return { ...res, body: res.body.replace(/"total":\d+/, '"total":1') };
    };
    const no = newNo();
    await providers.wechat.create({ ...req(), outTradeNo: no });
    const p = wechatPayProvider(wechatCfg(), tampering, now);
    expect(code(await p.query(no).catch((e: unknown) => e))).toBe('BAD_RESPONSE');
  });
  it('Alipay: a request signed with another app key is refused (isv.invalid-signature)', async () => {
    const forged = alipayProvider({ ...alipayCfg(), appPrivateKeyPem: otherKeyPem() }, transport, now);
    expect(code(await forged.create(req()).catch((e: unknown) => e))).toBe('isv.invalid-signature');
  });
  it('Alipay: an answer not signed by the Alipay key is not believed', async () => {
    const wrong = alipayProvider({ ...alipayCfg(), alipayPublicKeyPem: strangerPublicPem() }, transport, now);
    expect(code(await wrong.create(req()).catch((e: unknown) => e))).toBe('BAD_RESPONSE');
  });
  it('Alipay: precreate sends "220.00" for 22000 fen, query maps it back', async () => {
    const seen: string[] = [];
    const spy: HttpTransport = async (r) => {
      seen.push(new URLSearchParams(r.body).get('biz_content') ?? '');
      return transport(r);
    };
    const p = alipayProvider(alipayCfg(), spy, now);
    const no = newNo();
    const { codeUrl } = await p.create({ ...req(), outTradeNo: no });
    expect(JSON.parse(seen[0]!)).toMatchObject({ out_trade_no: no, total_amount: '220.00' });
    await payInSandbox(notifyApp, db, sandboxTokenOf(codeUrl)!, clock);
    expect(await p.query(no)).toMatchObject({ state: 'paid', amountFen: 22000 });
  });

  const phone = { payerIp: '203.0.113.7', returnUrl: 'https://ca.example.cn/orders/1/pay' };
  it('WeChat Pay H5: POST /v3/pay/transactions/h5 with scene_info (payer_client_ip, h5_info Wap); h5_url + our redirect_url', async () => {
    const seen: { url: string; body: string }[] = [];
    const spy: HttpTransport = async (r) => {
      seen.push({ url: r.url, body: r.body });
      return transport(r);
    };
    const p = wechatPayProvider(wechatCfg(), spy, now);
    const no = newNo();
    const { payUrl } = await p.createForPhone({ ...req(), outTradeNo: no, ...phone });
    expect(seen[0]!.url).toBe(`${SANDBOX_WECHAT_BASE}/v3/pay/transactions/h5`);
    expect(JSON.parse(seen[0]!.body)).toMatchObject({
      out_trade_no: no,
      amount: { total: 22000, currency: 'CNY' },
      scene_info: { payer_client_ip: '203.0.113.7', h5_info: { type: 'Wap' } },
    });
    expect(payUrl).toMatch(/^\/sandbox\/pay\/wechat\/[A-Za-z0-9_-]{32}\?redirect_url=https%3A%2F%2Fca\.example\.cn%2Forders%2F1%2Fpay$/);
    expect((await sandboxTrade(db, no, 'wechat'))!.tradeType).toBe('h5');
    // The same out_trade_no as a Native order is another trade: refused, as WeChat refuses a reused number.
    expect(code(await p.create({ ...req(), outTradeNo: no }).catch((e: unknown) => e))).toBe('OUT_TRADE_NO_USED');
  });
  it.each([
    ['no payer_client_ip', { h5_info: { type: 'Wap' } }],
    ['a payer_client_ip that is not an IP', { payer_client_ip: 'localhost', h5_info: { type: 'Wap' } }],
    ['no h5_info', { payer_client_ip: '203.0.113.7' }],
  ])('WeChat Pay H5: the sandbox refuses %s (PARAM_ERROR)', async (_name, sceneInfo) => {
    const rewriting: HttpTransport = async (r) => {
      // Re-signed by a provider whose body we change before signing: build the request by hand.
      const body = JSON.stringify({ ...JSON.parse(r.body), scene_info: sceneInfo });
      const urlPath = new URL(r.url).pathname;
      const authorization = wechatAuthorization({
        mchid: keys.wechat.mchid,
        serial: keys.wechat.mchSerial,
        key: privateKeyFrom(keys.wechat.mchPrivatePem),
        method: 'POST',
        urlPath,
        body,
        timestamp: String(Math.floor(clock.now().getTime() / 1000)),
        nonce: 'N0NCE2',
      });
      return transport({ ...r, headers: { ...r.headers, authorization }, body });
    };
    const p = wechatPayProvider(wechatCfg(), rewriting, now);
    expect(code(await p.createForPhone({ ...req(), ...phone }).catch((e: unknown) => e))).toBe('PARAM_ERROR');
  });
  it('Alipay WAP: a signed GET URL to the page gateway; the gateway opens the trade and sends the browser to the cashier', async () => {
    const p = alipayProvider({ ...alipayCfg(), pageGateway: 'https://openapi.alipay.com/gateway.do?charset=utf-8' }, transport, now);
    const no = newNo();
    const { payUrl } = await p.createForPhone({ ...req(), outTradeNo: no, ...phone });
    const u = new URL(payUrl);
    expect(u.origin + u.pathname).toBe('https://openapi.alipay.com/gateway.do');
    expect(Object.fromEntries(u.searchParams)).toMatchObject({
      method: 'alipay.trade.wap.pay',
      return_url: phone.returnUrl,
      notify_url: 'http://localhost/api/payments/notify/alipay',
    });
    expect(JSON.parse(u.searchParams.get('biz_content')!)).toMatchObject({
      out_trade_no: no,
      total_amount: '220.00',
      product_code: 'QUICK_WAP_WAY',
      quit_url: phone.returnUrl,
    });
    // Nothing was sent: the trade exists once the browser opens the URL at the gateway.
    expect(await sandboxTrade(db, no, 'alipay')).toBeUndefined();
    const opened = await transport({ method: 'GET', url: `${SANDBOX_ALIPAY_GATEWAY}${u.search}`, headers: {}, body: '' });
    expect(opened.status).toBe(302);
    expect(opened.headers.location).toMatch(/^\/sandbox\/pay\/alipay\//);
    expect(await sandboxTrade(db, no, 'alipay')).toMatchObject({ tradeType: 'h5', amountFen: 22000, returnUrl: phone.returnUrl });
    // Opened again (back button): the same cashier.
    const again = await transport({ method: 'GET', url: `${SANDBOX_ALIPAY_GATEWAY}${u.search}`, headers: {}, body: '' });
    expect(again.headers.location).toBe(opened.headers.location);
    // A wap.pay request posted server-to-server is not how Alipay takes it.
    const posted = await transport({ method: 'POST', url: SANDBOX_ALIPAY_GATEWAY, headers: {}, body: u.search.slice(1) });
    expect(posted.status).toBe(400);
    // Signed with another key: Alipay's error page.
    const forged = alipayProvider({ ...alipayCfg(), appPrivateKeyPem: otherKeyPem() }, transport, now);
    const bad = new URL((await forged.createForPhone({ ...req(), ...phone })).payUrl, 'http://x');
    const refused = await transport({ method: 'GET', url: `${SANDBOX_ALIPAY_GATEWAY}${bad.search}`, headers: {}, body: '' });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('isv.invalid-signature');
  });
});
