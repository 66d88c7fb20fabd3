import { useEffect, useState } from 'react';
import { Link, Navigate, useSearchParams } from 'react-router-dom';
import { Alert, Button, Card, Descriptions, Space, Spin, Steps, Typography } from 'antd';
import { RightOutlined } from '@ant-design/icons';
import { useOrgSession } from '../../session.js';
import { ONLINE_FLOW } from '../../../core/content/flow.js';
import { ENDED, FLOW_STEP, SENDS_BACK, TRANSITIONS, type OrderStatus } from '../../../core/workflow.js';
import { apiGet } from '../../api.js';
import { StatusTag } from '../../components/StatusTag.js';
import { ExpiringCertificates } from './certificates/ExpiringCertificates.js';
import { nextStep } from './order/nextStep.js';
import type { OrderSummary, OrderSummaries } from '../../../core/orders-schemas.js';
import './order/order.css';

/** How many open orders the 工作台 lists; the rest are under 我的订单. */
const SHOWN = 5;
/** Statuses an order is sent back to, to redo a step (the workflow table's rejections): that step shows red. */
const SENT_BACK: readonly OrderStatus[] = TRANSITIONS.filter((t) => SENDS_BACK.includes(t.action)).map((t) => t.to);

/** The organization's orders still in the flow (not deleted or cancelled), newest first; null while loading. */
function useOpenOrders(enabled: boolean): OrderSummary[] | null {
  const [items, setItems] = useState<OrderSummary[] | null>(null);
  useEffect(() => {
    if (!enabled) return;
    apiGet<OrderSummaries>('/api/orders')
      .then((r) => setItems(r.items.filter((o) => !ENDED.includes(o.status))))
      // The 工作台 still works without the list; 我的订单 shows the error.
      .catch(() => setItems([]));
  }, [enabled]);
  return items;
}

/** Each open order with its status and what to do next (the same wording as the order page: nextStep). */
function OpenOrders({ orders }: { orders: OrderSummary[] }) {
  return (
    <Card title="我的订单" extra={<Link to="/orders">全部订单</Link>} data-testid="account-open-orders">
      <div className="order-cards">
        {orders.slice(0, SHOWN).map((o) => {
          const step = nextStep(o.status);
          return (
            <Link key={o.id} to={`/orders/${o.id}`} className="order-card" data-testid="account-order">
              <div className="order-card-head">
                <span className="order-no">{o.orderNoDisplay}</span>
                <StatusTag status={o.status} label={o.statusLabel} step={o.statusStep} />
              </div>
              <div className="order-card-project">
                {o.projectName} · {o.keyLabel}
              </div>
              <div data-testid="account-next-step">下一步：{step.title}</div>
              <div className="order-card-foot">
                <span />
                <span className="order-card-go">
                  {step.short} <RightOutlined />
                </span>
              </div>
            </Link>
          );
        })}
      </div>
      {orders.length > SHOWN && <p className="muted">另有 {orders.length - SHOWN} 个订单，见“全部订单”。</p>}
    </Card>
  );
}

/** 我的工作台: who is logged in and what to do next. The application wizard (issue 3) starts here. */
export function AccountPage() {
  const { loaded, organization } = useOrgSession();
  const [params] = useSearchParams();
  const orders = useOpenOrders(!!organization);
  if (!loaded) return <Spin />;
  if (!organization) return <Navigate to="/login" replace />;
  const latest = orders?.[0];
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      {params.get('welcome') && (
        <Alert
          type="success"
          showIcon
          message="注册成功，已为您登录"
          description="下一步：阅读帮助手册，准备好营业执照、经办人身份证等材料后申请数字证书。"
        />
      )}
      <ExpiringCertificates />
      <Card
        title="我的工作台"
        extra={
          <Space wrap size={8}>
            <Link to="/orders">
              <Button data-testid="account-orders">我的订单</Button>
            </Link>
            <Link to="/apply">
              <Button type="primary" data-testid="account-apply">
                数字证书申请
              </Button>
            </Link>
          </Space>
        }
      >
        <Descriptions column={{ xs: 1, sm: 2 }} size="small">
          <Descriptions.Item label="单位名称">{organization.name}</Descriptions.Item>
          <Descriptions.Item label="统一社会信用代码">
            <Typography.Text copyable style={{ fontFamily: 'monospace' }}>
              {organization.uscc}
            </Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label="注册手机号">{organization.mobile}</Descriptions.Item>
        </Descriptions>
        <p className="muted" style={{ marginBottom: 0 }}>
          单位名称如有错误，请致电客服热线 400-800-1040 登记修改。
        </p>
        <p style={{ marginBottom: 0 }}>
          本单位的全部数字证书（含现场办理的）、到期时间和吊销申请：
          <Link to="/certificates" data-testid="account-certificates">
            我的证书
          </Link>
        </p>
      </Card>
      {orders && orders.length > 0 && <OpenOrders orders={orders} />}
      <Card title="在线办理流程" extra={latest && <span className="muted">订单 {latest.orderNoDisplay} 的进度</span>}>
        {/* Where the newest open order stands (FLOW_STEP, from the workflow's statuses); with none, the next step
            after logging in is to apply. Past the last step (已发放) every step shows done. */}
        <Steps
          direction="vertical"
          size="small"
          current={latest ? (FLOW_STEP[latest.status] ?? 2) : 2}
          status={latest && SENT_BACK.includes(latest.status) ? 'error' : undefined}
          items={ONLINE_FLOW.map((s) => ({ title: s.title, description: s.detail }))}
          data-testid="account-flow"
        />
        <Space wrap>
          <Link to="/help">
            <Button>阅读帮助手册</Button>
          </Link>
          <Link to="/offices">
            <Button>变更、补办、续费请到现场办理</Button>
          </Link>
        </Space>
      </Card>
    </Space>
  );
}
