/**
 * 预审: every uploaded document passes or fails (with the preset reasons for that document and/or a note),
 * then the order is approved or sent back. The buttons follow the server's rules: 预审通过 only when every
 * document passes and no order-level reason is given; 退回修改 when every document is judged and at least
 * one fails or an order-level reason is given. Documents replaced since the last round are marked
 * 本轮已更换 and can be compared with the version judged before; edited form fields are listed.
 */
import { useEffect, useState } from 'react';
import { Alert, App, AutoComplete, Button, Empty, Input, Radio, Select, Space, Spin, Tag, Typography } from 'antd';
import { CheckOutlined, DiffOutlined, RollbackOutlined } from '@ant-design/icons';
import { ApiError, apiGet, apiPost } from '../../../api.js';
import { useStaffErrors } from '../staffSession.js';
import { thumbUrl, type ViewerRequest } from './DocumentViewer.js';
import { fieldLabel } from './formFields.js';
import { beijing } from './format.js';
import type { ReviewInfo } from '../../../../core/review-schemas.js';

interface Judgement {
  verdict?: 'pass' | 'fail';
  reasons: string[];
  note: string;
}

export function ReviewPanel({
  orderId,
  labels,
  onOpen,
  onChanged,
  onDone,
  onConflict,
}: {
  orderId: string;
  /** The button texts from the order's actions (预审通过 / 退回修改). */
  labels: { approve?: string; reject?: string };
  onOpen: (r: ViewerRequest) => void;
  /** Tells the page which slots were replaced since the last round. */
  onChanged: (slots: Set<string>) => void;
  onDone: () => void;
  onConflict: (message: string) => void;
}) {
  const { message } = App.useApp();
  const fail = useStaffErrors();
  const [info, setInfo] = useState<ReviewInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [judged, setJudged] = useState<Record<string, Judgement>>({});
  const [orderReason, setOrderReason] = useState('');
  const [busy, setBusy] = useState<'approve' | 'reject' | null>(null);

  useEffect(() => {
    let live = true;
    apiGet<ReviewInfo>(`/api/staff/orders/${orderId}/review`)
      .then((r) => {
        if (!live) return;
        setInfo(r);
        onChanged(new Set(r.changedSlots));
      })
      .catch((e: unknown) => live && setError(fail(e)));
    return () => {
      live = false;
    };
  }, [orderId, fail, onChanged]);

  if (error) return <Alert type="error" showIcon title={error} />;
  if (!info) return <Spin />;

  const slots = info.slots.filter((s) => s.document);
  const changed = new Set(info.changedSlots);
  const j = (slot: string): Judgement => judged[slot] ?? { reasons: [], note: '' };
  const set = (slot: string, patch: Partial<Judgement>) => setJudged((all) => ({ ...all, [slot]: { ...j(slot), ...patch } }));
  const allJudged = slots.every((s) => j(s.code).verdict);
  const failed = slots.filter((s) => j(s.code).verdict === 'fail');
  const unexplained = failed.filter((s) => !j(s.code).reasons.length && !j(s.code).note.trim());
  const reason = orderReason.trim();
  const canApprove = allJudged && failed.length === 0 && !reason;
  const canReject = allJudged && (failed.length > 0 || !!reason) && unexplained.length === 0;
  const why = !allJudged
    ? `还有 ${slots.filter((s) => !j(s.code).verdict).length} 项证件未评审：每项证件都要给出通过或不通过`
    : unexplained.length
      ? `请为不通过的证件选择原因或填写说明：${unexplained.map((s) => s.label).join('、')}`
      : failed.length || reason
        ? '有证件不通过或填写了订单退回原因：只能退回修改'
        : '全部证件通过：可以预审通过';

  const send = async (decision: 'approve' | 'reject') => {
    setBusy(decision);
    try {
      await apiPost(`/api/staff/orders/${orderId}/review`, {
        decision,
        documents: slots.map((s) => {
          const x = j(s.code);
          return {
            slot: s.code,
            verdict: x.verdict,
            reasons: x.verdict === 'fail' ? x.reasons : [],
            ...(x.verdict === 'fail' && x.note.trim() ? { note: x.note.trim() } : {}),
          };
        }),
        ...(decision === 'reject' && reason ? { orderReason: reason } : {}),
      });
      message.success(decision === 'approve' ? '预审通过，已短信通知经办人付款' : '已退回修改，已短信通知经办人查看原因');
      onDone();
    } catch (e) {
      const text = fail(e);
      if (e instanceof ApiError && e.status === 409) onConflict(text);
      else message.error(text);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div data-testid="review-panel" style={{ display: 'grid', gap: 12 }}>
      <Space wrap size={[8, 4]}>
        <Typography.Text strong>第 {Math.max(info.round, 1)} 轮预审</Typography.Text>
        {info.previous && (
          <Typography.Text type="secondary">
            上一轮（第{info.previous.round}轮）：{info.previous.decision === 'approve' ? '通过' : '退回修改'}，
            {info.previous.reviewerName ?? '—'}，{beijing(info.previous.at)}
          </Typography.Text>
        )}
      </Space>
      {info.previous?.orderReason && <Alert type="info" showIcon title={`上一轮订单退回原因：${info.previous.orderReason}`} />}
      {info.previous && (
        <Alert
          type={info.formChanged.length ? 'warning' : 'info'}
          showIcon
          data-testid="form-changed"
          title={
            info.formChanged.length
              ? `重新提交时修改了订单信息：${info.formChanged.map(fieldLabel).join('、')}`
              : '重新提交时未修改订单信息'
          }
          description={changed.size ? `更换了 ${changed.size} 项证件（下方标“本轮已更换”），可与上一轮审核的版本对比。` : '没有更换证件。'}
        />
      )}
      <div style={{ display: 'flex', justifyContent: 'flex-end' }}>
        <Button
          size="small"
          onClick={() => setJudged(Object.fromEntries(slots.map((s) => [s.code, { ...j(s.code), verdict: j(s.code).verdict ?? 'pass' }])))}
        >
          其余全部通过
        </Button>
      </div>
      {!slots.length && <Empty description="本订单没有可评审的证件" />}
      {slots.map((s) => {
        const x = j(s.code);
        const prev = info.previous?.documents[s.code];
        const presets = info.presetReasons.slots[s.code] ?? [];
        return (
          <div
            key={s.code}
            data-testid={`review-${s.code}`}
            style={{
              display: 'grid',
              gap: 8,
              padding: 10,
              borderRadius: 8,
              border: `1px solid ${x.verdict === 'fail' ? '#ffa39e' : x.verdict === 'pass' ? '#b7eb8f' : changed.has(s.code) ? '#ffd666' : '#f0f0f0'}`,
              background: changed.has(s.code) ? '#fffbe6' : '#fff',
            }}
          >
            <div style={{ display: 'flex', gap: 10, alignItems: 'flex-start' }}>
              <button
                type="button"
                onClick={() => onOpen({ left: s.document!.id })}
                aria-label={`查看${s.label}`}
                style={{ padding: 0, border: '1px solid #f0f0f0', background: '#fafafa', cursor: 'zoom-in', flex: '0 0 auto' }}
              >
                <img
                  src={thumbUrl(orderId, s.document!.id)}
                  alt={`${s.label}缩略图`}
                  style={{ width: 64, height: 64, objectFit: 'contain', display: 'block' }}
                />
              </button>
              <div style={{ display: 'grid', gap: 4, minWidth: 0, flex: 1 }}>
                <Space wrap size={[6, 4]}>
                  <Typography.Text strong>{s.label}</Typography.Text>
                  {changed.has(s.code) && <Tag color="gold">本轮已更换</Tag>}
                </Space>
                {prev && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    上一轮：
                    {prev.verdict === 'pass' ? '通过' : `不通过（${[prev.reasons.join('、'), prev.note].filter(Boolean).join('；')}）`}
                  </Typography.Text>
                )}
                {prev && changed.has(s.code) && (
                  <Button
                    size="small"
                    icon={<DiffOutlined />}
                    style={{ justifySelf: 'start' }}
                    onClick={() => onOpen({ left: s.document!.id, right: prev.documentId })}
                    data-testid={`compare-${s.code}`}
                  >
                    与上一轮版本对比
                  </Button>
                )}
              </div>
            </div>
            <Radio.Group
              value={x.verdict}
              onChange={(e) => set(s.code, { verdict: e.target.value as 'pass' | 'fail' })}
              optionType="button"
              buttonStyle="solid"
              aria-label={`${s.label}审核结论`}
              options={[
                { value: 'pass', label: '通过' },
                { value: 'fail', label: '不通过' },
              ]}
            />
            {x.verdict === 'fail' && (
              <>
                <Select
                  mode="multiple"
                  allowClear
                  value={x.reasons}
                  onChange={(v: string[]) => set(s.code, { reasons: v })}
                  options={presets.map((r) => ({ value: r, label: r }))}
                  placeholder="选择不通过原因（可多选）"
                  aria-label={`${s.label}不通过原因`}
                  style={{ width: '100%' }}
                />
                <Input.TextArea
                  value={x.note}
                  onChange={(e) => set(s.code, { note: e.target.value })}
                  autoSize={{ minRows: 1, maxRows: 4 }}
                  maxLength={200}
                  placeholder="其他原因或补充说明（申请人可见）"
                  aria-label={`${s.label}说明`}
                />
              </>
            )}
          </div>
        );
      })}
      <div style={{ display: 'grid', gap: 4 }}>
        <Typography.Text>订单退回原因（与单项证件无关时填写，如主副锁选择错误）</Typography.Text>
        <AutoComplete
          value={orderReason}
          onChange={(v: string) => setOrderReason(v)}
          options={info.presetReasons.order.map((r) => ({ value: r }))}
          allowClear
          aria-label="订单退回原因"
          placeholder="可从常见原因中选择，或直接输入"
          style={{ width: '100%' }}
        />
      </div>
      <Typography.Text type={canApprove || canReject ? 'secondary' : 'warning'} data-testid="review-hint">
        {why}
      </Typography.Text>
      <Space wrap>
        <Button
          type="primary"
          icon={<CheckOutlined />}
          disabled={!canApprove || busy !== null}
          loading={busy === 'approve'}
          onClick={() => void send('approve')}
          data-testid="review-approve"
        >
          {labels.approve ?? '预审通过'}
        </Button>
        <Button
          danger
          icon={<RollbackOutlined />}
          disabled={!canReject || busy !== null}
          loading={busy === 'reject'}
          onClick={() => void send('reject')}
          data-testid="review-reject"
        >
          {labels.reject ?? '退回修改'}
        </Button>
      </Space>
    </div>
  );
}
