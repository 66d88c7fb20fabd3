/**
 * 证书 on the staff order page: the certificate 制证 issued for this order — serial, family, validity and
 * status, with a link to its entry in the 证书登记簿 (where revocation is asked for). Nothing shows before
 * 制证; a certificate still being signed shows as 签发中.
 */
import { useEffect, useState } from 'react';
import { Card, Descriptions, Tag, Typography } from 'antd';
import { Link } from 'react-router-dom';
import type { CertificateDetail } from '../../../../core/certificates-schemas.js';
import { apiGet } from '../../../api.js';
import { beijing, mono } from './format.js';

type StaffOrderCertificate = CertificateDetail;

const FAMILY: Record<string, string> = { sm2: 'SM2', 'ecdsa-p256': 'ECDSA P-256', 'rsa-2048': 'RSA-2048' };
const COLOR: Record<string, string> = { valid: 'green', revoked: 'red', expired: 'default' };

export function OrderCertificate({ orderId, wide }: { orderId: string; wide: boolean }) {
  const [cert, setCert] = useState<StaffOrderCertificate | null>(null);

  useEffect(() => {
    let live = true;
    apiGet<{ certificate: StaffOrderCertificate | null }>(`/api/staff/orders/${orderId}/certificate`)
      .then((r) => live && setCert(r.certificate))
      // The order page works without this card; its own errors show elsewhere on the page.
      .catch(() => live && setCert(null));
    return () => {
      live = false;
    };
  }, [orderId]);

  if (!cert) return null;
  const pending = cert.status === 'pending';
  return (
    <Card
      title="证书"
      size={wide ? 'default' : 'small'}
      data-testid="order-certificate"
      extra={!pending && <Link to={`/staff/certificates/${cert.id}`}>在证书登记簿中查看</Link>}
    >
      <Descriptions column={1} size="small">
        <Descriptions.Item label="序列号">
          <Typography.Text copyable style={{ ...mono, wordBreak: 'break-all' }} data-testid="order-certificate-serial">
            {cert.serialDisplay}
          </Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label="算法">{FAMILY[cert.family] ?? cert.family}</Descriptions.Item>
        <Descriptions.Item label="状态">
          {pending ? <Tag color="processing">签发中</Tag> : <Tag color={COLOR[cert.publicStatus]}>{cert.publicStatusLabel}</Tag>}
          {cert.revokedAt && <span>{beijing(cert.revokedAt)} 吊销</span>}
        </Descriptions.Item>
        {!pending && (
          <Descriptions.Item label="有效期">
            {beijing(cert.notBefore)} 至 {beijing(cert.notAfter)}
          </Descriptions.Item>
        )}
      </Descriptions>
    </Card>
  );
}
