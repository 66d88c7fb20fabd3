/** 办理进度: every public event of the order with its time, in the applicant's words. */
import { Tag, Timeline } from 'antd';
import { beijing } from './time.js';
import { statusColor } from '../../../components/StatusTag.js';
import type { OrderEvent } from '../../../../core/orders-schemas.js';

/** What each recorded action means to the applicant. */
export const EVENT_LABEL: Record<string, string> = {
  'order.create': '新制申请：同意用户协议，选择证书项目，创建订单',
  'order.submit': '提交申请',
  'order.resubmit': '修改后重新提交申请',
  'order.delete': '删除订单',
  'order.upload': '上传证件',
  'order.print_application_form': '下载申请表',
  'order.legal_check_passed': '法人核验：认证成功',
  'order.legal_check_failed': '法人核验未通过',
  'order.legal_check_reset': '法定代表人信息已修改，法人核验需重新进行',
  // 预审 (staff): the reasons per document are on the order page.
  'order.approve': '资料审核通过',
  'order.reject': '资料审核失败，退回修改',
  'order.pay': '付款成功',
  // 邮寄纸质资料 and 审核纸质资料.
  'order.paper_shipment': '填写纸质资料快递单号',
  'order.receive_paper': '我司已收到纸质资料',
  'order.pass_paper': '纸质资料审核合格，开始制作证书',
  'order.fail_paper': '纸质资料需补寄（工作人员将电话通知）',
  // 制证、发放、发票.
  'order.produce': '证书制作完成',
  'order.seals_made': '电子签章制作完成',
  'order.ship': '证书已用顺丰到付寄出',
  'order.invoice_issued': '发票已开具（电子发票发送至发票接收邮箱）',
  'order.recipient_change': '修改证书接收人',
  'order.cancel': '订单已取消',
};

/** Events whose reason says what went wrong (shown as 原因, in red); other reasons are notes (说明). */
const BAD = new Set(['order.reject', 'order.fail_paper', 'order.legal_check_failed', 'order.cancel']);

export function eventLabel(e: OrderEvent): string {
  return EVENT_LABEL[e.action] ?? (e.toStatusLabel ? `订单状态变为“${e.toStatusLabel}”` : '订单已更新');
}

/** Consecutive events of the same kind that change nothing (six uploads in a row) read as one line. */
function grouped(events: OrderEvent[]): { e: OrderEvent; first: OrderEvent; count: number }[] {
  const out: { e: OrderEvent; first: OrderEvent; count: number }[] = [];
  for (const e of events) {
    const last = out[out.length - 1];
    const quiet = (x: OrderEvent) => !x.reason && (!x.toStatus || x.toStatus === x.fromStatus);
    if (last && last.e.action === e.action && quiet(e) && quiet(last.e))
      out[out.length - 1] = { e, first: last.first, count: last.count + 1 };
    else out.push({ e, first: e, count: 1 });
  }
  return out;
}

const time = (t: string) => beijing(t, 'YYYY-MM-DD HH:mm:ss');

export function OrderProgress({ events }: { events: OrderEvent[] }) {
  if (!events.length) return <p className="muted">暂无记录</p>;
  const rows = grouped(events);
  return (
    <Timeline
      className="order-progress"
      data-testid="order-progress"
      items={rows.map(({ e, first, count }, i) => ({
        key: e.id,
        color: i === rows.length - 1 ? 'red' : 'gray',
        content: (
          <div className="progress-item" data-testid="progress-item">
            <div className="progress-time">{count > 1 ? `${time(first.at)} 至 ${beijing(e.at, 'HH:mm:ss')}` : time(e.at)}</div>
            <span>
              {eventLabel(e)}
              {count > 1 ? `（${count}次）` : ''}
            </span>
            {e.toStatusLabel && e.toStatus !== e.fromStatus && <Tag color={statusColor(e.toStatus ?? '')}>{e.toStatusLabel}</Tag>}
            {e.reason &&
              (BAD.has(e.action) ? (
                <div className="progress-reason bad">原因：{e.reason}</div>
              ) : (
                <div className="progress-reason">说明：{e.reason}</div>
              ))}
          </div>
        ),
      }))}
    />
  );
}
