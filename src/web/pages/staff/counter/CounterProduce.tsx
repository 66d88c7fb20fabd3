/** 制作证书 at the counter: the one key form (produce/ProduceDialog.tsx), with what this order will issue. */
import { Alert } from 'antd';
import type { CounterView } from '../../../../core/counter-response-schemas.js';
import { beijing } from '../orders/format.js';
import { ProduceDialog } from '../produce/ProduceDialog.js';

export function CounterProduce({
  v,
  onConflict,
  onClose,
}: {
  v: CounterView;
  onConflict: (text: string) => void;
  onClose: (issued: boolean) => void;
}) {
  const o = v.order;
  return (
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
      onConflict={onConflict}
      onClose={onClose}
    />
  );
}
