/**
 * 密钥恢复 (docs/kmc.md): a 密钥管理员 asks for an escrowed encryption key to be put in an envelope for a new
 * UKEY (补办) or for an authority (司法恢复); another 密钥管理员 approves or refuses; once approved, the envelope
 * is downloaded once. The server enforces every rule (roles, four eyes, once); the page says them beforehand
 * and shows the server's own words when one is broken.
 */
import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Card, Empty, Form, Input, Modal, Radio, Space, Tag, Typography, Upload } from 'antd';
import { CheckOutlined, CloseOutlined, DownloadOutlined, KeyOutlined, ReloadOutlined, UploadOutlined } from '@ant-design/icons';
import type { EnvelopedKey, Recoveries, RecoveryItem } from '../../../core/kmc-schemas.js';
import { apiGet, apiPost } from '../../api.js';
import { showServerErrors } from '../../components/forms.js';
import { saveBase64 } from '../../components/saveBase64.js';
import { useAction } from '../../components/useAction.js';
import { useLatestLoad } from '../../components/useLatestLoad.js';
import { beijing, mono } from './orders/format.js';
import { useStaffErrors } from './staffSession.js';

type Kind = 'user' | 'judicial';

const serialText = (s: string) => (s.length % 2 ? `0${s}` : s).toUpperCase();

/** What a request's state means for the next step. */
function stateOf(r: RecoveryItem): { label: string; color: string } {
  if (r.status === 'pending') return { label: '待另一位密钥管理员批准', color: 'gold' };
  if (r.status === 'refused') return { label: '已驳回', color: 'default' };
  return r.deliveredAt ? { label: '已交付（信封已下载）', color: 'green' } : { label: '已批准，待下载信封', color: 'blue' };
}

const RECIPIENT: Record<Kind, { label: string; placeholder: string; reason: string; reasonPlaceholder: string }> = {
  user: {
    label: '新 USB Key 的证书请求（PKCS#10）或新签发的签名证书',
    placeholder:
      '粘贴新 USB Key 导出的证书请求（-----BEGIN CERTIFICATE REQUEST-----…），或柜台补办时新签发的签名证书（-----BEGIN CERTIFICATE-----…）',
    reason: '补办受理单号及原因',
    reasonPlaceholder: '如：补办，USB Key 丢失，受理单号 3601-0001',
  },
  judicial: {
    label: '接收机构的 SM2 证书（PEM）',
    placeholder: '粘贴司法机关提供的 SM2 加密证书（-----BEGIN CERTIFICATE-----…）',
    reason: '法律依据及文书编号',
    reasonPlaceholder: '如：某某市公安局协助调查通知书（2026）赣01刑初1号',
  },
};

interface RequestValues {
  kind: Kind;
  serial: string;
  recipient: string;
  reason: string;
}

/**
 * The request form. It stays open with everything typed when the server refuses it; each wrong field shows the
 * server's message beside it.
 */
function RequestForm({ onDone }: { onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<RequestValues>();
  const kind = (Form.useWatch('kind', form) ?? 'user') as Kind;
  const { run, busy } = useAction();
  const [error, setError] = useState<string | null>(null);
  const { message } = App.useApp();
  const fail = useStaffErrors();
  const readFile = async (file: File) => {
    const text = await file.text();
    if (!text.includes('-----BEGIN')) {
      form.setFields([{ name: 'recipient', errors: ['请选择 PEM 格式的文件（文本文件，以 -----BEGIN 开头）'] }]);
      return;
    }
    form.setFields([{ name: 'recipient', value: text.trim(), errors: [] }]);
  };
  const submit = async () => {
    // The form shows what is missing beside each field; nothing is sent.
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    await run(
      async () => {
        setError(null);
        await apiPost('/api/staff/kmc/recoveries', v);
        void message.success('已提交密钥恢复申请，须由另一位密钥管理员批准');
        form.resetFields();
        setOpen(false);
        onDone();
      },
      (e) => {
        const rest = showServerErrors(form, e);
        setError(rest);
        if (rest) fail(e);
      },
    );
  };
  return (
    <>
      <Button type="primary" icon={<KeyOutlined />} onClick={() => setOpen(true)} data-testid="recovery-new">
        申请密钥恢复
      </Button>
      <Modal
        title="申请密钥恢复"
        open={open}
        onCancel={() => setOpen(false)}
        onOk={() => void submit()}
        okText="提交申请"
        okButtonProps={{ loading: busy, id: 'recovery-submit' }}
        cancelText="取消"
        forceRender
      >
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="recovery-form-error" />}
        <Form form={form} layout="vertical" name="recovery" initialValues={{ kind: 'user' }} requiredMark={false}>
          <Form.Item name="kind" label="恢复类型">
            <Radio.Group>
              <Radio value="user">用户密钥恢复（补办）</Radio>
              <Radio value="judicial">司法密钥恢复</Radio>
            </Radio.Group>
          </Form.Item>
          <Form.Item
            name="serial"
            label="证书序列号"
            extra="该单位的加密证书或签名证书的序列号，在证书登记簿或“我的证书”中可查到"
            rules={[{ required: true, whitespace: true, message: '请填写加密证书（或其签名证书）的序列号' }]}
          >
            <Input style={mono} placeholder="十六进制，可带冒号或空格" autoComplete="off" />
          </Form.Item>
          <Form.Item
            name="recipient"
            label={RECIPIENT[kind].label}
            extra={
              <Space orientation="vertical" size={2}>
                <span>
                  {kind === 'user'
                    ? '恢复的加密私钥将装入数字信封，只有这把新 USB Key 的签名私钥能打开。'
                    : '恢复的加密私钥将装入数字信封，只有接收机构证书对应的私钥能打开。'}
                </span>
                <Upload
                  accept=".pem,.csr,.req,.cer,.crt,.txt"
                  showUploadList={false}
                  beforeUpload={async (file) => {
                    await readFile(file);
                    return false;
                  }}
                >
                  <Button size="small" icon={<UploadOutlined />} data-testid="recovery-recipient-file">
                    从文件读取（PEM）
                  </Button>
                </Upload>
              </Space>
            }
            rules={[{ required: true, whitespace: true, message: '请提供新 USB Key 的证书请求或签名证书，或接收机构的证书' }]}
          >
            <Input.TextArea rows={4} style={{ ...mono, fontSize: 12 }} placeholder={RECIPIENT[kind].placeholder} />
          </Form.Item>
          <Form.Item
            name="reason"
            label={RECIPIENT[kind].reason}
            rules={[{ required: true, whitespace: true, message: '请填写恢复原因（补办的受理单号，或司法机关及文书编号）' }]}
          >
            <Input.TextArea rows={2} maxLength={500} placeholder={RECIPIENT[kind].reasonPlaceholder} />
          </Form.Item>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: 0 }}>
            提交后须由另一位密钥管理员批准，申请人不能批准自己的申请。批准后信封只能下载一次；每一步都记入操作记录。
          </Typography.Paragraph>
        </Form>
      </Modal>
    </>
  );
}

