/** 现场缴费并领取: the catalog price, the channel and receipt number; for 变更 the old UKEY handed back first. */
import { Button, Checkbox, Form, Input, Radio, Typography } from 'antd';
import { ZCounterPayBody } from '../../../../core/counter-schemas.js';
import type { CounterView } from '../../../../core/counter-response-schemas.js';
import { fenToYuanText } from '../../../../core/money.js';
import { zodRule } from '../../../components/forms.js';
import { validityText } from './CounterOrderHeader.js';
import type { RunStep } from './useCounterOrder.js';

export function CounterPayForm({
  v,
  payChannels,
  busy,
  step,
}: {
  v: CounterView;
  /** The channels from the counter's meta (undefined while it loads). */
  payChannels: { code: string; label: string }[] | undefined;
  busy: boolean;
  step: RunStep;
}) {
  const [form] = Form.useForm<{ channel: string; receiptNo: string; amountFen: number; oldUkeyReturned: boolean }>();
  const o = v.order;
  const pay = async () => {
    const f = await form.validateFields().catch(() => null);
    if (!f) return;
    await step(`/api/staff/counter/orders/${o.id}/pay`, { ...f, amountFen: v.priceFen }, '已收款，证书已领取', form);
  };
  return (
    <Form
      form={form}
      layout="vertical"
      requiredMark={false}
      style={{ marginTop: 12, maxWidth: 520 }}
      initialValues={{ channel: 'cash', receiptNo: '', amountFen: v.priceFen, oldUkeyReturned: false }}
      data-testid="counter-pay-form"
    >
      <Typography.Title level={5}>现场缴费并领取</Typography.Title>
      <Form.Item label="证书有效期">
        <span data-testid="counter-pay-validity">{validityText(v)}</span>
      </Form.Item>
      <Form.Item label="应收金额">
        <Typography.Text strong data-testid="counter-price">
          {v.priceFen === null ? '价格未确定' : `${fenToYuanText(v.priceFen)} 元`}
        </Typography.Text>
      </Form.Item>
      <Form.Item name="amountFen" hidden>
        <Input />
      </Form.Item>
      <Form.Item name="channel" label="缴费方式">
        <Radio.Group options={payChannels?.map((c) => ({ value: c.code, label: c.label }))} data-testid="counter-pay-channel" />
      </Form.Item>
      <Form.Item name="receiptNo" label="收据号（或 POS 凭条号）" rules={[zodRule(ZCounterPayBody.shape.receiptNo)]}>
        <Input maxLength={32} style={{ maxWidth: 280, fontFamily: 'monospace' }} data-testid="counter-receipt" />
      </Form.Item>
      {o.business === 'change' && (
        <Form.Item name="oldUkeyReturned" valuePropName="checked">
          <Checkbox data-testid="counter-old-ukey">已收回原有的 UKEY（收回后申请吊销原证书）</Checkbox>
        </Form.Item>
      )}
      <Button type="primary" onClick={() => void pay()} loading={busy} data-testid="counter-pay">
        确认收款并交付证书
      </Button>
    </Form>
  );
}
