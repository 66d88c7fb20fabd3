import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { Alert, Button, Card, Empty, Grid, Skeleton, Table, Typography } from 'antd';
import { FileAddOutlined, RightOutlined } from '@ant-design/icons';
import { beijing } from './order/time.js';
import { apiGet, ApiError } from '../../api.js';
import { LoginGate, loginUrl } from '../../components/LoginGate.js';
import { StatusTag } from '../../components/StatusTag.js';
import { nextStep } from './order/nextStep.js';
import type { OrderSummary, OrderSummaries } from '../../../core/orders-schemas.js';
import './order/order.css';

const when = (t: string | null) => (t ? beijing(t) : '—');

const nextStepText = (o: OrderSummary) => nextStep(o.status).short;

/** 我的订单: every order of the organization, newest first, with its status as the seeds name it. */
export function OrdersPage() {
  return (
    <LoginGate>
      <OrdersList />
    </LoginGate>
  );
}

function OrdersList() {
  const screens = Grid.useBreakpoint();
  const navigate = useNavigate();
  const [items, setItems] = useState<OrderSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    apiGet<OrderSummaries>('/api/orders')
      .then((r) => setItems(r.items))
      .catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 401) navigate(loginUrl('/orders'), { replace: true });
        else setError(e instanceof ApiError ? e.message : '订单加载失败，请刷新页面');
      });
  }, [navigate]);

  const applyButton = (
    <Link to="/apply">
      <Button type="primary" icon={<FileAddOutlined />} data-testid="new-order">
        新制申请
      </Button>
    </Link>
  );

  let body;
  if (error) body = <Alert type="error" showIcon title={error} />;
  else if (!items) body = <Skeleton active />;
  else if (!items.length)
    body = (
      <Empty description="您还没有证书申请订单" data-testid="orders-empty">
        <p className="muted" style={{ marginTop: 0 }}>
          在线只办理新制（新办）业务：阅读用户协议、选择证书项目后即可填写订单。
        </p>
        {applyButton}
      </Empty>
    );
  else if (screens.md)
    body = (
      <Table<OrderSummary>
        rowKey="id"
        dataSource={items}
        pagination={items.length > 20 ? { pageSize: 20 } : false}
        data-testid="orders-table"
        columns={[
          {
            title: '订单编号',
            dataIndex: 'orderNoDisplay',
            render: (v: string, o) => (
              <Link to={`/orders/${o.id}`} className="order-no">
                {v}
              </Link>
            ),
          },
          { title: '证书项目', dataIndex: 'projectName' },
          { title: '锁类型', dataIndex: 'keyLabel' },
          {
            title: '状态',
            dataIndex: 'statusLabel',
            render: (v: string, o) => <StatusTag status={o.status} label={v} step={o.statusStep} />,
          },
          { title: '创建时间', dataIndex: 'createdAt', render: when },
          { title: '提交时间', dataIndex: 'submittedAt', render: when },
          {
            title: '操作',
            key: 'go',
            render: (_v, o) => <Link to={`/orders/${o.id}`}>{nextStepText(o)}</Link>,
          },
        ]}
      />
    );
  else
    body = (
      <div className="order-cards" data-testid="orders-table">
        {items.map((o) => (
          <Link key={o.id} to={`/orders/${o.id}`} className="order-card">
            <div className="order-card-head">
              <span className="order-no">{o.orderNoDisplay}</span>
              <StatusTag status={o.status} label={o.statusLabel} step={o.statusStep} />
            </div>
            <div className="order-card-project">{o.projectName}</div>
            <div className="muted">{o.keyLabel}</div>
            <div className="order-card-foot">
              <span className="muted">
                创建 {when(o.createdAt)}
                {o.submittedAt && <> · 提交 {when(o.submittedAt)}</>}
              </span>
              <span className="order-card-go">
                {nextStepText(o)} <RightOutlined />
              </span>
            </div>
          </Link>
        ))}
      </div>
    );

  return (
    <Card
      title="我的订单"
      extra={items && items.length > 0 ? applyButton : undefined}
      styles={{ body: screens.md ? undefined : { padding: 12 } }}
    >
      {items && items.length > 0 && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
          点击订单查看进度；草稿订单可继续填写、上传资料后提交。订单编号请写在邮寄的申请表左上角。
        </Typography.Paragraph>
      )}
      {body}
    </Card>
  );
}
