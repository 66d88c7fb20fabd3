/**
 * 电话记录 ("电话通知补寄", seeds 000–002): the calls 受理 staff made to the agent about this order, and a
 * form to record one — when it was made, what came of it, and a note. Staff only; applicants never see it.
 */
import { App, Button, Card, DatePicker, Form, Input, Radio, Typography } from 'antd';
import { PhoneOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { CALL_OUTCOMES, type CallOutcome } from '../../../../core/fulfilment.js';
import { ApiError, apiPost } from '../../../api.js';
import { showServerErrors } from '../../../components/forms.js';
import { useAction } from '../../../components/useAction.js';
import { useStaffErrors } from '../staffSession.js';
import { beijing } from './format.js';
import type { StaffOrderView } from '../../../../core/staff-orders-schemas.js';

const OUTCOME_COLOR: Record<CallOutcome, string> = {
  reached: '#389e0d',
  no_answer: '#d46b08',
  wrong_number: '#cf1322',
  call_back: '#1677ff',
};

export function CallLog({
  view,
  canCall,
  onDone,
  onConflict,
}: {
  view: StaffOrderView;
  canCall: boolean;
  onDone: () => void;
  onConflict: (m: string) => void;
}) {
  if (!canCall && !view.calls.length) return null;
  const agent = view.order.form.agent;
  return (
    <Card title="电话记录" size="small" data-testid="call-log">
      {agent?.mobile && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
          经办人：{agent.name ?? '—'} <Typography.Text copyable>{agent.mobile}</Typography.Text>
        </Typography.Paragraph>
      )}
      {view.calls.length === 0 ? (
        <Typography.Paragraph type="secondary">尚无通话记录</Typography.Paragraph>
      ) : (
        <div style={{ display: 'grid', gap: 8, marginBottom: 12 }}>
          {view.calls.map((c) => (
            <div key={c.id} data-testid="call" style={{ display: 'grid', gap: 2, paddingBottom: 8, borderBottom: '1px solid #f0f0f0' }}>
              <span>
                <strong style={{ color: OUTCOME_COLOR[c.outcome] }}>{CALL_OUTCOMES[c.outcome] ?? c.outcome}</strong>{' '}
                <Typography.Text type="secondary">
                  {beijing(c.calledAt)} · {c.staffName ?? '工作人员'}
                </Typography.Text>
              </span>
              {c.note && <span style={{ wordBreak: 'break-all' }}>{c.note}</span>}
            </div>
          ))}
        </div>
      )}
      {canCall && <CallForm orderId={view.order.id} onDone={onDone} onConflict={onConflict} />}
    </Card>
  );
}

function CallForm({ orderId, onDone, onConflict }: { orderId: string; onDone: () => void; onConflict: (m: string) => void }) {
  const [form] = Form.useForm<{ calledAt: Dayjs; outcome: CallOutcome; note?: string }>();
  const { message } = App.useApp();
  const fail = useStaffErrors();
  const { run, busy } = useAction();
  const submit = (v: { calledAt: Dayjs; outcome: CallOutcome; note?: string }) =>
    run(
      async () => {
        await apiPost(`/api/staff/orders/${orderId}/calls`, {
          calledAt: v.calledAt.toISOString(),
          outcome: v.outcome,
          ...(v.note?.trim() ? { note: v.note.trim() } : {}),
        });
        message.success('已记录通话');
        form.resetFields();
        onDone();
      },
      (e) => {
        const text = fail(e);
        if (e instanceof ApiError && e.status === 409) onConflict(text);
        else {
          const rest = showServerErrors(form, e);
          if (rest) message.error(rest);
        }
      },
    );
  return (
    <Form
      form={form}
      name="call"
      layout="vertical"
      onFinish={submit}
      initialValues={{ calledAt: dayjs() }}
      requiredMark={false}
      data-testid="call-form"
      size="small"
    >
      <Form.Item label="通话时间" name="calledAt" rules={[{ required: true, message: '请填写通话时间' }]}>
        <DatePicker
          showTime={{ format: 'HH:mm' }}
          format="YYYY-MM-DD HH:mm"
          disabledDate={(d) => d.isAfter(dayjs(), 'day')}
          style={{ width: '100%' }}
          aria-label="通话时间"
        />
      </Form.Item>
      <Form.Item label="通话结果" name="outcome" rules={[{ required: true, message: '请选择通话结果' }]}>
        <Radio.Group optionType="button" options={Object.entries(CALL_OUTCOMES).map(([value, label]) => ({ value, label }))} />
      </Form.Item>
      <Form.Item label="备注" name="note">
        <Input.TextArea
          autoSize={{ minRows: 2, maxRows: 5 }}
          maxLength={500}
          showCount
          placeholder="例如：已告知经办人补寄营业执照复印件，约定本周五前寄出"
        />
      </Form.Item>
      <Button htmlType="submit" icon={<PhoneOutlined />} loading={busy} data-testid="call-submit">
        记录通话
      </Button>
    </Form>
  );
}
