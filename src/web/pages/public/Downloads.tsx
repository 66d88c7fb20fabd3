/**
 * 下载中心: the CA certificates (with fingerprints to compare) and CRLs, how a relying party uses them, and the
 * 证书助手 for organizations (AgentDownloads.tsx).
 */
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Button, Skeleton, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { DOWNLOADS_LEAD, FINGERPRINT_COMMAND, RELYING_PARTY_STEPS } from '../../../core/content/downloads.js';
import { apiGet, ApiError } from '../../api.js';
import { AgentDownloads } from './AgentDownloads.js';
import { HotlineLink, SectionTitle } from './parts.js';

interface CaCert {
  commonName: string;
  subject: string;
  notBefore: string;
  notAfter: string;
  url: string;
  sha256: string;
  sm3: string | null;
}
interface Family {
  family: string;
  name: string;
  algorithm: string;
  root: CaCert;
  issuing: CaCert;
  rootCrl: string | null;
  crl: string;
  crlShards: { shard: number; url: string }[];
  ocsp: string;
}

const day = (iso: string) => new Date(iso).toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai' });
const fileName = (url: string) => url.slice(url.lastIndexOf('/') + 1);

function Fingerprint({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>
        <Typography.Text code copyable={{ text: value, tooltips: ['复制指纹', '已复制'] }} className="fingerprint">
          {value}
        </Typography.Text>
      </dd>
    </>
  );
}

function CertBlock({ title, c, testId }: { title: string; c: CaCert; testId: string }) {
  return (
    <div className="download-cert" data-testid={testId}>
      <div className="download-cert-head">
        <b>{title}</b>
        <a href={c.url} download={fileName(c.url)}>
          <Button icon={<DownloadOutlined />}>下载 {fileName(c.url)}</Button>
        </a>
      </div>
      <dl className="download-dl">
        <dt>名称</dt>
        <dd>{c.commonName}</dd>
        <dt>有效期</dt>
        <dd>
          {day(c.notBefore)} 至 {day(c.notAfter)}
        </dd>
        <Fingerprint label="SHA-256 指纹" value={c.sha256} />
        {c.sm3 && <Fingerprint label="SM3 指纹" value={c.sm3} />}
      </dl>
    </div>
  );
}

export function DownloadsPage() {
  const [families, setFamilies] = useState<Family[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    apiGet<{ families: Family[] }>('/api/ca-downloads')
      .then((r) => setFamilies(r.families))
      .catch((e: unknown) => setError(e instanceof ApiError ? e.message : '网络异常，请稍后刷新页面'));
  }, []);

  return (
    <div className="pub">
      <div>
        <h1 style={{ fontSize: 26, margin: '0 0 6px' }}>下载中心</h1>
        <p className="pub-lead" style={{ margin: 0 }}>
          {DOWNLOADS_LEAD}
        </p>
      </div>
      {error && <Alert type="error" showIcon title={error} />}
      {!families && !error && <Skeleton active />}
      {families?.map((f) => (
        <section key={f.family} className="pub-panel" data-testid={`downloads-${f.family}`}>
          <SectionTitle>{f.algorithm} 证书链</SectionTitle>
          <div className="download-certs">
            <CertBlock title="根证书" c={f.root} testId={`root-${f.family}`} />
            <CertBlock title="签发CA证书（中间证书）" c={f.issuing} testId={`issuing-${f.family}`} />
          </div>
          <h3 className="download-h3">证书吊销列表（CRL）</h3>
          {f.rootCrl && (
            <p style={{ margin: '0 0 8px' }}>
              根CA的CRL（列出被吊销的签发CA证书）：
              <a href={f.rootCrl} download={`${f.family}-root.crl`}>
                {fileName(f.rootCrl)}
              </a>
            </p>
          )}
          <p style={{ margin: '0 0 8px' }}>
            签发CA的完整CRL（证书的“CRL分发点”即此地址）：
            <a href={f.crl} download={`${f.family}-complete.crl`} data-testid={`crl-${f.family}`}>
              {fileName(f.crl)}
            </a>
          </p>
          <p style={{ margin: '0 0 6px' }}>较早签发的证书写明的是分片CRL（按证书序列号分为{f.crlShards.length}个分片），仍照常发布：</p>
          <div className="crl-shards" data-testid={`crls-${f.family}`}>
            {f.crlShards.map((s) => (
              <a key={s.shard} href={s.url} download={`${f.family}-${fileName(s.url)}`}>
                {fileName(s.url)}
              </a>
            ))}
          </div>
          <p style={{ margin: '10px 0 0' }}>
            OCSP 在线查询地址：<Typography.Text code>{f.ocsp}</Typography.Text>
          </p>
        </section>
      ))}
      <AgentDownloads />
      <section className="pub-panel" data-testid="relying-party">
        <SectionTitle>如何使用（依赖方）</SectionTitle>
        <ol className="pub-list">
          {RELYING_PARTY_STEPS.map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ol>
        <p style={{ margin: '10px 0 4px' }}>装有 OpenSSL 的电脑可用下面的命令算出指纹，与本页核对：</p>
        <Typography.Text code className="fingerprint">
          {FINGERPRINT_COMMAND}
        </Typography.Text>
        <p style={{ margin: '10px 0 0' }}>
          查询一张证书是否有效：<Link to="/cert-status">证书状态查询</Link>。核对指纹请致电客服热线 <HotlineLink />。
        </p>
      </section>
    </div>
  );
}
