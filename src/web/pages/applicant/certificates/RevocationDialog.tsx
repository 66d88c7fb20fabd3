/**
 * 申请吊销证书: reason, optional note and the SMS code sent to the organization's registered mobile (issue 7).
 * Used on 我的证书 and on the order page's certificate card. The CA handles a request within 24 hours (seed
 * 004); a revocation is final (RFC 5280 5.3.1: no certificateHold here), so the dialog says so before sending.
 * The server enforces every rule; its per-field messages go next to the fields and what was typed stays.
 */
import { useEffect, useState, type ComponentProps } from 'react';
import { Alert, Button, Form, Input, Modal, Select, Space } from 'antd';
import { MessageOutlined } from '@ant-design/icons';
import type { RevocationReason } from '../../../../core/revocation-reasons.js';
import type { RevocationCodeSent } from '../../../../core/my-certificates-schemas.js';
import { apiPost, ApiError } from '../../../api.js';
import { useAction } from '../../../components/useAction.js';

interface RevocationForm {
  reason?: number;
  note?: string;
  code?: string;
}

export function RevocationDialog({
  certificateId,
  serial,
  reasons,
  onClose,
  onDone,
}: {
  certificateId: string;
  serial: string;
  reasons: RevocationReason[];
  onClose: () => void;
  onDone: () => void;
}) {
  const [form] = Form.useForm<RevocationForm>();
  const { run, busy } = useAction();
  const { run: runSend, busy: sending } = useAction();
  const [error, setError] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [wait, setWait] = useState(0);

  useEffect(() => {
    if (wait <= 0) return;
    const id = setTimeout(() => setWait((w) => w - 1), 1000);
    return () => clearTimeout(id);
  }, [wait]);

  const showFields = (e: ApiError) => {
    const known = ['reason', 'note', 'code'];
    const entries = Object.entries(e.fields).filter(([name]) => known.includes(name));
    if (entries.length) form.setFields(entries.map(([name, msg]) => ({ name: name as keyof RevocationForm, errors: [msg] })));
    return entries.length > 0;
  };

  const sendCode = () =>
    runSend(
      async () => {
        setError(null);
        const r = await apiPost<RevocationCodeSent>(`/api/my-certificates/${certificateId}/revocation-code`);
        setSentTo(r.maskedMobile);
        setWait(r.resendAfterSeconds);
        form.setFields([{ name: 'code', errors: [] }]);
      },
      (e) => {
        setError(e instanceof ApiError ? e.message : '验证码发送失败，请稍后重试');
        // "验证码已发送，请在N秒后重新获取": the button counts down instead of failing again.
        const secs = e instanceof ApiError && e.status === 429 ? Number(/(\d+)秒后重新获取/.exec(e.message)?.[1]) : 0;
        if (secs > 0) setWait(secs);
      },
    );

  const send = async () => {
    let v: RevocationForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    await run(
      async () => {
        setError(null);
        await apiPost(`/api/certificates/${certificateId}/revocation-requests`, {
          reason: v.reason,
          note: v.note?.trim() || undefined,
          code: v.code?.trim(),
        });
        onDone();
      },
      (e) => {
        // The typed text stays in the form; the server's field messages go next to their fields.
        if (e instanceof ApiError && showFields(e)) setError(null);
        else setError(e instanceof ApiError ? e.message : '提交失败，请稍后重试');
      },
    );
  };

  return (
    <Modal
      open
      title="申请吊销证书"
      okText="确认吊销"
      cancelText="取消"
      okButtonProps={{ danger: true, 'data-testid': 'revocation-confirm' } as ComponentProps<typeof Button>}
      confirmLoading={busy}
      onOk={() => void send()}
      onCancel={onClose}
      destroyOnHidden
      data-testid="revocation-dialog"
    >
      <Alert
        type="warning"
        showIcon
        title="吊销后不可恢复"
        description="证书吊销后立即失效且不能撤回，对应的密钥（USB Key）也不能再用于签名和投标。如需继续使用，须重新申请新证书。"
        style={{ marginBottom: 16 }}
        data-testid="revocation-warning"
      />
      <p className="muted" style={{ marginTop: 0, wordBreak: 'break-all' }}>
        证书序列号 <span className="mono">{serial}</span>。CA 工作人员将在24小时内处理您的申请。
      </p>
      <Form<RevocationForm> form={form} layout="vertical" requiredMark={false}>
        <Form.Item name="reason" label="吊销原因" rules={[{ required: true, message: '请选择吊销原因' }]}>
          <Select placeholder="请选择" options={reasons.map((r) => ({ value: r.code, label: r.label }))} data-testid="revocation-reason" />
        </Form.Item>
        <Form.Item name="note" label="说明（选填）" rules={[{ max: 200, message: '说明最多200个字' }]}>
          <Input.TextArea rows={2} maxLength={200} showCount data-testid="revocation-note" />
        </Form.Item>
        <Form.Item
          label="短信验证码"
          required
          extra={
            sentTo ? (
              <span data-testid="revocation-code-sent">验证码已发送至注册手机号 {sentTo}，10分钟内有效。</span>
            ) : (
              '为确认是本单位操作，验证码将发送到本单位注册时填写的手机号。'
            )
          }
        >
          <Space.Compact style={{ width: '100%' }}>
            <Form.Item
              name="code"
              noStyle
              rules={[
                { required: true, message: '请输入短信中的6位验证码' },
                { pattern: /^\d{6}$/, message: '请输入短信中的6位验证码' },
              ]}
            >
              <Input inputMode="numeric" maxLength={6} placeholder="6位数字" autoComplete="one-time-code" data-testid="revocation-code" />
            </Form.Item>
            <Button onClick={() => void sendCode()} loading={sending} disabled={wait > 0} data-testid="revocation-send-code">
              <MessageOutlined />
              {wait > 0 ? `${wait}秒后重发` : sentTo ? '重新获取' : '获取验证码'}
            </Button>
          </Space.Compact>
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon title={error} data-testid="revocation-error" />}
    </Modal>
  );
}
