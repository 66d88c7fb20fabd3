import { useCallback, useEffect, useState } from 'react';
import { Link, Navigate, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { Alert, Badge, Button, Card, Empty, Grid, Input, Spin, Table, Tabs, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { apiGet } from '../../../api.js';
import { useLatestLoad } from '../../../components/useLatestLoad.js';
import { useStaffErrors } from '../staffSession.js';
import { DueFlag, StaffStatusTag, beijing, mono } from './format.js';
import type { QueueInfo, QueueItem } from '../../../../core/staff-orders-schemas.js';

interface Page {
  items: QueueItem[];
  next: string | null;
}

/** 待办队列: /staff/queue/:status — one tab per queue of the caller's roles, oldest first. */
export function StaffQueuePage() {
  const { status } = useParams();
  const fail = useStaffErrors();
  const [queues, setQueues] = useState<QueueInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const navigate = useNavigate();

  const loadQueues = useCallback(async () => {
    try {
      setQueues((await apiGet<{ queues: QueueInfo[] }>('/api/staff/queues')).queues);
      setError(null);
    } catch (e) {
      setError(fail(e));
    }
  }, [fail]);
  useEffect(() => {
    void loadQueues();
  }, [loadQueues]);

  if (error && !queues) return <Alert type="error" showIcon title={error} />;
  if (!queues) return <Spin style={{ margin: 48 }} />;
  if (!queues.length)
    return (
      <Card title="待办队列">
        <Empty description="您的角色没有订单待办队列">
          <Link to="/staff/orders">
            <Button>订单查询</Button>
          </Link>
        </Empty>
      </Card>
    );
  const current = queues.find((q) => q.status === status);
  if (!current) return <Navigate to={`/staff/queue/${queues[0]!.status}`} replace />;

  return (
    <Card
      title="待办队列"
      extra={
        <Button icon={<ReloadOutlined />} onClick={() => void loadQueues()}>
          刷新
        </Button>
      }
      styles={{ body: { paddingTop: 0 } }}
    >
      <Tabs
        activeKey={current.status}
        onChange={(k) => navigate(`/staff/queue/${k}`)}
        items={queues.map((q) => ({
          key: q.status,
          label: (
            <span data-testid={`queue-tab-${q.status}`}>
              {q.step ?? q.label}{' '}
              <Badge count={q.count} showZero overflowCount={9999} color={q.overdueCount ? '#cf1322' : '#8c8c8c'} size="small" />
            </span>
          ),
        }))}
      />
      {current.overdueCount > 0 && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 12 }}
          title={`本队列有 ${current.overdueCount} 个订单已超过办理期限，请优先处理`}
        />
      )}
      <OrderList key={current.status} status={current.status} onChanged={() => void loadQueues()} />
    </Card>
  );
}

/** 订单查询: /staff/orders — any order, whatever its status, by order number, USCC, unit name or agent mobile. */
export function StaffOrderSearchPage() {
  return (
    <Card title="订单查询">
      <OrderList status={null} />
    </Card>
  );
}

