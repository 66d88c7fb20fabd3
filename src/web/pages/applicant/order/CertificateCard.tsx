/**
 * 证书: the order's certificate once issued — serial, validity (Beijing time), status, PEM download — and the
 * applicant's online revocation request (issue 6), confirmed by SMS code (issue 7: the dialog is shared with
 * 我的证书, certificates/RevocationDialog.tsx).
 */
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Button, Tag } from 'antd';
import { DownloadOutlined, StopOutlined } from '@ant-design/icons';
import { REVOCATION_PROMISE_MS, type RevocationReason } from '../../../../core/revocation-reasons.js';
import { apiGet, ApiError } from '../../../api.js';
import { useAction } from '../../../components/useAction.js';
import { RevocationDialog } from '../certificates/RevocationDialog.js';
import type { OrderCertificate } from '../../../../core/certificates-schemas.js';
import type { OrgCertificates } from '../../../../core/revocation-schemas.js';
import { downloadFile } from './Documents.js';
import { beijing } from './time.js';

type OrderCertificateView = OrderCertificate['certificate'];
type OrgCertificate = OrgCertificates['certificates'][number];
interface Loaded {
  cert: OrderCertificateView;
  /** The same certificate in the organization's list: its id (for the request), revocation and pending request. */
  entry: OrgCertificate | null;
  reasons: RevocationReason[];
}

/** Serials compared as the registry shows them: upper-case hex, even length. */
const sameSerial = (a: string, b: string) => {
  const n = (s: string) => {
    const h = s.replace(/[^0-9a-f]/gi, '').toUpperCase();
    return h.length % 2 ? `0${h}` : h;
  };
  return n(a) === n(b);
};

export function CertificateCard({ orderId }: { orderId: string }) {
  const [data, setData] = useState<Loaded | null>(null);
  const [none, setNone] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { run, busy } = useAction();
  const [revoking, setRevoking] = useState(false);

  const load = useCallback(async () => {
    setError(null);
    try {
      const { certificate } = await apiGet<OrderCertificate>(`/api/orders/${orderId}/certificate`);
      const list = await apiGet<OrgCertificates>('/api/certificates');
      setData({
        cert: certificate,
        entry: list.certificates.find((c) => sameSerial(c.serial, certificate.serial)) ?? null,
        reasons: list.reasons,
      });
      setNone(false);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) setNone(true);
      else setError(e instanceof ApiError ? e.message : '证书信息加载失败，请刷新页面后重试');
    }
  }, [orderId]);

  useEffect(() => {
    void load();
  }, [load]);

  const download = async () => {
    if (!data) return;
    await run(
      async () => {
        setError(null);
        await downloadFile(`/api/orders/${orderId}/certificate?format=pem`, `${data.cert.serial}.pem`);
      },
      (e) => setError(e instanceof ApiError ? e.message : '下载失败，请稍后重试'),
    );
  };

  if (none) return null;
  if (!data)
    return error ? (
      <Alert type="error" showIcon title={error} data-testid="certificate-error" />
    ) : (
      <p className="muted">正在加载证书信息…</p>
    );

  const { cert, entry } = data;
  const revoked = cert.status === 'revoked' || entry?.status === 'revoked';
  const pendingAt = !revoked ? entry?.revocationRequestedAt : null;
  return (
    <div className="certificate-card" data-testid="certificate-card">
      <div className="invoice-status">
        {revoked ? (
          <Tag color="error" data-testid="certificate-status">
            已吊销
          </Tag>
        ) : pendingAt ? (
          <Tag color="warning" data-testid="certificate-status">
            吊销申请处理中
          </Tag>
        ) : (
          <Tag color={cert.status === 'valid' ? 'success' : 'default'} data-testid="certificate-status">
            {cert.statusLabel}
          </Tag>
        )}
        <span className="muted" data-testid="certificate-note">
          {revoked
            ? `证书已于 ${entry?.revokedAt ? beijing(entry.revokedAt) : '—'} 吊销${entry?.revocationReasonLabel ? `（${entry.revocationReasonLabel}）` : ''}，不能再使用。`
            : pendingAt
              ? `已于 ${beijing(pendingAt)} 提交吊销申请，CA 将在24小时内（${beijing(new Date(new Date(pendingAt).getTime() + REVOCATION_PROMISE_MS))} 前）处理。`
              : '证书可以正常使用。'}
        </span>
      </div>
      <dl className="kv">
        <dt>证书序列号</dt>
        <dd className="mono" style={{ wordBreak: 'break-all' }} data-testid="certificate-serial">
          {cert.serial}
        </dd>
        <dt>有效期</dt>
        <dd data-testid="certificate-validity">
          {beijing(cert.notBefore)} 至 {beijing(cert.notAfter)}（北京时间）
        </dd>
      </dl>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 8, marginTop: 12 }}>
        {cert.hasDer && (
          <Button icon={<DownloadOutlined />} onClick={() => void download()} loading={busy} data-testid="certificate-download">
            下载证书（PEM）
          </Button>
        )}
        {!revoked && !pendingAt && entry && (
          <Button danger icon={<StopOutlined />} onClick={() => setRevoking(true)} data-testid="certificate-revoke">
            申请吊销
          </Button>
        )}
        <Link to="/certificates">
          <Button type="link" data-testid="certificate-all">
            我的证书
          </Button>
        </Link>
      </div>
      {error && <Alert type="error" showIcon title={error} data-testid="certificate-error" style={{ marginTop: 8 }} />}
      {revoking && entry && (
        <RevocationDialog
          certificateId={entry.id}
          serial={cert.serial}
          reasons={data.reasons}
          onClose={() => setRevoking(false)}
          onDone={() => {
            setRevoking(false);
            void load();
          }}
        />
      )}
    </div>
  );
}
