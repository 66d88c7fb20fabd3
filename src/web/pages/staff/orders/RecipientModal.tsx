/** 更正收件信息: staff correct the certificate recipient (name, mobile, address) with a reason; recorded on the order. */
import { useState } from 'react';
import { Alert, App, Form, Input, Modal } from 'antd';
import { ZStaffRecipientBody } from '../../../../core/fulfilment.js';
import type { OrderDraft } from '../../../../core/order-form.js';
import { ApiError, apiPost } from '../../../api.js';
import { showServerErrors, zodRule } from '../../../components/forms.js';
import { useAction } from '../../../components/useAction.js';
import { useStaffErrors } from '../staffSession.js';

interface Values {
  name: string;
  mobile: string;
  address: string;
  reason: string;
}

export function RecipientModal({
  orderId,
  current,
  onCancel,
  onDone,
  onConflict,
}: {
  orderId: string;
  current: OrderDraft['recipient'];
  onCancel: () => void;
  onDone: () => void;
  onConflict: (m: string) => void;
}) {
  const [form] = Form.useForm<Values>();
  const { message } = App.useApp();
  const fail = useStaffErrors();
  const { run, busy } = useAction();
  const [error, setError] = useState<string | null>(null);
  const shape = ZStaffRecipientBody.shape;

  const submit = (v: Values) =>
    run(
      async () => {
        setError(null);
        await apiPost(`/api/staff/orders/${orderId}/recipient`, v);
        message.success('收件信息已更正，已记入办理记录');
        onDone();
      },
      (e) => {
        const text = fail(e);
        if (e instanceof ApiError && e.status === 409) onConflict(text);
        else setError(showServerErrors(form, e));
      },
    );

  return (
    <Modal
      open
      title="更正证书接收人信息"
      okText="确认更正"
      cancelText="取消"
      onOk={() => form.submit()}
      confirmLoading={busy}
      onCancel={onCancel}
      mask={{ closable: false }}
    >
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 16 }}
        title="证书将按更正后的信息用顺丰到付寄出"
        description="更正将记录操作人、时间、原信息、新信息和原因，申请单位在订单中看到新的收件信息。"
      />
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form
        form={form}
        name="recipient"
        layout="vertical"
        onFinish={submit}
        initialValues={{ name: current?.name ?? '', mobile: current?.mobile ?? '', address: current?.address ?? '', reason: '' }}
      >
        <Form.Item label="收件人姓名" name="name" rules={[zodRule(shape.name)]} validateTrigger="onBlur">
          <Input maxLength={30} />
        </Form.Item>
        <Form.Item label="收件人手机号" name="mobile" rules={[zodRule(shape.mobile)]} validateTrigger="onBlur">
          <Input maxLength={20} inputMode="tel" />
        </Form.Item>
        <Form.Item label="收件地址" name="address" rules={[zodRule(shape.address)]} validateTrigger="onBlur">
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 4 }} maxLength={200} />
        </Form.Item>
        <Form.Item label="更正原因" name="reason" rules={[zodRule(shape.reason)]}>
          <Input.TextArea rows={2} maxLength={200} showCount placeholder="例如：经办人来电，收件地址搬迁至……" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
