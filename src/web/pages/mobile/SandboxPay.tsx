/**
 * 沙箱付款页：the page the sandbox's QR code opens (/sandbox/pay/<channel>/<token>), standing in for the
 * WeChat / Alipay cashier on the payer's phone. It says loudly that it is a sandbox, shows the amount and
 * what it buys, and lets a person 确认支付 or 取消. Paying makes the sandbox provider record the trade as
 * paid and send the merchant the signed notification the real provider would send.
 *
 * A phone payment (WeChat Pay H5 / Alipay 手机网站支付) came here from the merchant's page in this browser:
 * after paying, the page goes back as the provider would — WeChat to the redirect_url the merchant appended
 * to h5_url (in this page's address), Alipay to return_url with its signed return parameters — but only to
 * this site (the sandbox's stand-in for the H5 domain registered at the provider).
 */
import { useCallback, useEffect, useState } from 'react';
import { useParams } from 'react-router-dom';
import { Alert, Button } from 'antd';
import { ApiError, apiGet, apiPost } from '../../api.js';
import { PhoneRoot } from './PhoneRoot.js';
import { PhoneResult, PhoneSpinner } from './PhoneResult.js';
import './sandbox-pay.css';

type Channel = 'wechat' | 'alipay';
interface SandboxPayView {
  channel: Channel;
  amountFen: number;
  description: string;
  status: 'pending' | 'paid' | 'cancelled' | 'closed' | 'expired' | 'refunded';
  expiresAt: string;
  merchant: string;
  tradeType: 'qr' | 'h5';
  merchantUrl: string | null;
  sandbox: true;
}

/** A way back to the merchant, only on this site (never an open redirect). */
function sameSite(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url, location.href);
    return u.origin === location.origin ? u.pathname + u.search : null;
  } catch {
    return null;
  }
}

const CHANNEL: Record<Channel, { name: string; logo: string }> = {
  wechat: { name: '微信支付', logo: '微' },
  alipay: { name: '支付宝', logo: '支' },
};