function RecoveryCard({ r, onChanged, onError }: { r: RecoveryItem; onChanged: () => Promise<void>; onError: (m: string) => void }) {
  const { message, modal } = App.useApp();
  const fail = useStaffErrors();
  const { run, busy } = useAction();
  const [refusing, setRefusing] = useState(false);
  const [note, setNote] = useState('');
  const state = stateOf(r);
  const decide = (approve: boolean) =>
    run(
      async () => {
        await apiPost(`/api/staff/kmc/recoveries/${r.id}/${approve ? 'approve' : 'refuse'}`, approve ? {} : { note });
        void message.success(approve ? '已批准：可下载恢复的密钥信封' : '已驳回该申请');
        setRefusing(false);
        setNote('');
        await onChanged();
      },
      (e) => onError(fail(e)),
    );
  const download = () =>
    run(
      async () => {
        const a = await apiPost<EnvelopedKey>(`/api/staff/kmc/recoveries/${r.id}/envelope`);
        saveBase64(a.envelopedKeyBlob, `${serialText(a.serial)}-恢复的加密密钥信封.bin`);
        void message.success('信封已下载；只能下载这一次，请妥善交付');
        await onChanged();
      },
      async (e) => {
        onError(fail(e));
        await onChanged();
      },
    );
  return (
    <Card size="small" data-testid="recovery-row" data-serial={r.serial}>
      {/* The unit and the state on top, wrapping on a phone rather than cutting the unit's name off. */}
      <div style={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 6, marginBottom: 10 }}>
        <Typography.Text strong style={{ marginInlineEnd: 'auto' }}>
          {r.unitName}
        </Typography.Text>
        <Tag color={r.kind === 'judicial' ? 'purple' : 'cyan'}>{r.kindLabel}</Tag>
        <Tag color={state.color} data-testid="recovery-state">
          {state.label}
        </Tag>
      </div>
      <dl className="recovery-facts" style={{ margin: 0, display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '4px 12px' }}>
        <dt>加密证书</dt>
        <dd style={{ margin: 0, wordBreak: 'break-all' }}>
          <span style={mono}>{serialText(r.serial)}</span>
          {r.certificateStatus === 'revoked' && <Tag style={{ marginInlineStart: 4 }}>已吊销</Tag>}
          <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
            {r.uscc}
          </Typography.Text>
        </dd>
        <dt>接收方</dt>
        <dd style={{ margin: 0, wordBreak: 'break-all' }}>{r.recipientLabel}</dd>
        <dt>原因</dt>
        <dd style={{ margin: 0, wordBreak: 'break-all' }}>{r.reason}</dd>
        <dt>申请人</dt>
        <dd style={{ margin: 0 }}>
          {r.requestedByName}
          {r.mine && <Tag style={{ marginInlineStart: 4 }}>本人</Tag>}
          <Typography.Text type="secondary" style={{ marginInlineStart: 8, fontSize: 12 }}>
            {beijing(r.requestedAt)}
          </Typography.Text>
        </dd>
        {r.decidedAt && (
          <>
            <dt>{r.status === 'refused' ? '驳回人' : '批准人'}</dt>
            <dd style={{ margin: 0 }}>
              {r.decidedByName}
              <Typography.Text type="secondary" style={{ marginInlineStart: 8, fontSize: 12 }}>
                {beijing(r.decidedAt)}
              </Typography.Text>
              {r.decisionNote && <div style={{ fontSize: 12 }}>{r.decisionNote}</div>}
            </dd>
          </>
        )}
        {r.deliveredAt && (
          <>
            <dt>下载人</dt>
            <dd style={{ margin: 0 }}>
              {r.deliveredByName}
              <Typography.Text type="secondary" style={{ marginInlineStart: 8, fontSize: 12 }}>
                {beijing(r.deliveredAt)}
              </Typography.Text>
            </dd>
          </>
        )}
      </dl>
      {r.status === 'pending' && (
        <div style={{ marginTop: 12 }}>
          {r.mine && (
            <Typography.Paragraph type="warning" style={{ fontSize: 12, marginBottom: 8 }} data-testid="recovery-own-note">
              这是您提出的申请：须由另一位密钥管理员批准或驳回，您本人不能批准。
            </Typography.Paragraph>
          )}
          <Space wrap>
            <Button
              type="primary"
              icon={<CheckOutlined />}
              loading={busy}
              onClick={() =>
                modal.confirm({
                  title: '批准这项密钥恢复？',
                  content: `${r.unitName}，加密证书 ${serialText(r.serial)}。批准后可下载装有该加密私钥的数字信封（接收方：${r.recipientLabel}）。`,
                  okText: '批准',
                  cancelText: '取消',
                  onOk: () => decide(true),
                })
              }
              data-testid="recovery-approve"
            >
              批准
            </Button>
            <Button icon={<CloseOutlined />} disabled={busy} onClick={() => setRefusing(true)} data-testid="recovery-refuse">
              驳回
            </Button>
          </Space>
        </div>
      )}
      {r.status === 'approved' && !r.deliveredAt && (
        <div style={{ marginTop: 12 }}>
          <Button icon={<DownloadOutlined />} loading={busy} onClick={() => void download()} data-testid="recovery-download">
            下载恢复的密钥信封（只能一次）
          </Button>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '8px 0 0' }}>
            信封（GM/T 0016 ENVELOPEDKEYBLOB）只有接收方的私钥能打开：补办的写入新 USB Key，司法恢复的交给接收机构。
          </Typography.Paragraph>
        </div>
      )}
      <Modal
        title="驳回密钥恢复申请"
        open={refusing}
        onCancel={() => setRefusing(false)}
        onOk={() => void decide(false)}
        okText="驳回"
        okButtonProps={{ disabled: !note.trim(), loading: busy }}
        cancelText="取消"
      >
        <Input.TextArea
          value={note}
          onChange={(e) => setNote(e.target.value)}
          maxLength={500}
          rows={3}
          placeholder="请填写驳回的原因（必填），如：文书不全"
          aria-label="驳回的原因"
        />
      </Modal>
    </Card>
  );
}

