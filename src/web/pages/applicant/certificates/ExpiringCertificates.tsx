/**
 * The dashboard's (我的工作台) list of certificates expiring within 90 days (issue 7), with where and how to
 * renew. Shows nothing when none expire soon (or the list cannot be loaded: 我的证书 says why).
 */
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert } from 'antd';
import { apiGet } from '../../../api.js';
import { beijing } from '../order/time.js';
import type { MyCertificate, MyCertificates } from '../../../../core/my-certificates-schemas.js';
import './certificates.css';

export function ExpiringCertificates() {
  const [items, setItems] = useState<MyCertificate[]>([]);
  useEffect(() => {
    apiGet<MyCertificates>('/api/my-certificates')
      .then((r) => setItems(r.expiring))
      .catch(() => setItems([]));
  }, []);
  if (!items.length) return null;
  return (
    <Alert
      type="warning"
      showIcon
      data-testid="dashboard-expiring"
      title={`${items.length} 张证书将在90天内到期，请及时续费`}
      description={
        <>
          <ul className="expiring-list">
            {items.map((c) => (
              <li key={c.id}>
                {c.projectName}（{c.keyTypeLabel}），序列号尾号 <span className="mono">{c.serialDisplay.slice(-6)}</span>，
                {beijing(c.notAfter, 'YYYY-MM-DD')} 到期，还有 {c.daysLeft} 天
              </li>
            ))}
          </ul>
          <p style={{ margin: '8px 0 0' }}>
            续费请携带证书 UKEY 及密码到<Link to="/offices">办证大厅或各地受理点</Link>
            办理（忘记密码请带加盖公章的统一社会信用代码证复印件）。
            <Link to="/certificates">查看我的证书</Link>
          </p>
        </>
      }
    />
  );
}
