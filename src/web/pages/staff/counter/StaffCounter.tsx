/** 柜台业务（现场办理）: counter orders of type 新办, 补办, 变更, 续费; the office's daily list; offices (管理员). */
import { useCallback, useEffect, useState } from 'react';
import { Link, Route, Routes, useSearchParams } from 'react-router-dom';
import { Alert, Button, Card, DatePicker, Empty, Grid, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined, ShopOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { fenToYuanText } from '../../../../core/money.js';
import { apiGet } from '../../../api.js';
import { hasRole, useStaffErrors, useStaffSession } from '../staffSession.js';
import { useLatestLoad } from '../../../components/useLatestLoad.js';
import { beijing, mono } from '../orders/format.js';
import { CounterNewPage } from './CounterNew.js';
import { CounterOrderPage } from './CounterOrder.js';
import { CounterOfficesPage } from './CounterOffices.js';
import type { CounterMeta, Daily, DailyLine } from '../../../../core/counter-response-schemas.js';
import { formatOrderNumber } from '../../../../core/order-number.js';

export function StaffCounterPage() {
  return (
    <Routes>
      <Route index element={<CounterHome />} />
      <Route path="new" element={<CounterNewPage />} />
      <Route path="offices" element={<CounterOfficesPage />} />
      <Route path=":id" element={<CounterOrderPage />} />
    </Routes>
  );
}

export const statusColor = (s: string) =>
  ({ completed: 'green', cancelled: 'default', produced: 'blue', handed_over: 'cyan', approved: 'geekblue' })[s] ?? 'gold';

export function useCounterMeta() {
  const [meta, setMeta] = useState<CounterMeta | null>(null);
  const [error, setError] = useState<string | null>(null);
  const fail = useStaffErrors();
  useEffect(() => {
    apiGet<CounterMeta>('/api/staff/counter/meta').then(setMeta, (e) => setError(fail(e)));
  }, [fail]);
  return { meta, error };
}

function CounterHome() {
  const { staff } = useStaffSession();
  const { meta, error: metaError } = useCounterMeta();
  const [params, setParams] = useSearchParams();
  const [daily, setDaily] = useState<Daily | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const fail = useStaffErrors();
  const narrow = !(Grid.useBreakpoint().md ?? true);
  const office = params.get('office') ?? '';
  const day = params.get('day') ?? '';
  const begin = useLatestLoad();
  const load = useCallback(async () => {
    const current = begin();
    setLoading(true);
    setError(null);
    const q = new URLSearchParams();
    if (office) q.set('office', office);
    if (day) q.set('day', day);
    try {
      const r = await apiGet<Daily>(`/api/staff/counter/daily?${q}`);
      if (current()) setDaily(r);
    } catch (e) {
      if (!current()) return;
      setDaily(null);
      setError(fail(e));
    } finally {
      if (current()) setLoading(false);
    }
  }, [office, day, fail, begin]);
  useEffect(() => {
    void load();
  }, [load]);
  const set = (k: string, v: string | null) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };
  const canOpen = hasRole(staff, '受理', '管理员') && !!meta?.myOffice;

  const columns = [
    {
      title: '业务编号',
      dataIndex: 'orderNo',
      render: (v: string, r: DailyLine) => (
        <Link to={`/staff/counter/${r.id}`} style={mono}>
          {formatOrderNumber(v)}
        </Link>
      ),
    },
    { title: '业务', dataIndex: 'businessLabel', render: (v: string, r: DailyLine) => `${v}·${r.keyType === 'main' ? '主锁' : '副锁'}` },
    { title: '单位', dataIndex: 'unitName', render: (v: string, r: DailyLine) => <span title={r.uscc}>{v}</span> },
    { title: '经办人', dataIndex: 'agentName', responsive: ['lg' as const] },
    { title: '状态', dataIndex: 'statusLabel', render: (v: string, r: DailyLine) => <Tag color={statusColor(r.status)}>{v}</Tag> },
    {
      title: '缴费',
      dataIndex: 'payment',
      render: (p: DailyLine['payment']) => (p ? `${fenToYuanText(p.amountFen)} 元（${p.channelName}）` : '—'),
    },
    { title: '时间', dataIndex: 'createdAt', render: (v: string) => beijing(v, 'HH:mm'), responsive: ['md' as const] },
  ];

  return (
    <div style={{ display: 'grid', gap: 16, gridTemplateColumns: 'minmax(0, 1fr)' }} data-testid="counter-home">
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 12, justifyContent: 'space-between', alignItems: 'center' }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          <ShopOutlined /> 柜台业务
        </Typography.Title>
        <Space wrap>
          {canOpen && (
            <Link to="/staff/counter/new">
              <Button type="primary" icon={<PlusOutlined />} data-testid="counter-new">
                办理新业务
              </Button>
            </Link>
          )}
          {hasRole(staff, '管理员') && (
            <Link to="/staff/counter/offices">
              <Button>受理点与人员</Button>
            </Link>
          )}
        </Space>
      </div>
      {metaError && <Alert type="error" showIcon message={metaError} />}
      {meta && !meta.myOffice && (
        <Alert
          type="warning"
          showIcon
          message="您的账号尚未设置所属受理点"
          description={
            hasRole(staff, '管理员', '财务')
              ? '可在下方选择受理点查看日报；办理柜台业务须先在“受理点与人员”中设置所属受理点。'
              : '办理柜台业务须先由管理员在“柜台业务 → 受理点与人员”中设置您所属的受理点。'
          }
        />
      )}
      <Card size="small">
        <Space wrap>
          {(daily?.canChooseOffice || (meta && !meta.myOffice && hasRole(staff, '管理员', '财务'))) && (
            <Select
              style={{ minWidth: narrow ? 280 : 360 }}
              placeholder="选择受理点"
              value={office || daily?.office.code || undefined}
              onChange={(v) => set('office', v)}
              options={meta?.offices.map((o) => ({ value: o.code, label: `${o.name}${o.active ? '' : '（已停用）'}` }))}
              data-testid="counter-office-select"
            />
          )}
          <DatePicker
            allowClear
            value={day ? dayjs(day) : null}
            onChange={(d) => set('day', d ? d.format('YYYY-MM-DD') : null)}
            placeholder="今天"
            disabledDate={(d) => d.isAfter(dayjs())}
          />
          <Button icon={<ReloadOutlined />} onClick={() => void load()} loading={loading}>
            刷新
          </Button>
        </Space>
      </Card>
      {error && <Alert type={error.includes('受理点') ? 'info' : 'error'} showIcon message={error} />}
      {daily && (
        <>
          <Typography.Title level={4} style={{ margin: 0 }} data-testid="counter-daily-title">
            {daily.office.name} · {daily.day} 日报
          </Typography.Title>
          <div
            style={{ display: 'grid', gap: 12, gridTemplateColumns: narrow ? 'repeat(2, minmax(0, 1fr))' : 'repeat(4, minmax(0, 1fr))' }}
          >
            <Card size="small">
              <Statistic title="当日受理（笔）" value={daily.totals.opened} />
            </Card>
            <Card size="small">
              <Statistic title="当日收款（元）" value={fenToYuanText(daily.totals.paidFen)} data-testid="counter-paid-total" />
            </Card>
            {daily.totals.byBusiness.map((b) => (
              <Card size="small" key={b.business}>
                <Statistic title={`${b.label}（办结/受理）`} value={`${b.completed}/${b.opened}`} />
              </Card>
            ))}
          </div>
          <Card size="small" title="当日收款（按缴费方式）">
            <Space wrap size={[24, 8]}>
              {daily.totals.byChannel.map((c) => (
                <span key={c.channel}>
                  {c.label}：{c.count} 笔，{fenToYuanText(c.amountFen)} 元
                </span>
              ))}
            </Space>
          </Card>
          <Card size="small" title="当日业务" styles={{ body: { padding: narrow ? 0 : undefined } }}>
            {daily.orders.length ? (
              <div data-testid="counter-daily-table">
                <Table
                  rowKey="id"
                  size="small"
                  columns={columns}
                  dataSource={daily.orders}
                  pagination={false}
                  scroll={{ x: narrow ? 560 : undefined }}
                />
              </div>
            ) : (
              <Empty description="当日尚无柜台业务" />
            )}
          </Card>
          {daily.openEarlier.length > 0 && (
            <Card size="small" title="以前受理、尚未办结">
              <Table
                rowKey="id"
                size="small"
                columns={columns}
                dataSource={daily.openEarlier}
                pagination={false}
                scroll={{ x: narrow ? 560 : undefined }}
              />
            </Card>
          )}
        </>
      )}
    </div>
  );
}
