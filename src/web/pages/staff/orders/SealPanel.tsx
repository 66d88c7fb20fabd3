/**
 * 电子签章 on the staff order page: the GM/T 0031 seals made for this order's certificate (one per
 * impression: 企业公章, 法人私章, 法人手写签名), with their pictures, numbers and status. 制证 makes them
 * (制作电子签章) once the certificate is issued and the impressions are confirmed, and downloads each one
 * (DER) to write onto the USB key. Replaced seals are listed under them, greyed.
 */
import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Card, Empty, Space, Tag, Typography } from 'antd';
import { DownloadOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { ApiError, apiGet, apiPost } from '../../../api.js';
import type { SealView } from '../../../components/sealView.js';
import { useAction } from '../../../components/useAction.js';
import { beijing, mono } from './format.js';

interface SealsAnswer {
  relevant: boolean;
  seals: SealView[];
  confirmedImages: string[];
  canMake: boolean;
  refusal: string | null;
}

const COLOR: Record<string, string> = { valid: 'green', revoked: 'red', expired: 'default', superseded: 'default' };

export function SealPanel({
  orderId,
  wide,
  canMake,
  keyType,
  onDone,
}: {
  orderId: string;
  wide: boolean;
  /** The staff member holds 制证. */
  canMake: boolean;
  keyType: string;
  onDone: () => void;
}) {
  const { message } = App.useApp();
  const [data, setData] = useState<SealsAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { run, busy } = useAction();

  const load = useCallback(() => {
    apiGet<SealsAnswer>(`/api/staff/orders/${orderId}/seals`)
      .then((r) => {
        setData(r);
        setError(null);
      })
      .catch((e: unknown) => setError(e instanceof ApiError ? e.message : '电子签章加载失败，请刷新页面'));
  }, [orderId]);
  useEffect(load, [load]);

  // 副锁 carry no seal; before 制证 there is nothing to show.
  if (keyType !== 'main' || (data && !data.relevant)) return null;

  const make = () =>
    run(
      async () => {
        const r = await apiPost<{ message: string }>(`/api/staff/orders/${orderId}/seals`);
        void message.success(r.message);
        load();
        onDone();
      },
      (e) => setError(e instanceof ApiError ? e.message : '制作失败，请重试'),
    );

  const active = data?.seals.filter((s) => s.status !== 'superseded') ?? [];
  const replaced = data?.seals.filter((s) => s.status === 'superseded') ?? [];
  return (
    <Card
      title="电子签章"
      size={wide ? 'default' : 'small'}
      data-testid="seal-panel"
      extra={
        canMake && (
          <Button
            type={active.length ? 'default' : 'primary'}
            icon={<SafetyCertificateOutlined />}
            loading={busy}
            disabled={!data?.canMake}
            onClick={make}
            data-testid="seal-make"
          >
            {active.length ? '重新制作电子签章' : '制作电子签章'}
          </Button>
        )
      }
    >
      <Space orientation="vertical" size={12} style={{ width: '100%' }}>
        {error && <Alert type="error" showIcon title={error} data-testid="seal-error" />}
        {data && !data.canMake && data.refusal && !active.length && (
          <Typography.Text type="secondary" data-testid="seal-refusal">
            {data.refusal}
          </Typography.Text>
        )}
        {data && active.length === 0 && !data.refusal && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="尚未制作电子签章" />}
        {active.map((s) => (
          <SealRow key={s.id} seal={s} canDownload={canMake && s.status === 'valid'} />
        ))}
        {replaced.length > 0 && (
          <details>
            <summary style={{ cursor: 'pointer', color: '#8c8c8c' }}>已替换的电子签章（{replaced.length}）</summary>
            <Space orientation="vertical" size={8} style={{ width: '100%', marginTop: 8, opacity: 0.6 }}>
              {replaced.map((s) => (
                <SealRow key={s.id} seal={s} canDownload={false} />
              ))}
            </Space>
          </details>
        )}
      </Space>
    </Card>
  );
}

function SealRow({ seal, canDownload }: { seal: SealView; canDownload: boolean }) {
  return (
    <div style={{ display: 'flex', gap: 12, alignItems: 'flex-start' }} data-testid={`seal-${seal.kind}`}>
      <div
        style={{
          width: 72,
          height: 72,
          flex: 'none',
          border: '1px solid #f0f0f0',
          borderRadius: 4,
          display: 'flex',
          alignItems: 'center',
          justifyContent: 'center',
          background: '#fff',
        }}
      >
        {seal.picture && <img src={seal.picture} alt={seal.kindLabel} style={{ maxWidth: 64, maxHeight: 64 }} />}
      </div>
      <div style={{ minWidth: 0, flex: 1 }}>
        <Space size={4} wrap>
          <Typography.Text strong>{seal.kindLabel}</Typography.Text>
          <Tag color={COLOR[seal.status] ?? 'default'}>{seal.statusLabel}</Tag>
        </Space>
        <div style={{ fontSize: 12, color: '#595959' }}>
          <div style={{ wordBreak: 'break-all' }}>{seal.name}</div>
          <div style={{ ...mono, wordBreak: 'break-all' }}>编号 {seal.esId}</div>
          <div>
            {seal.widthMm}×{seal.heightMm} 毫米 · 有效期至 {beijing(seal.validEnd)}
          </div>
        </div>
        {canDownload && (
          <Button
            size="small"
            icon={<DownloadOutlined />}
            href={`/api/staff/seals/${seal.id}/download`}
            style={{ marginTop: 4 }}
            data-testid={`seal-download-${seal.kind}`}
          >
            下载（写入UKEY）
          </Button>
        )}
      </div>
    </div>
  );
}
