import type { ReactNode } from 'react';
import { Empty, Tag, Typography } from 'antd';
import { beijing } from './orders/format.js';
import { actionColor, actionLabel, actorText, auditDetails, type ActorType } from './auditLabels.js';

/** An audit row's action as a coloured tag with its Chinese label. */
export function ActionTag({ action }: { action: string }) {
  return (
    <Tag color={actionColor(action)} style={{ marginInlineEnd: 0 }} data-action={action}>
      {actionLabel(action)}
    </Tag>
  );
}

/** An audit row's details, one 「label：value」 per line (e.g. 原名称 / 新名称 / 原因 of a rename). */
export function AuditDetail({ action, detail }: { action: string; detail: Record<string, unknown> | null }) {
  const pairs = auditDetails(action, detail);
  if (!pairs.length) return <span className="muted">—</span>;
  return (
    <div style={{ display: 'grid', gap: 2 }}>
      {pairs.map((p) => (
        <div key={p.label} style={{ wordBreak: 'break-all' }}>
          <Typography.Text type="secondary">{p.label}：</Typography.Text>
          {p.value}
        </div>
      ))}
    </div>
  );
}

/** Beijing time, as everywhere else in CertDesk, whatever the staff computer's own time zone. */
export const formatTime = (at: string): string => beijing(at, 'YYYY-MM-DD HH:mm:ss');

export interface AuditCardRow {
  id: number;
  action: string;
  actorType: ActorType;
  actorName: string | null;
  detail: Record<string, unknown> | null;
  ip: string | null;
  at: string;
}

/**
 * Audit rows for a narrow screen: one block per row (action and time, then who, what and the details)
 * instead of a table that would have to scroll sideways on a phone.
 */
export function AuditCards<T extends AuditCardRow>({ rows, target, testId }: { rows: T[]; target?: (r: T) => ReactNode; testId?: string }) {
  if (!rows.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="暂无记录" />;
  return (
    <div data-testid={testId} style={{ display: 'grid' }}>
      {rows.map((r) => (
        <div key={r.id} data-testid="audit-card" style={{ padding: '10px 0', borderBottom: '1px solid #f0f0f0', display: 'grid', gap: 4 }}>
          <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: 8, flexWrap: 'wrap' }}>
            <ActionTag action={r.action} />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {formatTime(r.at)}
            </Typography.Text>
          </div>
          <div>
            <Typography.Text type="secondary">操作人：</Typography.Text>
            {actorText(r)}
            {r.ip && (
              <Typography.Text type="secondary" style={{ fontSize: 12, marginInlineStart: 8 }}>
                {r.ip}
              </Typography.Text>
            )}
          </div>
          {target && <div>{target(r)}</div>}
          {auditDetails(r.action, r.detail).length > 0 && <AuditDetail action={r.action} detail={r.detail} />}
        </div>
      ))}
    </div>
  );
}
