import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Button, Card, Grid, Table, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import type { AuditPage } from '../../../core/accounts-schemas.js';
import { apiGet } from '../../api.js';
import { ActionTag, AuditCards, AuditDetail, formatTime } from './AuditDetail.js';
import { actorText } from './auditLabels.js';
import { AuditIntegrity } from './AuditIntegrity.js';
import { useStaffErrors } from './staffSession.js';

type AuditItem = AuditPage['items'][number];

const TARGET_TYPES: Record<string, string> = {
  organization: '单位',
  staff: '工作人员',
  order: '订单',
  order_document: '证件',
  project: '证书项目',
};

function Target({ r }: { r: AuditItem }) {
  if (!r.targetType) return <span className="muted">—</span>;
  const kind = TARGET_TYPES[r.targetType] ?? r.targetType;
  // Without a resolved name: the kind and the id (a project's code is readable; a uuid is cut short).
  const id = r.targetId && /^[0-9a-f-]{36}$/.test(r.targetId) ? r.targetId.slice(0, 8) : r.targetId;
  const text = r.targetLabel ?? (id ? `${kind} ${id}` : kind);
  if (r.targetType === 'organization' && r.targetId) return <Link to={`/staff/organizations/${r.targetId}`}>{text}</Link>;
  return <span>{text}</span>;
}

/**
 * 操作记录 (管理员): every recorded action, newest first. 加载更多 asks for the rows before the last one
 * shown (keyset on the row id), so rows written meanwhile neither repeat nor push others out.
 */
export function StaffAuditPage() {
  const fail = useStaffErrors();
  const [items, setItems] = useState<AuditItem[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const wide = Grid.useBreakpoint().md ?? true;

  const fetchPage = useCallback(
    async (before: number | null) => {
      setLoading(true);
      try {
        const page = await apiGet<AuditPage>(`/api/staff/audit${before ? `?before=${before}` : ''}`);
        setItems((old) => (before ? [...old, ...page.items] : page.items));
        setNext(page.next);
        setLoaded(true);
        setError(null);
      } catch (e) {
        setError(fail(e));
      } finally {
        setLoading(false);
      }
    },
    [fail],
  );
  useEffect(() => {
    void fetchPage(null);
  }, [fetchPage]);

  return (
    <Card
      title="操作记录"
      extra={
        <Button icon={<ReloadOutlined />} onClick={() => void fetchPage(null)}>
          最新
        </Button>
      }
    >
      <AuditIntegrity />
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      {wide ? (
        <Table<AuditItem>
          rowKey="id"
          size="small"
          dataSource={items}
          loading={loading && !loaded}
          pagination={false}
          tableLayout="fixed"
          data-testid="audit-table"
          columns={[
            { title: '时间', dataIndex: 'at', width: 165, render: formatTime },
            { title: '操作人', key: 'actor', width: 130, render: (_: unknown, r) => actorText(r) },
            { title: '操作', dataIndex: 'action', width: 140, render: (a: string) => <ActionTag action={a} /> },
            { title: '对象', key: 'target', width: '26%', render: (_: unknown, r) => <Target r={r} /> },
            { title: '详情', key: 'detail', render: (_: unknown, r) => <AuditDetail action={r.action} detail={r.detail} /> },
            { title: 'IP', dataIndex: 'ip', width: 120 },
          ]}
        />
      ) : (
        <AuditCards
          rows={items}
          testId="audit-cards"
          target={(r) =>
            r.targetType ? (
              <>
                <Typography.Text type="secondary">对象：</Typography.Text>
                <Target r={r} />
              </>
            ) : null
          }
        />
      )}
      <div style={{ textAlign: 'center', marginTop: 16 }}>
        {next ? (
          <Button onClick={() => void fetchPage(next)} loading={loading}>
            加载更多
          </Button>
        ) : (
          loaded && <Typography.Text type="secondary">已显示全部 {items.length} 条记录</Typography.Text>
        )}
      </div>
    </Card>
  );
}
