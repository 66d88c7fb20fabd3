import { useEffect, useState } from 'react';
import { Link, Route, Routes, useLocation, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { Alert, App, Button, Card, Descriptions, Empty, Form, Grid, Input, Modal, Space, Spin, Table, Typography } from 'antd';
import { ArrowLeftOutlined, EditOutlined, ReloadOutlined } from '@ant-design/icons';
import { ZOrgName, ZOrgRenameBody } from '../../../core/schemas.js';
import { apiGet, apiPost, ApiError } from '../../api.js';
import { showServerErrors, zodRule } from '../../components/forms.js';
import { useAction } from '../../components/useAction.js';
import { ActionTag, AuditCards, AuditDetail, formatTime } from './AuditDetail.js';
import type { OrganizationDetail as OrgDetail, OrganizationSearch, StaffOrganization } from '../../../core/accounts-schemas.js';
import { actorText } from './auditLabels.js';
import { hasRole, useStaffErrors, useStaffGet, useStaffSession } from './staffSession.js';

type OrgSummary = StaffOrganization;
type HistoryRow = OrgDetail['history'][number];

/** 单位查询: search, and the detail view at /staff/organizations/:id. */
export function StaffOrganizationsPage() {
  return (
    <Routes>
      <Route index element={<OrganizationSearch />} />
      <Route path=":id" element={<OrganizationDetail />} />
    </Routes>
  );
}

const mono = { fontFamily: 'monospace' } as const;

function OrganizationSearch() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const fail = useStaffErrors();
  // The query lives in the address, so 返回 from a detail page comes back to the same results.
  const q = params.get('q');
  const [input, setInput] = useState(q ?? '');
  const [again, setAgain] = useState(0);
  const [result, setResult] = useState<OrganizationSearch | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (q === null) return;
    let live = true;
    setLoading(true);
    apiGet<OrganizationSearch>(`/api/staff/organizations?q=${encodeURIComponent(q)}`)
      .then((r) => {
        if (!live) return;
        setResult(r);
        setError(null);
      })
      .catch((e: unknown) => live && setError(fail(e)))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [q, again, fail]);

  const search = (value: string) => {
    setParams({ q: value.trim() });
    setAgain((x) => x + 1);
  };

  return (
    <Card title="单位查询">
      <Input.Search
        value={input}
        onChange={(e) => setInput(e.target.value)}
        onSearch={search}
        enterButton="查询"
        allowClear
        maxLength={100}
        size="large"
        placeholder="统一社会信用代码（可只输前几位）或单位名称中的几个字"
        aria-label="统一社会信用代码或单位名称"
        loading={loading}
      />
      <Typography.Paragraph type="secondary" style={{ margin: '8px 0 16px' }}>
        不填内容直接查询，列出最近注册的单位。每次查询和查看单位资料都会记入操作记录。
      </Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      {result && (
        <>
          {result.items.length >= result.limit && (
            <Alert
              type="info"
              showIcon
              style={{ marginBottom: 12 }}
              title={`只显示前${result.limit}条，请输入更完整的代码或名称缩小范围`}
            />
          )}
          <Table<OrgSummary>
            rowKey="id"
            size="middle"
            dataSource={result.items}
            loading={loading}
            pagination={false}
            locale={{ emptyText: <Empty description={`没有找到与「${q}」相符的单位`} /> }}
            onRow={(o) => ({ onClick: () => navigate(`/staff/organizations/${o.id}`), style: { cursor: 'pointer' } })}
            data-testid="org-results"
            columns={[
              {
                title: '单位名称',
                dataIndex: 'name',
                render: (name: string, o) => (
                  <Link to={`/staff/organizations/${o.id}`} onClick={(e) => e.stopPropagation()}>
                    {name}
                  </Link>
                ),
              },
              { title: '统一社会信用代码', dataIndex: 'uscc', render: (v: string) => <span style={mono}>{v}</span> },
              { title: '注册手机号', dataIndex: 'mobile', responsive: ['md'] },
              { title: '注册时间', dataIndex: 'createdAt', responsive: ['lg'], render: formatTime },
            ]}
          />
        </>
      )}
    </Card>
  );
}

