/**
 * 在线续费 (issue 20): from 我的证书, with the UKEY plugged in, through the 证书助手 on this PC. The page guides:
 * 连接证书助手 (install, start, pair with its code) → 选择 UKEY (the one holding this certificate) → 短信验证 →
 * 核验 UKEY (a new key and request made on the UKEY, the old key signs the server's challenge) → 付款 →
 * 写入 UKEY (the CA issues, the agent writes, the page reads it back and reports) → 完成.
 *
 * The server keeps the renewal (routes/renewal.ts), so a page closed at any step resumes where it stood:
 * this page reads the open renewal and shows its next step. PINs are typed in the 证书助手's own window.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, Navigate, useParams } from 'react-router-dom';
import { Alert, Breadcrumb, Button, Card, Descriptions, Input, Result, Segmented, Skeleton, Space, Steps, Tag, Typography } from 'antd';
import { CheckCircleFilled } from '@ant-design/icons';
import QRCode from 'qrcode';
import { apiGet, apiPost, ApiError } from '../../../api.js';
import { LoginGate, loginUrl } from '../../../components/LoginGate.js';
import { fenToYuanText } from '../../../../core/money.js';
import type { RenewalChallenge, RenewalCodeSent, RenewalInfo, RenewalView } from '../../../../core/renewal-schemas.js';
import { beijing } from '../order/time.js';
import {
  AgentClient,
  AgentError,
  agentPort,
  localAgentUrl,
  pageBinding,
  sameSerial,
  setAgentPort,
  type AgentToken,
} from '../../../agent/agentClient.js';
import '../order/order.css';
import './renewal.css';

type Channel = 'wechat' | 'alipay';
const CHANNEL_NAMES: Record<Channel, string> = { wechat: '微信支付', alipay: '支付宝' };
const POLL_MS = 2000;
const day = (t: string) => beijing(t, 'YYYY-MM-DD');

const STEPS = ['连接证书助手', '选择 UKEY', '短信验证', '核验 UKEY', '付款', '写入 UKEY', '完成'];

export function RenewPage() {
  return (
    <LoginGate>
      <Renew />
    </LoginGate>
  );
}

/**
 * The agent on the port the person gave, paired with this tab's own binding; made per step, as the port may
 * change between steps (the pairing stays in sessionStorage).
 */
const localAgent = () => new AgentClient(localAgentUrl(), pageBinding());

/** What the page tells the user for an agent's refusal: what happened and what to do next. */
function explainAgent(e: AgentError): string {
  switch (e.code) {
    case 'AGENT_UNREACHABLE':
      return `无法连接本机的证书助手（端口 ${agentPort()}）：请确认已安装并启动证书助手；如浏览器询问是否允许访问本地网络设备，请选择“允许”`;
    case 'ORIGIN_REFUSED':
      return '证书助手不接受本网站的请求：请确认安装的是本网站下载中心提供的证书助手（其设置 CERTDESK_AGENT_ORIGIN 应为本网站地址）';
    case 'NOT_PAIRED':
      return '证书助手尚未与本页面配对（或证书助手已重新启动）：请输入证书助手窗口中显示的配对码';
    case 'PIN_CANCELLED':
      return '已在证书助手窗口中取消输入口令：如需继续，请再点一次，并在证书助手窗口中输入 UKEY 口令';
    case 'PIN_TIMEOUT':
      return '证书助手等待输入口令超时：请再点一次，并在证书助手窗口中输入 UKEY 口令';
    case 'PIN_LOCKED':
      return 'UKEY 用户口令已锁定：请先办理在线解锁（或到受理点重置口令），再回到本页继续续费';
    default:
      return e.message;
  }
}

/** A failure as the page shows it: what happened, and (from the agent's or server's words) what to do. */
function messageOf(e: unknown): string {
  if (e instanceof AgentError) return explainAgent(e);
  if (e instanceof ApiError) {
    const field = Object.values(e.fields)[0];
    return field ?? e.message;
  }
  return '操作失败，请重试';
}

