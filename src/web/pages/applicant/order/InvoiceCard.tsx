/**
 * 发票: the invoice is e-mailed to the invoice address within 3 working days of 制证完成 (seeds 000 八,
 * 001 五); here its status, where it goes, and the PDF to download again once issued.
 */
import { useState } from 'react';
import { Alert, Button, Tag } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { beijing } from './time.js';
import { downloadFile } from './Documents.js';
import { ApiError } from '../../../api.js';
import { useAction } from '../../../components/useAction.js';
import type { OrderView } from '../../../../core/orders-schemas.js';

export function InvoiceCard({ view }: { view: OrderView }) {
  const inv = view.invoice;
  const f = view.order.form.invoice;
  const { run, busy } = useAction();
  const [error, setError] = useState<string | null>(null);
  const download = () =>
    run(
      async () => {
        setError(null);
        await downloadFile(`/api/orders/${view.order.id}/invoice.pdf`, `江西CA发票_${view.order.orderNoDisplay}.pdf`);
      },
      (e) => setError(e instanceof ApiError ? e.message : '下载失败，请稍后重试'),
    );
  const issued = inv?.status === 'issued';
  return (
    <div className="invoice-card" data-testid="invoice-card">
      <div className="invoice-status">
        {issued ? (
          <Tag color="success" data-testid="invoice-status">
            已开具
          </Tag>
        ) : (
          <Tag color="default" data-testid="invoice-status">
            待开具
          </Tag>
        )}
        <span className="muted" data-testid="invoice-note">
          {issued
            ? `${inv.issuedAt ? `${beijing(inv.issuedAt)} ` : ''}已开具${inv.invoiceNo ? `（发票号码 ${inv.invoiceNo}）` : ''}，已发送至 ${inv.email}`
            : inv
              ? `${inv.statusLabel}。`
              : '付款后开具：证书制作完成后3个工作日内发送至发票接收邮箱。'}
        </span>
      </div>
      <dl className="kv">
        <dt>发票抬头</dt>
        <dd>{f?.title}</dd>
        <dt>纳税人识别号</dt>
        <dd className="mono">{f?.taxNumber}</dd>
        <dt>发票接收邮箱</dt>
        <dd>{inv?.email ?? f?.email}</dd>
      </dl>
      {inv?.downloadable && (
        <Button icon={<DownloadOutlined />} onClick={() => void download()} loading={busy} data-testid="invoice-download">
          下载发票
        </Button>
      )}
      {error && <Alert type="error" showIcon title={error} data-testid="invoice-error" />}
    </div>
  );
}
