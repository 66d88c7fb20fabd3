/**
 * 付款：订单的金额、所购内容和所选渠道（微信支付/支付宝）的二维码；付款到账后自动更新。
 *
 * The amount is the server's (catalog price, fen); the page only chooses a channel and the form factor. On a
 * computer it shows the channel's QR code. On a phone it pays on the phone: the browser goes to WeChat Pay's
 * H5 cashier or Alipay's 手机网站支付 and comes back here. Inside WeChat's own browser neither is allowed, and
 * JSAPI needs an openid we do not have: the page says how to pay from there (open in the browser, or save
 * the QR code and scan it from the album). It polls every 2 s:
 * the server completes the payment from the provider's notification (or asks the provider when the
 * notification is late), and the page turns to 付款成功 with the next step, 邮寄纸质资料.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, Navigate, useParams } from 'react-router-dom';
import { Alert, Breadcrumb, Button, Card, Descriptions, Result, Segmented, Skeleton, Spin, Tag, Typography } from 'antd';
import { AlipayCircleFilled, CheckCircleFilled, WechatFilled } from '@ant-design/icons';
import QRCode from 'qrcode';
import { apiGet, apiPost, ApiError } from '../../api.js';
import { LoginGate, loginUrl } from '../../components/LoginGate.js';
import type { PaperAddress } from '../../../core/paper-checklist.js';
import { MailTo } from './order/MailTo.js';
import { OrderLoadFailed } from './order/OrderLoadFailed.js';
import './order/order.css';
import { formatOrderNumber } from '../../../core/order-number.js';
import { PAYMENT_TROUBLESHOOTING } from '../../../core/content/help.js';

type Channel = 'wechat' | 'alipay';
const CHANNEL_NAMES: Record<Channel, string> = { wechat: '微信支付', alipay: '支付宝' };
/** The app the payer opens (微信“扫一扫”, not 微信支付“扫一扫”). */
const APP_NAMES: Record<Channel, string> = { wechat: '微信', alipay: '支付宝' };
const POLL_MS = 2000;

/** Where the page runs: WeChat's own browser (User-Agent MicroMessenger), another phone browser, or a computer. */
type Device = 'wechat' | 'phone' | 'desktop';
function deviceOf(): Device {
  const ua = navigator.userAgent;
  if (/MicroMessenger/i.test(ua)) return 'wechat';
  if (/Android|iPhone|iPod|Mobile|HarmonyOS/i.test(ua) || window.matchMedia?.('(max-width: 767px)').matches) return 'phone';
  return 'desktop';
}

interface PayView {
  order: {
    id: string;
    orderNo: string;
    status: string;
    statusLabel: string;
    statusStep: string | null;
    unitName: string;
    paidAt: string | null;
  };
  price: {
    amountFen: number;
    projectName: string;
    keyType: 'main' | 'sub';
    keyLabel: string;
    withSeal: boolean;
    description: string;
  } | null;
  canPay: boolean;
  paid: boolean;
  payment: { channel: Channel; amountFen: number; transactionId: string | null; paidAt: string | null } | null;
  /** QR codes. */
  attempts: Record<Channel, Attempt | null>;
  /** Payments in this phone's browser (codeUrl: where to send it, while the link is fresh). */
  phone: Record<Channel, Attempt | null>;
  sandbox: Record<Channel, boolean>;
  /** Where the paper originals go (once paid). */
  mailTo: PaperAddress | null;
  now: string;
}

interface Attempt {
  channel: Channel;
  status: 'pending' | 'paid' | 'closed' | 'expired' | 'failed';
  codeUrl: string | null;
  expiresAt: string;
  amountFen: number;
  createdAt: string;
}

/** Seed 000 / 003, （五）付款: what to try when the QR code does not appear (the help manual's words). */
const QR_TIPS = PAYMENT_TROUBLESHOOTING.map((t) => `${t.title}：${t.detail}`);

const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
const beijingTime = (iso: string) =>
  new Date(iso).toLocaleString('zh-CN', {
    timeZone: 'Asia/Shanghai',
    hour12: false,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });

export function PayPage() {
  return (
    <LoginGate>
      <PayScreen />
    </LoginGate>
  );
}

