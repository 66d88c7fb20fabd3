/**
 * 我的证书 (issue 7): every certificate of the organization, online and counter — project, 主锁/副锁, serial,
 * validity (Beijing time), status (有效/已吊销/已过期/吊销申请中) and the order it came from — with the online
 * revocation request (confirmed by SMS code) and, for a requested or revoked one, when. A table on a PC,
 * cards on a phone.
 */
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { Alert, Button, Card, Empty, Grid, Skeleton, Space, Table, Tag, Typography } from 'antd';
import { StopOutlined, SyncOutlined } from '@ant-design/icons';
import { apiGet, ApiError } from '../../api.js';
import { LoginGate, loginUrl } from '../../components/LoginGate.js';
import { beijing } from './order/time.js';
import { RevocationDialog } from './certificates/RevocationDialog.js';
import type { MyCertificate, MyCertificates } from '../../../core/my-certificates-schemas.js';
import { STATUS_COLOR } from './certificates/types.js';
import './order/order.css';
import './certificates/certificates.css';
import { formatOrderNumber } from '../../../core/order-number.js';

const day = (t: string) => beijing(t, 'YYYY-MM-DD');

export function MyCertificatesPage() {
  return (
    <LoginGate>
      <CertificateList />
    </LoginGate>
  );
}

/** What the status means now, in one sentence (times in Beijing time). */
export function statusNote(c: MyCertificate): string | null {
  switch (c.status) {
    case 'revocation_pending':
      return `已于 ${beijing(c.revocationRequestedAt!)} 申请吊销，CA 将在 ${beijing(c.revocationDeadline!)} 前处理（24小时内）。`;
    case 'revoked':
      if (c.statusLabel === '已续费')
        return `已续费：新证书已写入 UKEY，原证书于 ${c.revokedAt ? beijing(c.revokedAt) : '—'} 作废（已被新证书替代）。`;
      return `已于 ${c.revokedAt ? beijing(c.revokedAt) : '—'} 吊销${c.revocationReasonLabel ? `（${c.revocationReasonLabel}）` : ''}${
        c.revocationRequestedAt ? `，申请时间 ${beijing(c.revocationRequestedAt)}` : ''
      }。`;
    case 'expired':
      return `已于 ${day(c.notAfter)} 过期。`;
    case 'not_yet_valid':
      return `自 ${day(c.notBefore)} 起生效。`;
    case 'valid':
      if (c.revocationRefused) return `吊销申请未获批准${c.revocationRefused.note ? `：${c.revocationRefused.note}` : ''}。`;
      if (c.renewalOpen) return '在线续费尚未完成，请点“继续续费”。';
      if (c.renewed) return '已续费，新证书见列表。';
      if (c.expiringSoon) return `还有 ${c.daysLeft} 天到期，可插入 UKEY 在线续费，或到受理点续费。`;
      return null;
  }
}

function StatusCell({ c }: { c: MyCertificate }) {
  const note = statusNote(c);
  return (
    <div>
      <Tag color={STATUS_COLOR[c.status]} data-testid="my-cert-status">
        {c.statusLabel}
      </Tag>
      {c.expiringSoon && c.status === 'valid' && <Tag color="orange">即将到期</Tag>}
      {note && (
        <div className="muted my-cert-note" data-testid="my-cert-note">
          {note}
        </div>
      )}
    </div>
  );
}

/** A pair's signing certificate says so in front of its serial, so the two serials below each other are told apart. */
function SigningLabel({ c }: { c: MyCertificate }) {
  if (!c.encryption) return null;
  return (
    <span className="muted" data-testid="my-cert-signing">
      签名证书{' '}
    </span>
  );
}

/** A pair's encryption certificate (签名证书 + 加密证书, docs/kmc.md): shown under the signing certificate's serial. */
function EncryptionSerial({ c }: { c: MyCertificate }) {
  if (!c.encryption) return null;
  return (
    <div className="muted" data-testid="my-cert-encryption">
      加密证书 <span className="my-cert-serial">{c.encryption.serialDisplay}</span>（{c.encryption.statusLabel}）
    </div>
  );
}

function OrderCell({ c }: { c: MyCertificate }) {
  if (c.orderId && c.orderNo)
    return (
      <>
        <Link to={`/orders/${c.orderId}`} className="order-no" data-testid="my-cert-order">
          {formatOrderNumber(c.orderNo)}
        </Link>
        {/* A main key carries the unit's electronic seals (made at 制证): see them stamped on a sample page. */}
        {c.seals.length > 0 && (
          <div data-testid="my-cert-seals">
            <span className="muted">电子签章 </span>
            {c.seals.map((s) => s.kindLabel).join('、')}{' '}
            <Link to={`/orders/${c.orderId}/seal-try`} data-testid="my-cert-seal-try">
              试用
            </Link>
          </div>
        )}
      </>
    );
  if (c.counterOrderNo)
    return (
      <span className="muted" data-testid="my-cert-counter">
        {c.officeName ?? c.sourceLabel}
        {c.counterBusinessLabel ? ` ${c.counterBusinessLabel}` : ''}，受理单号{' '}
        {/* Kept on one line: a number broken at its dash reads as two. */}
        <span className="mono" style={{ whiteSpace: 'nowrap' }}>
          {formatOrderNumber(c.counterOrderNo)}
        </span>
      </span>
    );
  return <span className="muted">{c.sourceLabel}</span>;
}

