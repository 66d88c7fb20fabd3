/** Small pieces the staff order pages share: Beijing time, an order's status tag with its step, the overdue flag. */
import { Tag, Tooltip } from 'antd';
import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc.js';
import { statusColor } from '../../../components/StatusTag.js';

dayjs.extend(utc);

/** Times as the CA reads them: Beijing time (UTC+8), whatever the computer's own time zone. */
export const beijing = (t: string | number | Date | null | undefined, format = 'YYYY-MM-DD HH:mm'): string =>
  t === null || t === undefined ? '—' : dayjs(t).utcOffset(480).format(format);

export const mono = { fontFamily: 'monospace' } as const;

/** The status as staff see it: the applicant's label, plus the step inside 正在受理. */
export function StaffStatusTag({ status, label, step }: { status: string; label: string; step?: string | null }) {
  return (
    <span data-testid="staff-status" style={{ display: 'inline-flex', gap: 4, flexWrap: 'wrap', alignItems: 'center' }}>
      <Tag color={statusColor(status)} style={{ marginInlineEnd: 0 }}>
        {label}
      </Tag>
      {step && <span style={{ color: '#595959' }}>{step}</span>}
    </span>
  );
}

/** 已超期 in red, or the deadline in grey; nothing when the status has no deadline. */
export function DueFlag({ dueAt, overdue }: { dueAt: string | null; overdue: boolean }) {
  if (overdue)
    return (
      <Tooltip title={dueAt ? `应于 ${beijing(dueAt)} 前完成` : undefined}>
        <Tag color="red" data-testid="overdue" style={{ marginInlineEnd: 0 }}>
          已超期
        </Tag>
      </Tooltip>
    );
  if (!dueAt) return <span style={{ color: '#bfbfbf' }}>—</span>;
  return <span style={{ color: '#595959', whiteSpace: 'nowrap' }}>{beijing(dueAt, 'MM-DD HH:mm')} 前</span>;
}
