import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Button, Card, Col, Empty, Row, Space, Spin, Statistic, Typography } from 'antd';
import { ReloadOutlined, RightOutlined } from '@ant-design/icons';
import { availableActions } from '../../../core/workflow.js';
import { apiGet } from '../../api.js';
import { hasRole, useStaffErrors, useStaffSession } from './staffSession.js';
import type { QueueInfo } from '../../../core/staff-orders-schemas.js';
import type { InvoiceList } from '../../../core/invoices-schemas.js';

interface DueInvoices {
  count: number;
  overdue: number;
  more: boolean;
}

/**
 * 工作台: the caller's work queues (by role, from the workflow table on the server) with how many orders
 * wait and how many are past their deadline; for 财务 the invoices that are due.
 */
export function StaffDashboardPage() {
  const { staff } = useStaffSession();
  const fail = useStaffErrors();
  const [queues, setQueues] = useState<QueueInfo[] | null>(null);
  const [invoices, setInvoices] = useState<DueInvoices | null>(null);
  const [error, setError] = useState<string | null>(null);
  const finance = hasRole(staff, '财务');

  const load = useCallback(async () => {
    try {
      const [q, inv] = await Promise.all([
        apiGet<{ queues: QueueInfo[] }>('/api/staff/queues'),
        finance ? apiGet<InvoiceList>('/api/staff/invoices?status=due') : Promise.resolve(null),
      ]);
      setQueues(q.queues);
      setInvoices(inv && { count: inv.items.length, overdue: inv.items.filter((i) => i.overdue).length, more: !!inv.next });
      setError(null);
    } catch (e) {
      setError(fail(e));
    }
  }, [fail, finance]);
  useEffect(() => {
    void load();
  }, [load]);

  const nothing = queues !== null && queues.length === 0 && !finance;
  return (
    <Card
      title={`您好，${staff?.displayName ?? ''}`}
      extra={
        <Button icon={<ReloadOutlined />} onClick={() => void load()}>
          刷新
        </Button>
      }
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      {!queues && !error && <Spin />}
      {nothing && (
        <Empty
          description={
            hasRole(staff, '管理员')
              ? '管理员没有订单待办：可在“订单查询”查看任何订单，在“系统设置”维护工作日历和短信模板。'
              : hasRole(staff, '密钥管理员')
                ? '密钥管理员没有订单待办：在“密钥恢复”申请、批准加密密钥的恢复。'
                : '您的角色没有订单待办队列。'
          }
        >
          <Space wrap>
            {hasRole(staff, '密钥管理员') && (
              <Link to="/staff/key-recovery">
                <Button type="primary">密钥恢复</Button>
              </Link>
            )}
            <Link to="/staff/orders">
              <Button>订单查询</Button>
            </Link>
          </Space>
        </Empty>
      )}
      {queues && (queues.length > 0 || finance) && (
        <Row gutter={[16, 16]} data-testid="dashboard-queues">
          {queues.map((q) => (
            <Col key={q.status} xs={24} sm={12} xl={8}>
              <QueueCard
                to={`/staff/queue/${q.status}`}
                testId={`queue-card-${q.status}`}
                title={q.step ?? q.label}
                subtitle={q.step ? q.label : undefined}
                roles={q.roles.join('、')}
                todo={availableActions(q.status, { kind: 'staff', roles: q.roles })
                  .map((t) => t.label)
                  .join('、')}
                count={q.count}
                overdue={q.overdueCount}
              />
            </Col>
          ))}
          {finance && invoices && (
            <Col xs={24} sm={12} xl={8}>
              <QueueCard
                to="/staff/invoices"
                testId="queue-card-invoices"
                title="待开发票"
                subtitle="制证完成后3个工作日内开具并发送至发票邮箱"
                roles="财务"
                todo="上传发票PDF或标记已开具"
                count={invoices.count}
                countSuffix={invoices.more ? '+' : undefined}
                overdue={invoices.overdue}
              />
            </Col>
          )}
        </Row>
      )}
    </Card>
  );
}

function QueueCard(props: {
  to: string;
  testId: string;
  title: string;
  subtitle?: string;
  roles: string;
  /** What is done in this queue (the buttons the workflow table offers there). */
  todo: string;
  count: number;
  countSuffix?: string;
  overdue: number;
}) {
  return (
    <Link to={props.to} data-testid={props.testId} style={{ display: 'block' }}>
      <Card hoverable size="small" style={{ height: '100%', borderColor: props.overdue ? '#ffa39e' : undefined }}>
        <Space orientation="vertical" size={4} style={{ width: '100%' }}>
          <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8, alignItems: 'baseline' }}>
            <Typography.Text strong style={{ fontSize: 16 }}>
              {props.title}
            </Typography.Text>
            <Typography.Text type="secondary" style={{ whiteSpace: 'nowrap' }}>
              {props.roles}
            </Typography.Text>
          </div>
          {props.subtitle && <Typography.Text type="secondary">{props.subtitle}</Typography.Text>}
          <Typography.Text type="secondary">办理：{props.todo}</Typography.Text>
          <div style={{ display: 'flex', alignItems: 'flex-end', gap: 24, flexWrap: 'wrap' }}>
            <Statistic title="待处理" value={props.count} suffix={props.countSuffix} styles={{ content: { fontSize: 28 } }} />
            <Statistic
              title="已超期"
              value={props.overdue}
              styles={{ content: { fontSize: 28, color: props.overdue ? '#cf1322' : '#bfbfbf' } }}
            />
            <span style={{ marginInlineStart: 'auto', color: '#c8102e', paddingBottom: 6 }}>
              进入 <RightOutlined />
            </span>
          </div>
        </Space>
      </Card>
    </Link>
  );
}