function CertificateList() {
  const screens = Grid.useBreakpoint();
  const navigate = useNavigate();
  const [data, setData] = useState<MyCertificates | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<MyCertificate | null>(null);

  const load = useCallback(async () => {
    try {
      setData(await apiGet<MyCertificates>('/api/my-certificates'));
      setError(null);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) navigate(loginUrl('/certificates'), { replace: true });
      else setError(e instanceof ApiError ? e.message : '证书加载失败，请刷新页面');
    }
  }, [navigate]);

  useEffect(() => {
    void load();
  }, [load]);

  const revokeButton = (c: MyCertificate) => (
    <Space wrap size={4}>
      {c.canRenewOnline && (
        <Link to={`/certificates/${c.id}/renew`}>
          <Button size="small" type="primary" icon={<SyncOutlined />} data-testid="my-cert-renew">
            {c.renewalOpen ? '继续续费' : '在线续费'}
          </Button>
        </Link>
      )}
      {c.canRevoke && (
        <Button size="small" danger icon={<StopOutlined />} onClick={() => setRevoking(c)} data-testid="my-cert-revoke">
          申请吊销
        </Button>
      )}
    </Space>
  );

  let body;
  if (error) body = <Alert type="error" showIcon title={error} />;
  else if (!data) body = <Skeleton active />;
  else if (!data.certificates.length)
    body = (
      <Empty description="本单位还没有数字证书" data-testid="my-certs-empty">
        <p className="muted" style={{ marginTop: 0 }}>
          在线新制申请的证书制证完成后会显示在这里；在各受理点现场办理的证书也会显示在这里。
        </p>
        <Link to="/apply">
          <Button type="primary">数字证书申请</Button>
        </Link>
      </Empty>
    );
  else if (screens.md)
    body = (
      <Table<MyCertificate>
        rowKey="id"
        dataSource={data.certificates}
        pagination={data.certificates.length > 20 ? { pageSize: 20 } : false}
        data-testid="my-certs"
        onRow={(c) => ({ 'data-serial': c.serialDisplay, 'data-testid': 'my-cert' }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          {
            title: '证书项目',
            dataIndex: 'projectName',
            render: (v: string, c) => (
              <>
                <div>{v}</div>
                <Tag color={c.keyType === 'main' ? 'blue' : 'default'}>{c.keyTypeLabel}</Tag>
              </>
            ),
          },
          {
            title: '证书序列号',
            dataIndex: 'serialDisplay',
            width: 180,
            render: (v: string, c) => (
              <>
                <SigningLabel c={c} />
                <span className="mono my-cert-serial" data-testid="my-cert-serial">
                  {v}
                </span>
                <EncryptionSerial c={c} />
              </>
            ),
          },
          {
            title: '有效期',
            key: 'validity',
            render: (_v, c) => (
              <span data-testid="my-cert-validity">
                {day(c.notBefore)}
                <br />至 {day(c.notAfter)}
              </span>
            ),
          },
          { title: '状态', key: 'status', width: 260, render: (_v, c) => <StatusCell c={c} /> },
          { title: '来源', key: 'order', render: (_v, c) => <OrderCell c={c} /> },
          { title: '操作', key: 'act', render: (_v, c) => revokeButton(c) },
        ]}
      />
    );
  else
    body = (
      <div className="order-cards" data-testid="my-certs">
        {data.certificates.map((c) => (
          <div key={c.id} className="order-card my-cert-card" data-testid="my-cert" data-serial={c.serialDisplay}>
            <div className="order-card-head">
              <span>
                {c.projectName} <Tag color={c.keyType === 'main' ? 'blue' : 'default'}>{c.keyTypeLabel}</Tag>
              </span>
            </div>
            <div>
              <SigningLabel c={c} />
              <span className="mono my-cert-serial" data-testid="my-cert-serial">
                {c.serialDisplay}
              </span>
            </div>
            <EncryptionSerial c={c} />
            <div className="muted" data-testid="my-cert-validity">
              有效期 {day(c.notBefore)} 至 {day(c.notAfter)}
            </div>
            <StatusCell c={c} />
            <div className="order-card-foot">
              <span>
                <span className="muted">来源 </span>
                <OrderCell c={c} />
              </span>
              {revokeButton(c)}
            </div>
          </div>
        ))}
      </div>
    );

  return (
    <Card
      title="我的证书"
      extra={
        <Link to="/certificates/ukey-unlock" data-testid="my-certs-unlock">
          UKEY 口令锁定？在线解锁
        </Link>
      }
      styles={{ body: screens.md ? undefined : { padding: 12 } }}
    >
      <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
        本单位在线办理和在各受理点现场办理的全部数字证书。证书有效期一年，到期前90天内可插入 UKEY 通过证书助手
        <b>在线续费</b>，也可携带证书 UKEY 及密码到<Link to="/offices">办证大厅或各地受理点</Link>
        办理（新证书在原证书到期日基础上延长一年，提前续费不损失剩余有效期）；已过期的证书、变更、补办请到现场办理。
      </Typography.Paragraph>
      {data && data.expiring.length > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="my-certs-expiring"
          title={`${data.expiring.length} 张证书将在90天内到期`}
          description={
            <>
              {data.expiring.map((c) => `${c.projectName}（${c.keyTypeLabel}）${day(c.notAfter)} 到期`).join('；')}。可插入 UKEY
              点“在线续费”，或携带证书 UKEY 及密码到<Link to="/offices">受理点</Link>续费。
            </>
          }
        />
      )}
      {body}
      {revoking && data && (
        <RevocationDialog
          certificateId={revoking.id}
          serial={revoking.serialDisplay}
          reasons={data.reasons}
          onClose={() => setRevoking(null)}
          onDone={() => {
            setRevoking(null);
            void load();
          }}
        />
      )}
    </Card>
  );
}
