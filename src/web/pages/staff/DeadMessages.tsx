/**
 * 系统设置 → 发送失败的消息 (管理员): SMS and e-mails the outbox gave up on (refused by the provider, or still
 * failing 24 hours after they were queued), and sending one again. A code SMS cannot be sent again; the
 * row says why.
 */
import { useState } from 'react';
import { Alert, App, Button, Empty, Popconfirm, Space, Spin, Table, Tag, Typography } from 'antd';
import { apiPost } from '../../api.js';
import { beijing } from './orders/format.js';
import type { DeadMessage, DeadMessages as DeadMessagesAnswer } from '../../../core/settings-schemas.js';
import { useStaffErrors, useStaffGet } from './staffSession.js';

export function DeadMessages() {
  const { message } = App.useApp();
  const fail = useStaffErrors();
  const { data, error, load } = useStaffGet<DeadMessagesAnswer>('/api/staff/outbox/dead');
  const items = data?.items;
  const [busy, setBusy] = useState<number | null>(null);

  const resend = async (m: DeadMessage) => {
    setBusy(m.id);
    try {
      await apiPost(`/api/staff/outbox/${m.id}/resend`);
      message.success(`已重新发送给 ${m.to}（失败时24小时内自动重试）`);
    } catch (e) {
      message.error(fail(e));
    } finally {
      setBusy(null);
      void load();
    }
  };

  if (!items) return error ? <Alert type="error" showIcon title={error} /> : <Spin />;
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }} data-testid="dead-messages">
      <Alert
        type="info"
        showIcon
        title="短信和邮件发送失败时，系统在24小时内自动重试；仍未成功，或被短信平台、邮件服务器拒收的，列在这里"
        description="请先核对手机号或邮箱、短信平台和邮件服务器的设置，再重新发送。验证码短信不能重发（验证码已作废），请让用户重新获取。"
      />
      {error && <Alert type="error" showIcon title={error} />}
      {items.length === 0 ? (
        <Empty description="没有发送失败的消息" />
      ) : (
        <Table<DeadMessage>
          rowKey="id"
          size="small"
          dataSource={items}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 760 }}
          columns={[
            {
              title: '消息',
              key: 'what',
              render: (_, m) => (
                <Space orientation="vertical" size={0}>
                  <span>
                    <Tag color={m.channel === 'sms' ? 'blue' : 'purple'}>{m.channel === 'sms' ? '短信' : '邮件'}</Tag>
                    {m.what}
                  </span>
                  <Typography.Text type="secondary">{m.to}</Typography.Text>
                </Space>
              ),
            },
            { title: '排队时间', key: 'createdAt', width: 150, render: (_, m) => beijing(m.createdAt) },
            { title: '尝试次数', dataIndex: 'attempts', width: 90 },
            {
              title: '最后一次错误',
              key: 'lastError',
              render: (_, m) => <Typography.Text style={{ wordBreak: 'break-all' }}>{m.lastError ?? '—'}</Typography.Text>,
            },
            {
              title: '操作',
              key: 'op',
              width: 120,
              render: (_, m) =>
                m.cannotResend ? (
                  <Typography.Text type="secondary">{m.cannotResend}</Typography.Text>
                ) : (
                  <Popconfirm title={`重新发送给 ${m.to}？`} okText="重新发送" cancelText="取消" onConfirm={() => resend(m)}>
                    <Button size="small" loading={busy === m.id} data-testid={`resend-${m.id}`}>
                      重新发送
                    </Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
      )}
    </Space>
  );
}