const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
const time = (iso: string) => new Date(iso).toLocaleString('zh-CN', { hour12: false, timeZone: 'Asia/Shanghai' }).replace(/\//g, '-');

const ENDED: Record<
  Exclude<SandboxPayView['status'], 'pending'>,
  { status: 'success' | 'info' | 'warning'; title: string; sub: string }
> = {
  paid: { status: 'success', title: '已支付', sub: '付款成功。请回到电脑上的订单页面，页面会自动更新。' },
  refunded: { status: 'info', title: '已退款', sub: '这笔付款已退回。' },
  cancelled: { status: 'info', title: '已取消', sub: '您取消了这笔付款，未扣款。如需付款，请在订单页面重新获取二维码。' },
  closed: { status: 'warning', title: '已关闭', sub: '这笔付款已关闭，不能再支付。请在订单页面重新获取二维码。' },
  expired: { status: 'warning', title: '已过期', sub: '二维码已过期，未扣款。请在订单页面重新获取二维码。' },
};

export function SandboxPayPage() {
  return (
    <PhoneRoot>
      <SandboxPay />
    </PhoneRoot>
  );
}

function SandboxPay() {
  const rest = useParams()['*'] ?? '';
  const m = /^(wechat|alipay)\/([A-Za-z0-9_-]{22,64})$/.exec(rest);
  const channel = (m?.[1] ?? 'wechat') as Channel;
  const token = m?.[2] ?? '';
  const [view, setView] = useState<SandboxPayView | null>(null);
  const [state, setState] = useState<'loading' | 'ok' | 'dead' | 'error'>('loading');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'pay' | 'cancel' | null>(null);
  /** Where 返回商户 goes for a phone payment (null for a scanned QR code: the payer is on another phone). */
  const [back, setBack] = useState<string | null>(null);
  const redirectUrl = new URLSearchParams(location.search).get('redirect_url');

  const load = useCallback(async () => {
    if (!token) return setState('dead');
    try {
      const v = await apiGet<SandboxPayView>(`/api/sandbox-pay/${token}`);
      setView(v);
      if (v.tradeType === 'h5') setBack((b) => b ?? sameSite(v.channel === 'wechat' ? redirectUrl : v.merchantUrl));
      setState('ok');
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 400)) setState('dead');
      else {
        setError(e instanceof ApiError ? e.message : '网络连接失败，请检查网络后重试');
        setState('error');
      }
    }
  }, [token, redirectUrl]);
  useEffect(() => {
    void load();
  }, [load]);

  // After paying on the phone, the provider's cashier goes back to the merchant by itself.
  const paidOnPhone = view?.status === 'paid' && view.tradeType === 'h5' && !!back;
  useEffect(() => {
    if (!paidOnPhone || !back) return;
    const t = setTimeout(() => location.assign(back), 1500);
    return () => clearTimeout(t);
  }, [paidOnPhone, back]);

  const act = async (action: 'pay' | 'cancel') => {
    setBusy(action);
    setError(null);
    try {
      const r = await apiPost<{ returnUrl?: string | null }>(`/api/sandbox-pay/${token}/${action}`);
      // Alipay WAP: back to return_url with the signed return parameters.
      const signedBack = sameSite(r?.returnUrl);
      if (signedBack) setBack(signedBack);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : '网络连接失败，请检查网络后重试');
    } finally {
      setBusy(null);
      await load();
    }
  };

  const c = CHANNEL[view?.channel ?? channel];
  return (
    <div className={`sp-shell sp-${view?.channel ?? channel}`}>
      <div className="sp-banner" role="note">
        这是沙箱支付，不会真实扣款
      </div>
      <header className="sp-header">
        <span className="sp-logo" aria-hidden>
          {c.logo}
        </span>
        {c.name}（沙箱）
      </header>
      <main className="sp-body">
        {state === 'loading' && (
          <div style={{ textAlign: 'center', padding: 48 }}>
            <PhoneSpinner />
          </div>
        )}
        {state === 'dead' && (
          <PhoneResult status="warning" title="找不到这笔付款" subTitle="二维码无效。请在订单页面重新获取二维码后扫码。" />
        )}
        {state === 'error' && (
          <PhoneResult
            status="error"
            title="加载失败"
            subTitle={error}
            extra={
              <Button type="primary" onClick={() => void load()}>
                重试
              </Button>
            }
          />
        )}
        {state === 'ok' && view && (
          <>
            {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
            <div className="sp-card">
              <div className="sp-merchant">{view.merchant}</div>
              <div className="sp-amount" aria-label={`金额 ${yuan(view.amountFen)} 元`}>
                <small>¥</small>
                {yuan(view.amountFen)}
              </div>
              <div className="sp-desc">{view.description}</div>
              <div className="sp-rows">
                <div>
                  <span>付款方式</span>
                  <span>{c.name}（沙箱）</span>
                </div>
                <div>
                  <span>有效期至</span>
                  <span>{time(view.expiresAt)}</span>
                </div>
              </div>
              {view.status === 'pending' ? (
                <div className="sp-actions">
                  <Button
                    className="sp-pay"
                    type="primary"
                    size="large"
                    block
                    loading={busy === 'pay'}
                    disabled={!!busy}
                    onClick={() => void act('pay')}
                  >
                    确认支付 ¥{yuan(view.amountFen)}
                  </Button>
                  <Button size="large" block loading={busy === 'cancel'} disabled={!!busy} onClick={() => void act('cancel')}>
                    取消
                  </Button>
                </div>
              ) : (
                <PhoneResult
                  status={ENDED[view.status].status}
                  title={ENDED[view.status].title}
                  subTitle={
                    view.tradeType === 'h5' && back
                      ? view.status === 'paid'
                        ? '付款成功，正在返回商户页面…'
                        : '未扣款。请返回商户页面重新发起付款。'
                      : ENDED[view.status].sub
                  }
                  extra={
                    view.tradeType === 'h5' && back ? (
                      <Button type="primary" href={back} data-testid="sp-back">
                        返回商户
                      </Button>
                    ) : undefined
                  }
                  style={{ padding: '24px 0 0' }}
                />
              )}
            </div>
            <p className="sp-note">
              沙箱说明：此页面代替{c.name}收银台，用于开发和测试。点击“确认支付”后，沙箱会像{c.name}
              一样向本系统发送已签名的支付通知，订单随即变为已付款；不会产生任何真实交易。
            </p>
          </>
        )}
      </main>
    </div>
  );
}