function PayScreen() {
  const { id = '' } = useParams();
  const [view, setView] = useState<PayView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [channel, setChannel] = useState<Channel>('wechat');
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  const [qrFailed, setQrFailed] = useState(false);
  /** Server time minus local time, so the countdown is right on a PC whose clock is off. */
  const skew = useRef(0);
  const [now, setNow] = useState(() => Date.now());
  const chosen = useRef(false);
  const [device] = useState(deviceOf);
  /** phone: pay in this browser; qr: show the QR code (a computer, WeChat's browser, or the payer's choice). */
  const [mode, setMode] = useState<'phone' | 'qr'>(device === 'phone' ? 'phone' : 'qr');
  const [leaving, setLeaving] = useState(false);

  const load = useCallback(async () => {
    try {
      const v = await apiGet<PayView>(`/api/orders/${encodeURIComponent(id)}/payment`);
      skew.current = Date.parse(v.now) - Date.now();
      setView(v);
      setError(null);
      if (!chosen.current && !v.attempts.wechat && v.attempts.alipay) setChannel('alipay');
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'NETWORK', '加载失败，请刷新页面'));
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  // Poll until paid (and stop when the order cannot be paid any more).
  const done = view?.paid || (view && !view.canPay);
  useEffect(() => {
    if (done) return;
    const t = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(t);
  }, [load, done]);

  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);

  const start = useCallback(
    async (c: Channel) => {
      setStarting(true);
      setStartError(null);
      try {
        const v = await apiPost<PayView>(`/api/orders/${encodeURIComponent(id)}/payments`, { channel: c });
        skew.current = Date.parse(v.now) - Date.now();
        setView(v);
      } catch (e) {
        setStartError(e instanceof ApiError ? e.message : '获取支付二维码失败，请稍后重试');
      } finally {
        setStarting(false);
      }
    },
    [id],
  );

  // On a phone: start (or reuse) this channel's phone payment and send the browser to the provider's cashier.
  const openOnPhone = useCallback(
    async (c: Channel) => {
      setStarting(true);
      setStartError(null);
      try {
        const v = await apiPost<PayView>(`/api/orders/${encodeURIComponent(id)}/payments`, { channel: c, kind: 'h5' });
        setView(v);
        const url = v.phone[c]?.codeUrl;
        if (!url) throw new ApiError(0, 'NETWORK', `打开${CHANNEL_NAMES[c]}失败，请稍后重试`);
        setLeaving(true);
        window.location.assign(url);
      } catch (e) {
        setStartError(e instanceof ApiError ? e.message : `打开${CHANNEL_NAMES[c]}失败，请稍后重试`);
      } finally {
        setStarting(false);
      }
    },
    [id],
  );

  const attempt = view?.attempts[channel] ?? null;
  const live = attempt && attempt.status === 'pending' && attempt.codeUrl ? attempt : null;
  const remaining = live ? Math.max(0, Math.floor((Date.parse(live.expiresAt) - (now + skew.current)) / 1000)) : 0;
  const expired = !!live && remaining <= 0;

  // The sandbox's code is a path on this site: a phone needs the full address.
  const qrText = live ? (/^https?:/.test(live.codeUrl!) ? live.codeUrl! : `${location.origin}${live.codeUrl}`) : null;
  useEffect(() => {
    setQr(null);
    setQrFailed(false);
    if (!qrText) return;
    let stale = false;
    QRCode.toDataURL(qrText, { errorCorrectionLevel: 'M', margin: 2, width: 240 })
      .then((d) => !stale && setQr(d))
      .catch(() => !stale && setQrFailed(true));
    return () => {
      stale = true;
    };
  }, [qrText]);

  if (error?.status === 401) return <Navigate to={loginUrl(`/orders/${id}/pay`)} replace />;
  if (error && !view) return <OrderLoadFailed error={error} title="加载失败" />;
  if (!view) return <Skeleton active paragraph={{ rows: 8 }} />;

  const o = view.order;
  const crumbs = (
    <Breadcrumb
      items={[
        { title: <Link to="/orders">我的订单</Link> },
        { title: <Link to={`/orders/${o.id}`}>{formatOrderNumber(o.orderNo)}</Link> },
        { title: '付款' },
      ]}
    />
  );

  if (view.paid)
    return (
      <div className="pay-page" data-testid="pay-page">
        {crumbs}
        <Result
          status="success"
          icon={<CheckCircleFilled />}
          title="付款成功"
          subTitle={
            <span data-testid="pay-success">
              订单 {formatOrderNumber(o.orderNo)} 已付款
              {view.payment ? ` ${yuan(view.payment.amountFen)} 元（${CHANNEL_NAMES[view.payment.channel]}）` : ''}
              ，当前状态：
              {o.statusLabel}
              {o.statusStep ? `（${o.statusStep}）` : ''}
            </span>
          }
          extra={
            <Link to={`/orders/${o.id}`}>
              <Button type="primary" data-testid="pay-next">
                下一步：邮寄纸质资料
              </Button>
            </Link>
          }
        />
        <Alert
          type="info"
          showIcon
          message="下一步：邮寄纸质资料"
          description="请按邮寄资料清单准备加盖公章原章的原件，在申请表左上角写明订单编号，用回形针夹住，尽量选择顺丰快递或EMS寄出；寄出后在订单页面填写快递公司和快递单号。"
        />
        {view.mailTo && <MailTo mailTo={view.mailTo} orderId={o.id} orderNo={o.orderNo} checklist />}
      </div>
    );

  if (!view.canPay)
    return (
      <div className="pay-page" data-testid="pay-page">
        {crumbs}
        <Result
          status="info"
          title="当前不能付款"
          subTitle={
            view.price ? `订单当前状态为“${o.statusLabel}”，资料审核通过后才能付款。` : '该证书项目的价格尚未确定，请联系客服400-800-1040。'
          }
          extra={
            <Link to={`/orders/${o.id}`}>
              <Button>返回订单</Button>
            </Link>
          }
        />
      </div>
    );

  const p = view.price!;
  const sandbox = view.sandbox[channel];
  return (
    <div className="pay-page" data-testid="pay-page">
      {crumbs}
      <Typography.Title level={3} style={{ marginTop: 12 }}>
        付款
      </Typography.Title>
      {sandbox && (
        <Alert
          type="warning"
          showIcon
          data-testid="pay-sandbox"
          message="沙箱支付（测试环境）"
          description={`这是测试用的沙箱支付：${mode === 'phone' ? '付款时打开' : '二维码打开'}的是沙箱付款页，不会真实扣款。`}
          style={{ marginBottom: 12 }}
        />
      )}
      <Card size="small" style={{ marginBottom: 12 }}>
        <Descriptions column={1} size="small" data-testid="pay-summary">
          <Descriptions.Item label="应付金额">
            <b className="pay-amount" data-testid="pay-amount">
              ¥{yuan(p.amountFen)}
            </b>
          </Descriptions.Item>
          <Descriptions.Item label="购买内容">
            {p.projectName}数字证书 · {p.keyLabel}
            {p.withSeal ? '（含电子签章）' : '（不含电子签章）'}
          </Descriptions.Item>
          <Descriptions.Item label="订单编号">{formatOrderNumber(o.orderNo)}</Descriptions.Item>
          <Descriptions.Item label="申请单位">{o.unitName}</Descriptions.Item>
        </Descriptions>
      </Card>
      <Card size="small">
        <div style={{ marginBottom: 12 }}>
          <Segmented<Channel>
            block
            value={channel}
            onChange={(c) => {
              chosen.current = true;
              setChannel(c);
            }}
            data-testid="pay-channel"
            options={[
              {
                value: 'wechat',
                label: (
                  <span>
                    <WechatFilled style={{ color: '#07c160' }} /> 微信支付
                  </span>
                ),
              },
              {
                value: 'alipay',
                label: (
                  <span>
                    <AlipayCircleFilled style={{ color: '#1677ff' }} /> 支付宝
                  </span>
                ),
              },
            ]}
          />
        </div>
        {device === 'wechat' && (
          <Alert
            type="warning"
            showIcon
            data-testid="pay-in-wechat"
            style={{ marginBottom: 12, textAlign: 'left' }}
            message="您正在微信中打开本页"
            description={
              <ol style={{ paddingLeft: 20, margin: 0 }}>
                <li>微信内不能直接调起微信支付，也不能打开支付宝。</li>
                <li>
                  方法一：点右上角“<b>···</b>”，选择“<b>在浏览器打开</b>”，在手机浏览器中付款。
                </li>
                <li>
                  方法二：获取下方二维码后，<b>长按二维码保存图片</b>到手机相册，再打开{APP_NAMES[channel]}
                  “扫一扫”，点右上角“相册”选择这张图片付款。
                </li>
              </ol>
            }
          />
        )}
        {mode === 'phone' && (
          <div className="pay-phone-box" data-testid="pay-phone">
            <Button
              type="primary"
              size="large"
              block
              loading={starting || leaving}
              onClick={() => void openOnPhone(channel)}
              data-testid="pay-open"
              style={{ height: 48 }}
            >
              {channel === 'wechat' ? '打开微信支付' : '打开支付宝付款'} · ¥{yuan(p.amountFen)}
            </Button>
            <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
              将跳转到{APP_NAMES[channel]}完成付款，付款后自动回到本页。
            </Typography.Paragraph>
            {view.phone[channel]?.status === 'pending' && (
              <Alert
                type="info"
                showIcon
                data-testid="pay-phone-pending"
                message={`已发起${CHANNEL_NAMES[channel]}付款`}
                description="如已付款，本页将在几秒内自动更新；如未完成，可再次点击上方按钮。"
              />
            )}
            <Button type="link" onClick={() => setMode('qr')} data-testid="pay-use-qr" style={{ padding: 0, marginTop: 8 }}>
              用另一台手机扫码付款
            </Button>
          </div>
        )}
        {mode === 'qr' && (
          <div className="pay-qr-box" style={{ textAlign: 'center', minHeight: 260 }}>
            {!live && (
              <div style={{ padding: '32px 0' }}>
                {attempt && (attempt.status === 'expired' || attempt.status === 'closed') && (
                  <Typography.Paragraph type="secondary">二维码已过期，请重新获取。</Typography.Paragraph>
                )}
                <Button type="primary" size="large" loading={starting} onClick={() => void start(channel)} data-testid="pay-start">
                  {attempt && attempt.status !== 'failed' ? '重新获取二维码' : `获取${CHANNEL_NAMES[channel]}二维码`}
                </Button>
              </div>
            )}
            {live && !expired && (
              <>
                {qr ? (
                  <img
                    src={qr}
                    alt={`${CHANNEL_NAMES[channel]}付款二维码`}
                    width={240}
                    height={240}
                    data-testid="pay-qr"
                    data-code-url={qrText ?? ''}
                  />
                ) : qrFailed ? null : (
                  <Spin />
                )}
                {qr && device !== 'desktop' && (
                  <div>
                    <a
                      href={qr}
                      download={`订单${formatOrderNumber(o.orderNo)}-${CHANNEL_NAMES[channel]}二维码.png`}
                      data-testid="pay-qr-save"
                    >
                      保存二维码图片
                    </a>
                    {device === 'wechat' && <Typography.Text type="secondary">（微信内请长按二维码保存）</Typography.Text>}
                  </div>
                )}
                <div style={{ marginTop: 8 }}>
                  {
                    {
                      desktop: `请使用${APP_NAMES[channel]}扫一扫付款`,
                      phone: `请用另一台手机的${APP_NAMES[channel]}扫一扫付款`,
                      wechat: `长按保存后，用${APP_NAMES[channel]}扫一扫从相册识别付款`,
                    }[device]
                  }{' '}
                  ·{' '}
                  <Tag color={remaining < 60 ? 'red' : 'blue'} data-testid="pay-countdown">
                    {Math.floor(remaining / 60)}:{String(remaining % 60).padStart(2, '0')} 后过期
                  </Tag>
                </div>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  付款完成后本页自动更新，无需刷新。
                </Typography.Text>
              </>
            )}
            {live && expired && (
              <div style={{ padding: '32px 0' }}>
                <Typography.Paragraph type="secondary">二维码已过期，请重新获取。</Typography.Paragraph>
                <Button type="primary" size="large" loading={starting} onClick={() => void start(channel)} data-testid="pay-restart">
                  重新获取二维码
                </Button>
              </div>
            )}
          </div>
        )}
        {startError && <Alert type="error" showIcon message={startError} style={{ marginTop: 12 }} data-testid="pay-error" />}
        {mode === 'qr' && (startError || qrFailed || attempt?.status === 'failed') && (
          <Alert
            type="info"
            style={{ marginTop: 12 }}
            data-testid="pay-tips"
            message="如无法弹出支付二维码页面，可能出现的原因有以下几种："
            description={
              <ol style={{ paddingLeft: 20, margin: 0 }}>
                {QR_TIPS.map((t) => (
                  <li key={t}>{t}</li>
                ))}
              </ol>
            }
          />
        )}
        <Typography.Paragraph type="secondary" style={{ marginTop: 12, fontSize: 12 }}>
          仅支持微信支付和支付宝付款（电脑扫码，或在手机上直接付款），不支持对公转账。只会成功收款一次：如不慎用两种方式都付了款，多付的一笔将原路退回。
        </Typography.Paragraph>
        {mode === 'qr' && device === 'phone' && (
          <Button type="link" onClick={() => setMode('phone')} data-testid="pay-use-phone" style={{ padding: 0 }}>
            在本机付款（跳转到{APP_NAMES[channel]}）
          </Button>
        )}
        {mode === 'qr' && device === 'desktop' && !startError && !qrFailed && attempt?.status !== 'failed' && (
          <details data-testid="pay-tips-toggle">
            <summary style={{ cursor: 'pointer', fontSize: 12 }}>二维码无法显示？</summary>
            <ol style={{ paddingLeft: 20, fontSize: 12 }}>
              {QR_TIPS.map((t) => (
                <li key={t}>{t}</li>
              ))}
            </ol>
          </details>
        )}
        {mode === 'qr' && live && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            二维码有效期至 {beijingTime(live.expiresAt)}
          </Typography.Text>
        )}
      </Card>
    </div>
  );
}
