/**
 * The staff steps after 预审, each rendered only when the order's `actions` (from the workflow table on the
 * server) offer it: 受理 (paper received, passed, failed with what is missing), 制证 (certificate and seal
 * made) and 发放 (SF Express tracking number). A 409 — someone else acted first — is shown as the server
 * words it, and the order reloads.
 */
import { useState } from 'react';
import { Alert, App, Button, Checkbox, Form, Input, Modal, Popconfirm, Space, Typography } from 'antd';
import { CarOutlined, CheckCircleOutlined, CloseCircleOutlined, InboxOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { ZShipBody } from '../../../../core/fulfilment.js';
import { ApiError, apiPost } from '../../../api.js';
import { zodRule } from '../../../components/forms.js';
import { useAction } from '../../../components/useAction.js';
import { useStaffErrors } from '../staffSession.js';
import { PaperChecklist } from './PaperChecklist.js';
import { ProduceDialog } from '../produce/ProduceDialog.js';
import type { StaffOrderView } from '../../../../core/staff-orders-schemas.js';

type Run = (path: string, body: unknown, done: string) => Promise<boolean>;

/** Posts one staff action; true when it went through. */
function useRun(orderId: string, onDone: () => void, onConflict: (m: string) => void): [Run, string | null] {
  const { message } = App.useApp();
  const fail = useStaffErrors();
  const [busy, setBusy] = useState<string | null>(null);
  const run: Run = async (path, body, done) => {
    setBusy(path);
    try {
      await apiPost(`/api/staff/orders/${orderId}/${path}`, body);
      message.success(done);
      onDone();
      return true;
    } catch (e) {
      const text = fail(e);
      if (e instanceof ApiError && e.status === 409) onConflict(text);
      else message.error(text);
      return false;
    } finally {
      setBusy(null);
    }
  };
  return [run, busy];
}

export function ActionPanel({
  view,
  onDone,
  onConflict,
}: {
  view: StaffOrderView;
  onDone: () => void;
  onConflict: (message: string) => void;
}) {
  const [run, busy] = useRun(view.order.id, onDone, onConflict);
  const [failing, setFailing] = useState(false);
  // The ticks start from the last review's (after 补寄 only the re-sent originals are new).
  const [checked, setChecked] = useState<string[]>(() => view.paperChecklist.lastReview?.checked ?? []);
  const [producing, setProducing] = useState(false);
  const has = (a: string) => view.actions.find((x) => x.action === a);
  const receive = has('receive_paper');
  const pass = has('pass_paper');
  const failPaper = has('fail_paper');
  const produce = has('produce');
  const ship = has('ship');
  if (!receive && !pass && !failPaper && !produce && !ship) return null;
  const main = view.order.keyType === 'main';
  const unchecked = view.paperChecklist.items.filter((i) => !checked.includes(i.code)).length;

  return (
    <div style={{ display: 'grid', gap: 16 }} data-testid="action-panel">
      {receive && (
        <div style={{ display: 'grid', gap: 8 }}>
          <Typography.Text type="secondary">收到申请单位邮寄的纸质资料原件后点击，然后逐项核对。</Typography.Text>
          <Popconfirm
            title={`确认${receive.label}？`}
            okText="确认"
            cancelText="取消"
            onConfirm={() => void run('paper/receive', {}, '已记录收到纸质资料')}
          >
            <Button type="primary" icon={<InboxOutlined />} loading={busy === 'paper/receive'} data-testid="action-receive_paper">
              {receive.label}
            </Button>
          </Popconfirm>
        </div>
      )}
      {(pass || failPaper) && (
        <div style={{ display: 'grid', gap: 8 }}>
          <Typography.Text type="secondary">
            逐项核对纸质资料原件并勾选：印章须为原章，复印件须清晰、未缩小，申请表左上角写有订单编号。
          </Typography.Text>
          <PaperChecklist list={view.paperChecklist} checked={checked} onChange={setChecked} />
          {pass && unchecked > 0 && (
            <Typography.Text type="warning" data-testid="paper-unchecked">
              还有{unchecked}项未勾选：全部核对无误后才能确认合格。
            </Typography.Text>
          )}
          <Space wrap>
            {pass && (
              <Popconfirm
                title="纸质资料全部合格，转入制证？"
                okText="确认合格"
                cancelText="取消"
                disabled={unchecked > 0}
                onConfirm={() => void run('paper/pass', { checked }, '纸质资料合格，已转入制证，核对结果已记录')}
              >
                <Button
                  type="primary"
                  icon={<CheckCircleOutlined />}
                  loading={busy === 'paper/pass'}
                  disabled={unchecked > 0}
                  data-testid="action-pass_paper"
                >
                  {pass.label}
                </Button>
              </Popconfirm>
            )}
            {failPaper && (
              <Button danger icon={<CloseCircleOutlined />} onClick={() => setFailing(true)} data-testid="action-fail_paper">
                {failPaper.label}
              </Button>
            )}
          </Space>
        </div>
      )}
      {produce && (
        <div style={{ display: 'grid', gap: 8 }}>
          <Typography.Text type="secondary">
            上传客户 UKEY 生成的证书请求（或由系统生成密钥）签发证书；签发后订单变为“制证完成”，并开始计算发票开具期限。
            {main && '主锁另需电子签章：印模已确认的，签发时一并制作；未确认的，签发后仍可确认印模再制作。电子签章制作前不能发放。'}
          </Typography.Text>
          <Button
            type="primary"
            icon={<SafetyCertificateOutlined />}
            onClick={() => setProducing(true)}
            loading={busy === 'produce'}
            data-testid="action-produce"
            style={{ justifySelf: 'start' }}
          >
            {produce.label}
          </Button>
        </div>
      )}
      {ship && (
        <ShipForm label={ship.label} blocked={ship.blocked} recipient={view.order.form.recipient} run={run} busy={busy === 'ship'} />
      )}

      {failing && (
        <PaperFailModal
          view={view}
          checked={checked}
          onCancel={() => setFailing(false)}
          run={async (body) => {
            const ok = await run(
              'paper/fail',
              { ...body, checked: checked.filter((c) => !body.missing.includes(c)) },
              '已记录纸质资料不合格，已短信通知经办人补寄',
            );
            if (ok) setFailing(false);
            return ok;
          }}
        />
      )}
      {producing && (
        <ProduceDialog
          url={`/api/staff/orders/${view.order.id}/produce`}
          title="签发证书（制证）"
          orderNo={view.order.orderNoDisplay}
          projectCode={view.order.projectCode}
          unitName={view.organization.name}
          summary={
            <Alert
              type="info"
              showIcon
              title={
                main ? '签发本订单的数字证书（主锁：印模已确认的，签发时一并制作电子签章）。' : '签发本订单的数字证书（副锁，无电子签章）。'
              }
              description="签发后订单变为“制证完成”，转入发放；财务须在3个工作日内开具发票。证书主体为订单申请单位的名称和统一社会信用代码，有效期一年。"
            />
          }
          onConflict={onConflict}
          onClose={(issued) => {
            setProducing(false);
            if (issued) onDone();
          }}
        />
      )}
    </div>
  );
}

function ShipForm({
  label,
  blocked,
  recipient,
  run,
  busy,
}: {
  label: string;
  /** Why the key cannot go out yet (a main key without its seals); the server refuses it all the same. */
  blocked: string | null;
  recipient: StaffOrderView['order']['form']['recipient'];
  run: Run;
  busy: boolean;
}) {
  const [form] = Form.useForm<{ trackingNo: string }>();
  return (
    <div style={{ display: 'grid', gap: 8 }} data-testid="ship-form">
      <Typography.Text type="secondary">
        用顺丰到付寄出UKEY后，填写顺丰运单号。寄往：{recipient?.name ?? '—'} {recipient?.mobile ?? ''} {recipient?.address ?? ''}
      </Typography.Text>
      {blocked && <Alert type="warning" showIcon title={blocked} data-testid="ship-blocked" />}
      <Form
        form={form}
        name="ship"
        layout="vertical"
        requiredMark={false}
        onFinish={async (v) => {
          const trackingNo = ZShipBody.shape.trackingNo.parse(v.trackingNo);
          if (await run('ship', { trackingNo }, `已发放，运单号 ${trackingNo}，已短信通知经办人`)) form.resetFields();
        }}
      >
        <Form.Item label="顺丰运单号" name="trackingNo" rules={[zodRule(ZShipBody.shape.trackingNo)]} validateTrigger="onBlur">
          <Input maxLength={40} placeholder="如 SF1234567890123" autoComplete="off" />
        </Form.Item>
        <Button type="primary" htmlType="submit" icon={<CarOutlined />} loading={busy} disabled={!!blocked} data-testid="action-ship">
          {label}
        </Button>
      </Form>
    </div>
  );
}

function PaperFailModal({
  view,
  checked,
  onCancel,
  run,
}: {
  view: StaffOrderView;
  /** The checklist's ticks: what is not ticked is offered as what to re-send. */
  checked: string[];
  onCancel: () => void;
  run: (body: { missing: string[]; note?: string }) => Promise<boolean>;
}) {
  const [form] = Form.useForm<{ missing: string[]; note?: string }>();
  const { run: runFail, busy } = useAction();
  const items = view.paperChecklist.items;
  return (
    <Modal
      open
      title="纸质资料不合格"
      okText="确认并通知补寄"
      okButtonProps={{ danger: true }}
      cancelText="取消"
      confirmLoading={busy}
      onCancel={onCancel}
      onOk={() => form.submit()}
      mask={{ closable: false }}
    >
      <Typography.Paragraph type="secondary">
        勾选需要补寄的资料。确认后订单变为“纸质资料需补寄”，系统向经办人手机发送补寄短信；请随后电话通知经办人并在“电话记录”中记下通话结果。
      </Typography.Paragraph>
      <Form
        form={form}
        name="paper_fail"
        // Once some originals are ticked as fine, the others are what to ask for; with none ticked, nothing is chosen yet.
        initialValues={{ missing: checked.length ? items.filter((i) => !checked.includes(i.code)).map((i) => i.code) : [] }}
        layout="vertical"
        onFinish={(v) => runFail(() => run({ missing: v.missing, ...(v.note?.trim() ? { note: v.note.trim() } : {}) }))}
      >
        <Form.Item
          label="需要补寄的资料"
          name="missing"
          rules={[{ required: true, type: 'array', min: 1, message: '请至少选择一项需要补寄的资料' }]}
        >
          <Checkbox.Group style={{ display: 'grid', gap: 8 }}>
            {items.map((i) => (
              <Checkbox key={i.code} value={i.code} data-testid={`missing-${i.code}`}>
                <strong>{i.name}</strong>
                <div style={{ color: '#8c8c8c', fontSize: 12 }}>{i.text}</div>
              </Checkbox>
            ))}
          </Checkbox.Group>
        </Form.Item>
        <Form.Item label="说明（经办人可见）" name="note">
          <Input.TextArea
            rows={3}
            maxLength={200}
            showCount
            placeholder="例如：营业执照复印件为缩小复印，请用原件按原大小复印并加盖公章原章"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
