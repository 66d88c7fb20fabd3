/** 受理点与人员（管理员）: the offices of seed 004 (name, address, phones, in service) and who works where. */
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, App, Button, Card, Form, Input, Modal, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';
import type { Offices } from '../../../../core/counter-response-schemas.js';
import { apiGet, apiPost } from '../../../api.js';
import { showServerErrors } from '../../../components/forms.js';
import { useAction } from '../../../components/useAction.js';
import { useStaffErrors } from '../staffSession.js';

type Office = Offices['offices'][number];
type StaffLine = Offices['staff'][number];

export function CounterOfficesPage() {
  const { message } = App.useApp();
  const fail = useStaffErrors();
  const [data, setData] = useState<Offices | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Office | null>(null);
  const { run, busy } = useAction();
  const [form] = Form.useForm<{ name: string; city: string; address: string; phones: string; active: boolean }>();
  const load = useCallback(async () => {
    try {
      setData(await apiGet<Offices>('/api/staff/counter/offices'));
    } catch (e) {
      setError(fail(e));
    }
  }, [fail]);
  useEffect(() => {
    void load();
  }, [load]);

  const save = async () => {
    if (!editing) return;
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    await run(
      async () => {
        await apiPost(`/api/staff/counter/offices/${editing.code}`, { ...v, phones: v.phones.split(/[，,、\s]+/).filter(Boolean) });
        void message.success('受理点已保存');
        setEditing(null);
        await load();
      },
      (e) => {
        const rest = showServerErrors(form, e);
        if (rest) message.error(rest);
        fail(e);
      },
    );
  };

  const assign = async (s: StaffLine, officeCode: string | null) => {
    try {
      await apiPost(`/api/staff/counter/staff/${s.id}/office`, { officeCode });
      void message.success(`已设置 ${s.displayName} 的受理点`);
      await load();
    } catch (e) {
      message.error(fail(e));
    }
  };

  const officeOptions = (data?.offices ?? []).map((o) => ({ value: o.code, label: o.name }));
  return (
    <div style={{ display: 'grid', gap: 16, gridTemplateColumns: 'minmax(0, 1fr)' }}>
      <Space>
        <Link to="/staff/counter">
          <Button icon={<ArrowLeftOutlined />}>返回柜台业务</Button>
        </Link>
      </Space>
      <Typography.Title level={3} style={{ margin: 0 }}>
        受理点与人员
      </Typography.Title>
      {error && <Alert type="error" showIcon message={error} />}
      <Card size="small" title="受理点（公众网站的“办理地点”取自证书办理须知）">
        <Table
          rowKey="code"
          size="small"
          pagination={false}
          dataSource={data?.offices}
          scroll={{ x: 640 }}
          columns={[
            { title: '名称', dataIndex: 'name' },
            { title: '地址', dataIndex: 'address' },
            { title: '电话', dataIndex: 'phones', render: (p: Office['phones']) => p.map((x) => x.display).join('、') },
            { title: '状态', dataIndex: 'active', render: (a: boolean) => (a ? <Tag color="green">办理中</Tag> : <Tag>已停用</Tag>) },
            {
              title: '',
              key: 'edit',
              render: (_: unknown, o: Office) => (
                <Button
                  size="small"
                  onClick={() => {
                    form.setFieldsValue({
                      name: o.name,
                      city: o.city,
                      address: o.address,
                      phones: o.phones.map((p) => p.display).join('，'),
                      active: o.active,
                    });
                    setEditing(o);
                  }}
                >
                  修改
                </Button>
              ),
            },
          ]}
        />
      </Card>
      <Card size="small" title="工作人员所属受理点（办理柜台业务须设置）">
        <Table
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={data?.staff}
          scroll={{ x: 560 }}
          columns={[
            { title: '姓名', dataIndex: 'displayName' },
            { title: '用户名', dataIndex: 'username' },
            { title: '角色', dataIndex: 'roles', render: (r: string[]) => r.join('、') },
            {
              title: '受理点',
              dataIndex: 'officeCode',
              render: (c: string | null, s: StaffLine) => (
                <Select
                  style={{ minWidth: 240 }}
                  allowClear
                  placeholder="无（后台人员）"
                  value={c ?? undefined}
                  options={officeOptions}
                  onChange={(v) => void assign(s, v ?? null)}
                />
              ),
            },
          ]}
        />
      </Card>
      <Modal
        open={!!editing}
        title={`修改受理点：${editing?.name ?? ''}`}
        okText="保存"
        cancelText="取消"
        confirmLoading={busy}
        onOk={() => void save()}
        onCancel={() => setEditing(null)}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" requiredMark={false}>
          <Form.Item name="name" label="名称">
            <Input maxLength={60} />
          </Form.Item>
          <Form.Item name="city" label="城市">
            <Input maxLength={20} />
          </Form.Item>
          <Form.Item name="address" label="地址">
            <Input maxLength={120} />
          </Form.Item>
          <Form.Item name="phones" label="咨询电话（多个用逗号分隔）">
            <Input />
          </Form.Item>
          <Form.Item name="active" label="办理中" valuePropName="checked">
            <Switch />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