export function StaffKeyRecoveryPage() {
  const [rows, setRows] = useState<RecoveryItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const fail = useStaffErrors();
  const begin = useLatestLoad();
  const load = useCallback(async () => {
    const current = begin();
    setLoading(true);
    try {
      const r = await apiGet<Recoveries>('/api/staff/kmc/recoveries');
      if (current()) setRows(r.recoveries);
    } catch (e) {
      if (current()) setError(fail(e));
    } finally {
      if (current()) setLoading(false);
    }
  }, [fail, begin]);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <Card
      title="密钥恢复"
      extra={
        <Space wrap>
          <RequestForm
            onDone={() => {
              setError(null);
              void load();
            }}
          />
          <Button icon={<ReloadOutlined />} onClick={() => void load()} loading={loading} aria-label="刷新">
            刷新
          </Button>
        </Space>
      }
      data-testid="recovery-page"
    >
      <Typography.Paragraph type="secondary">
        双证书的加密私钥由密钥管理中心托管。USB Key 丢失或损坏补办时，可把原加密私钥恢复到新 USB
        Key，以便打开以前加密给该单位的文件；司法机关依法要求时，可恢复给接收机构。
        恢复须由一位密钥管理员申请、另一位密钥管理员批准；私钥始终以密文交付，任何人都看不到明文。
      </Typography.Paragraph>
      {error && (
        <Alert
          type="error"
          showIcon
          title={error}
          closable
          onClose={() => setError(null)}
          style={{ marginBottom: 12 }}
          data-testid="recovery-error"
        />
      )}
      {rows && rows.length === 0 ? (
        <Empty description="还没有密钥恢复申请" />
      ) : (
        <Space orientation="vertical" size={12} style={{ width: '100%' }}>
          {(rows ?? []).map((r) => (
            <RecoveryCard
              key={r.id}
              r={r}
              onChanged={load}
              onError={(m) => {
                setError(m);
                window.scrollTo({ top: 0 });
              }}
            />
          ))}
        </Space>
      )}
    </Card>
  );
}
