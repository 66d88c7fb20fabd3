/**
 * The configured payment providers: the real WeChat Pay and Alipay adapters, talking either to the real
 * providers over HTTPS (CERTDESK_PAY=live) or to the sandbox provider in-process, configured with the
 * sandbox's merchant keys — so the same signing and verification code runs in tests, demos and production.
 */
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { alipayNoticeReply, alipayProvider } from './alipay.js';
import { fetchTransport } from './http.js';
import { NoticeRejected, type PayChannel, type PaymentProvider } from './port.js';
import { sandboxKeys } from './sandbox/keys.js';
import { SANDBOX_ALIPAY_GATEWAY, SANDBOX_ALIPAY_PAGE_GATEWAY, SANDBOX_WECHAT_BASE, sandboxPayService } from './sandbox/server.js';
import { wechatNoticeReply, wechatPayProvider } from './wechatpay.js';

export type PaymentProviders = Record<PayChannel, PaymentProvider>;

/** Our notify routes (served by routes/payments.ts). */
export const NOTIFY_PATHS: Record<PayChannel, string> = {
  wechat: '/api/payments/notify/wechat',
  alipay: '/api/payments/notify/alipay',
};
const SANDBOX_ORIGIN = 'http://localhost';

interface Entry {
  providers: PaymentProviders;
  ready: Promise<void>;
}
const cache = new WeakMap<Db, WeakMap<Config, Entry>>();

/**
 * The sandbox adapters need the sandbox's keys, which live in the database: the providers returned here load
 * them in the background (`paymentProvidersReady` awaits that; the sandbox routes plugin does in onReady, so
 * a started app has them). Until then, verifyNotice refuses — the sender delivers again.
 */
function sandboxEntry(config: Config, db: Db, clock: Clock): Entry {
  const service = sandboxPayService({ db, clock });
  const now = () => clock.now();
  const origin = (config.publicUrl ?? SANDBOX_ORIGIN).replace(/\/+$/, '');
  let inner: PaymentProviders | undefined;
  const ready = sandboxKeys(db).then((k) => {
    inner = {
      wechat: wechatPayProvider(
        {
          mchid: k.wechat.mchid,
          appid: k.wechat.appid,
          mchSerial: k.wechat.mchSerial,
          mchPrivateKeyPem: k.wechat.mchPrivatePem,
          apiV3Key: k.wechat.apiV3Key,
          platformKeys: { [k.wechat.platformSerial]: k.wechat.platformPublicPem },
          baseUrl: SANDBOX_WECHAT_BASE,
          notifyUrl: origin + NOTIFY_PATHS.wechat,
          sandbox: true,
        },
        service.transport,
        now,
      ),
      alipay: alipayProvider(
        {
          appId: k.alipay.appId,
          sellerId: k.alipay.sellerId,
          appPrivateKeyPem: k.alipay.appPrivatePem,
          alipayPublicKeyPem: k.alipay.alipayPublicPem,
          gateway: SANDBOX_ALIPAY_GATEWAY,
          pageGateway: SANDBOX_ALIPAY_PAGE_GATEWAY,
          notifyUrl: origin + NOTIFY_PATHS.alipay,
          sandbox: true,
        },
        service.transport,
        now,
      ),
    };
  });
  ready.catch(() => {});
  const lazy = (channel: PayChannel): PaymentProvider => {
    const get = async () => {
      await ready;
      return inner![channel];
    };
    return {
      channel,
      sandbox: true,
      create: async (r) => (await get()).create(r),
      createForPhone: async (r) => (await get()).createForPhone(r),
      query: async (no) => (await get()).query(no),
      close: async (no) => (await get()).close(no),
      refund: async (r) => (await get()).refund(r),
      verifyNotice: (req, at) => {
        if (!inner) throw new NoticeRejected('sandbox_keys_not_loaded');
        return inner[channel].verifyNotice(req, at);
      },
      // The same answers as the real adapters': keys not loaded yet must not change what the provider sees.
      reply: channel === 'wechat' ? wechatNoticeReply : alipayNoticeReply,
    };
  };
  return { providers: { wechat: lazy('wechat'), alipay: lazy('alipay') }, ready };
}

function entryFor(config: Config, deps: { db: Db; clock: Clock }): Entry {
  let byConfig = cache.get(deps.db);
  if (!byConfig) cache.set(deps.db, (byConfig = new WeakMap()));
  let e = byConfig.get(config);
  if (!e) {
    const p = config.payments;
    if (p.kind === 'sandbox') e = sandboxEntry(config, deps.db, deps.clock);
    else {
      const transport = fetchTransport();
      const now = () => deps.clock.now();
      e = {
        providers: { wechat: wechatPayProvider(p.wechat, transport, now), alipay: alipayProvider(p.alipay, transport, now) },
        ready: Promise.resolve(),
      };
    }
    byConfig.set(config, e);
  }
  return e;
}

/** The providers for this configuration and database (one set per pair, built once). */
export function paymentProvidersFor(config: Config, deps: { db: Db; clock: Clock }): PaymentProviders {
  return entryFor(config, deps).providers;
}

/** Resolves when the providers can verify notices (sandbox: its keys are loaded). */
export function paymentProvidersReady(config: Config, deps: { db: Db; clock: Clock }): Promise<void> {
  return entryFor(config, deps).ready;
}
