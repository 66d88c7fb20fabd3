/**
 * 付款：订单的金额、所购内容和所选渠道（微信支付/支付宝）的二维码；付款到账后自动更新。
 *
 * The amount is the server's (catalog price, fen); the page only chooses a channel. It polls every 2 s:
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
import { OrderLoadFailed } from './order/OrderLoadFailed.js';
import './order/order.css';
import { formatOrderNumber } from '../../../core/order-number.js';

type Channel = 'wechat' | 'alipay';
const CHANNEL_NAMES: Record<Channel, string> = { wechat: '微信支付', alipay: '支付宝' };
const POLL_MS = 2000;

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
  attempts: Record<Channel, Attempt | null>;
  sandbox: Record<Channel, boolean>;
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

/** Seed 000 / 003, （五）付款: what to try when the QR code does not appear. */
const QR_TIPS = [
  '瞬间网络不通，尝试刷新页面；如果刷新不能解决问题，可能由于浏览器设置缓存，请在IE浏览器菜单--工具--Internet选项--点击“删除cookies和删除文件”，用以清除临时文件，再次尝试刷新页面。',
  '上网环境或上网方式受限，可能是网络服务商限制，如有条件更换一种上网方式或更换电脑；或者确认网络畅通后再重试。',
  '请使用IE10及以上版本的浏览器，推荐使用谷歌（Chrome）浏览器、360浏览器极速模式、EDge浏览器登录；若使用360浏览器兼容模式，请将IE浏览器升级至IE10及以上版本。',
];

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
          description="请按订单页面的清单准备加盖公章的原件，在申请表左上角写明订单编号，寄出后在订单页面填写快递公司和快递单号。"
        />
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
          description="这是测试用的沙箱支付：二维码打开的是沙箱付款页，不会真实扣款。"
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
              <div style={{ marginTop: 8 }}>
                请使用{channel === 'wechat' ? '微信' : '支付宝'}扫一扫付款 ·{' '}
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
        {startError && <Alert type="error" showIcon message={startError} style={{ marginTop: 12 }} data-testid="pay-error" />}
        {(startError || qrFailed || attempt?.status === 'failed') && (
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
          仅支持微信支付和支付宝扫码付款，不支持对公转账。只会成功收款一次：如不慎用两种方式都付了款，多付的一笔将原路退回。
        </Typography.Paragraph>
        {!startError && !qrFailed && attempt?.status !== 'failed' && (
          <details data-testid="pay-tips-toggle">
            <summary style={{ cursor: 'pointer', fontSize: 12 }}>二维码无法显示？</summary>
            <ol style={{ paddingLeft: 20, fontSize: 12 }}>
              {QR_TIPS.map((t) => (
                <li key={t}>{t}</li>
              ))}
            </ol>
          </details>
        )}
        {live && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            二维码有效期至 {beijingTime(live.expiresAt)}
          </Typography.Text>
        )}
      </Card>
    </div>
  );
}
