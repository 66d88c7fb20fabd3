/**
 * 纸质资料寄往: the CA's receiving address, recipient and phone (set by the administrator), and the printable
 * 邮寄资料清单 to put in the envelope. Shown in the 邮寄纸质资料 card and on the page after payment.
 */
import { useState } from 'react';
import { Alert, App, Button } from 'antd';
import { CopyOutlined, DownloadOutlined } from '@ant-design/icons';
import { formatOrderNumber } from '../../../../core/order-number.js';
import { paperAddressLine, type PaperAddress } from '../../../../core/paper-checklist.js';
import { ApiError } from '../../../api.js';
import { useAction } from '../../../components/useAction.js';
import { downloadFile } from './Documents.js';

export function MailTo({
  mailTo,
  orderId,
  orderNo,
  checklist,
}: {
  mailTo: PaperAddress;
  orderId: string;
  orderNo: string;
  checklist: boolean;
}) {
  const { message } = App.useApp();
  const { run, busy } = useAction();
  const [error, setError] = useState<string | null>(null);
  const download = () =>
    run(
      async () => {
        setError(null);
        await downloadFile(`/api/orders/${orderId}/paper-checklist.pdf`, `邮寄资料清单-${formatOrderNumber(orderNo)}.pdf`);
      },
      (e) => setError(e instanceof ApiError ? e.message : '下载失败，请稍后重试'),
    );
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(paperAddressLine(mailTo));
      message.success('收件信息已复制');
    } catch {
      message.info('无法自动复制，请手动选择文字复制');
    }
  };
  return (
    <div className="mail-to" data-testid="mail-to">
      <div className="mail-to-title">纸质资料请寄至</div>
      <dl className="kv">
        <dt>收件地址</dt>
        <dd data-testid="mail-to-address">{mailTo.address}</dd>
        <dt>收件人</dt>
        <dd data-testid="mail-to-recipient">{mailTo.recipient}</dd>
        <dt>联系电话</dt>
        <dd data-testid="mail-to-phone">
          <a href={`tel:${mailTo.phone.replace(/-/g, '')}`}>{mailTo.phone}</a>
        </dd>
      </dl>
      <div className="mail-to-actions">
        {checklist && (
          <Button
            type="primary"
            ghost
            icon={<DownloadOutlined />}
            onClick={() => void download()}
            loading={busy}
            data-testid="paper-checklist-download"
          >
            下载邮寄资料清单（PDF）
          </Button>
        )}
        <Button icon={<CopyOutlined />} onClick={() => void copy()} data-testid="mail-to-copy">
          复制收件信息
        </Button>
      </div>
      {checklist && <div className="muted mail-to-note">清单列出本订单需邮寄的原件和须加盖的印章，打印后随资料一并寄出。</div>}
      {error && <Alert type="error" showIcon title={error} data-testid="paper-checklist-error" />}
    </div>
  );
}
