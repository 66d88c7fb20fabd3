/** 收款对账（财务）：按日、按渠道列出收款，导出 CSV，标出不一致；待批准的取消订单申请。 */
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Button, Card, DatePicker, Empty, Grid, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import { DownloadOutlined, ReloadOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { fenToYuanText } from '../../../core/money.js';
import { apiGet } from '../../api.js';
import { useStaffErrors } from './staffSession.js';
import { useLatestLoad } from '../../components/useLatestLoad.js';
import { beijing, mono } from './orders/format.js';
import { formatOrderNumber } from '../../../core/order-number.js';

/** 'counter': 现场缴费 at an office (issue 7), listed with the providers' payments. */
type Channel = 'wechat' | 'alipay' | 'counter';
type Flag = 'order_not_moved' | 'amount_differs' | 'duplicate' | 'refund_pending' | 'refund_failed' | 'refunded';

interface Report {
  from: string;
  to: string;
  rows: {
    day: string;
    channel: Channel;
    channelName: string;
    transactionId: string;
    outTradeNo: string;
    amountFen: number;
    orderId: string;
    orderNo: string;
    orderStatusLabel: string;
    unitName: string;
    paidAt: string;
    refund: { statusName: string; amountFen: number } | null;
    flags: Flag[];
  }[];
  totals: { day: string; channel: Channel; channelName: string; count: number; amountFen: number; refundedFen: number }[];
  grand: { count: number; amountFen: number; refundedFen: number };
  flagged: number;
  flagNames: Record<Flag, string>;
  unfinishedRefunds: {
    id: string;
    orderId: string;
    orderNo: string;
    channel: Channel;
    amountFen: number;
    statusName: string;
    tries: number;
    lastError: string | null;
  }[];
}

interface Cancellation {
  id: string;
  orderId: string;
  orderNo: string;
  unitName: string;
  reason: string;
  requestedByName: string | null;
  requestedAt: string;
  mine: boolean;
}

const FLAG_COLOR: Record<Flag, string> = {
  order_not_moved: 'red',
  amount_differs: 'red',
  duplicate: 'orange',
  refund_pending: 'gold',
  refund_failed: 'red',
  refunded: 'default',
};

const cstToday = () => dayjs(new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10));

