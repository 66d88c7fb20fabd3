/**
 * The organization's orders it has not finished (草稿, 资料审核失败), each with 继续填写: 新制申请 offers them
 * before a new order, so coming back to the wizard (the browser's back button, or starting again) leads
 * to the order already made instead of a second one or the main/sub rule's dead end.
 */
import { Link } from 'react-router-dom';
import { Button } from 'antd';
import { EditOutlined } from '@ant-design/icons';
import { StatusTag } from '../../../components/StatusTag.js';
import { beijing } from './time.js';
import type { OrderSummary } from '../../../../core/orders-schemas.js';

export function UnfinishedOrders({ items, title, lead }: { items: OrderSummary[]; title: string; lead: string }) {
  return (
    <section className="unfinished" data-testid="unfinished-orders" aria-label={title}>
      <h3 className="unfinished-title">{title}</h3>
      <p className="muted unfinished-lead">{lead}</p>
      <ul className="unfinished-list">
        {items.map((o) => (
          <li key={o.id} data-testid={`unfinished-${o.id}`}>
            <div className="unfinished-what">
              <b>{o.projectName}</b>
              <span>{o.keyLabel}</span>
              <span className="muted">
                订单编号 <span className="order-no">{o.orderNoDisplay}</span> · 创建于 {beijing(o.createdAt)}
              </span>
            </div>
            <StatusTag status={o.status} label={o.statusLabel} />
            <Link to={`/orders/${o.id}`} data-testid={`continue-${o.id}`}>
              <Button type="primary" icon={<EditOutlined />}>
                继续填写
              </Button>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
