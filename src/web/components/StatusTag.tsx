import { Tag } from 'antd';
import { ORDER_STATUSES } from '../../core/content/order-statuses.js';
import { PUBLIC_STATUS, type OrderStatus } from '../../core/workflow.js';

/** Colours of the six statuses the seeds name come from the content module; the rest are neutral. */
export function statusColor(status: string): string {
  const pub = PUBLIC_STATUS[status as OrderStatus];
  return ORDER_STATUSES.find((s) => s.code === pub)?.color ?? 'default';
}

/**
 * An order's status as the applicant knows it (正在审核, 资料审核通过, …), coloured as in the help manual;
 * inside 正在受理 with its step after a dot (正在受理 · 等待邮寄纸质资料).
 */
export function StatusTag({
  status,
  label,
  step,
  large,
}: {
  status: OrderStatus | string;
  label: string;
  step?: string | null;
  large?: boolean;
}) {
  return (
    <Tag
      color={statusColor(status)}
      data-testid="status-tag"
      style={{
        marginInlineEnd: 0,
        whiteSpace: 'normal',
        ...(large ? { fontSize: 14, padding: '2px 10px', lineHeight: '22px' } : {}),
        ...(status === 'deleted' || status === 'cancelled' ? { textDecoration: 'line-through' } : {}),
      }}
    >
      {label}
      {step ? <span className="status-step"> · {step}</span> : null}
    </Tag>
  );
}