function OrderList({ status, onChanged }: { status: string | null; onChanged?: () => void }) {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const fail = useStaffErrors();
  const wide = Grid.useBreakpoint().lg ?? true;
  // The query lives in the address, so 返回 from an order comes back to the same results.
  const q = params.get('q') ?? '';
  const [input, setInput] = useState(q);
  const [again, setAgain] = useState(0);
  const [result, setPage] = useState<Page | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const begin = useLatestLoad();

  const url = useCallback(
    (after?: string) => {
      const p = new URLSearchParams();
      if (status) p.set('status', status);
      if (q) p.set('q', q);
      if (after) p.set('after', after);
      return `/api/staff/orders?${p.toString()}`;
    },
    [status, q],
  );

  // A search needs something to look for; a queue lists itself.
  const idle = !status && !q;
  const page = idle ? null : result;
  useEffect(() => {
    const current = begin();
    if (idle) return;
    setLoading(true);
    apiGet<Page>(url())
      .then((r) => {
        if (!current()) return;
        setPage(r);
        setError(null);
      })
      .catch((e: unknown) => current() && setError(fail(e)))
      .finally(() => current() && setLoading(false));
  }, [url, again, fail, idle, begin]);

  const more = async () => {
    if (!page?.next) return;
    const current = begin();
    setLoading(true);
    try {
      const r = await apiGet<Page>(url(page.next));
      if (!current()) return;
      setPage({ items: [...page.items, ...r.items], next: r.next });
    } catch (e) {
      if (current()) setError(fail(e));
    } finally {
      if (current()) setLoading(false);
    }
  };

  const search = (value: string) => {
    const v = value.trim();
    setParams(v ? { q: v } : {});
    setAgain((x) => x + 1);
    onChanged?.();
  };

  const open = (o: QueueItem) => navigate(`/staff/orders/${o.id}`);
  const shownError = idle ? null : error;

  return (
    <div data-testid="order-list">
      <Input.Search
        value={input}
        onChange={(e) => setInput(e.target.value)}
        onSearch={search}
        enterButton="查询"
        allowClear
        maxLength={100}
        placeholder="订单编号、统一社会信用代码、单位名称、经办人手机号或寄来资料的快递单号"
        aria-label="搜索订单"
        loading={loading}
        style={{ marginBottom: 8 }}
      />
      <Typography.Paragraph type="secondary" style={{ margin: '0 0 12px' }}>
        {status
          ? '按进入本状态的时间排列，等待最久的在最前。等待时间按工作日计（周末和法定节假日不计，调休上班日计入）。'
          : '可查任何状态的订单（含草稿和已删除的订单），最新的在最前。订单编号、手机号和快递单号须完整，统一社会信用代码可只输前几位，单位名称可输其中几个字。'}
      </Typography.Paragraph>
      {shownError && <Alert type="error" showIcon title={shownError} style={{ marginBottom: 12 }} />}
      {!page && loading && <Spin />}
      {idle && (
        <Empty
          image={Empty.PRESENTED_IMAGE_SIMPLE}
          description="输入订单编号、统一社会信用代码、单位名称、经办人手机号或寄来资料的快递单号查找订单"
        />
      )}
      {page &&
        (wide ? (
          <Table<QueueItem>
            rowKey="id"
            size="middle"
            dataSource={page.items}
            pagination={false}
            loading={loading}
            data-testid="queue-table"
            onRow={(o) => ({ onClick: () => open(o), style: { cursor: 'pointer' } })}
            locale={{ emptyText: <Empty description={q ? `没有找到与「${q}」相符的订单` : '队列中没有订单'} /> }}
            columns={[
              {
                title: '订单编号',
                dataIndex: 'orderNoDisplay',
                width: 170,
                render: (v: string, o) => (
                  <Link to={`/staff/orders/${o.id}`} onClick={(e) => e.stopPropagation()} style={mono}>
                    {v}
                  </Link>
                ),
              },
              {
                title: '单位名称 / 统一社会信用代码',
                key: 'unit',
                render: (_: unknown, o) => (
                  <>
                    <div>{o.organizationName}</div>
                    <Typography.Text type="secondary" style={mono}>
                      {o.uscc}
                    </Typography.Text>
                  </>
                ),
              },
              {
                title: '证书项目 / 锁',
                key: 'project',
                render: (_: unknown, o) => (
                  <>
                    <div>{o.projectName}</div>
                    <Typography.Text type="secondary">{o.keyLabel}</Typography.Text>
                  </>
                ),
              },
              ...(status
                ? []
                : [
                    {
                      title: '状态',
                      key: 'status',
                      render: (_: unknown, o: QueueItem) => <StaffStatusTag status={o.status} label={o.statusLabel} step={o.statusStep} />,
                    },
                  ]),
              {
                title: '已等待',
                dataIndex: 'waitingWorkingDays',
                width: 110,
                render: (d: number, o) => (
                  <span title={`${beijing(o.statusChangedAt)} 进入本状态`} style={{ whiteSpace: 'nowrap' }}>
                    {d} 个工作日
                  </span>
                ),
              },
              {
                title: '期限',
                key: 'due',
                width: 120,
                render: (_: unknown, o) => <DueFlag dueAt={o.dueAt} overdue={o.overdue} />,
              },
              {
                title: '经办人',
                key: 'agent',
                width: 130,
                render: (_: unknown, o) => (
                  <>
                    <div>{o.agentName ?? '—'}</div>
                    <Typography.Text type="secondary">{o.agentMobileMasked ?? ''}</Typography.Text>
                  </>
                ),
              },
            ]}
          />
        ) : (
          <QueueCards items={page.items} showStatus={!status} empty={q ? `没有找到与「${q}」相符的订单` : '队列中没有订单'} />
        ))}
      {page?.next && (
        <div style={{ textAlign: 'center', marginTop: 16 }}>
          <Button onClick={() => void more()} loading={loading}>
            加载更多
          </Button>
        </div>
      )}
      {page && !page.next && page.items.length > 0 && (
        <Typography.Paragraph type="secondary" style={{ textAlign: 'center', marginTop: 12 }}>
          共 {page.items.length} 个订单，已全部显示
        </Typography.Paragraph>
      )}
    </div>
  );
}

/** On a narrow screen each order is a block, not a table row that would scroll sideways. */
function QueueCards({ items, showStatus, empty }: { items: QueueItem[]; showStatus: boolean; empty: string }) {
  if (!items.length) return <Empty description={empty} />;
  return (
    <div data-testid="queue-cards" style={{ display: 'grid', gap: 8 }}>
      {items.map((o) => (
        <Link
          key={o.id}
          to={`/staff/orders/${o.id}`}
          data-testid="queue-card"
          style={{
            display: 'grid',
            gap: 4,
            padding: 12,
            border: `1px solid ${o.overdue ? '#ffa39e' : '#f0f0f0'}`,
            borderRadius: 8,
            color: 'inherit',
            background: o.overdue ? '#fff1f0' : '#fff',
          }}
        >
          <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8, flexWrap: 'wrap' }}>
            <span style={{ ...mono, color: '#c8102e' }}>{o.orderNoDisplay}</span>
            <DueFlag dueAt={o.dueAt} overdue={o.overdue} />
          </div>
          <div style={{ fontWeight: 500, wordBreak: 'break-all' }}>{o.organizationName}</div>
          <div style={{ ...mono, color: '#595959', fontSize: 12 }}>{o.uscc}</div>
          <div style={{ color: '#595959' }}>
            {o.projectName} · {o.keyLabel}
          </div>
          {showStatus && <StaffStatusTag status={o.status} label={o.statusLabel} step={o.statusStep} />}
          <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8, flexWrap: 'wrap', color: '#595959' }}>
            <span>已等待 {o.waitingWorkingDays} 个工作日</span>
            <span>
              {o.agentName ?? ''} {o.agentMobileMasked ?? ''}
            </span>
          </div>
        </Link>
      ))}
    </div>
  );
}
