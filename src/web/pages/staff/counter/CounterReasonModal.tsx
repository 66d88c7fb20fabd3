/** 退回补正资料 and 取消办理 ask why: the reason is required and goes with the step. */
import { Form, Input, Modal } from 'antd';
import type { RunStep } from './useCounterOrder.js';

export type ReasonAction = { action: string; label: string };

export function CounterReasonModal({
  orderId,
  action,
  busy,
  step,
  onClose,
}: {
  orderId: string;
  /** The step asking for a reason; null: the modal is closed. */
  action: ReasonAction | null;
  busy: boolean;
  step: RunStep;
  onClose: () => void;
}) {
  const [form] = Form.useForm<{ reason: string }>();
  return (
    <Modal
      open={!!action}
      title={action?.label}
      okText="确定"
      cancelText="取消"
      confirmLoading={busy}
      onCancel={onClose}
      // The form outlives the modal's content: cleared once closed, so the next step's reason starts empty.
      afterOpenChange={(opened) => {
        if (!opened) form.resetFields();
      }}
      onOk={async () => {
        const f = await form.validateFields().catch(() => null);
        if (!f || !action) return;
        const r = await step(`/api/staff/counter/orders/${orderId}/actions/${action.action}`, f, `${action.label}：已完成`, form);
        if (r) onClose();
      }}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" initialValues={{ reason: '' }}>
        <Form.Item name="reason" label="原因" rules={[{ required: true, message: '请填写原因' }]}>
          <Input.TextArea rows={3} maxLength={200} data-testid="counter-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
