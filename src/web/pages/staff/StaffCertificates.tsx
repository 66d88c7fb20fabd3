/** 证书登记簿：按序列号、统一社会信用代码、单位名称、项目查询证书；导入线下签发的证书。 */
import { useCallback, useEffect, useState } from 'react';
import { Link, Route, Routes, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { Alert, App, Button, Card, Descriptions, Empty, Input, Modal, Select, Space, Spin, Table, Tag, Typography, Upload } from 'antd';
import { ArrowLeftOutlined, DownloadOutlined, ImportOutlined } from '@ant-design/icons';
import { CERT_SEARCH_KEYS, KEY_TYPE_LABEL, REGISTRY_STATUS_LABEL, SOURCE_LABEL, type CertSearchKey } from '../../../core/certificates.js';
import { apiGet, apiPost, ApiError } from '../../api.js';
import { formatTime } from './AuditDetail.js';
import { hasRole, useStaffErrors, useStaffSession } from './staffSession.js';
import { useLatestLoad } from '../../components/useLatestLoad.js';
import { useAction } from '../../components/useAction.js';
import type { CertificateDetail, CertificateOne, CertificatesImported, RegistryPage } from '../../../core/certificates-schemas.js';

type Row = RegistryPage['items'][number];
type Detail = CertificateDetail;

const STATUS_COLOR: Record<string, string> = {
  valid: 'green',
  revoked: 'red',
  expired: 'default',
  not_yet_valid: 'blue',
  unknown: 'orange',
};
const mono = { fontFamily: 'monospace' } as const;
const dayText = (at: string) => formatTime(at).slice(0, 10);

export function StaffCertificatesPage() {
  return (
    <Routes>
      <Route index element={<CertificateList />} />
      <Route path=":id" element={<CertificateDetail />} />
    </Routes>
  );
}

function CertificateList() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const fail = useStaffErrors();
  const { staff } = useStaffSession();
  const key = (params.get('key') as CertSearchKey | null) ?? 'uscc';
  const q = params.get('q') ?? '';
  const [input, setInput] = useState(q);
  const [searchKey, setSearchKey] = useState<CertSearchKey>(key);
  const [rows, setRows] = useState<Row[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [importing, setImporting] = useState(false);

  const begin = useLatestLoad();
  const load = useCallback(
    async (after: string | null) => {
      const current = begin();
      setLoading(true);
      try {
        const qs = new URLSearchParams({ limit: '50' });
        if (q) {
          qs.set('key', key);
          qs.set('q', q);
        }
        if (after) qs.set('after', after);
        const r = await apiGet<RegistryPage>(`/api/staff/certificates?${qs}`);
        if (!current()) return;
        setRows((old) => (after ? [...old, ...r.items] : r.items));
        setNext(r.next);
      } catch (e) {
        if (current()) fail(e);
      } finally {
        if (current()) setLoading(false);
      }
    },
    [key, q, fail, begin],
  );
  useEffect(() => {
    void load(null);
  }, [load]);

  return (
    // minmax(0, 1fr): the wide table scrolls inside the column instead of widening the page on a phone.
    <div style={{ display: 'grid', gap: 16, gridTemplateColumns: 'minmax(0, 1fr)' }}>
      <Space style={{ justifyContent: 'space-between', width: '100%' }} wrap>
        <Typography.Title level={4} style={{ margin: 0 }}>
          证书登记簿
        </Typography.Title>
        {hasRole(staff, '管理员', '制证') && (
          <Button icon={<ImportOutlined />} onClick={() => setImporting(true)} data-testid="import-open">
            导入现场办理的证书
          </Button>
        )}
      </Space>
      <Space.Compact style={{ maxWidth: 640, width: '100%' }}>
        <Select
          value={searchKey}
          onChange={setSearchKey}
          style={{ width: 150, flex: 'none' }}
          options={Object.entries(CERT_SEARCH_KEYS).map(([value, label]) => ({ value, label }))}
          data-testid="cert-search-key"
        />
        <Input.Search
          value={input}
          onChange={(e) => setInput(e.target.value)}
          allowClear
          enterButton="查询"
          placeholder="输入后按回车查询；留空显示全部（新的在前）"
          onSearch={(v) => setParams(v.trim() ? { key: searchKey, q: v.trim() } : {})}
          style={{ flex: 1, minWidth: 0 }}
          data-testid="cert-search"
        />
      </Space.Compact>
      <Table<Row>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 960 }}
        locale={{ emptyText: <Empty description={q ? '没有找到证书' : '登记簿中还没有证书'} /> }}
        onRow={(r) => ({ onClick: () => navigate(`/staff/certificates/${r.id}`), style: { cursor: 'pointer' } })}
        columns={[
          { title: '序列号', dataIndex: 'serialDisplay', render: (s: string) => <span style={{ ...mono, fontSize: 12 }}>{s}</span> },
          {
            title: '单位',
            render: (_: unknown, r) => (
              <div>
                <div>{r.unitName}</div>
                <Typography.Text type="secondary" style={mono}>
                  {r.uscc}
                </Typography.Text>
              </div>
            ),
          },
          { title: '项目', dataIndex: 'projectCode' },
          {
            title: '锁',
            dataIndex: 'keyType',
            render: (k: string, r) => (
              <>
                {KEY_TYPE_LABEL[k] ?? k}
                {r.usage === 'encryption' && <Tag style={{ marginInlineStart: 4 }}>加密证书</Tag>}
              </>
            ),
          },
          { title: '有效期', render: (_: unknown, r) => `${dayText(r.notBefore)} 至 ${dayText(r.notAfter)}` },
          {
            title: '状态',
            render: (_: unknown, r) =>
              r.status === 'issued' || r.status === 'revoked' ? (
                <Tag color={STATUS_COLOR[r.publicStatus]}>{r.publicStatusLabel}</Tag>
              ) : (
                <Tag color="orange">{REGISTRY_STATUS_LABEL[r.status] ?? r.status}</Tag>
              ),
          },
          { title: '来源', dataIndex: 'source', render: (s: string) => SOURCE_LABEL[s] ?? s },
        ]}
      />
      {next && (
        <Button onClick={() => void load(next)} loading={loading} style={{ justifySelf: 'center' }}>
          加载更多
        </Button>
      )}
      {importing && (
        <ImportModal
          onClose={(done) => {
            setImporting(false);
            if (done) void load(null);
          }}
        />
      )}
    </div>
  );
}

