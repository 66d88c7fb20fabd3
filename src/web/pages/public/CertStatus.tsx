/** 证书状态查询：按序列号或统一社会信用代码查询证书的主体、有效期和状态。 */
import { useState } from 'react';
import { Alert, Empty, Input, Radio, Tag } from 'antd';
import { SafetyCertificateOutlined } from '@ant-design/icons';
import { KEY_TYPE_LABEL, type PublicCertStatus } from '../../../core/certificates.js';
import { apiGet, ApiError } from '../../api.js';
import { useLatestLoad } from '../../components/useLatestLoad.js';
import { HotlineLink, SectionTitle } from './parts.js';

interface Result {
  serial: string;
  unitName: string;
  uscc: string;
  project: string;
  keyType: string;
  notBefore: string;
  notAfter: string;
  status: PublicCertStatus;
  statusLabel: string;
  revokedAt: string | null;
}

const COLOR: Record<PublicCertStatus, string> = {
  valid: 'green',
  revoked: 'red',
  expired: 'default',
  not_yet_valid: 'blue',
  unknown: 'orange',
};
const time = (iso: string) =>
  new Date(iso).toLocaleString('zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });

export function CertStatusPage() {
  const [by, setBy] = useState<'serial' | 'uscc'>('serial');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [results, setResults] = useState<Result[] | null>(null);
  const [asked, setAsked] = useState('');

  const begin = useLatestLoad();
  const search = async (raw: string) => {
    const current = begin();
    const v = raw.trim();
    setError(null);
    if (!v) {
      setError(by === 'serial' ? '请输入证书序列号' : '请输入统一社会信用代码');
      return;
    }
    setBusy(true);
    try {
      const r = await apiGet<{ results: Result[] }>(`/api/cert-status?${by}=${encodeURIComponent(v)}`);
      if (!current()) return;
      setResults(r.results);
      setAsked(v);
    } catch (e) {
      if (!current()) return;
      setResults(null);
      setError(e instanceof ApiError ? (Object.values(e.fields)[0] ?? e.message) : '网络异常，请稍后再试');
    } finally {
      if (current()) setBusy(false);
    }
  };

  return (
    <div className="pub">
      <div>
        <h1 style={{ fontSize: 26, margin: '0 0 6px' }}>证书状态查询</h1>
        <p className="pub-lead" style={{ margin: 0 }}>
          按证书序列号或单位的统一社会信用代码，查询本CA签发的数字证书的持有单位、有效期和当前状态（有效、已吊销、已过期）。
        </p>
      </div>
      <section style={{ display: 'grid', gap: 12, maxWidth: 720 }}>
        <Radio.Group
          value={by}
          onChange={(e) => {
            setBy(e.target.value);
            setError(null);
          }}
          optionType="button"
          options={[
            { value: 'serial', label: '按证书序列号' },
            { value: 'uscc', label: '按统一社会信用代码' },
          ]}
        />
        <Input.Search
          size="large"
          enterButton="查询"
          loading={busy}
          allowClear
          maxLength={by === 'serial' ? 100 : 40}
          placeholder={by === 'serial' ? '如 7F3A…（十六进制，可含冒号）' : '18位统一社会信用代码'}
          onSearch={(v) => void search(v)}
          data-testid="cert-status-input"
          style={{ fontFamily: by === 'serial' ? 'monospace' : undefined }}
        />
        {error && <Alert type="error" showIcon title={error} data-testid="cert-status-error" />}
      </section>
      {results && (
        <section data-testid="cert-status-results" style={{ display: 'grid', gap: 12 }}>
          {results.length === 0 ? (
            <Empty
              description={
                <span>
                  没有找到“{asked}”对应的证书：状态<Tag color="orange">未知</Tag>。请核对后重试，或致电客服热线 <HotlineLink />。
                </span>
              }
            />
          ) : (
            results.map((r) => (
              <article key={r.serial} className="pub-panel" data-testid="cert-status-result">
                <SectionTitle>
                  <SafetyCertificateOutlined /> {r.unitName}{' '}
                  <Tag color={COLOR[r.status]} style={{ fontSize: 14 }} data-testid="cert-status-label">
                    {r.statusLabel}
                  </Tag>
                </SectionTitle>
                <dl
                  className="cert-status-dl"
                  style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '6px 16px', margin: 0 }}
                >
                  <dt>证书序列号</dt>
                  <dd style={{ margin: 0, fontFamily: 'monospace', wordBreak: 'break-all' }}>{r.serial}</dd>
                  <dt>统一社会信用代码</dt>
                  <dd style={{ margin: 0, fontFamily: 'monospace' }}>{r.uscc}</dd>
                  <dt>证书项目</dt>
                  <dd style={{ margin: 0 }}>
                    {r.project}（{KEY_TYPE_LABEL[r.keyType] ?? r.keyType}）
                  </dd>
                  <dt>有效期</dt>
                  <dd style={{ margin: 0 }}>
                    {time(r.notBefore)} 至 {time(r.notAfter)}
                  </dd>
                  {r.revokedAt && (
                    <>
                      <dt>吊销时间</dt>
                      <dd style={{ margin: 0 }}>{time(r.revokedAt)}</dd>
                    </>
                  )}
                </dl>
              </article>
            ))
          )}
        </section>
      )}
    </div>
  );
}
