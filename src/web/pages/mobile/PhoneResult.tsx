/**
 * The phone pages' result and card blocks (法人核验, the sandbox payer). antd's Result carries its 403/404/500
 * illustrations and its Card carries Tabs, Menu and Skeleton: together a third of what a phone had to download
 * for pages that use neither (issue 14). These draw the same thing from plain elements and one icon each, and
 * PhoneSpinner stands in for antd's Spin.
 */
import type { CSSProperties, ReactNode } from 'react';
import { CheckCircleFilled, CloseCircleFilled, ExclamationCircleFilled, InfoCircleFilled } from '@ant-design/icons';
import './phone-result.css';

export type PhoneResultStatus = 'success' | 'error' | 'warning' | 'info';

const ICONS: Record<PhoneResultStatus, ReactNode> = {
  success: <CheckCircleFilled />,
  error: <CloseCircleFilled />,
  warning: <ExclamationCircleFilled />,
  info: <InfoCircleFilled />,
};

export function PhoneResult(props: {
  status: PhoneResultStatus;
  title: ReactNode;
  subTitle?: ReactNode;
  extra?: ReactNode;
  className?: string;
  style?: CSSProperties;
  'data-testid'?: string;
}) {
  return (
    <div
      className={`phone-result phone-result-${props.status} ${props.className ?? ''}`}
      style={props.style}
      data-testid={props['data-testid']}
    >
      <div className="phone-result-icon" aria-hidden>
        {ICONS[props.status]}
      </div>
      <h2 className="phone-result-title">{props.title}</h2>
      {props.subTitle && <div className="phone-result-subtitle">{props.subTitle}</div>}
      {props.extra && <div className="phone-result-extra">{props.extra}</div>}
    </div>
  );
}

/** A titled white block, as antd's small Card draws it. */
export function PhoneCard({ title, className, children }: { title: ReactNode; className?: string; children: ReactNode }) {
  return (
    <section className={`phone-card ${className ?? ''}`}>
      <h3 className="phone-card-title">{title}</h3>
      <div className="phone-card-body">{children}</div>
    </section>
  );
}

/** A spinning ring while something loads (antd's Spin, without its module). */
export function PhoneSpinner({ large, style }: { large?: boolean; style?: CSSProperties }) {
  return <span className={`phone-spinner${large ? ' phone-spinner-large' : ''}`} role="status" aria-label="加载中" style={style} />;
}