const TEMPLATE = '序列号,统一社会信用代码,单位名称,项目代码,主副锁,生效日期,到期日期\n';

function ImportModal({ onClose }: { onClose: (done: boolean) => void }) {
  const { message } = App.useApp();
  const fail = useStaffErrors();
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const { run, busy } = useAction();
  return (
    <Modal
      open
      title="导入现场办理的证书（CSV）"
      okText="导入"
      cancelText="取消"
      okButtonProps={{ disabled: !file, 'data-testid': 'import-submit' } as never}
      confirmLoading={busy}
      onCancel={() => onClose(false)}
      onOk={async () => {
        if (!file) return;
        await run(
          async () => {
            setErrors([]);
            const r = await apiPost<CertificatesImported>('/api/staff/certificates/import', { csv: file.text });
            message.success(`已导入 ${r.imported} 条证书记录`);
            onClose(true);
          },
          (e) => {
            const text = fail(e);
            if (e instanceof ApiError && Object.keys(e.fields).length) setErrors([text, ...Object.values(e.fields)]);
            else setErrors([text]);
          },
        );
      }}
      width={680}
    >
      <div style={{ display: 'grid', gap: 12 }}>
        <Typography.Paragraph style={{ margin: 0 }}>
          每行一张证书，第一行为表头：<Typography.Text code>{TEMPLATE.trim()}</Typography.Text>。主副锁填“主锁”或“副锁”，日期如 2025-01-31。
          所有行都正确才会导入；有错误时一条也不导入，并列出出错的行和列。导入的主锁计入“每个单位一个主锁”的规则。
        </Typography.Paragraph>
        <Space>
          <Upload
            accept=".csv,text/csv"
            showUploadList={false}
            beforeUpload={async (f) => {
              setFile({ name: f.name, text: await f.text() });
              setErrors([]);
              return false;
            }}
          >
            <Button icon={<ImportOutlined />} data-testid="import-file">
              选择 CSV 文件
            </Button>
          </Upload>
          <Button
            type="link"
            icon={<DownloadOutlined />}
            href={`data:text/csv;charset=utf-8,${encodeURIComponent('\ufeff' + TEMPLATE)}`}
            download="证书导入模板.csv"
          >
            下载模板
          </Button>
        </Space>
        {file && <Typography.Text>已选择：{file.name}</Typography.Text>}
        {errors.length > 0 && (
          <Alert
            type="error"
            showIcon
            title={errors[0]}
            description={
              <ul style={{ margin: 0, paddingLeft: 18, maxHeight: 260, overflow: 'auto' }} data-testid="import-errors">
                {errors.slice(1).map((e) => (
                  <li key={e}>{e}</li>
                ))}
              </ul>
            }
          />
        )}
      </div>
    </Modal>
  );
}

