/** 吊销申请：待批准的吊销（第二人批准）与24小时期限。 */
import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Empty, Form, Input, Modal, Select, Space, Table, Tabs, Tag, Tooltip, Typography, message } from 'antd';
import { ReloadOutlined, StopOutlined } from '@ant-design/icons';
import { REVOCATION_REASONS } from '../../../core/revocation-reasons.js';
import type { RevocationQueue } from '../../../core/revocation-schemas.js';
import { apiGet, apiPost } from '../../api.js';
import { useStaffErrors } from './staffSession.js';
import { useLatestLoad } from '../../components/useLatestLoad.js';
import { useAction } from '../../components/useAction.js';
import { beijing, mono } from './orders/format.js';

type ListAnswer = RevocationQueue;
type RevocationRow = ListAnswer['requests'][number];

const serialText = (s: string) => (s.length % 2 ? `0${s}` : s).toUpperCase();
const STATUS: Record<RevocationRow['status'], { label: string; color: string }> = {
  pending: { label: '待批准', color: 'gold' },
  approved: { label: '已吊销', color: 'red' },
  refused: { label: '未批准', color: 'default' },
};

/** The request form: by serial number (from the registry, a paper form or the applicant's call). */
export function RevocationRequestButton({ serial, onDone }: { serial?: string; onDone?: () => void }) {
  const [open, setOpen] = useState(false);
  const { run, busy } = useAction();
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm<{ serial: string; reason: number; note?: string }>();
  const fail = useStaffErrors();
  const submit = async () => {
    const v = await form.validateFields();
    await run(
      async () => {
        await apiPost('/api/staff/revocations', v);
        void message.success('已提交吊销申请，须由另一位制证或管理员批准');
        setOpen(false);
        form.resetFields();
        onDone?.();
      },
      (e) => setError(fail(e)),
    );
  };
  return (
    <>
      <Button danger icon={<StopOutlined />} onClick={() => setOpen(true)} data-testid="revocation-new">
        申请吊销证书
      </Button>
      <Modal
        title="申请吊销证书"
        open={open}
        onCancel={() => setOpen(false)}
        onOk={() => void submit()}
        okText="提交申请"
        okButtonProps={{ danger: true, loading: busy, id: 'revocation-submit' }}
        cancelText="取消"
        destroyOnHidden
      >
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
        <Form form={form} layout="vertical" initialValues={{ serial }}>
          <Form.Item name="serial" label="证书序列号" rules={[{ required: true, message: '请填写证书序列号' }]}>
            <Input style={mono} placeholder="十六进制，可带冒号或空格" data-testid="revocation-serial" />
          </Form.Item>
          <Form.Item name="reason" label="吊销原因（RFC 5280）" rules={[{ required: true, message: '请选择吊销原因' }]}>
            <Select
              data-testid="revocation-reason"
              options={REVOCATION_REASONS.map((r) => ({ value: r.code, label: `${r.label}（${r.key}）` }))}
            />
          </Form.Item>
          <Form.Item name="note" label="说明">
            <Input.TextArea maxLength={200} rows={2} placeholder="如：单位来电称 USB Key 丢失" />
          </Form.Item>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
            吊销不可撤回。提交后须由另一位制证或管理员批准；按用户协议须在收到申请后24小时内完成。
          </Typography.Paragraph>
        </Form>
      </Modal>
    </>
  );
}

