/**
 * One counter order: the seed's six steps (CounterOrderHeader), the materials checklist (CounterMaterials),
 * the buttons the flow table gives this person now (CounterNextStep, with 现场缴费并领取), 制作证书 (the one
 * key form, CounterProduce), the certificate it issued and the one it replaces (with its revocation request),
 * the payment and the event timeline (CounterRecords). The data and the steps: useCounterOrder.ts.
 */
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { Alert, Button, Grid, Space, Spin } from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';
import { CounterMaterials } from './CounterMaterials.js';
import { CounterNextStep } from './CounterNextStep.js';
import { CounterOrderHeader } from './CounterOrderHeader.js';
import { CounterProduce } from './CounterProduce.js';
import { CounterCertificates, CounterPayment, CounterTimeline } from './CounterRecords.js';
import { useCounterMeta } from './StaffCounter.js';
import { useCounterOrder, useCounterSteps } from './useCounterOrder.js';

export function CounterOrderPage() {
  const { id } = useParams();
  const { meta } = useCounterMeta();
  const narrow = !(Grid.useBreakpoint().md ?? true);
  const state = useCounterOrder(id);
  const { v, error, setError, ticked, tick, materials, load } = state;
  const { busy, step, uploadScan } = useCounterSteps(state);
  const [producing, setProducing] = useState(false);

  if (error && !v) return <Alert type="error" showIcon message={error} />;
  if (!v) return <Spin style={{ margin: 48 }} />;
  return (
    <div style={{ display: 'grid', gap: 16, gridTemplateColumns: 'minmax(0, 1fr)' }} data-testid="counter-order-page">
      <Space wrap>
        <Link to="/staff/counter">
          <Button icon={<ArrowLeftOutlined />}>返回柜台业务</Button>
        </Link>
      </Space>
      {error && <Alert type="warning" showIcon message={error} closable onClose={() => setError(null)} />}
      <CounterOrderHeader v={v} narrow={narrow} />
      <CounterMaterials
        v={v}
        ticked={ticked}
        onTick={tick}
        save={materials.save}
        retry={() => void materials.retry()}
        onUpload={(material, file) => void uploadScan(v.order.id, material, file)}
      />
      {v.actions.length > 0 && (
        <CounterNextStep v={v} payChannels={meta?.payChannels} busy={busy} step={step} onProduce={() => setProducing(true)} />
      )}
      <CounterCertificates v={v} narrow={narrow} />
      <CounterPayment v={v} />
      <CounterTimeline events={v.events} />
      {producing && (
        <CounterProduce
          v={v}
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