function CertificateDetail() {
  const { id } = useParams();
  const fail = useStaffErrors();
  const [c, setC] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    apiGet<CertificateOne>(`/api/staff/certificates/${id}`)
      .then((r) => setC(r.certificate))
      .catch((e) => setError(fail(e)));
  }, [id, fail]);
  if (error) return <Alert type="error" title={error} />;
  if (!c) return <Spin />;
  return (
    <div style={{ display: 'grid', gap: 16 }}>
      <Link to="/staff/certificates">
        <ArrowLeftOutlined /> 返回证书登记簿
      </Link>
      <Card
        title={
          <Space>
            <span>证书</span>
            <span style={mono} data-testid="cert-serial">
              {c.serialDisplay}
            </span>
            <Tag color={STATUS_COLOR[c.publicStatus]}>
              {c.status === 'issued' || c.status === 'revoked' ? c.publicStatusLabel : REGISTRY_STATUS_LABEL[c.status]}
            </Tag>
          </Space>
        }
        extra={
          c.hasDer && (
            <Space>
              <Button icon={<DownloadOutlined />} href={`/api/staff/certificates/${c.id}/download?format=pem`}>
                PEM
              </Button>
              <Button icon={<DownloadOutlined />} href={`/api/staff/certificates/${c.id}/download?format=der`}>
                DER (.cer)
              </Button>
            </Space>
          )
        }
      >
        {c.flag && <Alert type="warning" showIcon title={c.flag} style={{ marginBottom: 12 }} />}
        <Descriptions column={{ xs: 1, md: 2 }} size="small" bordered>
          <Descriptions.Item label="单位名称">{c.unitName}</Descriptions.Item>
          <Descriptions.Item label="统一社会信用代码">
            <span style={mono}>{c.uscc}</span>
          </Descriptions.Item>
          <Descriptions.Item label="项目">{c.projectCode}</Descriptions.Item>
          <Descriptions.Item label="主副锁">{KEY_TYPE_LABEL[c.keyType] ?? c.keyType}</Descriptions.Item>
          <Descriptions.Item label="证书用途">
            {c.usage === 'encryption' ? '加密证书（密钥由密钥管理中心托管）' : '签名证书'}
          </Descriptions.Item>
          <Descriptions.Item label="有效期">
            {formatTime(c.notBefore)} 至 {formatTime(c.notAfter)}
          </Descriptions.Item>
          <Descriptions.Item label="算法">{c.family}</Descriptions.Item>
          <Descriptions.Item label="签发者">{c.issuer}</Descriptions.Item>
          <Descriptions.Item label="来源">{SOURCE_LABEL[c.source] ?? c.source}</Descriptions.Item>
          <Descriptions.Item label="密钥来源">
            {{ csr: 'UKEY 证书请求', generated: '系统生成（PKCS#12）', import: '—', token: `UKEY（证书助手）${c.tokenSerial ?? ''}` }[
              c.keySource
            ] ?? c.keySource}
          </Descriptions.Item>
          <Descriptions.Item label="签发时间">{c.issuedAt ? formatTime(c.issuedAt) : '—'}</Descriptions.Item>
          {c.revokedAt && <Descriptions.Item label="吊销时间">{formatTime(c.revokedAt)}</Descriptions.Item>}
          <Descriptions.Item label="订单">
            {c.orderId ? (
              <Link to={`/staff/orders/${c.orderId}`}>查看订单</Link>
            ) : c.counterOrderId ? (
              <Link to={`/staff/counter/${c.counterOrderId}`}>查看柜台业务</Link>
            ) : (
              '—'
            )}
          </Descriptions.Item>
          {c.replacesId && (
            <Descriptions.Item label="替代的证书">
              <Link to={`/staff/certificates/${c.replacesId}`}>查看原证书（补办、变更或续费）</Link>
            </Descriptions.Item>
          )}
          {c.sha256 && (
            <Descriptions.Item label="SHA-256 指纹" span={2}>
              <span style={{ ...mono, fontSize: 12, wordBreak: 'break-all' }}>{c.sha256.toUpperCase()}</span>
            </Descriptions.Item>
          )}
        </Descriptions>
      </Card>
    </div>
  );
}