function Renew() {
  const { id } = useParams<{ id: string }>();
  const [info, setInfo] = useState<RenewalInfo | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [agentOk, setAgentOk] = useState(false);
  const [paired, setPaired] = useState(() => localAgent().paired);
  const [port, setPort] = useState(String(agentPort()));
  const [pairCode, setPairCode] = useState('');
  const [tokens, setTokens] = useState<(AgentToken & { holds: string | null })[] | null>(null);
  const [chosen, setChosen] = useState<{ serial: string; oldKeyId: string } | null>(null);
  const [codeSentTo, setCodeSentTo] = useState<string | null>(null);
  const [smsCode, setSmsCode] = useState('');
  const [channel, setChannel] = useState<Channel>('wechat');
  const [qr, setQr] = useState<string | null>(null);
  const renewal = info?.renewal ?? null;

  const load = useCallback(async () => {
    try {
      setInfo(await apiGet<RenewalInfo>(`/api/my-certificates/${id}/renewal`));
      setLoadError(null);
    } catch (e) {
      setLoadError(e instanceof ApiError ? e : new ApiError(0, 'NETWORK', '加载失败，请刷新页面'));
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);

  /** Runs one step; its failure is shown with what to do next, and what the page holds stays. */
  const step = async (label: string, work: () => Promise<void>) => {
    setBusy(label);
    setError(null);
    try {
      await work();
    } catch (e) {
      if (e instanceof AgentError && e.code === 'NOT_PAIRED') setPaired(false);
      if (e instanceof AgentError && e.code === 'AGENT_UNREACHABLE') setAgentOk(false);
      setError(messageOf(e));
    } finally {
      setBusy(null);
    }
  };

  const checkAgent = () =>
    step('check', async () => {
      const p = Number(port);
      if (!Number.isInteger(p) || p < 1 || p > 65535)
        throw new AgentError(0, 'BAD_PORT', '端口必须是 1–65535 的数字（证书助手窗口中显示的端口）');
      setAgentPort(p);
      await localAgent().health();
      setAgentOk(true);
    });

  const pair = () =>
    step('pair', async () => {
      if (!/^\d{8}$/.test(pairCode.trim())) throw new AgentError(0, 'BAD_CODE', '配对码是证书助手窗口中显示的 8 位数字');
      await localAgent().pair(pairCode.trim());
      setPaired(true);
      setPairCode('');
    });

  /** The UKEYs plugged in, and which of them holds this certificate (its key id is what signs the challenge). */
  const findTokens = useCallback(
    () =>
      step('tokens', async () => {
        if (!info) return;
        // Slots without an initialized token (SoftHSM2's spare slot, an empty reader) hold no certificate.
        const agent = localAgent();
        const list = (await agent.tokens()).filter((t) => t.initialized);
        const withCert = await Promise.all(
          list.map(async (t) => {
            const certs = await agent.certificates(t.serial).catch(() => []);
            const mine = certs.find((c) => sameSerial(c.serialNumber, info.certificate.serial));
            return { ...t, holds: mine?.keyId ?? null };
          }),
        );
        setTokens(withCert);
        const wanted = withCert.find((t) => t.holds && (!renewal || t.serial === renewal.tokenSerial));
        setChosen(wanted ? { serial: wanted.serial, oldKeyId: wanted.holds! } : null);
        if (!wanted)
          throw new AgentError(
            0,
            'NO_TOKEN',
            renewal
              ? `没有找到序列号为 ${renewal.tokenSerial} 且装有本证书的 UKEY：请插入开始续费时使用的 UKEY，然后点“重新检测”`
              : '插入的 UKEY 中没有本证书：请插入装有本证书的 UKEY，然后点“重新检测”',
          );
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [info?.certificate.serial, renewal?.tokenSerial],
  );
  const paired_ = agentOk && paired;
  useEffect(() => {
    if (paired_ && info && !chosen && renewal?.status !== 'completed' && tokens === null) void findTokens();
  }, [paired_, info, chosen, renewal?.status, tokens, findTokens]);

  // Paired earlier in this tab (a reload, or back from another page): the agent is probably running, check it once.
  useEffect(() => {
    const agent = localAgent();
    if (!agent.paired) return;
    agent
      .health()
      .then(() => setAgentOk(true))
      .catch(() => undefined);
  }, []);

  const sendCode = () =>
    step('code', async () => {
      const r = await apiPost<RenewalCodeSent>(`/api/my-certificates/${id}/renewal-code`);
      setCodeSentTo(r.maskedMobile);
    });

  const start = () =>
    step('start', async () => {
      await apiPost(`/api/my-certificates/${id}/renewals`, { code: smsCode.trim(), tokenSerial: chosen!.serial });
      await load();
    });

  /** A new key and request on the UKEY, the server's challenge (bound to the request), the old key's signature. */
  const prove = () =>
    step('prove', async () => {
      const c = info!.certificate;
      const subject = { C: 'CN', O: c.unitName, CN: c.unitName, uscc: c.uscc };
      const agent = localAgent();
      const made = await agent.keys(chosen!.serial, c.family, subject, '续费证书');
      const { challenge } = await apiPost<RenewalChallenge>(`/api/renewals/${renewal!.id}/challenge`, made);
      const { signature } = await agent.challengeSignature(chosen!.serial, chosen!.oldKeyId, challenge);
      await apiPost(`/api/renewals/${renewal!.id}/proof`, { signature });
      await load();
    });

  const pay = () =>
    step('pay', async () => {
      await apiPost(`/api/renewals/${renewal!.id}/payment`, { channel });
      await load();
    });

  /** The CA issues (once), the agent writes it next to the new key, the page reads it back and reports it. */
  const write = () =>
    step('write', async () => {
      let r = renewal!;
      if (r.status === 'paid') r = await apiPost<RenewalView>(`/api/renewals/${r.id}/issue`);
      const cert = r.newCertificate!;
      const agent = localAgent();
      await agent.writeCertificate(chosen!.serial, cert.pem, '续费证书');
      const back = (await agent.certificates(chosen!.serial)).find((x) => sameSerial(x.serialNumber, cert.serialDisplay));
      if (!back) throw new AgentError(0, 'NOT_WRITTEN', '写入后在 UKEY 中没有读到新证书：请确认 UKEY 未被拔出，然后重试“写入 UKEY”');
      await apiPost(`/api/renewals/${r.id}/confirm`, { certificate: back.certificate });
      await load();
    });

  // While paying: poll (the server asks the provider about a late notification).
  const live =
    renewal?.status === 'proven' ? renewal.payments.find((p) => p.channel === channel && p.status === 'pending' && p.codeUrl) : undefined;
  const polling = useRef(false);
  useEffect(() => {
    if (renewal?.status !== 'proven') return;
    const t = setInterval(() => {
      if (polling.current) return;
      polling.current = true;
      void load().finally(() => (polling.current = false));
    }, POLL_MS);
    return () => clearInterval(t);
  }, [renewal?.status, load]);
  const qrText = live?.codeUrl ? (/^https?:/.test(live.codeUrl) ? live.codeUrl : `${location.origin}${live.codeUrl}`) : null;
  useEffect(() => {
    setQr(null);
    if (!qrText) return;
    let stale = false;
    QRCode.toDataURL(qrText, { errorCorrectionLevel: 'M', margin: 2, width: 220 }).then((d) => !stale && setQr(d));
    return () => {
      stale = true;
    };
  }, [qrText]);

  if (loadError?.status === 401) return <Navigate to={loginUrl(`/certificates/${id}/renew`)} replace />;
  if (loadError) return <Alert type="error" showIcon title={loadError.message} data-testid="renew-load-error" />;
  if (!info) return <Skeleton active paragraph={{ rows: 8 }} />;

  const c = info.certificate;
  let current: number;
  if (renewal?.status === 'completed') current = 6;
  else if (!agentOk || !paired) current = 0;
  else if (!chosen) current = 1;
  else if (!renewal) current = 2;
  else if (renewal.status === 'started') current = 3;
  else if (renewal.status === 'proven') current = 4;
  else current = 5;

  const crumbs = (
    <Breadcrumb items={[{ title: <Link to="/certificates">我的证书</Link> }, { title: '在线续费' }]} style={{ marginBottom: 12 }} />
  );
  const summary = (
    <Card size="small" style={{ marginBottom: 12 }}>
      <Descriptions column={{ xs: 1, md: 2 }} size="small" data-testid="renew-summary">
        <Descriptions.Item label="证书">
          {info.price?.projectName ?? ''} {c.keyType === 'main' ? '主锁' : '副锁'}
        </Descriptions.Item>
        <Descriptions.Item label="序列号">
          <span className="mono">{c.serialDisplay}</span>
        </Descriptions.Item>
        <Descriptions.Item label="单位">{c.unitName}</Descriptions.Item>
        <Descriptions.Item label="原到期日">{day(c.notAfter)}</Descriptions.Item>
        <Descriptions.Item label="续费后到期日">
          <b data-testid="renew-new-end" style={{ whiteSpace: 'nowrap' }}>
            {day(renewal?.newCertificate?.notAfter ?? info.newValidity.notAfter)}
          </b>
          <span className="muted">（{info.newValidity.basis}）</span>
        </Descriptions.Item>
        {info.price && <Descriptions.Item label="费用">¥{fenToYuanText(renewal?.amountFen ?? info.price.amountFen)}</Descriptions.Item>}
      </Descriptions>
    </Card>
  );

  if (!renewal && !info.canStart)
    return (
      <div className="renew-page" data-testid="renew-page">
        {crumbs}
        {summary}
        <Result
          status="info"
          title="该证书不能在线续费"
          subTitle={<span data-testid="renew-refusal">{info.refusal?.reason}</span>}
          extra={
            <Space wrap>
              {info.refusal?.counter && (
                <Link to="/offices">
                  <Button type="primary">查看受理点地址</Button>
                </Link>
              )}
              <Link to="/certificates">
                <Button>返回我的证书</Button>
              </Link>
            </Space>
          }
        />
        {info.refusal?.counter && (
          <Alert
            type="info"
            showIcon
            title="到受理点办理时请携带"
            description={info.refusal.counter.materials}
            data-testid="renew-materials"
          />
        )}
      </div>
    );

  const busyOn = (k: string) => busy === k;
  let body;
  if (current === 0)
    body = (
      <div data-testid="renew-step-agent">
        <Typography.Paragraph>
          在线续费需要本电脑上的<b>证书助手</b>读写 UKEY：请从<Link to="/downloads">下载中心</Link>
          下载并安装证书助手，启动后它的窗口会显示端口和 8 位配对码。UKEY 口令只在证书助手窗口中输入，不会经过本网页。
        </Typography.Paragraph>
        <Space wrap style={{ marginBottom: 12 }}>
          <span>证书助手端口</span>
          <Input value={port} onChange={(e) => setPort(e.target.value)} style={{ width: 100 }} data-testid="renew-agent-port" />
          <Button onClick={checkAgent} loading={busyOn('check')} data-testid="renew-agent-check">
            检测证书助手
          </Button>
          {agentOk && <Tag color="success">已连接</Tag>}
        </Space>
        {agentOk && (
          <Space wrap>
            <span>配对码</span>
            <Input
              value={pairCode}
              onChange={(e) => setPairCode(e.target.value)}
              maxLength={8}
              inputMode="numeric"
              style={{ width: 140 }}
              placeholder="8位数字"
              data-testid="renew-pair-code"
            />
            <Button type="primary" onClick={pair} loading={busyOn('pair')} data-testid="renew-pair">
              配对
            </Button>
          </Space>
        )}
      </div>
    );
  else if (current === 1)
    body = (
      <div data-testid="renew-step-token">
        <Typography.Paragraph>请插入装有本证书的 UKEY。找到后自动选中。</Typography.Paragraph>
        {tokens?.map((t) => (
          <div key={t.serial} className="renew-token" data-testid="renew-token">
            UKEY {t.label}（序列号 {t.serial}）{t.holds ? <Tag color="success">装有本证书</Tag> : <Tag>无本证书</Tag>}
            {t.userPinLocked && <Tag color="error">口令已锁定</Tag>}
          </div>
        ))}
        <Button onClick={() => void findTokens()} loading={busyOn('tokens')} data-testid="renew-token-refresh">
          重新检测
        </Button>
      </div>
    );
  else if (current === 2)
    body = (
      <div data-testid="renew-step-sms">
        <Typography.Paragraph>
          已选中 UKEY（序列号 {chosen!.serial}）。验证码将发送到本单位注册手机号 {info.maskedMobile}。
        </Typography.Paragraph>
        <Space wrap>
          <Button onClick={sendCode} loading={busyOn('code')} data-testid="renew-send-code">
            {codeSentTo ? '重新获取验证码' : '获取短信验证码'}
          </Button>
          <Input
            value={smsCode}
            onChange={(e) => setSmsCode(e.target.value)}
            maxLength={6}
            inputMode="numeric"
            placeholder="6位验证码"
            style={{ width: 140 }}
            data-testid="renew-sms-code"
          />
          <Button type="primary" onClick={start} loading={busyOn('start')} disabled={!smsCode.trim()} data-testid="renew-start">
            开始续费
          </Button>
        </Space>
        {codeSentTo && (
          <div className="muted" style={{ marginTop: 8 }}>
            验证码已发送至 {codeSentTo}，10分钟内有效。
          </div>
        )}
      </div>
    );
  else if (current === 3)
    body = (
      <div data-testid="renew-step-prove">
        <Typography.Paragraph>
          证书助手将在这只 UKEY 上生成新的密钥和证书请求，再用原证书的密钥签名，证明您持有原 UKEY。请在证书助手窗口中
          <b>输入两次 UKEY 口令</b>（生成密钥、签名各一次）。
        </Typography.Paragraph>
        <Button type="primary" onClick={prove} loading={busyOn('prove')} data-testid="renew-prove">
          核验 UKEY 并生成新密钥
        </Button>
      </div>
    );
  else if (current === 4)
    body = (
      <div data-testid="renew-step-pay">
        {info.sandbox[channel] && (
          <Alert
            type="warning"
            showIcon
            title="沙箱支付（测试环境）：二维码打开的是沙箱付款页，不会真实扣款。"
            style={{ marginBottom: 12 }}
          />
        )}
        <Segmented<Channel>
          value={channel}
          onChange={setChannel}
          options={[
            { value: 'wechat', label: '微信支付' },
            { value: 'alipay', label: '支付宝' },
          ]}
          style={{ marginBottom: 12 }}
          data-testid="renew-channel"
        />
        {live ? (
          <div className="renew-qr">
            {qr && <img src={qr} alt={`${CHANNEL_NAMES[channel]}付款二维码`} data-testid="renew-qr" data-code-url={qrText ?? ''} />}
            <div>
              请用{channel === 'wechat' ? '微信' : '支付宝'}扫码支付 <b>¥{fenToYuanText(live.amountFen)}</b>，
              {beijing(live.expiresAt, 'HH:mm')} 前有效；付款后本页自动进入下一步。
            </div>
          </div>
        ) : (
          <Button type="primary" onClick={pay} loading={busyOn('pay')} data-testid="renew-pay">
            使用{CHANNEL_NAMES[channel]}付款
          </Button>
        )}
        <div className="muted" style={{ marginTop: 8 }}>
          发票与在线订单相同，按付款金额开具。
        </div>
      </div>
    );
  else if (current === 5)
    body = (
      <div data-testid="renew-step-write">
        <Typography.Paragraph>
          {renewal!.status === 'paid' ? '已付款。' : '新证书已签发。'}请保持 UKEY 插入，点击下方按钮签发并写入新证书，在证书助手窗口中输入
          UKEY 口令。写入后本页从 UKEY 读回证书核对，原证书随即作废。
        </Typography.Paragraph>
        <Button type="primary" onClick={write} loading={busyOn('write')} data-testid="renew-write">
          写入 UKEY
        </Button>
      </div>
    );
  else
    body = (
      <Result
        status="success"
        icon={<CheckCircleFilled />}
        title="续费完成"
        subTitle={
          <span data-testid="renew-done">
            新证书（序列号 {renewal!.newCertificate?.serialDisplay}）已写入 UKEY，有效期至 {day(renewal!.newCertificate!.notAfter)}
            ；原证书已续费并作废。
          </span>
        }
        extra={
          <Link to="/certificates">
            <Button type="primary">返回我的证书</Button>
          </Link>
        }
      />
    );

  return (
    <div className="renew-page" data-testid="renew-page">
      {crumbs}
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        在线续费
      </Typography.Title>
      {summary}
      <Card size="small">
        <Steps
          current={current}
          status={current === 6 ? 'finish' : 'process'}
          size="small"
          items={STEPS.map((title) => ({ title }))}
          className="renew-steps"
          data-testid="renew-steps"
        />
        {error && (
          <Alert
            type="error"
            showIcon
            title={error}
            style={{ margin: '12px 0' }}
            data-testid="renew-error"
            closable
            onClose={() => setError(null)}
          />
        )}
        <div style={{ marginTop: 16 }}>{body}</div>
      </Card>
    </div>
  );
}
