import type { ReactNode } from 'react';
import { Card } from 'antd';

/** A numbered section of the order page (填写订单信息, 上传证件, …), the anchor 下一步's 前往办理 scrolls to. */
export function SectionCard({ n, title, children, id }: { n?: number; title: string; children: ReactNode; id: string }) {
  return (
    <Card
      id={id}
      className="order-section"
      title={
        <span className="order-section-title">
          {n !== undefined && <span className="n">{n}</span>}
          {title}
        </span>
      }
    >
      {children}
    </Card>
  );
}
