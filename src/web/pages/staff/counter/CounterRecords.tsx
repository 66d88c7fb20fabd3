/** What the counter order left behind: the certificates (issued and replaced), the payment, the timeline. */
import { Alert, Card, Descriptions, Tag, Timeline, Typography } from 'antd';
import type { CertSummary, CounterView } from '../../../../core/counter-response-schemas.js';
import { fenToYuanText } from '../../../../core/money.js';
import { beijing, mono } from '../orders/format.js';
import { validityText } from './CounterOrderHeader.js';

const EVENT_LABEL: Record<string, string> = {
  open: '提交资料',
  materials: '核对资料清单',
  scan: '上传资料扫描件',
  accept: '前台受理',
  approve: '审核通过',
  return: '退回补正资料',
  produce: '制作证书',
  pay: '现场缴费并领取',
  seal: '制作电子签章',
  finish: '办结',
  cancel: '取消办理',
};
const CERT_STATUS: Record<string, { label: string; color: string }> = {
  issued: { label: '有效', color: 'green' },
  revoked: { label: '已吊销', color: 'red' },
  pending: { label: '待签发', color: 'gold' },
  failed: { label: '已作废', color: 'default' },
};

function CertCard({ title, c, testid }: { title: string; c: CertSummary; testid: string }) {
  return (
    <Descriptions column={1} size="small" bordered title={title} data-testid={testid}>
      <Descriptions.Item label="序列号">
        <Typography.Text copyable style={{ ...mono, wordBreak: 'break-all' }}>
          {c.serial}
        </Typography.Text>
      </Descriptions.Item>
      <Descriptions.Item label="单位名称">{c.unitName}</Descriptions.Item>
      <Descriptions.Item label="有效期">
        {beijing(c.notBefore, 'YYYY-MM-DD')} 至 {beijing(c.notAfter, 'YYYY-MM-DD')}
      </Descriptions.Item>
      <Descriptions.Item label="状态">
        <Tag color={CERT_STATUS[c.status]?.color}>{CERT_STATUS[c.status]?.label ?? c.status}</Tag>
        {c.revokedAt && `${beijing(c.revokedAt)} 吊销（${c.revocationReasonLabel}）`}
      </Descriptions.Item>
    </Descriptions>
  );
}

function revocationText(r: NonNullable<CounterView['revocationRequest']>) {
  if (r.status === 'pending')
    return `已于 ${beijing(r.requestedAt)} 申请吊销原证书，须由另一位制证或管理员在“吊销申请”中批准（24小时内）。`;
  return r.status === 'approved' ? '原证书的吊销申请已批准。' : '原证书的吊销申请未获批准。';
}

/** The certificate this order issued and the one it replaces, with the replaced one's revocation request. */
export function CounterCertificates({ v, narrow }: { v: CounterView; narrow: boolean }) {
  if (!v.certificate && !v.replaced) return null;
  return (
    <Card size="small" title="证书" data-testid="counter-certificates">
      <div style={{ display: 'grid', gap: 12, gridTemplateColumns: narrow || !v.certificate || !v.replaced ? '1fr' : '1fr 1fr' }}>
        {v.certificate && <CertCard title="本次签发的证书" c={v.certificate} testid="counter-new-cert" />}
        {v.replaced && <CertCard title={`${v.order.businessLabel}的原证书`} c={v.replaced} testid="counter-old-cert" />}
      </div>
      {v.revocationRequest && (
        <Alert
          style={{ marginTop: 12 }}
          type={v.revocationRequest.status === 'approved' ? 'success' : 'info'}
          showIcon
          message={revocationText(v.revocationRequest)}
        />
      )}
    </Card>
  );
}

export function CounterPayment({ v }: { v: CounterView }) {
  if (!v.payment) return null;
  return (
    <Card size="small" title="缴费">
      <div>
        {fenToYuanText(v.payment.amountFen)} 元 · {v.payment.channelName} · 收据号 <span style={mono}>{v.payment.receiptNo}</span> ·{' '}
        {beijing(v.payment.paidAt)}
      </div>
      <div data-testid="counter-receipt-validity">证书有效期：{validityText(v)}</div>
    </Card>
  );
}

export function CounterTimeline({ events }: { events: CounterView['events'] }) {
  return (
    <Card size="small" title="办理记录">
      <Timeline
        items={events.map((e) => ({
          children: (
            <div>
              <strong>{EVENT_LABEL[e.action] ?? e.action}</strong> · {e.actorName ?? '—'} · {beijing(e.at)}
              {e.reason && <div style={{ color: '#595959' }}>原因：{e.reason}</div>}
            </div>
          ),
        }))}
      />
    </Card>
  );
}
