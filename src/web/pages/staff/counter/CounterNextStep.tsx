/**
 * 下一步: the buttons the flow table gives this person now. A step that needs a reason opens
 * CounterReasonModal; 制作证书 opens the key form (the page holds it: a 409 there reloads the page);
 * 现场缴费并领取 is a form in the card.
 */
import { useState } from 'react';
import { Button, Card, Space } from 'antd';
import type { CounterView } from '../../../../core/counter-response-schemas.js';
import { CounterPayForm } from './CounterPayForm.js';
import { CounterReasonModal, type ReasonAction } from './CounterReasonModal.js';
import type { RunStep } from './useCounterOrder.js';

export function CounterNextStep({
  v,
  payChannels,
  busy,
  step,
  onProduce,
}: {
  v: CounterView;
  payChannels: { code: string; label: string }[] | undefined;
  busy: boolean;
  step: RunStep;
  onProduce: () => void;
}) {
  const [reasonFor, setReasonFor] = useState<ReasonAction | null>(null);
  const o = v.order;
  const can = (a: string) => v.actions.some((x) => x.action === a);
  return (
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
                if (a.needsReason) setReasonFor(a);
                else void step(`/api/staff/counter/orders/${o.id}/actions/${a.action}`, {}, `${a.label}：已完成`);
              }}
            >
              {a.label}
            </Button>
          ))}
        {can('produce') && (
          <Button type="primary" onClick={onProduce} data-testid="counter-action-produce">
            制作证书
          </Button>
        )}
      </Space>
      {can('pay') && <CounterPayForm v={v} payChannels={payChannels} busy={busy} step={step} />}
      <CounterReasonModal orderId={o.id} action={reasonFor} busy={busy} step={step} onClose={() => setReasonFor(null)} />
    </Card>
  );
}
