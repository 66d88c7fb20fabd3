/**
 * 制证's one key form, online (ActionPanel) and at the counter (CounterOrder) alike (issue 18 item 7). Three
 * ways to the key:
 *   - 上传证书请求: the PKCS#10 request the customer's USB key made (the server checks its signature — proof of
 *     possession — and that its key is of the project's algorithm);
 *   - UKEY（证书助手）: the 证书助手 at this 制证 workstation initializes the UKEY under the CA's one-time
 *     authorization (its SO PIN derived by the CA for the token's serial, sealed to the agent: never seen
 *     here), makes the key pair on it, and writes the issued certificate next to it; the registry records the
 *     token's serial (issue 20). PINs are typed at the agent, never here;
 *   - 系统生成密钥 (soft token, testing): the server answers once with a password-protected PKCS#12, offered
 *     for download here and kept nowhere.
 * Both routes answer with the same shape (routes/produced-certificate.ts).
 */
import { useState, type ReactNode } from 'react';
import { Alert, App, Button, Descriptions, Form, Input, Modal, Radio, Space, Steps, Typography, Upload } from 'antd';
import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { ZProduceKey } from '../../../../core/certificates.js';
import type { ProducedCertificate } from '../../../../core/certificates-schemas.js';
import type { OrderProduced } from '../../../../core/fulfilment-schemas.js';
import type { TokenInitAuthorization } from '../../../../core/tokens-schemas.js';
import { formatOrderNumber } from '../../../../core/order-number.js';
import { ApiError, apiPost } from '../../../api.js';
import { zodRule } from '../../../components/forms.js';
import { useAction } from '../../../components/useAction.js';
import { useStaffErrors } from '../staffSession.js';
import { AgentError, type AgentClient, type AgentToken } from '../../../agent/agentClient.js';
import { AgentPanel } from '../../../agent/AgentPanel.js';
import { downloadP12 } from './downloadP12.js';
import { ENVELOPE_NOT_TAKEN, EncryptionPairResult } from './EncryptionPairResult.js';

/** What both 制证 routes answer (routes/produced-certificate.ts); the online one adds a main key's seals. */
type Produced = ProducedCertificate & Pick<OrderProduced, 'seals'>;

/** The new certificate as the dialog shows it, and whether the agent wrote it to the UKEY. */
type Issued = Produced['certificate'] &
  Pick<Produced, 'pkcs12' | 'seals' | 'encryptionSkipped'> & {
    /** A pair project's encryption certificate (docs/kmc.md). */
    encryption?: Produced['encryptionCertificate'];
    /** Written to the UKEY by the agent. */
    written?: boolean;
  };

const issuedOf = (r: Produced): Issued => ({
  ...r.certificate,
  pkcs12: r.pkcs12,
  seals: r.seals,
  encryption: r.encryptionCertificate,
  encryptionSkipped: r.encryptionSkipped,
});

type KeyKind = 'csr' | 'token' | 'generate';
const TOKEN_STEPS = ['CA 授权', '初始化 UKEY', '在 UKEY 上生成密钥', '签发证书', '写入证书'];
interface KeyFormValues {
  kind: KeyKind;
  csr?: string;
  password?: string;
  password2?: string;
}

