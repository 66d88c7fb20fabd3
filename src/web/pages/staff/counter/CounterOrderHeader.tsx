/** The counter order's title, its place among the seed's six steps, and what it is for. */
import { Card, Descriptions, Space, Steps, Tag, Typography } from 'antd';
import type { CounterView } from '../../../../core/counter-response-schemas.js';
import { formatOrderNumber } from '../../../../core/order-number.js';
import { beijing, mono } from '../orders/format.js';
import { statusColor } from './StaffCounter.js';

export function CounterOrderHeader({ v, narrow }: { v: CounterView; narrow: boolean }) {
  const o = v.order;
  return (
    <Card size="small">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Space wrap>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {o.businessLabel} · <span style={mono}>{formatOrderNumber(o.orderNo)}</span>
          </Typography.Title>
          <Tag color={statusColor(o.status)} data-testid="counter-status">
            {o.statusLabel}
          </Tag>
        </Space>
        {o.status !== 'cancelled' && (
          <Steps
            size="small"
            direction={narrow ? 'vertical' : 'horizontal'}
            current={Math.min(o.step, o.steps.length - 1)}
            status={o.status === 'completed' ? 'finish' : 'process'}
            items={o.steps.map((s) => ({ title: s }))}
          />
        )}
        <Descriptions column={narrow ? 1 : 2} size="small">
          <Descriptions.Item label="申请单位">{o.unitName}</Descriptions.Item>
          <Descriptions.Item label="统一社会信用代码">
            <span style={mono}>{o.uscc}</span>
          </Descriptions.Item>
          {o.newUnitName && <Descriptions.Item label="变更后名称">{o.newUnitName}</Descriptions.Item>}
          <Descriptions.Item label="证书项目">{o.projectName}</Descriptions.Item>
          <Descriptions.Item label="锁类型">{o.keyTypeLabel}</Descriptions.Item>
          <Descriptions.Item label="经办人">
            {o.agentName} {o.agentMobile}
          </Descriptions.Item>
          <Descriptions.Item label="受理点">{v.office?.name}</Descriptions.Item>
          <Descriptions.Item label="提交时间">{beijing(o.createdAt)}</Descriptions.Item>
          {o.revocationReasonLabel && <Descriptions.Item label="原证书吊销原因">{o.revocationReasonLabel}</Descriptions.Item>}
        </Descriptions>
      </Space>
    </Card>
  );
}

/** The certificate's validity as the order page, the pay form and the receipt print it. */
export const validityText = (v: CounterView) =>
  `${beijing(v.validity.notBefore, 'YYYY-MM-DD')} 至 ${beijing(v.validity.notAfter, 'YYYY-MM-DD')}（${v.validity.basisText}）`;
