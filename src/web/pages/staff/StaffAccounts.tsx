import { useState } from 'react';
import { Alert, App, Badge, Button, Card, Checkbox, Form, Grid, Input, Modal, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { PASSWORD_MAX, PASSWORD_MIN } from '../../../core/password-rule.js';
import { STAFF_ROLES, ZNewPassword, ZStaffCreateBody, type StaffRole } from '../../../core/schemas.js';
import type { PublicStaff, StaffAccounts } from '../../../core/accounts-schemas.js';
import { apiPost } from '../../api.js';
import { showServerErrors, zodRule } from '../../components/forms.js';
import { useAction } from '../../components/useAction.js';
import { formatTime } from './AuditDetail.js';
import { ROLE_HINTS } from './auditLabels.js';
import { useStaffErrors, useStaffGet, useStaffSession } from './staffSession.js';

type StaffAccount = PublicStaff;

/** The staff password rule in the words of the form (the shared rule, with the username as the identifier). */
export const STAFF_PASSWORD_RULE = `密码长度${PASSWORD_MIN}–${PASSWORD_MAX}位，须同时包含字母和数字，不能包含用户名，不能使用常见弱密码。请当面或电话告知本人，并提醒其妥善保管。`;

/** 工作人员 (管理员): the accounts, create one, disable or enable one. */
export function StaffAccountsPage() {
  const { staff: me } = useStaffSession();
  const { message } = App.useApp();
  const fail = useStaffErrors();
  const { data, error, load } = useStaffGet<StaffAccounts>('/api/staff/accounts');
  const items = data?.items;
  const [creating, setCreating] = useState(false);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  // On a phone the username goes under the name, so the row fits without sideways scrolling.
  const wide = Grid.useBreakpoint().md ?? true;

  const needle = filter.trim().toLowerCase();
  const shown = (items ?? []).filter(
    (s) => !needle || s.displayName.toLowerCase().includes(needle) || s.username.includes(needle) || s.roles.some((r) => r === needle),
  );

  const setDisabled = async (s: StaffAccount, disable: boolean) => {
    setBusyId(s.id);
    try {
      await apiPost(`/api/staff/accounts/${s.id}/${disable ? 'disable' : 'enable'}`);
      message.success(disable ? `已停用 ${s.displayName}，其登录已立即失效` : `已启用 ${s.displayName}`);
    } catch (e) {
      message.error(fail(e));
    } finally {
      setBusyId(null);
      await load();
    }
  };

  return (
    <Card
      title="工作人员"
      extra={
        <Space wrap>
          <Button icon={<ReloadOutlined />} onClick={() => void load()} aria-label="刷新" />
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            新建账号
          </Button>
        </Space>
      }
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Input
        allowClear
        value={filter}
        onChange={(e) => setFilter(e.target.value)}
        placeholder="按姓名、用户名或角色筛选"
        aria-label="筛选工作人员"
        style={{ maxWidth: 360, marginBottom: 16 }}
      />
      <Table<StaffAccount>
        rowKey="id"
        size="middle"
        loading={!items && !error}
        dataSource={shown}
        pagination={shown.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
        locale={{ emptyText: needle ? '没有相符的工作人员' : '暂无工作人员' }}
        columns={[
          {
            title: '姓名',
            dataIndex: 'displayName',
            width: wide ? 150 : undefined,
            render: (name: string, s) => (
              <>
                <Space size={4} wrap>
                  <span>{name}</span>
                  {s.id === me?.id && <Tag>本人</Tag>}
                </Space>
                {!wide && (
                  <div>
                    <Typography.Text code>{s.username}</Typography.Text>
                  </div>
                )}
              </>
            ),
          },
          {
            title: '用户名',
            dataIndex: 'username',
            width: 150,
            responsive: ['md'],
            render: (v: string) => <Typography.Text code>{v}</Typography.Text>,
          },
          {
            title: '角色',
            dataIndex: 'roles',
            render: (roles: StaffRole[]) => (
              <Space size={[4, 4]} wrap>
                {roles.map((r) => (
                  <Tag key={r} color={r === '管理员' ? 'red' : r === '审计员' ? 'purple' : 'blue'} style={{ marginInlineEnd: 0 }}>
                    {r}
                  </Tag>
                ))}
              </Space>
            ),
          },
          {
            title: '状态',
            dataIndex: 'disabled',
            width: wide ? 90 : 72,
            render: (d: boolean) => (d ? <Badge status="default" text="已停用" /> : <Badge status="success" text="正常" />),
          },
          { title: '创建时间', dataIndex: 'createdAt', width: 170, responsive: ['lg'], render: formatTime },
          {
            title: '操作',
            key: 'op',
            width: 80,
            render: (_: unknown, s) =>
              s.id === me?.id ? (
                <Typography.Text type="secondary">—</Typography.Text>
              ) : s.disabled ? (
                <Popconfirm
                  title={`启用 ${s.displayName}（${s.username}）？`}
                  description="启用后可用原密码登录。"
                  okText="启用"
                  cancelText="取消"
                  onConfirm={() => setDisabled(s, false)}
                >
                  <Button size="small" loading={busyId === s.id}>
                    启用
                  </Button>
                </Popconfirm>
              ) : (
                <Popconfirm
                  title={`停用 ${s.displayName}（${s.username}）？`}
                  description="停用后此人立即退出登录、不能再登录，记录保留，可随时重新启用。"
                  okText="停用"
                  okButtonProps={{ danger: true }}
                  cancelText="取消"
                  onConfirm={() => setDisabled(s, true)}
                >
                  <Button size="small" danger loading={busyId === s.id}>
                    停用
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
      {creating && (
        <CreateStaffModal
          onCancel={() => setCreating(false)}
          onCreated={(s) => {
            setCreating(false);
            message.success(`已创建账号 ${s.username}（${s.displayName}）`);
            void load();
          }}
        />
      )}
    </Card>
  );
}

function CreateStaffModal(props: { onCancel(): void; onCreated(s: StaffAccount): void }) {
  const [form] = Form.useForm();
  const fail = useStaffErrors();
  const { run, busy } = useAction();
  const [error, setError] = useState<string | null>(null);

  const submit = (v: { username: string; displayName: string; roles: StaffRole[]; password: string }) =>
    run(
      async () => {
        setError(null);
        const r = await apiPost<{ staff: StaffAccount }>('/api/staff/accounts', { ...v, username: v.username?.trim() });
        props.onCreated(r.staff);
      },
      (e) => {
        fail(e);
        setError(showServerErrors(form, e));
      },
    );

  return (
    <Modal
      open
      title="新建工作人员账号"
      okText="创建"
      cancelText="取消"
      onOk={() => form.submit()}
      confirmLoading={busy}
      onCancel={props.onCancel}
      mask={{ closable: false }}
      width={560}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="create-error" />}
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ roles: [] }} requiredMark>
        <Form.Item
          label="用户名"
          name="username"
          required
          validateTrigger="onBlur"
          rules={[zodRule(ZStaffCreateBody.shape.username)]}
          extra="用于登录：3–32位小写字母、数字、点、下划线或连字符，以字母开头，如 zhangsan"
        >
          <Input maxLength={32} autoComplete="off" spellCheck={false} />
        </Form.Item>
        <Form.Item label="姓名" name="displayName" required validateTrigger="onBlur" rules={[zodRule(ZStaffCreateBody.shape.displayName)]}>
          <Input maxLength={32} autoComplete="off" />
        </Form.Item>
        <Form.Item
          label="角色"
          name="roles"
          required
          rules={[zodRule(ZStaffCreateBody.shape.roles)]}
          extra="可多选；管理员不自动拥有其他角色的权限；审计员只能查看和校验操作记录，不能兼任其他角色"
        >
          <Checkbox.Group style={{ display: 'grid', gap: 6 }}>
            {STAFF_ROLES.map((r) => (
              <Checkbox key={r} value={r}>
                <span style={{ fontWeight: 500 }}>{r}</span>
                <Typography.Text type="secondary" style={{ marginInlineStart: 8, fontSize: 13 }}>
                  {ROLE_HINTS[r]}
                </Typography.Text>
              </Checkbox>
            ))}
          </Checkbox.Group>
        </Form.Item>
        <Form.Item
          label="初始密码"
          name="password"
          required
          validateTrigger="onBlur"
          dependencies={['username']}
          extra={STAFF_PASSWORD_RULE}
          rules={[
            zodRule(ZNewPassword),
            ({ getFieldValue }) => ({
              validator: async (_r, v: string | undefined) => {
                const u = String(getFieldValue('username') ?? '').trim();
                if (v && u && v.toLowerCase().includes(u.toLowerCase())) throw new Error('密码不能包含用户名');
              },
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" maxLength={64} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
