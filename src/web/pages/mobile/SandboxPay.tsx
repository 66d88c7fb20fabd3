/**
 * 沙箱付款页：the page the sandbox's QR code opens (/sandbox/pay/<channel>/<token>), standing in for the
 * WeChat / Alipay cashier on the payer's phone. It says loudly that it is a sandbox, shows the amount and
 * what it buys, and lets a person 确认支付 or 取消. Paying makes the sandbox provider record the trade as
 * paid and send the merchant the signed notification the real provider would send.
 */
import { useCallback, useEffect, useState } from 'react';
import { useParams } from 'react-router-dom';
import { Alert, Button, Result, Spin } from 'antd';
import { ApiError, apiGet, apiPost } from '../../api.js';
import './sandbox-pay.css';

type Channel = 'wechat' | 'alipay';
interface SandboxPayView {
  channel: Channel;
  amountFen: number;
  description: string;
  status: 'pending' | 'paid' | 'cancelled' | 'closed' | 'expired' | 'refunded';
  expiresAt: string;
  merchant: string;
  sandbox: true;
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
  const rest = useParams()['*'] ?? '';
  const m = /^(wechat|alipay)\/([A-Za-z0-9_-]{22,64})$/.exec(rest);
  const channel = (m?.[1] ?? 'wechat') as Channel;
  const token = m?.[2] ?? '';
  const [view, setView] = useState<SandboxPayView | null>(null);
  const [state, setState] = useState<'loading' | 'ok' | 'dead' | 'error'>('loading');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'pay' | 'cancel' | null>(null);

  const load = useCallback(async () => {
    if (!token) return setState('dead');
    try {
      setView(await apiGet<SandboxPayView>(`/api/sandbox-pay/${token}`));
      setState('ok');
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 400)) setState('dead');
      else {
        setError(e instanceof ApiError ? e.message : '网络连接失败，请检查网络后重试');
        setState('error');
      }
    }
  }, [token]);
  useEffect(() => {
    void load();
  }, [load]);

  const act = async (action: 'pay' | 'cancel') => {
    setBusy(action);
    setError(null);
    try {
      await apiPost(`/api/sandbox-pay/${token}/${action}`);
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
            <Spin />
          </div>
        )}
        {state === 'dead' && <Result status="404" title="找不到这笔付款" subTitle="二维码无效。请在订单页面重新获取二维码后扫码。" />}
        {state === 'error' && (
          <Result
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
                <Result
                  status={ENDED[view.status].status}
                  title={ENDED[view.status].title}
                  subTitle={ENDED[view.status].sub}
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