const day = (iso: string) =>
  new Date(iso).toLocaleString('zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
const serialText = (s: string) => (s.length % 2 ? `0${s}` : s).toUpperCase();

/** A binary (DER) request becomes its base64, which the server reads as well as PEM. */
async function readRequest(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (bytes[0] === 0x30) {
    let bin = '';
    for (const b of bytes) bin += String.fromCharCode(b);
    return btoa(bin);
  }
  return new TextDecoder().decode(bytes);
}

export function ProduceDialog({
  url,
  title,
  orderNo,
  projectCode,
  unitName,
  summary,
  onClose,
  onConflict,
}: {
  /** POST endpoint of this 制证 (online order or counter order); body `{ key }` (core ZProduceBody). */
  url: string;
  title: string;
  /** The order number (file name of the PKCS#12). */
  orderNo: string;
  /** The project (the CA tells the agent which key family it issues) and the unit (the UKEY's label). */
  projectCode: string;
  unitName: string;
  /** What is about to be issued (subject, validity, seals), shown above the form. */
  summary: ReactNode;
  /** Closed: `issued` says the order moved on (reload it). */
  onClose: (issued: boolean) => void;
  /** Someone else moved the order meanwhile (409): the page shows why and reloads. */
  onConflict: (message: string) => void;
}) {
  const { message } = App.useApp();
  const fail = useStaffErrors();
  const [form] = Form.useForm<KeyFormValues>();
  const kind = Form.useWatch('kind', form) ?? 'csr';
  const { run, busy } = useAction();
  const [issued, setIssued] = useState<Issued | null>(null);
  const [downloaded, setDownloaded] = useState(false);
  const [envelopeTaken, setEnvelopeTaken] = useState(false);
  const [agent, setAgent] = useState<AgentClient | null>(null);
  const [token, setToken] = useState<AgentToken | undefined>();
  /** The UKEY way: the step running (index in TOKEN_STEPS), and what the agent or the server refused. */
  const [tokenStep, setTokenStep] = useState<number | null>(null);
  const [tokenError, setTokenError] = useState<string | null>(null);

  const refused = (e: unknown) => {
    const text = fail(e);
    if (form.getFieldValue('kind') === 'token' && !(e instanceof ApiError && e.status === 409)) {
      setTokenError(text);
      return;
    }
    if (e instanceof ApiError && e.status === 400 && Object.keys(e.fields).length) {
      const csr = e.fields.csr ?? e.fields['key.csr'];
      const password = e.fields['key.password'];
      if (csr) form.setFields([{ name: 'csr', errors: [csr] }]);
      if (password) form.setFields([{ name: 'password', errors: [password] }]);
      if (!csr && !password) message.error(text);
    } else if (e instanceof ApiError && e.status === 409) {
      onConflict(text);
      onClose(false);
    } else message.error(text);
  };

  /** Writes the issued certificate next to its key (again, after a failure: the agent makes it a no-op if there). */
  const write = async (r: Issued) => {
    setTokenStep(4);
    try {
      await agent!.writeCertificate(r.tokenSerial!, r.der!);
      setIssued({ ...r, written: true });
      setTokenError(null);
    } catch (e) {
      setIssued({ ...r, written: false });
      setTokenError(`证书已签发，但未能写入 UKEY：${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const produceOnToken = async () => {
    if (!agent || !token) {
      setTokenError('请先连接证书助手并选择要写入的 UKEY');
      return;
    }
    setTokenError(null);
    let step = 0;
    const at = (i: number) => {
      step = i;
      setTokenStep(i);
    };
    try {
      at(0);
      const session = await agent.session();
      const grant = await apiPost<TokenInitAuthorization>(`/api/staff/tokens/${encodeURIComponent(token.serial)}/init-authorization`, {
        agent: session,
        projectCode,
      });
      at(1);
      // The agent cuts the label to the token's 32 bytes.
      await agent.init(token.serial, grant.authorization, unitName);
      at(2);
      const { csr } = await agent.keys(token.serial, grant.keyAlgorithm, { C: 'CN', O: unitName, CN: unitName });
      at(3);
      const r = await apiPost<Produced>(url, { key: { kind: 'token', csr, tokenSerial: token.serial } });
      message.success('证书已签发');
      // A pair project's encryption certificate comes too; its key's envelope is downloaded here (docs/kmc.md).
      await write(issuedOf(r));
    } catch (e) {
      // The agent's refusals (PIN cancelled, wrong maker SO PIN, key not found…) stay in the dialog, by step.
      if (e instanceof AgentError) setTokenError(`${TOKEN_STEPS[step]}：${e.message}`);
      else throw e;
    } finally {
      setTokenStep(null);
    }
  };
  const submit = () =>
    run(async () => {
      if (form.getFieldValue('kind') === 'token') return produceOnToken();
      // Field errors show next to the fields; nothing to send.
      const v = await form.validateFields().catch(() => null);
      if (!v) return;
      const key = v.kind === 'csr' ? { kind: 'csr' as const, csr: v.csr ?? '' } : { kind: 'generate' as const, password: v.password ?? '' };
      const r = await apiPost<Produced>(url, { key });
      setIssued(issuedOf(r));
      message.success('证书已签发');
    }, refused);

  if (issued)
    return (
      <Modal
        open
        title="证书已签发"
        okText="完成"
        cancelButtonProps={{ style: { display: 'none' } }}
        closable={false}
        maskClosable={false}
        onOk={() => {
          if (issued.tokenSerial && !issued.written) {
            Modal.confirm({
              title: '证书尚未写入 UKEY',
              content: '证书已签发并登记，但还不在 UKEY 上。关闭后可在本订单重新制证。确定关闭？',
              okText: '确定关闭',
              cancelText: '返回写入',
              onOk: () => onClose(true),
            });
          } else if (issued.pkcs12 && !downloaded) {
            Modal.confirm({
              title: '尚未下载 PKCS#12 文件',
              content: '关闭后无法再次获取此文件（私钥不在系统中保存），只能重新制证。确定关闭？',
              okText: '确定关闭',
              cancelText: '返回下载',
              onOk: () => onClose(true),
            });
          } else if (issued.encryption?.envelope && !envelopeTaken) {
            // No other page offers the envelope: once closed only a 密钥恢复 by two key administrators gets it.
            Modal.confirm({ ...ENVELOPE_NOT_TAKEN, okText: '确定关闭', cancelText: '返回下载', onOk: () => onClose(true) });
          } else onClose(true);
        }}
      >
        <div data-testid="produce-result" style={{ display: 'grid', gap: 12 }}>
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label="证书序列号">
              <Typography.Text copyable code data-testid="produce-serial" style={{ wordBreak: 'break-all' }}>
                {serialText(issued.serial)}
              </Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label="有效期">
              {day(issued.notBefore)} 至 {day(issued.notAfter)}
            </Descriptions.Item>
          </Descriptions>
          {issued.tokenSerial && (
            <Alert
              type={issued.written ? 'success' : 'error'}
              showIcon
              data-testid="produce-token-result"
              title={issued.written ? `证书已写入 UKEY（序列号 ${issued.tokenSerial}）` : '证书已签发，但尚未写入 UKEY'}
              description={
                issued.written ? (
                  '请把 UKEY 和初始用户口令交给客户：客户第一次使用时，证书助手会要求修改初始口令。'
                ) : (
                  <Space direction="vertical">
                    <span>{tokenError}</span>
                    <Button type="primary" onClick={() => void run(() => write(issued))} loading={busy} data-testid="produce-token-write">
                      重新写入 UKEY
                    </Button>
                  </Space>
                )
              }
            />
          )}
          {issued.seals && (
            <Alert
              type={issued.seals.status === 'made' ? 'success' : 'warning'}
              showIcon
              title={issued.seals.status === 'made' ? '电子签章已制作' : '电子签章尚未制作'}
              description={issued.seals.message}
              data-testid="produce-seals"
            />
          )}
          <EncryptionPairResult encryption={issued.encryption} skipped={issued.encryptionSkipped} onTaken={() => setEnvelopeTaken(true)} />
          {issued.pkcs12 && (
            <Alert
              type="warning"
              showIcon
              title="私钥和证书的 PKCS#12 文件只提供这一次"
              description={
                <Space direction="vertical">
                  <span>系统不保存私钥和密码。请立即下载，用制证时设置的密码导入软证书或 UKEY。</span>
                  <Button
                    type="primary"
                    icon={<DownloadOutlined />}
                    data-testid="download-p12"
                    onClick={() => {
                      downloadP12(issued.pkcs12!, `${formatOrderNumber(orderNo)}-${serialText(issued.serial)}.p12`);
                      setDownloaded(true);
                    }}
                  >
                    下载 PKCS#12（.p12）
                  </Button>
                </Space>
              }
            />
          )}
        </div>
      </Modal>
    );

  return (
    <Modal
      open
      title={title}
      okText="签发证书"
      cancelText="取消"
      confirmLoading={busy}
      onCancel={() => onClose(false)}
      onOk={() => void submit()}
      width={640}
    >
      <div style={{ display: 'grid', gap: 12 }} data-testid="produce-panel">
        {summary}
        <Form form={form} layout="vertical" requiredMark={false} initialValues={{ kind: 'csr' }} name="produce">
          <Form.Item name="kind" label="密钥来源">
            <Radio.Group
              optionType="button"
              options={[
                { value: 'csr', label: '上传证书请求' },
                { value: 'token', label: 'UKEY（证书助手）' },
                { value: 'generate', label: '系统生成密钥' },
              ]}
            />
          </Form.Item>
          {kind === 'token' ? (
            <div style={{ display: 'grid', gap: 12 }} data-testid="produce-token">
              <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
                由本机的证书助手初始化 UKEY（清空原有内容），在 UKEY 上生成密钥并写入签发的证书。管理员口令由 CA 按 UKEY 序列号派生，
                加密后只交给证书助手；新 UKEY 的出厂管理员口令和给客户的初始用户口令请在证书助手窗口中输入。
              </Typography.Paragraph>
              <AgentPanel pairingUrl="/api/staff/agent/pairing" value={token?.serial} onChange={setToken} onClient={setAgent} />
              {tokenStep !== null && (
                <Steps
                  size="small"
                  direction="vertical"
                  current={tokenStep}
                  items={TOKEN_STEPS.map((title, i) => ({
                    title,
                    description: i === 1 && tokenStep === 1 ? '请在证书助手窗口中输入口令' : undefined,
                  }))}
                  data-testid="produce-token-steps"
                />
              )}
              {tokenError && <Alert type="error" showIcon title={tokenError} data-testid="produce-token-error" />}
            </div>
          ) : kind === 'csr' ? (
            <>
              <Form.Item
                name="csr"
                label="证书请求（PKCS#10，在客户 UKEY 上生成）"
                extra="粘贴 PEM 文本（-----BEGIN CERTIFICATE REQUEST-----），或上传 .csr / .req / .pem 文件。"
                rules={[zodRule(ZProduceKey.options[0].shape.csr)]}
              >
                <Input.TextArea rows={6} spellCheck={false} style={{ fontFamily: 'monospace', fontSize: 12 }} data-testid="csr-input" />
              </Form.Item>
              <Upload
                accept=".csr,.req,.pem,.p10,.der"
                showUploadList={false}
                beforeUpload={async (file) => {
                  form.setFieldsValue({ csr: await readRequest(file) });
                  await form.validateFields(['csr']).catch(() => undefined);
                  return false;
                }}
              >
                <Button icon={<UploadOutlined />}>选择证书请求文件</Button>
              </Upload>
            </>
          ) : (
            <>
              <Typography.Paragraph type="secondary">
                由系统生成密钥对（用于软证书和测试）。签发后返回一次用下面密码保护的 PKCS#12 文件，系统不保存私钥和密码。
              </Typography.Paragraph>
              <Form.Item name="password" label="PKCS#12 密码" rules={[zodRule(ZProduceKey.options[1].shape.password)]}>
                <Input.Password autoComplete="new-password" data-testid="p12-password" />
              </Form.Item>
              <Form.Item
                name="password2"
                label="再次输入密码"
                dependencies={['password']}
                rules={[
                  { required: true, message: '请再次输入密码' },
                  ({ getFieldValue }) => ({
                    validator: (_r, v) =>
                      v === getFieldValue('password') ? Promise.resolve() : Promise.reject(new Error('两次输入的密码不一致')),
                  }),
                ]}
              >
                <Input.Password autoComplete="new-password" data-testid="p12-password2" />
              </Form.Item>
            </>
          )}
        </Form>
      </div>
    </Modal>
  );
}
