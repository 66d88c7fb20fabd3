/**
 * 取消订单并退款 on the staff order page: 受理/财务/管理员 ask with a reason; a different 财务 or 管理员
 * approves (the order becomes 已取消 and the payment is refunded the way it came) or refuses with a reason.
 * Shows the order's requests and refunds. Only paid orders not yet 制证完成 can be cancelled.
 */
import { useCallback, useEffect, useState } from 'react';
import { App, Button, Card, Input, Modal, Space, Tag, Typography } from 'antd';
import { fenToYuanText } from '../../../../core/money.js';
import { ApiError, apiGet, apiPost } from '../../../api.js';
import { useAction } from '../../../components/useAction.js';
import { hasRole, useStaffErrors, useStaffSession } from '../staffSession.js';
import { beijing } from './format.js';

interface CancelInfo {
  cancellable: boolean;
  canApprove: boolean;
  me: string;
  requests: {
    id: string;
    reason: string;
    status: 'pending' | 'approved' | 'refused';
    requestedBy: string;
    requestedByName: string | null;
    requestedAt: string;
    decidedByName: string | null;
    decidedAt: string | null;
    decisionNote: string | null;
  }[];
  refunds: {
    id: string;
    channel: 'wechat' | 'alipay';
    amountFen: number;
    kind: 'cancel' | 'duplicate';
    status: string;
    refundId: string | null;
    createdAt: string;
  }[];
}

const REQ_STATUS = { pending: ['待批准', 'orange'], approved: ['已批准', 'green'], refused: ['未批准', 'default'] } as const;
const REFUND_STATUS: Record<string, [string, string]> = {
  pending: ['待退款', 'orange'],
  processing: ['退款处理中', 'blue'],
  success: ['已退款', 'green'],
  failed: ['退款失败', 'red'],
};

export function CancelPanel({ orderId, onDone }: { orderId: string; onDone: () => void }) {
  const { staff } = useStaffSession();
  const fail = useStaffErrors();
  const { message } = App.useApp();
  const [info, setInfo] = useState<CancelInfo | null>(null);
  const [asking, setAsking] = useState(false);
  const [refusing, setRefusing] = useState<string | null>(null);
  const [text, setText] = useState('');
  const { run: runAction, busy } = useAction();
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setInfo(await apiGet<CancelInfo>(`/api/staff/orders/${orderId}/cancellation`));
    } catch (e) {
      if (e instanceof ApiError && e.status === 403) setInfo(null);
      else setError(fail(e));
    }
  }, [orderId, fail]);
  useEffect(() => {
    void load();
  }, [load]);

  if (!hasRole(staff, '受理', '财务', '管理员') || !info) return null;
  const pending = info.requests.find((r) => r.status === 'pending');
  if (!info.cancellable && info.requests.length === 0 && info.refunds.length === 0) return null;

  const run = (f: () => Promise<unknown>, ok: string) =>
    runAction(
      async () => {
        setError(null);
        await f();
        void message.success(ok);
        setAsking(false);
        setRefusing(null);
        setText('');
        await load();
        onDone();
      },
      async (e) => {
        setError(fail(e));
        await load();
      },
    );

  return (
    <Card title="取消订单与退款" size="small" data-testid="cancel-panel">
      <Space orientation="vertical" style={{ width: '100%' }}>
        {info.requests.map((r) => (
          <div key={r.id} data-testid="cancel-request">
            <Tag color={REQ_STATUS[r.status][1]}>{REQ_STATUS[r.status][0]}</Tag>
            {r.requestedByName ?? '工作人员'} 于 {beijing(r.requestedAt)} 申请取消：{r.reason}
            {r.decidedAt && (
              <div style={{ fontSize: 12, color: '#888' }}>
                {r.decidedByName ?? '工作人员'} 于 {beijing(r.decidedAt)} {r.status === 'approved' ? '批准' : '不批准'}
                {r.decisionNote ? `：${r.decisionNote}` : ''}
              </div>
            )}
          </div>
        ))}
        {info.refunds.map((r) => (
          <div key={r.id} data-testid="refund">
            <Tag color={REFUND_STATUS[r.status]?.[1]}>{REFUND_STATUS[r.status]?.[0] ?? r.status}</Tag>
            {r.kind === 'duplicate' ? '重复付款退款' : '取消订单退款'} {fenToYuanText(r.amountFen)} 元（
            {r.channel === 'wechat' ? '微信支付' : '支付宝'}）
            {r.refundId && <span style={{ fontSize: 12, color: '#888' }}> 退款单号 {r.refundId}</span>}
          </div>
        ))}
        {pending && info.canApprove && pending.requestedBy !== info.me && (
          <Space wrap>
            <Button
              type="primary"
              danger
              loading={busy}
              data-testid="cancel-approve"
              onClick={() =>
                Modal.confirm({
                  title: '批准取消订单并退款？',
                  content: '订单将转为“已取消”，付款原路退回。此操作不能撤销。',
                  okText: '批准',
                  okButtonProps: { danger: true },
                  cancelText: '返回',
                  onOk: () => run(() => apiPost(`/api/staff/cancellations/${pending.id}/approve`, {}), '已批准，退款已发起'),
                })
              }
            >
              批准取消并退款
            </Button>
            <Button onClick={() => setRefusing(pending.id)} data-testid="cancel-refuse">
              不批准
            </Button>
          </Space>
        )}
        {pending && pending.requestedBy === info.me && (
          <Typography.Text type="secondary">等待另一位财务或管理员批准（申请人不能批准自己的申请）。</Typography.Text>
        )}
        {pending && pending.requestedBy !== info.me && !info.canApprove && (
          <Typography.Text type="secondary">等待财务或管理员批准。</Typography.Text>
        )}
        {!pending && info.cancellable && (
          <Button danger onClick={() => setAsking(true)} data-testid="cancel-ask">
            申请取消订单并退款
          </Button>
        )}
        {error && <Typography.Text type="danger">{error}</Typography.Text>}
      </Space>
      <Modal
        open={asking || !!refusing}
        title={asking ? '申请取消订单并退款' : '不批准取消申请'}
        okText={asking ? '提交申请' : '不批准'}
        cancelText="返回"
        confirmLoading={busy}
        onCancel={() => {
          setAsking(false);
          setRefusing(null);
        }}
        onOk={() =>
          asking
            ? run(() => apiPost(`/api/staff/orders/${orderId}/cancellation`, { reason: text }), '已提交，等待另一位财务或管理员批准')
            : run(() => apiPost(`/api/staff/cancellations/${refusing}/refuse`, { note: text }), '已记录')
        }
      >
        <Typography.Paragraph type="secondary">
          {asking ? '须由另一位财务或管理员批准；批准后订单转为“已取消”，付款原路退回。' : '请填写不批准的原因。'}
        </Typography.Paragraph>
        <Input.TextArea
          rows={3}
          maxLength={200}
          showCount
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={asking ? '取消原因（如：单位申请退款，已电话核实）' : '原因'}
          data-testid="cancel-text"
        />
      </Modal>
    </Card>
  );
}
