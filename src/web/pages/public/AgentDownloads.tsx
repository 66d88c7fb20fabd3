/**
 * 下载中心's 证书助手 section (issue 20; docs/agent.md): the installer files the operator has published
 * (GET /api/agent/downloads) with their SHA-256 to check, how to install, and — while none is published — that
 * none is offered yet and where to go instead.
 */
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Button, Skeleton, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { AGENT_INSTALL_STEPS, AGENT_LEAD, AGENT_NOT_YET } from '../../../core/content/downloads.js';
import type { AgentDownloads } from '../../../core/tokens-schemas.js';
import { apiGet, ApiError } from '../../api.js';
import { HotlineLink, SectionTitle } from './parts.js';

type AgentFile = AgentDownloads['files'][number];

const sizeText = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`);
const day = (iso: string) => new Date(iso).toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai' });

export function AgentDownloads() {
  const [files, setFiles] = useState<AgentFile[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    apiGet<AgentDownloads>('/api/agent/downloads')
      .then((r) => setFiles(r.files))
      .catch((e: unknown) => setError(e instanceof ApiError ? e.message : '网络异常，请稍后刷新页面'));
  }, []);

  return (
    <section className="pub-panel" data-testid="agent-downloads">
      <SectionTitle>证书助手（在线续费、在线解锁）</SectionTitle>
      <p style={{ margin: '0 0 10px' }}>{AGENT_LEAD}</p>
      {error && <Alert type="error" showIcon title={error} />}
      {!files && !error && <Skeleton active paragraph={{ rows: 2 }} />}
      {files && files.length === 0 && (
        <Alert
          type="info"
          showIcon
          data-testid="agent-not-yet"
          title={AGENT_NOT_YET}
          description={
            <>
              <Link to="/offices">查看受理点地址</Link>；客服热线 <HotlineLink />。
            </>
          }
        />
      )}
      {files && files.length > 0 && (
        <>
          <div className="download-certs">
            {files.map((f) => (
              <div className="download-cert" key={f.name} data-testid={`agent-file-${f.name}`}>
                <div className="download-cert-head">
                  <b style={{ wordBreak: 'break-all' }}>{f.name}</b>
                  <a href={f.url} download={f.name}>
                    <Button icon={<DownloadOutlined />}>下载</Button>
                  </a>
                </div>
                <dl className="download-dl">
                  <dt>大小</dt>
                  <dd>{sizeText(f.size)}</dd>
                  <dt>发布日期</dt>
                  <dd>{day(f.updatedAt)}</dd>
                  <dt>SHA-256</dt>
                  <dd>
                    <Typography.Text code copyable={{ text: f.sha256, tooltips: ['复制', '已复制'] }} className="fingerprint">
                      {f.sha256}
                    </Typography.Text>
                  </dd>
                </dl>
              </div>
            ))}
          </div>
          <ol className="pub-list" style={{ marginTop: 12 }}>
            {AGENT_INSTALL_STEPS.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
