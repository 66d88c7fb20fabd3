/**
 * 纸质资料清单 on the staff order page: this order's originals and the seals each must carry (the same rule
 * as the applicant's list and 邮寄资料清单, core/paper-checklist.ts). While 受理 reviews the paper it is a set
 * of ticks sent with 纸质资料合格/不合格; afterwards it shows what the last review ticked, who and when.
 */
import { Checkbox, Tag, Typography } from 'antd';
import { BorderOutlined, CheckSquareFilled } from '@ant-design/icons';
import { beijing } from './format.js';
import type { PaperChecklistView } from '../../../../core/staff-orders-schemas.js';

export function PaperChecklist({
  list,
  checked,
  onChange,
}: {
  list: PaperChecklistView;
  /** The ticks; `onChange` absent: read-only (the last review's ticks). */
  checked: string[];
  onChange?: (checked: string[]) => void;
}) {
  const last = list.lastReview;
  const missing = new Set(onChange ? [] : (last?.missing ?? []));
  return (
    <div className="paper-checklist" data-testid="paper-checklist">
      <ul style={{ listStyle: 'none', margin: 0, padding: 0, display: 'grid', gap: 8 }}>
        {list.items.map((item) => {
          const on = checked.includes(item.code);
          const seals = <div style={{ color: '#595959', fontSize: 12 }}>须加盖：{item.seals.join('；')}</div>;
          // Read-only (the last review's ticks): icons, so the text stays as legible as the live checklist.
          if (!onChange)
            return (
              <li key={item.code} data-testid={`paper-checked-${item.code}`} data-checked={on} style={{ display: 'flex', gap: 8 }}>
                {on ? (
                  <CheckSquareFilled style={{ color: '#389e0d', fontSize: 16, marginTop: 3 }} aria-label="已核对" />
                ) : (
                  <BorderOutlined style={{ color: '#8c8c8c', fontSize: 16, marginTop: 3 }} aria-label="未勾选" />
                )}
                <div>
                  <strong>{item.name}</strong>
                  {missing.has(item.code) && (
                    <Tag color="error" style={{ marginLeft: 6 }}>
                      需补寄
                    </Tag>
                  )}
                  {seals}
                </div>
              </li>
            );
          return (
            <li key={item.code} style={{ display: 'flex', gap: 8, alignItems: 'flex-start' }}>
              <Checkbox
                checked={on}
                onChange={(e) => onChange(e.target.checked ? [...checked, item.code] : checked.filter((c) => c !== item.code))}
                data-testid={`paper-check-${item.code}`}
                style={{ minHeight: 32, alignItems: 'center' }}
              >
                <strong>{item.name}</strong>
                {seals}
              </Checkbox>
            </li>
          );
        })}
      </ul>
      {last && (
        <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block', marginTop: 8 }} data-testid="paper-checklist-last">
          上次核对：{beijing(last.at)} {last.by ?? ''}，{last.action === 'order.pass_paper' ? '纸质资料合格' : '纸质资料不合格，需补寄'}
          （勾选
          {last.checked.length}/{list.items.length}项）
        </Typography.Text>
      )}
    </div>
  );
}
