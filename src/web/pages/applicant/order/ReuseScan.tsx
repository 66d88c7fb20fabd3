/**
 * 沿用营业执照: on a second order (a 副锁, another project) the licence scan uploaded for one of the
 * organization's recent orders can be taken over instead of scanning again. The server lists only the
 * organization's own scans and makes the new order's document row (modules/documents/reuse-document.ts).
 */
import { useEffect, useState } from 'react';
import { App, Button, Image } from 'antd';
import { CopyOutlined } from '@ant-design/icons';
import { apiGet, apiPost, ApiError } from '../../../api.js';
import { beijing } from './time.js';
import type { ReusableScans, SlotView } from '../../../../core/orders-schemas.js';

type ReusableScan = ReusableScans['items'][number];

export function ReuseScan({ orderId, slot, onChanged }: { orderId: string; slot: SlotView; onChanged: () => void }) {
  const { message } = App.useApp();
  const [items, setItems] = useState<ReusableScan[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    apiGet<ReusableScans>(`/api/orders/${orderId}/documents/${slot.code}/reusable`)
      .then((r) => live && setItems(r.items))
      .catch(() => {}); // only an offer: uploading works without it
    return () => {
      live = false;
    };
  }, [orderId, slot.code]);

  if (!items.length) return null;

  const reuse = async (scan: ReusableScan) => {
    setBusy(scan.id);
    setError(null);
    try {
      await apiPost(`/api/orders/${orderId}/documents/${slot.code}/reuse`, { documentId: scan.id });
      message.success(`已沿用订单 ${scan.orderNoDisplay} 的${slot.label}`);
      onChanged();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : '沿用失败，请重试或直接上传');
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="reuse-scan" data-testid={`reuse-${slot.code}`}>
      <div className="reuse-scan-title">
        <b>可沿用近期上传的{slot.label}</b>
        <span className="muted">营业执照未变更的，不必重新扫描；沿用后仍由工作人员审核。</span>
      </div>
      {items.map((s) => (
        <div className="reuse-scan-item" key={s.id}>
          <Image
            src={`/api/orders/${s.orderId}/documents/${s.id}/thumbnail`}
            preview={{ src: `/api/orders/${s.orderId}/documents/${s.id}/file` }}
            alt={`订单${s.orderNoDisplay}的${slot.label}`}
            width={64}
            height={64}
          />
          <div className="reuse-scan-what">
            <div>
              订单 <span className="order-no">{s.orderNoDisplay}</span>
            </div>
            <div className="muted">
              {s.projectName} · {s.orderStatusLabel} · {beijing(s.uploadedAt, 'YYYY-MM-DD')} 上传
            </div>
          </div>
          <Button
            icon={<CopyOutlined />}
            loading={busy === s.id}
            disabled={busy !== null}
            onClick={() => void reuse(s)}
            data-testid={`reuse-scan-${s.id}`}
          >
            沿用此扫描件
          </Button>
        </div>
      ))}
      {error && (
        <div className="slot-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
