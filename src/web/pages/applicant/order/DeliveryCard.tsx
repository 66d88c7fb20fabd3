/**
 * 证书接收人: who the key is shipped to (顺丰到付), editable until it is shipped; after 已发放 the SF
 * waybill number with a link to track it (seed 000 八: "查询订单受理状态、邮寄证书快递单号信息").
 */
import { useState } from 'react';
import { Alert, App, Button, Form, Input, Modal, Typography } from 'antd';
import { EditOutlined, ExportOutlined } from '@ant-design/icons';
import { orderFinalSchema } from '../../../../core/order-form.js';
import { apiPut, ApiError } from '../../../api.js';
import { useAction } from '../../../components/useAction.js';
import { beijing } from './time.js';
import { courierName } from './tracking.js';
import type { OrderView, Recipient } from '../../../../core/orders-schemas.js';

const recipientRules = orderFinalSchema({ outOfProvince: false }).shape.recipient.shape;

/** antd rule from one of the order form's own field schemas (the server checks the same). */
const rule = (schema: (typeof recipientRules)[keyof typeof recipientRules]) => ({
  validator: async (_r: unknown, v: string | undefined) => {
    const r = schema.safeParse(v ?? '');
    if (!r.success) throw new Error(r.error.issues[0]?.message ?? '格式不正确');
  },
});

export function DeliveryCard({ view, onChanged }: { view: OrderView; onChanged: () => void }) {
  const { recipient, outbound, recipientEditable: editable } = view.delivery;
  const [editing, setEditing] = useState(false);
  return (
    <div className="delivery-card" data-testid="delivery-card">
      {outbound ? (
        <div className="waybill" data-testid="waybill">
          <div className="muted">
            证书已于 {beijing(outbound.shippedAt)} 由{courierName(outbound.courier)}到付寄出，运单号
          </div>
          <Typography.Text
            className="order-no big"
            copyable={{ text: outbound.trackingNo, tooltips: ['复制运单号', '已复制'] }}
            data-testid="waybill-no"
          >
            {outbound.trackingNo}
          </Typography.Text>
          <div>
            <a href={outbound.trackingUrl} target="_blank" rel="noreferrer" data-testid="waybill-link">
              在顺丰官网查看物流 <ExportOutlined />
            </a>
          </div>
          <div className="muted waybill-note">收件人关注“顺丰速运”公众号，也可接收发件通知、查询物流详情。</div>
        </div>
      ) : (
        <p className="muted delivery-note">证书制作完成后用顺丰快递到付寄给以下接收人。</p>
      )}
      <dl className="kv" data-testid="recipient">
        <dt>收件人</dt>
        <dd>{recipient.name}</dd>
        <dt>手机号</dt>
        <dd>{recipient.mobile}</dd>
        <dt>收件地址</dt>
        <dd>{recipient.address}</dd>
      </dl>
      {editable && (
        <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="edit-recipient">
          修改证书接收人
        </Button>
      )}
      {editing && (
        <RecipientDialog
          orderId={view.order.id}
          recipient={recipient}
          onClose={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            onChanged();
          }}
        />
      )}
    </div>
  );
}

function RecipientDialog({
  orderId,
  recipient,
  onClose,
  onSaved,
}: {
  orderId: string;
  recipient: Recipient;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { message } = App.useApp();
  const [form] = Form.useForm<Recipient>();
  const { run, busy } = useAction();
  const [error, setError] = useState<string | null>(null);

  const save = async () => {
    let v: Recipient;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    await run(
      async () => {
        setError(null);
        await apiPut(`/api/orders/${orderId}/recipient`, { name: v.name.trim(), mobile: v.mobile.trim(), address: v.address.trim() });
        message.success('证书接收人已修改');
        onSaved();
      },
      (e) => {
        if (e instanceof ApiError && Object.keys(e.fields).length)
          form.setFields(
            Object.entries(e.fields)
              .map(([name, errors]) => ({ name: name.replace(/^recipient\./, '') as keyof Recipient, errors: [errors] }))
              .filter((f) => ['name', 'mobile', 'address'].includes(f.name)),
          );
        setError(e instanceof ApiError ? e.message : '保存失败，请稍后重试');
      },
    );
  };

  return (
    <Modal
      open
      title="修改证书接收人"
      okText="保存"
      cancelText="取消"
      confirmLoading={busy}
      onOk={() => void save()}
      onCancel={onClose}
      destroyOnHidden
      data-testid="recipient-dialog"
    >
      <p className="muted" style={{ marginTop: 0 }}>
        证书寄出前可以修改；证书用顺丰到付寄出，寄出后不能再改。
      </p>
      <Form<Recipient> form={form} layout="vertical" initialValues={recipient} requiredMark={false}>
        <Form.Item name="name" label="收件人姓名" rules={[rule(recipientRules.name)]}>
          <Input maxLength={30} autoComplete="name" />
        </Form.Item>
        <Form.Item name="mobile" label="收件人手机号" rules={[rule(recipientRules.mobile)]}>
          <Input maxLength={20} inputMode="tel" autoComplete="tel" />
        </Form.Item>
        <Form.Item name="address" label="收件地址" rules={[rule(recipientRules.address)]}>
          <Input.TextArea maxLength={200} autoSize={{ minRows: 2, maxRows: 4 }} autoComplete="street-address" />
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon title={error} data-testid="recipient-error" />}
    </Modal>
  );
}