function OrganizationDetail() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const location = useLocation();
  const { staff } = useStaffSession();
  const { data, error, load } = useStaffGet<OrgDetail>(`/api/staff/organizations/${encodeURIComponent(id)}`);
  const [renaming, setRenaming] = useState(false);
  const isAdmin = hasRole(staff, '管理员');
  const wide = Grid.useBreakpoint().md ?? true;

  // Back to the results the person came from, or to the search page after a direct link.
  const back = () => (location.key !== 'default' ? navigate(-1) : navigate('/staff/organizations'));

  if (error && !data)
    return (
      <Card>
        <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />
        <Button icon={<ArrowLeftOutlined />} onClick={back}>
          返回
        </Button>
      </Card>
    );
  if (!data) return <Spin style={{ margin: 48 }} />;
  const o = data.organization;

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card
        title={
          <Space wrap size={8}>
            <Button type="text" icon={<ArrowLeftOutlined />} onClick={back} aria-label="返回" />
            <span>单位资料</span>
          </Space>
        }
        extra={
          <Button icon={<ReloadOutlined />} onClick={() => void load()}>
            刷新
          </Button>
        }
      >
        <Descriptions column={{ xs: 1, md: 2 }} size="small" bordered layout={wide ? 'horizontal' : 'vertical'} data-testid="org-detail">
          <Descriptions.Item label="单位名称" span={{ xs: 1, md: 2 }}>
            <Space wrap size={[12, 4]}>
              <Typography.Text strong data-testid="org-name">
                {o.name}
              </Typography.Text>
              {isAdmin ? (
                <Button size="small" icon={<EditOutlined />} onClick={() => setRenaming(true)}>
                  更正名称
                </Button>
              ) : (
                <Typography.Text type="secondary">名称有误请联系管理员更正</Typography.Text>
              )}
            </Space>
          </Descriptions.Item>
          <Descriptions.Item label="统一社会信用代码">
            <Typography.Text copyable style={mono}>
              {o.uscc}
            </Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label="注册手机号">{o.mobile}</Descriptions.Item>
          <Descriptions.Item label="注册时间">{formatTime(o.createdAt)}</Descriptions.Item>
        </Descriptions>
      </Card>

      <Card title="变更记录" data-testid="org-history">
        {wide ? (
          <Table<HistoryRow>
            rowKey="id"
            size="small"
            dataSource={data.history}
            pagination={data.history.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
            locale={{ emptyText: '暂无记录' }}
            columns={[
              { title: '时间', dataIndex: 'at', width: 170, render: formatTime },
              { title: '操作', dataIndex: 'action', width: 150, render: (a: string) => <ActionTag action={a} /> },
              { title: '操作人', key: 'actor', width: 200, render: (_: unknown, r) => actorText(r) },
              { title: '详情', key: 'detail', render: (_: unknown, r) => <AuditDetail action={r.action} detail={r.detail} /> },
              { title: 'IP', dataIndex: 'ip', width: 130 },
            ]}
          />
        ) : (
          <AuditCards rows={data.history} />
        )}
      </Card>

      <Card title={`查看记录（最近${data.views.length}次）`} size="small">
        <Table<HistoryRow>
          rowKey="id"
          size="small"
          dataSource={data.views}
          pagination={false}
          columns={[
            { title: '时间', dataIndex: 'at', width: 170, render: formatTime },
            { title: '查看人', key: 'actor', render: (_: unknown, r) => actorText(r) },
            { title: 'IP', dataIndex: 'ip', responsive: ['sm'] },
          ]}
        />
      </Card>

      {renaming && (
        <RenameModal
          org={o}
          onCancel={() => setRenaming(false)}
          onStale={() => void load()}
          onRenamed={() => {
            setRenaming(false);
            void load();
          }}
        />
      )}
    </Space>
  );
}

/**
 * 更正单位名称 (管理员). Sends the name the administrator is looking at as `expectedName`: if someone else
 * changed it meanwhile, the server refuses (409) and the page reloads the current name.
 */
function RenameModal(props: { org: OrgSummary; onCancel(): void; onRenamed(): void; onStale(): void }) {
  const { org } = props;
  const [form] = Form.useForm();
  const { message } = App.useApp();
  const fail = useStaffErrors();
  const { run, busy } = useAction();
  const [error, setError] = useState<string | null>(null);

  const submit = (v: { name: string; reason: string }) =>
    run(
      async () => {
        setError(null);
        await apiPost(`/api/staff/organizations/${org.id}/rename`, { name: v.name, reason: v.reason, expectedName: org.name });
        message.success('单位名称已更正，已记入变更记录');
        props.onRenamed();
      },
      (e) => {
        fail(e);
        setError(showServerErrors(form, e));
        if (e instanceof ApiError && e.code === 'CONFLICT') props.onStale();
      },
    );

  return (
    <Modal
      open
      title="更正单位名称"
      okText="确认更正"
      cancelText="取消"
      onOk={() => form.submit()}
      confirmLoading={busy}
      onCancel={props.onCancel}
      mask={{ closable: false }}
    >
      <Alert
        type="warning"
        showIcon
        style={{ marginBottom: 16 }}
        title="名称须与营业执照上的完全一致"
        description="更正将记录操作人、时间、原名称、新名称和原因；申请单位刷新页面后即看到新名称。统一社会信用代码不能更正，填错的须用正确代码重新注册。"
      />
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="rename-error" />}
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ name: org.name, reason: '' }} requiredMark>
        <Form.Item label="原名称">
          <Typography.Text>{org.name}</Typography.Text>
        </Form.Item>
        <Form.Item
          label="新名称"
          name="name"
          required
          validateTrigger="onBlur"
          rules={[
            zodRule(ZOrgName),
            {
              validator: async (_r, v: string | undefined) => {
                if (v && v.trim().replace(/\s+/g, ' ') === org.name) throw new Error('新名称与原名称相同');
              },
            },
          ]}
        >
          <Input maxLength={100} placeholder="与营业执照上的名称完全一致" />
        </Form.Item>
        <Form.Item label="更正原因" name="reason" required rules={[zodRule(ZOrgRenameBody.shape.reason)]}>
          <Input.TextArea
            rows={3}
            maxLength={200}
            showCount
            placeholder="写明依据，例如：经办人来电，营业执照上的名称为……，已核对执照照片"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
