/**
 * One counter order: the seed's six steps, the materials checklist, the buttons the flow table gives this
 * person now, 制作证书 (the one key form, produce/ProduceDialog.tsx), 现场缴费并领取, the certificate
 * it issued and the one it replaces (with its revocation request), and the event timeline.
 */
import { useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Descriptions,
  Form,
  Grid,
  Input,
  Modal,
  Radio,
  Space,
  Spin,
  Steps,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import {
  ArrowLeftOutlined,
  CheckCircleFilled,
  CloudSyncOutlined,
  ExclamationCircleFilled,
  LoadingOutlined,
  UploadOutlined,
} from '@ant-design/icons';
import { missingMaterials, type CounterBusiness } from '../../../../core/counter.js';
import { ZCounterPayBody } from '../../../../core/counter-schemas.js';
import { fenToYuanText } from '../../../../core/money.js';
import { ApiError, apiGet, apiPost, apiUpload } from '../../../api.js';
import { showServerErrors, zodRule } from '../../../components/forms.js';
import { useStaffErrors } from '../staffSession.js';
import { beijing, mono } from '../orders/format.js';
import { ProduceDialog } from '../produce/ProduceDialog.js';
import { statusColor, useCounterMeta } from './StaffCounter.js';
import type { CertSummary, CounterView } from '../../../../core/counter-response-schemas.js';
import { useMaterialsAutosave, type MaterialsSave } from './useMaterialsAutosave.js';
import { formatOrderNumber } from '../../../../core/order-number.js';

const EVENT_LABEL: Record<string, string> = {
  open: '提交资料',
  materials: '核对资料清单',
  scan: '上传资料扫描件',
  accept: '前台受理',
  approve: '审核通过',
  return: '退回补正资料',
  produce: '制作证书',
  pay: '现场缴费并领取',
  seal: '制作电子签章',
  finish: '办结',
  cancel: '取消办理',
};
const CERT_STATUS: Record<string, { label: string; color: string }> = {
  issued: { label: '有效', color: 'green' },
  revoked: { label: '已吊销', color: 'red' },
  pending: { label: '待签发', color: 'gold' },
  failed: { label: '已作废', color: 'default' },
};

export function CounterOrderPage() {
  const { id } = useParams();
  const { message } = App.useApp();
  const fail = useStaffErrors();
  const { meta } = useCounterMeta();
  const narrow = !(Grid.useBreakpoint().md ?? true);
  const [v, setV] = useState<CounterView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [ticked, setTicked] = useState<string[]>([]);
  const [reasonFor, setReasonFor] = useState<{ action: string; label: string } | null>(null);
  const [producing, setProducing] = useState(false);
  const [reasonForm] = Form.useForm<{ reason: string }>();
  const [payForm] = Form.useForm<{ channel: string; receiptNo: string; amountFen: number; oldUkeyReturned: boolean }>();
  const materials = useMaterialsAutosave(id);
  const { dirty } = materials;

  const load = useCallback(async () => {
    try {
      const r = await apiGet<CounterView>(`/api/staff/counter/orders/${id}`);
      setV(r);
      // Ticks still being saved stay as the clerk left them; otherwise show the saved list.
      if (!dirty()) setTicked(r.materials.filter((m) => m.ticked).map((m) => m.code));
      setError(null);
    } catch (e) {
      setError(fail(e));
    }
  }, [id, fail, dirty]);
  useEffect(() => {
    void load();
  }, [load]);

  /** Runs a step; a 409 (someone else moved it) shows the server's message and reloads. */
  const run = async (url: string, body: unknown, done: string, form?: Parameters<typeof showServerErrors>[0]) => {
    setBusy(true);
    try {
      // Every step is judged against the saved checklist: wait for the ticks on screen to be saved first.
      if (!(await materials.settled())) {
        message.error('资料清单未能保存，请点“重试”保存后再操作');
        return null;
      }
      const r = await apiPost<Record<string, unknown>>(url, body);
      void message.success(done);
      await load();
      return r;
    } catch (e) {
      const text = form ? showServerErrors(form, e) : fail(e);
      if (e instanceof ApiError && e.status === 409) {
        setError(text ?? e.message);
        await load();
      } else if (text) message.error(text);
      fail(e);
      return null;
    } finally {
      setBusy(false);
    }
  };

  if (error && !v) return <Alert type="error" showIcon message={error} />;
  if (!v) return <Spin style={{ margin: 48 }} />;
  const o = v.order;
  const can = (a: string) => v.actions.some((x) => x.action === a);
  const open = o.status !== 'completed' && o.status !== 'cancelled';
  /** What the ticks on screen still lack (the same rule the server applies to the saved ticks at 前台受理). */
  const missing = missingMaterials(o.business as CounterBusiness, o.keyType, ticked);
  const validityText = `${beijing(v.validity.notBefore, 'YYYY-MM-DD')} 至 ${beijing(v.validity.notAfter, 'YYYY-MM-DD')}（${v.validity.basisText}）`;

  const uploadScan = async (material: string, file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    setBusy(true);
    try {
      await apiUpload(`/api/staff/counter/orders/${o.id}/materials/${material}/scan`, form);
      void message.success('扫描件已上传');
      await load();
    } catch (e) {
      message.error(e instanceof ApiError && Object.keys(e.fields).length ? Object.values(e.fields).join('；') : fail(e));
    } finally {
      setBusy(false);
    }
  };

  const pay = async () => {
    const f = await payForm.validateFields().catch(() => null);
    if (!f) return;
    await run(`/api/staff/counter/orders/${o.id}/pay`, { ...f, amountFen: v.priceFen }, '已收款，证书已领取', payForm);
  };

  const certCard = (title: string, c: CertSummary, testid: string) => (
    <Descriptions column={1} size="small" bordered title={title} data-testid={testid}>
      <Descriptions.Item label="序列号">
        <Typography.Text copyable style={{ ...mono, wordBreak: 'break-all' }}>
          {c.serial}
        </Typography.Text>
      </Descriptions.Item>
      <Descriptions.Item label="单位名称">{c.unitName}</Descriptions.Item>
      <Descriptions.Item label="有效期">
        {beijing(c.notBefore, 'YYYY-MM-DD')} 至 {beijing(c.notAfter, 'YYYY-MM-DD')}
      </Descriptions.Item>
      <Descriptions.Item label="状态">
        <Tag color={CERT_STATUS[c.status]?.color}>{CERT_STATUS[c.status]?.label ?? c.status}</Tag>
        {c.revokedAt && `${beijing(c.revokedAt)} 吊销（${c.revocationReasonLabel}）`}
      </Descriptions.Item>
    </Descriptions>
  );

  return (
    <div style={{ display: 'grid', gap: 16, gridTemplateColumns: 'minmax(0, 1fr)' }} data-testid="counter-order-page">
      <Space wrap>
        <Link to="/staff/counter">
          <Button icon={<ArrowLeftOutlined />}>返回柜台业务</Button>
        </Link>
      </Space>
      {error && <Alert type="warning" showIcon message={error} closable onClose={() => setError(null)} />}
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

      <Card size="small" title="资料清单（现场核对原件）" data-testid="counter-materials">
        <Checkbox.Group
          value={ticked}
          onChange={(x) => {
            setTicked(x as string[]);
            materials.change(x as string[]);
          }}
          disabled={!open}
          style={{ display: 'grid', gap: 8 }}
        >
          {v.materials.map((m) => (
            <div key={m.code} style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'center' }}>
              <Checkbox value={m.code} data-testid={`material-${m.code}`}>
                {m.label}
              </Checkbox>
              {m.scan && (
                <a
                  href={`/api/staff/counter/orders/${o.id}/scans/${m.scan.id}/file`}
                  target="_blank"
                  rel="noreferrer"
                  data-testid={`scan-${m.code}`}
                >
                  查看扫描件
                </a>
              )}
              {open && (
                <label style={{ cursor: 'pointer', color: '#595959' }}>
                  <UploadOutlined /> {m.scan ? '重新上传' : '上传扫描件'}
                  <input
                    type="file"
                    accept=".jpg,.jpeg,.png,.bmp,image/jpeg,image/png,image/bmp"
                    style={{ display: 'none' }}
                    data-testid={`scan-input-${m.code}`}
                    onChange={(ev) => {
                      const file = ev.target.files?.[0];
                      ev.target.value = '';
                      if (file) void uploadScan(m.code, file);
                    }}
                  />
                </label>
              )}
            </div>
          ))}
        </Checkbox.Group>
        {open && (
          <div style={{ marginTop: 8 }}>
            <MaterialsSaveStatus save={materials.save} retry={() => void materials.retry()} />
          </div>
        )}
        {missing.length > 0 && o.status === 'submitted' && (
          <Alert
            style={{ marginTop: 12 }}
            type="warning"
            showIcon
            message={`前台受理前尚缺：${missing.join('；')}`}
            data-testid="materials-missing"
          />
        )}
      </Card>

      {v.actions.length > 0 && (
        <Card size="small" title="下一步" data-testid="counter-actions">
          <Space wrap>
            {v.actions
              .filter((a) => a.action !== 'produce' && a.action !== 'pay')
              .map((a) => (
                <Button
                  key={a.action}
                  type={a.action === 'cancel' || a.action === 'return' ? 'default' : 'primary'}
                  danger={a.action === 'cancel'}
                  loading={busy}
                  data-testid={`counter-action-${a.action}`}
                  onClick={() => {
                    if (a.needsReason) {
                      reasonForm.resetFields();
                      setReasonFor(a);
                    } else void run(`/api/staff/counter/orders/${o.id}/actions/${a.action}`, {}, `${a.label}：已完成`);
                  }}
                >
                  {a.label}
                </Button>
              ))}
            {can('produce') && (
              <Button type="primary" onClick={() => setProducing(true)} data-testid="counter-action-produce">
                制作证书
              </Button>
            )}
          </Space>
          {can('pay') && (
            <Form
              form={payForm}
              layout="vertical"
              requiredMark={false}
              style={{ marginTop: 12, maxWidth: 520 }}
              initialValues={{ channel: 'cash', receiptNo: '', amountFen: v.priceFen, oldUkeyReturned: false }}
              data-testid="counter-pay-form"
            >
              <Typography.Title level={5}>现场缴费并领取</Typography.Title>
              <Form.Item label="证书有效期">
                <span data-testid="counter-pay-validity">{validityText}</span>
              </Form.Item>
              <Form.Item label="应收金额">
                <Typography.Text strong data-testid="counter-price">
                  {v.priceFen === null ? '价格未确定' : `${fenToYuanText(v.priceFen)} 元`}
                </Typography.Text>
              </Form.Item>
              <Form.Item name="amountFen" hidden>
                <Input />
              </Form.Item>
              <Form.Item name="channel" label="缴费方式">
                <Radio.Group
                  options={meta?.payChannels.map((c) => ({ value: c.code, label: c.label }))}
                  data-testid="counter-pay-channel"
                />
              </Form.Item>
              <Form.Item name="receiptNo" label="收据号（或 POS 凭条号）" rules={[zodRule(ZCounterPayBody.shape.receiptNo)]}>
                <Input maxLength={32} style={{ maxWidth: 280, fontFamily: 'monospace' }} data-testid="counter-receipt" />
              </Form.Item>
              {o.business === 'change' && (
                <Form.Item name="oldUkeyReturned" valuePropName="checked">
                  <Checkbox data-testid="counter-old-ukey">已收回原有的 UKEY（收回后申请吊销原证书）</Checkbox>
                </Form.Item>
              )}
              <Button type="primary" onClick={() => void pay()} loading={busy} data-testid="counter-pay">
                确认收款并交付证书
              </Button>
            </Form>
          )}
        </Card>
      )}

      {(v.certificate || v.replaced) && (
        <Card size="small" title="证书" data-testid="counter-certificates">
          <div style={{ display: 'grid', gap: 12, gridTemplateColumns: narrow || !v.certificate || !v.replaced ? '1fr' : '1fr 1fr' }}>
            {v.certificate && certCard('本次签发的证书', v.certificate, 'counter-new-cert')}
            {v.replaced && certCard(`${o.businessLabel}的原证书`, v.replaced, 'counter-old-cert')}
          </div>
          {v.revocationRequest && (
            <Alert
              style={{ marginTop: 12 }}
              type={v.revocationRequest.status === 'approved' ? 'success' : 'info'}
              showIcon
              message={
                v.revocationRequest.status === 'pending'
                  ? `已于 ${beijing(v.revocationRequest.requestedAt)} 申请吊销原证书，须由另一位制证或管理员在“吊销申请”中批准（24小时内）。`
                  : v.revocationRequest.status === 'approved'
                    ? '原证书的吊销申请已批准。'
                    : '原证书的吊销申请未获批准。'
              }
            />
          )}
        </Card>
      )}

      {v.payment && (
        <Card size="small" title="缴费">
          <div>
            {fenToYuanText(v.payment.amountFen)} 元 · {v.payment.channelName} · 收据号 <span style={mono}>{v.payment.receiptNo}</span> ·{' '}
            {beijing(v.payment.paidAt)}
          </div>
          <div data-testid="counter-receipt-validity">证书有效期：{validityText}</div>
        </Card>
      )}

      <Card size="small" title="办理记录">
        <Timeline
          items={v.events.map((e) => ({
            children: (
              <div>
                <strong>{EVENT_LABEL[e.action] ?? e.action}</strong> · {e.actorName ?? '—'} · {beijing(e.at)}
                {e.reason && <div style={{ color: '#595959' }}>原因：{e.reason}</div>}
              </div>
            ),
          }))}
        />
      </Card>

      <Modal
        open={!!reasonFor}
        title={reasonFor?.label}
        okText="确定"
        cancelText="取消"
        confirmLoading={busy}
        onCancel={() => setReasonFor(null)}
        onOk={async () => {
          const f = await reasonForm.validateFields().catch(() => null);
          if (!f || !reasonFor) return;
          const r = await run(`/api/staff/counter/orders/${o.id}/actions/${reasonFor.action}`, f, `${reasonFor.label}：已完成`, reasonForm);
          if (r) setReasonFor(null);
        }}
        destroyOnHidden
      >
        <Form form={reasonForm} layout="vertical" initialValues={{ reason: '' }}>
          <Form.Item name="reason" label="原因" rules={[{ required: true, message: '请填写原因' }]}>
            <Input.TextArea rows={3} maxLength={200} data-testid="counter-reason" />
          </Form.Item>
        </Form>
      </Modal>

      {producing && (
        <ProduceDialog
          url={`/api/staff/counter/orders/${o.id}/produce`}
          title="制作证书"
          orderNo={o.orderNo}
          projectCode={o.projectCode}
          unitName={o.newUnitName ?? o.unitName}
          summary={
            <Alert
              type="info"
              showIcon
              message={`证书主体：${o.newUnitName ?? o.unitName}（${o.uscc}），有效期至 ${beijing(v.validity.notAfter, 'YYYY-MM-DD')}（${v.validity.basisText}）${v.replaced ? `；${o.businessLabel}证书 ${v.replaced.serial.slice(0, 12)}…` : ''}。`}
              data-testid="counter-produce-validity"
            />
          }
          onConflict={(text) => {
            setError(text);
            void load();
          }}
          onClose={(issued) => {
            setProducing(false);
            // Issued, or moved on by someone else (409): the order on screen is stale either way.
            if (issued) void load();
          }}
        />
      )}
    </div>
  );
}

const SAVE_COLOR = { muted: '#595959', saved: '#389e0d', failed: '#cf1322' };

/** Whether the ticks are saved: each tick saves at once; a failure keeps the ticks and offers 重试. */
function MaterialsSaveStatus({ save, retry }: { save: MaterialsSave; retry: () => void }) {
  switch (save.kind) {
    case 'idle':
      return (
        <span style={{ color: SAVE_COLOR.muted }} data-testid="materials-save-state">
          <CloudSyncOutlined /> 勾选即保存
        </span>
      );
    case 'saving':
      return (
        <span style={{ color: SAVE_COLOR.muted }} data-testid="materials-save-state">
          <LoadingOutlined /> 保存中…
        </span>
      );
    case 'saved':
      return (
        <span style={{ color: SAVE_COLOR.saved }} data-testid="materials-save-state">
          <CheckCircleFilled /> 已保存
        </span>
      );
    case 'failed':
      return (
        <span style={{ color: SAVE_COLOR.failed }} data-testid="materials-save-state" role="alert">
          <ExclamationCircleFilled /> 保存失败：{save.message}
          <Button type="link" onClick={retry} data-testid="materials-retry" style={{ paddingInline: 8 }}>
            重试
          </Button>
        </span>
      );
  }
}
