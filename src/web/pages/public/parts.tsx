import type { ReactNode } from 'react';
import { Tag } from 'antd';
import type { DocumentScope } from '../../../core/content/documents.js';
import { HOTLINE } from '../../../core/content/help.js';
import './public.css';

/** A section heading with the red bar, and an optional lead paragraph under it. */
export function SectionTitle({ children, lead }: { children: ReactNode; lead?: ReactNode }) {
  return (
    <>
      <h2 className="pub-h2">{children}</h2>
      {lead && <p className="pub-lead">{lead}</p>}
    </>
  );
}

/** Numbered steps laid out as a grid: three or four across on a desktop, one column on a phone. */
export function FlowList({ steps, compact }: { steps: { title: string; detail?: string }[]; compact?: boolean }) {
  return (
    <ol className={compact ? 'flow-grid compact' : 'flow-grid'}>
      {steps.map((s) => (
        <li key={s.title}>
          <b>{s.title}</b>
          {s.detail && <span>{s.detail}</span>}
        </li>
      ))}
    </ol>
  );
}

const SCOPE: Record<DocumentScope, { label: string; color: string }> = {
  all: { label: '所有订单', color: 'default' },
  'with-seal': { label: '仅主锁（含电子签章）', color: 'red' },
  'out-of-province': { label: '仅住建厅外省企业', color: 'orange' },
};

export function ScopeTag({ scope }: { scope: DocumentScope }) {
  const s = SCOPE[scope];
  return <Tag color={s.color}>{s.label}</Tag>;
}

export function HotlineLink({ className }: { className?: string }) {
  return (
    <a className={className ?? 'tel'} href={`tel:${HOTLINE.replace(/-/g, '')}`}>
      {HOTLINE}
    </a>
  );
}
