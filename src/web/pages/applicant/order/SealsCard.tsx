/**
 * 电子签章 on the applicant's order page (main key only): the seals made for the order's certificate, each
 * with its picture, kind, number and status, and the way to 试用电子签章 (the seal stamped on a sample page).
 * Before they are made it says so; a sub key has none and shows nothing.
 */
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Button, Space, Tag, Typography } from 'antd';
import { EyeOutlined } from '@ant-design/icons';
import { apiGet } from '../../../api.js';

interface Seal {
  id: string;
  kindLabel: string;
  esId: string;
  status: string;
  statusLabel: string;
  picture?: string;
}
interface SealsView {
  keyType: 'main' | 'sub';
  certificateIssued: boolean;
  seals: Seal[];
}

const COLOR: Record<string, string> = { valid: 'green', revoked: 'red', expired: 'default' };

export function SealsCard({ orderId }: { orderId: string }) {
  const [view, setView] = useState<SealsView | null>(null);
  const [error, setError] = useState(false);

  useEffect(() => {
    let live = true;
    apiGet<SealsView>(`/api/orders/${orderId}/seals`)
      .then((v) => live && setView(v))
      .catch(() => live && setError(true));
    return () => {
      live = false;
    };
  }, [orderId]);

  if (error) return <Alert type="warning" showIcon title="电子签章信息暂时无法显示，请稍后刷新页面" />;
  if (!view || view.keyType !== 'main') return null;
  if (!view.seals.length)
    return (
      <Typography.Paragraph type="secondary" style={{ margin: 0 }} data-testid="seals-none">
        电子签章在证书签发后由我司根据您提交的电子签章采集表制作，随证书写入 UKEY。制作完成后可在此查看并试用。
      </Typography.Paragraph>
    );
  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }} data-testid="order-seals">
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 12 }}>
        {view.seals.map((s) => (
          <div key={s.id} style={{ display: 'grid', justifyItems: 'center', gap: 4, width: 120 }} data-testid="order-seal">
            {s.picture && <img src={s.picture} alt={s.kindLabel} style={{ width: 96, height: 96, objectFit: 'contain' }} />}
            <span>{s.kindLabel}</span>
            <Tag color={COLOR[s.status]}>{s.statusLabel}</Tag>
          </div>
        ))}
      </div>
      <Link to={`/orders/${orderId}/seal-try`}>
        <Button icon={<EyeOutlined />}>试用电子签章（查看盖章效果）</Button>
      </Link>
    </Space>
  );
}
