/** 订单信息 once the order can no longer be edited: the same sections, as text that is easy to read. */
import type { ReactNode } from 'react';
import { Descriptions, Typography } from 'antd';
import { UNIT_TYPES, type UnitType } from '../../../../core/unit-types.js';
import { OUT_OF_PROVINCE } from '../../../../core/requirements.js';
import type { OrderView } from '../../../../core/orders-schemas.js';

const dash = (v: string | undefined) => (v && v.trim() ? v : <span className="muted">未填写</span>);

export function OrderSummary({ view }: { view: OrderView }) {
  const f = view.order.form;
  const unitType = f.unit?.unitType as UnitType | undefined;
  const mono = (v: string | undefined) => (v ? <span style={{ fontFamily: 'monospace' }}>{v}</span> : dash(v));
  const sections: { title: string; items: [string, ReactNode][] }[] = [
    {
      title: '单位信息',
      items: [
        ['单位名称', view.organization.name],
        ['统一社会信用代码', mono(view.organization.uscc)],
        ['通信地址', dash(f.unit?.address)],
        ['单位类型', unitType ? UNIT_TYPES[unitType].label : dash(undefined)],
      ],
    },
    {
      title: '法人信息',
      items: [
        ['法定代表人姓名', dash(f.legalPerson?.name)],
        ['法定代表人身份证号', mono(f.legalPerson?.idNumber)],
        ['法定代表人手机号', dash(f.legalPerson?.mobile)],
      ],
    },
    {
      title: '经办人信息',
      items: [
        ['经办人姓名', dash(f.agent?.name)],
        ['经办人身份证号', mono(f.agent?.idNumber)],
        ['经办人手机号', dash(f.agent?.mobile)],
        ['经办人电子邮箱', dash(f.agent?.email)],
      ],
    },
    {
      title: '发票信息',
      items: [
        ['发票抬头', dash(f.invoice?.title)],
        ['纳税人识别号', mono(f.invoice?.taxNumber)],
        ['发票接收邮箱', dash(f.invoice?.email)],
      ],
    },
    {
      title: '证书接收人信息',
      items: [
        // Corrected after submission through 修改证书接收人: the delivery's copy is the current one.
        ['收件人姓名', dash(view.delivery.recipient.name || f.recipient?.name)],
        ['收件人手机号', dash(view.delivery.recipient.mobile || f.recipient?.mobile)],
        ['收件地址', dash(view.delivery.recipient.address || f.recipient?.address)],
      ],
    },
  ];
  if (view.project.code === OUT_OF_PROVINCE)
    sections.push({ title: '入赣负责人', items: [['入赣负责人姓名', dash(f.inGanManager?.name)]] });
  return (
    <div className="order-summary" data-testid="order-summary">
      <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
        订单状态为“{view.order.statusLabel}”，订单信息不能再修改。
      </Typography.Paragraph>
      {sections.map((s) => (
        <div key={s.title}>
          <h3 className="form-section">{s.title}</h3>
          <Descriptions column={{ xs: 1, md: 2, lg: 3 }} size="small" className="summary-block">
            {s.items.map(([label, value]) => (
              <Descriptions.Item key={label} label={label}>
                {value}
              </Descriptions.Item>
            ))}
          </Descriptions>
        </div>
      ))}
    </div>
  );
}
