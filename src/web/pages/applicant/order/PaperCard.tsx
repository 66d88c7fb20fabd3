/**
 * 邮寄纸质资料 (seed 000 六, seed 001 四): where the paper goes (the CA's address, the printable 邮寄资料清单),
 * the paper originals this order needs with the seals each carries, how to put them together
 * (order number top-left on the application form, a paper clip, SF or EMS), the courier and tracking number
 * form once paid — and again when staff ask for missing paper by phone — and every shipment entered.
 */
import { useState } from 'react';
import { Alert, App, Button, Form, Input, Radio, Typography } from 'antd';
import { SendOutlined } from '@ant-design/icons';
import { MailTo } from './MailTo.js';
import { beijing } from './time.js';
import { MAIL_RULES, SEAL_RULES } from '../../../../core/content/documents.js';
import { apiPost, ApiError } from '../../../api.js';
import { useAction } from '../../../components/useAction.js';
import { COURIERS, normalizeTrackingNo, trackingHint, trackingProblem, type CourierCode } from './tracking.js';
import type { OrderView } from '../../../../core/orders-schemas.js';
import { formatOrderNumber } from '../../../../core/order-number.js';

/** `done`: the paper was passed (制证 and after): the list folds away behind the shipments. */
export function PaperCard({ view, done, onChanged }: { view: OrderView; done: boolean; onChanged: () => void }) {
  const shipments = view.paper.shipments;
  const list = (
    <ol className="paper-list" data-testid="paper-list">
      {view.paper.items.map((p) => (
        <li key={p.code} data-testid={`paper-item-${p.code}`}>
          <b>{p.name}</b>
          <div className="paper-item-text">{p.text}</div>
          <div className="paper-item-seals">须加盖：{p.seals.join('；')}</div>
        </li>
      ))}
    </ol>
  );
  const sent = shipments.length > 0 && (
    <>
      <h3 className="form-section">已填写的快递单号</h3>
      <ul className="paper-shipments" data-testid="paper-shipments">
        {shipments.map((s) => (
          <li key={`${s.trackingNo}-${s.at}`}>
            <span>{s.courierLabel}</span>
            {s.trackingUrl ? (
              <a href={s.trackingUrl} target="_blank" rel="noreferrer" className="order-no">
                {s.trackingNo}
              </a>
            ) : (
              <b className="order-no">{s.trackingNo}</b>
            )}
            <span className="muted">{beijing(s.at)} 填写</span>
          </li>
        ))}
      </ul>
    </>
  );
  if (done)
    return (
      <div className="paper-card" data-testid="paper-card">
        <p className="muted" style={{ margin: 0 }}>
          纸质资料已审核合格。
        </p>
        {sent}
        <details className="paper-history">
          <summary>查看纸质资料清单</summary>
          {list}
        </details>
      </div>
    );
  const resend = view.paper.resend;
  return (
    <div className="paper-card" data-testid="paper-card">
      {resend && (
        <Alert
          type="warning"
          showIcon
          data-testid="paper-resend"
          title={`需补寄：${resend.names.join('、')}`}
          description={
            <>
              {resend.note && <div className="paper-resend-note">说明：{resend.note}</div>}
              <div>工作人员会电话通知补寄，请经办人接听南昌拨入的电话；按要求补寄后，在下方填写补寄的快递单号。</div>
            </>
          }
        />
      )}
      <div className="paper-order-no" data-testid="paper-order-no">
        在申请表左上角写明订单编号 <b className="order-no">{formatOrderNumber(view.paper.orderNo)}</b>
      </div>
      <MailTo mailTo={view.paper.mailTo} orderId={view.order.id} orderNo={view.paper.orderNo} checklist={view.paper.checklistAvailable} />
      <h3 className="form-section">需要邮寄的纸质资料</h3>
      {list}
      <ul className="paper-rules">
        {MAIL_RULES.filter((r) => !r.startsWith('寄出纸质资料后')).map((r) => (
          <li key={r}>{r}</li>
        ))}
        <li>{SEAL_RULES[2]}</li>
      </ul>
      {sent}
      {view.paper.canEnterShipment && <ShipmentForm view={view} again={shipments.length > 0} onChanged={onChanged} />}
    </div>
  );
}

interface Values {
  courier: CourierCode;
  courierName?: string;
  trackingNo: string;
}

function ShipmentForm({ view, again, onChanged }: { view: OrderView; again: boolean; onChanged: () => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const courier = Form.useWatch('courier', form) ?? 'SF';
  const { run, busy } = useAction();
  const [error, setError] = useState<string | null>(null);
  const resend = view.paper.resend;
  const sentSince = resend && view.paper.shipments.some((x) => Date.parse(x.at) > Date.parse(resend.at));

  const send = (v: Values) =>
    run(
      async () => {
        setError(null);
        const trackingNo = normalizeTrackingNo(v.trackingNo);
        await apiPost(`/api/orders/${view.order.id}/paper-shipment`, {
          courier: v.courier,
          ...(v.courier === 'other' ? { courierName: v.courierName?.trim() } : {}),
          trackingNo,
        });
        message.success('快递单号已提交');
        form.resetFields();
        onChanged();
      },
      (e) => {
        if (e instanceof ApiError && Object.keys(e.fields).length)
          form.setFields(
            Object.entries(e.fields)
              .map(([name, errors]) => ({ name: name as keyof Values, errors: [errors] }))
              .filter((f) => ['courier', 'courierName', 'trackingNo'].includes(f.name)),
          );
        setError(e instanceof ApiError ? e.message : '提交失败，请稍后重试');
      },
    );

  return (
    <div className="paper-form" data-testid="paper-form">
      <h3 className="form-section">
        {resend && !sentSince ? '填写补寄资料的快递单号' : again ? '再填写一个快递单号' : '寄出后填写快递单号'}
      </h3>
      <Form<Values> form={form} layout="vertical" initialValues={{ courier: 'SF' }} onFinish={(v) => void send(v)} requiredMark={false}>
        <Form.Item name="courier" label="快递公司" extra="建议选择顺丰快递或EMS，其他快递不上门送件且容易丢件。">
          <Radio.Group optionType="button" buttonStyle="solid" data-testid="paper-courier">
            {COURIERS.map((c) => (
              <Radio.Button key={c.code} value={c.code}>
                {c.name}
              </Radio.Button>
            ))}
          </Radio.Group>
        </Form.Item>
        {courier === 'other' && (
          <Form.Item
            name="courierName"
            label="快递公司名称"
            rules={[
              { required: true, whitespace: true, message: '请填写快递公司名称' },
              { max: 30, message: '快递公司名称最多30个字' },
            ]}
          >
            <Input maxLength={30} placeholder="例如：中通快递" />
          </Form.Item>
        )}
        <Form.Item
          name="trackingNo"
          label="快递单号"
          extra={trackingHint(courier)}
          validateTrigger="onBlur"
          rules={[
            {
              validator: async (_r, v: string | undefined) => {
                const p = trackingProblem(courier, v ?? '');
                if (p) throw new Error(p);
              },
            },
          ]}
        >
          <Input maxLength={40} autoComplete="off" inputMode="text" placeholder="请输入快递单号" />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} className="form-alert" data-testid="paper-error" />}
        <Button type="primary" htmlType="submit" icon={<SendOutlined />} loading={busy} data-testid="paper-submit">
          提交快递单号
        </Button>
        <Typography.Paragraph type="secondary" className="paper-form-note">
          提交后工作人员收到资料会在系统中登记，订单进度会更新。
        </Typography.Paragraph>
      </Form>
    </div>
  );
}