export function StaffPaymentsPage() {
  const fail = useStaffErrors();
  const wide = Grid.useBreakpoint().lg ?? true;
  const [range, setRange] = useState<[Dayjs, Dayjs]>(() => [cstToday().subtract(6, 'day'), cstToday()]);
  const [channel, setChannel] = useState<Channel | ''>('');
  const [report, setReport] = useState<Report | null>(null);
  const [cancels, setCancels] = useState<Cancellation[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const query = `from=${range[0].format('YYYY-MM-DD')}&to=${range[1].format('YYYY-MM-DD')}${channel ? `&channel=${channel}` : ''}`;
  const begin = useLatestLoad();
  const load = useCallback(async () => {
    const current = begin();
    setLoading(true);
    try {
      const [r, c] = await Promise.all([
        apiGet<Report>(`/api/staff/finance/payments?${query}`),
        apiGet<{ cancellations: Cancellation[] }>('/api/staff/finance/cancellations'),
      ]);
      if (!current()) return;
      setReport(r);
      setCancels(c.cancellations);
      setError(null);
    } catch (e) {
      if (current()) setError(fail(e));
    } finally {
      if (current()) setLoading(false);
    }
  }, [query, fail, begin]);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }} data-testid="finance-page">
      <Card title="收款对账" size={wide ? 'default' : 'small'}>
        <Space wrap style={{ marginBottom: 12 }}>
          <DatePicker.RangePicker
            value={range}
            allowClear={false}
            onChange={(v) => v && v[0] && v[1] && setRange([v[0], v[1]])}
            data-testid="finance-range"
          />
          <Select<Channel | ''>
            value={channel}
            onChange={setChannel}
            style={{ width: 130 }}
            options={[
              { value: '', label: '全部渠道' },
              { value: 'wechat', label: '微信支付' },
              { value: 'alipay', label: '支付宝' },
              { value: 'counter', label: '现场缴费' },
            ]}
            data-testid="finance-channel"
          />
          <Button icon={<ReloadOutlined />} onClick={() => void load()} loading={loading}>
            刷新
          </Button>
          <a href={`/api/staff/finance/payments.csv?${query}`} download data-testid="finance-export">
            <Button type="primary" icon={<DownloadOutlined />}>
              导出 CSV
            </Button>
          </a>
        </Space>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          日期按北京时间的付款时间（与微信支付、支付宝对账单一致）。CSV 为 UTF-8 编码，Excel
          可直接打开；请与支付机构的对账单逐笔核对交易号和金额。
        </Typography.Paragraph>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
        {report && (
          <>
            <Space wrap size={32} style={{ marginBottom: 12 }}>
              <Statistic title="收款笔数" value={report.grand.count} />
              <Statistic title="收款金额（元）" value={fenToYuanText(report.grand.amountFen)} />
              <Statistic title="已退款（元）" value={fenToYuanText(report.grand.refundedFen)} />
              <Statistic
                title="需核对"
                value={report.flagged}
                valueStyle={{ color: report.flagged ? '#cf1322' : undefined }}
                data-testid="finance-flagged"
              />
            </Space>
            <Table
              size="small"
              rowKey={(t) => `${t.day}${t.channel}`}
              pagination={false}
              dataSource={report.totals}
              style={{ marginBottom: 16 }}
              data-testid="finance-totals"
              locale={{ emptyText: <Empty description="所选日期内没有收款" /> }}
              columns={[
                { title: '日期', dataIndex: 'day' },
                { title: '渠道', dataIndex: 'channelName' },
                { title: '笔数', dataIndex: 'count', align: 'right' },
                { title: '金额（元）', align: 'right', render: (_v, t) => fenToYuanText(t.amountFen) },
                { title: '已退款（元）', align: 'right', render: (_v, t) => fenToYuanText(t.refundedFen) },
              ]}
            />
            <Table
              size="small"
              rowKey={(r) => `${r.channel}:${r.outTradeNo}:${r.transactionId}`}
              dataSource={report.rows}
              scroll={{ x: 1000 }}
              pagination={{ pageSize: 50, hideOnSinglePage: true }}
              data-testid="finance-rows"
              columns={[
                { title: '付款时间', render: (_v, r) => beijing(r.paidAt), width: 140 },
                { title: '渠道', dataIndex: 'channelName', width: 80 },
                { title: '支付交易号', render: (_v, r) => <span style={mono}>{r.transactionId}</span> },
                { title: '金额（元）', align: 'right', render: (_v, r) => fenToYuanText(r.amountFen), width: 90 },
                {
                  title: '订单',
                  render: (_v, r) => (
                    <Link to={r.channel === 'counter' ? `/staff/counter/${r.orderId}` : `/staff/orders/${r.orderId}`}>
                      {formatOrderNumber(r.orderNo)}
                    </Link>
                  ),
                },
                { title: '单位', dataIndex: 'unitName' },
                { title: '订单状态', dataIndex: 'orderStatusLabel', width: 110 },
                {
                  title: '标记',
                  render: (_v, r) =>
                    r.flags.map((f) => (
                      <Tag key={f} color={FLAG_COLOR[f]} data-testid={`flag-${f}`}>
                        {report.flagNames[f]}
                      </Tag>
                    )),
                },
              ]}
            />
            {report.unfinishedRefunds.length > 0 && (
              <Alert
                type="warning"
                showIcon
                style={{ marginTop: 12 }}
                message={`未完成的退款 ${report.unfinishedRefunds.length} 笔`}
                description={
                  <ul style={{ margin: 0, paddingLeft: 20 }}>
                    {report.unfinishedRefunds.map((r) => (
                      <li key={r.id}>
                        <Link to={`/staff/orders/${r.orderId}`}>{formatOrderNumber(r.orderNo)}</Link> {fenToYuanText(r.amountFen)} 元 ·{' '}
                        {r.statusName}（已尝试
                        {r.tries}次）
                        {r.lastError ? ` · ${r.lastError}` : ''}
                      </li>
                    ))}
                  </ul>
                }
              />
            )}
          </>
        )}
      </Card>
      <Card title="待批准的取消订单申请" size={wide ? 'default' : 'small'} data-testid="finance-cancellations">
        {cancels.length === 0 ? (
          <Empty description="没有待批准的取消申请" />
        ) : (
          <Table
            size="small"
            rowKey="id"
            pagination={false}
            dataSource={cancels}
            columns={[
              { title: '订单', render: (_v, c) => <Link to={`/staff/orders/${c.orderId}`}>{formatOrderNumber(c.orderNo)}</Link> },
              { title: '单位', dataIndex: 'unitName' },
              { title: '原因', dataIndex: 'reason' },
              { title: '申请人', render: (_v, c) => `${c.requestedByName ?? ''}${c.mine ? '（本人，不能批准）' : ''}` },
              { title: '申请时间', render: (_v, c) => beijing(c.requestedAt) },
            ]}
          />
        )}
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 8 }}>
          在订单页面的“取消订单与退款”中批准或不批准；申请人不能批准自己的申请。
        </Typography.Paragraph>
      </Card>
    </Space>
  );
}