export function StaffRevocationsPage() {
  const [tab, setTab] = useState<'pending' | 'decided'>('pending');
  const [data, setData] = useState<ListAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [refusing, setRefusing] = useState<RevocationRow | null>(null);
  const [note, setNote] = useState('');
  const fail = useStaffErrors();

  const begin = useLatestLoad();
  const load = useCallback(async () => {
    const current = begin();
    setLoading(true);
    try {
      const r = await apiGet<ListAnswer>(`/api/staff/revocations?which=${tab}`);
      if (!current()) return;
      setData(r);
      setError(null);
    } catch (e) {
      if (current()) setError(fail(e));
    } finally {
      if (current()) setLoading(false);
    }
  }, [tab, fail, begin]);
  useEffect(() => {
    void load();
  }, [load]);

  const decide = async (r: RevocationRow, approve: boolean, why?: string) => {
    try {
      await apiPost(`/api/staff/revocations/${r.id}/${approve ? 'approve' : 'refuse'}`, approve ? {} : { note: why });
      void message.success(approve ? '证书已吊销，CRL 与 OCSP 已更新' : '已不批准该吊销申请');
      setRefusing(null);
      setNote('');
      await load();
    } catch (e) {
      setError(fail(e));
    }
  };

  const common = [
    { title: '证书序列号', render: (_: unknown, r: RevocationRow) => <span style={mono}>{serialText(r.serial)}</span> },
    {
      title: '单位',
      render: (_: unknown, r: RevocationRow) => (
        <>
          {r.unitName}
          <br />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {r.uscc}
          </Typography.Text>
        </>
      ),
    },
    {
      title: '原因',
      render: (_: unknown, r: RevocationRow) => (
        <>
          {r.reasonLabel}
          {r.note && (
            <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
              {r.note}
            </Typography.Text>
          )}
        </>
      ),
    },
    {
      title: '申请人',
      render: (_: unknown, r: RevocationRow) => (
        <>
          {r.requestedByName}
          {r.mine && <Tag style={{ marginLeft: 4 }}>本人</Tag>}
        </>
      ),
    },
    { title: '申请时间', render: (_: unknown, r: RevocationRow) => beijing(r.requestedAt) },
  ];

  const pendingColumns = [
    ...common,
    {
      title: '24小时期限',
      render: (_: unknown, r: RevocationRow) => (
        <span
          style={{ color: r.overdue ? '#cf1322' : undefined, fontWeight: r.overdue ? 600 : undefined }}
          data-testid="revocation-deadline"
        >
          {beijing(r.deadline)}
          {r.overdue && (
            <Tag color="red" style={{ marginLeft: 4 }}>
              已超时
            </Tag>
          )}
        </span>
      ),
    },
    {
      title: '操作',
      render: (_: unknown, r: RevocationRow) => {
        const blocked = r.mine
          ? '不能批准或驳回自己提出的申请，请由另一位制证或管理员处理'
          : !data?.canApprove
            ? '批准吊销需要制证或管理员角色'
            : null;
        return (
          <Space>
            <Tooltip title={blocked}>
              <Button
                danger
                type="primary"
                size="small"
                disabled={!!blocked}
                onClick={() =>
                  Modal.confirm({
                    title: '批准吊销这张证书？',
                    content: `${r.unitName}，序列号 ${serialText(r.serial)}，原因：${r.reasonLabel}。吊销后不可撤回。`,
                    okText: '批准吊销',
                    okButtonProps: { danger: true },
                    cancelText: '取消',
                    onOk: () => decide(r, true),
                  })
                }
                data-testid="revocation-approve"
              >
                批准吊销
              </Button>
            </Tooltip>
            <Tooltip title={blocked}>
              <Button size="small" disabled={!!blocked} onClick={() => setRefusing(r)} data-testid="revocation-refuse">
                不批准
              </Button>
            </Tooltip>
          </Space>
        );
      },
    },
  ];

  const decidedColumns = [
    ...common,
    {
      title: '结果',
      render: (_: unknown, r: RevocationRow) => (
        <>
          <Tag color={STATUS[r.status].color}>{STATUS[r.status].label}</Tag>
          {r.decidedByName}
          {r.decisionNote && (
            <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
              {r.decisionNote}
            </Typography.Text>
          )}
        </>
      ),
    },
    {
      title: '吊销时间',
      render: (_: unknown, r: RevocationRow) => (
        <span style={{ color: r.overdue ? '#cf1322' : undefined }}>
          {r.revokedAt ? beijing(r.revokedAt) : beijing(r.decidedAt)}
          {r.status === 'approved' &&
            (r.overdue ? (
              <Tag color="red" style={{ marginLeft: 4 }}>
                超过24小时
              </Tag>
            ) : (
              <Tag color="green" style={{ marginLeft: 4 }}>
                24小时内
              </Tag>
            ))}
        </span>
      ),
    },
  ];

  return (
    <Card
      title="吊销申请"
      extra={
        <Space>
          <RevocationRequestButton onDone={() => void load()} />
          <Button icon={<ReloadOutlined />} onClick={() => void load()} loading={loading}>
            刷新
          </Button>
        </Space>
      }
      data-testid="revocations-page"
    >
      {error && <Alert type="error" showIcon message={error} closable onClose={() => setError(null)} style={{ marginBottom: 12 }} />}
      <Tabs
        activeKey={tab}
        onChange={(k) => setTab(k as 'pending' | 'decided')}
        items={[
          { key: 'pending', label: '待批准' },
          { key: 'decided', label: '处理记录' },
        ]}
      />
      {data && data.requests.length === 0 ? (
        <Empty description={tab === 'pending' ? '没有待批准的吊销申请' : '还没有处理过的吊销申请'} />
      ) : (
        <Table
          size="small"
          rowKey="id"
          pagination={false}
          loading={loading}
          dataSource={data?.requests ?? []}
          columns={tab === 'pending' ? pendingColumns : decidedColumns}
          scroll={{ x: true }}
        />
      )}
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 8 }}>
        用户协议承诺收到吊销申请后24小时内吊销（期限从申请时间起算，超时标红）。申请人不能批准自己的申请；批准后证书立即吊销，CRL 与 OCSP
        随即更新。
      </Typography.Paragraph>
      <Modal
        title="不批准吊销申请"
        open={!!refusing}
        onCancel={() => setRefusing(null)}
        onOk={() => refusing && void decide(refusing, false, note)}
        okText="不批准"
        okButtonProps={{ disabled: !note.trim() }}
        cancelText="取消"
      >
        <Input.TextArea
          value={note}
          onChange={(e) => setNote(e.target.value)}
          maxLength={200}
          rows={3}
          placeholder="请填写不批准的原因（必填）"
        />
      </Modal>
    </Card>
  );
}
