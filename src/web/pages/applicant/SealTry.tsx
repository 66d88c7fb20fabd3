/**
 * 试用电子签章: the organization's seal stamped on a sample PDF page, so it sees what relying parties will
 * see when it signs a document. The server draws the page (the seal's picture at its real size, taken from
 * the seal the key carries) and sends it as an image, which every browser — phones included — shows inline;
 * the PDF itself can be opened or downloaded.
 */
import { useEffect, useState } from 'react';
import { Link, Navigate, useParams } from 'react-router-dom';
import { Alert, Breadcrumb, Button, Card, Descriptions, Result, Segmented, Skeleton, Space, Spin, Tag, Typography } from 'antd';
import { FilePdfOutlined } from '@ant-design/icons';
import { apiGet, ApiError } from '../../api.js';
import { LoginGate, loginUrl } from '../../components/LoginGate.js';
import type { SealView } from '../../components/sealView.js';

interface SealsView {
  keyType: 'main' | 'sub';
  certificateIssued: boolean;
  seals: SealView[];
}

const day = (iso: string) =>
  new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric' }).format(new Date(iso));
const COLOR: Record<string, string> = { valid: 'green', revoked: 'red', expired: 'default' };

export function SealTryPage() {
  return (
    <LoginGate>
      <SealTry />
    </LoginGate>
  );
}

function SealTry() {
  const { id = '' } = useParams();
  const [view, setView] = useState<SealsView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  const [imageState, setImageState] = useState<'loading' | 'ready' | 'failed'>('loading');

  useEffect(() => {
    let live = true;
    apiGet<SealsView>(`/api/orders/${id}/seals`)
      .then((v) => {
        if (!live) return;
        setView(v);
        setChosen(v.seals[0]?.id ?? null);
      })
      .catch((e: unknown) => live && setError(e instanceof ApiError ? e : new ApiError(0, 'NETWORK', '加载失败，请刷新页面')));
    return () => {
      live = false;
    };
  }, [id]);

  useEffect(() => setImageState('loading'), [chosen]);

  const crumbs = (
    <Breadcrumb
      items={[
        { title: <Link to="/orders">我的订单</Link> },
        { title: <Link to={`/orders/${id}`}>订单详情</Link> },
        { title: '试用电子签章' },
      ]}
    />
  );

  if (error?.status === 401) return <Navigate to={loginUrl(`/orders/${id}/seal-try`)} replace />;
  if (error)
    return (
      <Result
        status={error.status === 404 ? '404' : 'error'}
        title={error.status === 404 ? '找不到该订单' : '加载失败'}
        subTitle={error.message}
        extra={
          <Link to="/orders">
            <Button>返回我的订单</Button>
          </Link>
        }
      />
    );
  if (!view) return <Skeleton active style={{ padding: 24 }} />;

  if (!view.seals.length)
    return (
      <div style={{ maxWidth: 900, margin: '0 auto', padding: 16 }}>
        {crumbs}
        <Result
          status="info"
          title={view.keyType === 'sub' ? '副锁不含电子签章' : '电子签章尚未制作'}
          subTitle={
            view.keyType === 'sub'
              ? '电子签章随主锁办理，副锁不制作电子签章。'
              : view.certificateIssued
                ? '证书已签发，工作人员正在根据您盖章的《电子签章采集表》制作电子签章，制作完成后即可在这里试用。'
                : '电子签章在制证时与证书一同制作，制作完成后即可在这里试用。'
          }
          extra={
            <Link to={`/orders/${id}`}>
              <Button type="primary">返回订单</Button>
            </Link>
          }
          data-testid="seal-try-none"
        />
      </div>
    );

  const seal = view.seals.find((s) => s.id === chosen) ?? view.seals[0]!;
  const src = (format: 'png' | 'pdf') => `/api/orders/${id}/seal-try?seal=${seal.id}&format=${format}`;
  return (
    <div style={{ maxWidth: 900, margin: '0 auto', padding: 16 }} data-testid="seal-try">
      <Space orientation="vertical" size={16} style={{ width: '100%' }}>
        {crumbs}
        <Typography.Title level={3} style={{ margin: 0 }}>
          试用电子签章
        </Typography.Title>
        <Alert
          type="info"
          showIcon
          title="下图是您的电子签章盖在一份示例 PDF 文件上的效果：对方（依赖方）打开您签章的文件时，看到的就是这枚印章，并可通过您的数字证书验证它的真实性。示例文件不具有法律效力。"
        />
        {view.seals.length > 1 && (
          <Segmented
            block
            value={seal.id}
            onChange={(v) => setChosen(String(v))}
            options={view.seals.map((s) => ({ value: s.id, label: s.kindLabel }))}
            data-testid="seal-try-kinds"
          />
        )}
        <Card size="small" title={seal.kindLabel} extra={<Tag color={COLOR[seal.status] ?? 'default'}>{seal.statusLabel}</Tag>}>
          <Descriptions column={1} size="small">
            <Descriptions.Item label="印章名称">{seal.name}</Descriptions.Item>
            <Descriptions.Item label="印章编号">
              <span style={{ wordBreak: 'break-all' }}>{seal.esId}</span>
            </Descriptions.Item>
            <Descriptions.Item label="有效期">
              {day(seal.validStart)} 至 {day(seal.validEnd)}（与数字证书一致）
            </Descriptions.Item>
            <Descriptions.Item label="尺寸">
              {seal.widthMm} × {seal.heightMm} 毫米
            </Descriptions.Item>
          </Descriptions>
        </Card>
        <div
          style={{
            position: 'relative',
            border: '1px solid #d9d9d9',
            background: '#fff',
            boxShadow: '0 2px 8px rgba(0,0,0,0.08)',
            minHeight: 200,
          }}
        >
          {imageState === 'loading' && (
            <div style={{ position: 'absolute', inset: 0, display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
              <Spin tip="正在生成示例页面…">
                <div style={{ width: 120, height: 60 }} />
              </Spin>
            </div>
          )}
          {imageState === 'failed' ? (
            <Alert type="warning" showIcon title="预览图片生成失败，请点击下方按钮打开 PDF 查看" style={{ margin: 16 }} />
          ) : (
            <img
              key={seal.id}
              src={src('png')}
              alt={`${seal.kindLabel}盖在示例文件上的效果`}
              style={{ width: '100%', display: 'block' }}
              onLoad={() => setImageState('ready')}
              onError={() => setImageState('failed')}
              data-testid="seal-try-image"
            />
          )}
        </div>
        <Space wrap>
          <Button icon={<FilePdfOutlined />} href={src('pdf')} target="_blank" rel="noopener" data-testid="seal-try-pdf">
            打开 PDF 示例文件
          </Button>
          <Link to={`/orders/${id}`}>
            <Button>返回订单</Button>
          </Link>
        </Space>
      </Space>
    </div>
  );
}
