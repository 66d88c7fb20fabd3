import { useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { Alert, Button, Card, Empty, Input, List, Space, Tabs, Tag, Typography } from 'antd';
import { PaperClipOutlined, ReloadOutlined } from '@ant-design/icons';
import { apiGet, ApiError } from '../../api.js';

interface Sms {
  id: number;
  phoneNumber: string;
  text: string;
  templateCode: string;
  receivedAt: string;
}

interface Mail {
  id: number;
  to: string;
  subject: string;
  text: string;
  attachments: { filename: string; contentType: string; bytes: number }[];
  receivedAt: string;
}

const kb = (n: number) => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`);

/** The verification code in a message, shown large so nobody has to pick it out of the sentence. */
const codeIn = (text: string) => /验证码(\d{4,8})/.exec(text)?.[1];

/** Polls a sandbox mailbox every 3 seconds. */
function usePolled<T>(url: string) {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setItems((await apiGet<{ items: T[] }>(url)).items);
      setError(null);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 404 ? '生产环境没有沙箱收件箱。' : '加载失败，请刷新重试');
    }
  }, [url]);
  useEffect(() => {
    void load();
    const t = setInterval(() => void load(), 3000);
    return () => clearInterval(t);
  }, [load]);
  return { items, error, load };
}

/**
 * 沙箱收件箱: what the sandboxes "delivered" — 短信 (the sandbox SMS gateway) and 邮件 (the sandbox SMTP
 * server: invoices with their PDF). Only exists outside production. `?phone=` shows one number's SMS (the
 * 忘记密码 page links here that way); `?tab=mail&to=` one address's mail.
 */
export function DevInboxPage() {
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'mail' ? 'mail' : 'sms';
  return (
    <Tabs
      activeKey={tab}
      onChange={(k) => setParams(k === 'mail' ? { tab: 'mail' } : {})}
      items={[
        { key: 'sms', label: '短信', children: <SmsInbox /> },
        { key: 'mail', label: '邮件', children: <MailInbox /> },
      ]}
    />
  );
}

function SmsInbox() {
  const [params, setParams] = useSearchParams();
  const phone = params.get('phone')?.trim() ?? '';
  const { items, error, load } = usePolled<Sms>(`/api/dev/sms${phone ? `?phone=${encodeURIComponent(phone)}` : ''}`);
  return (
    <Card
      title="沙箱短信收件箱"
      extra={
        <Button icon={<ReloadOutlined />} onClick={() => void load()}>
          刷新
        </Button>
      }
    >
      <Alert
        type="warning"
        showIcon
        style={{ marginBottom: 16 }}
        message="这是开发和演示用的沙箱：短信由沙箱网关按阿里云短信接口协议接收并验签后保存在这里，不会发到真实手机。"
      />
      <Input.Search
        key={phone}
        defaultValue={phone}
        placeholder="按手机号筛选"
        allowClear
        inputMode="tel"
        maxLength={20}
        enterButton="筛选"
        aria-label="按手机号筛选"
        style={{ marginBottom: 16 }}
        onSearch={(v) => setParams(v.trim() ? { phone: v.trim() } : {})}
      />
      {error && <Alert type="error" message={error} />}
      {items && items.length === 0 && <Empty description={phone ? `${phone} 还没有短信` : '还没有短信'} />}
      {items && items.length > 0 && (
        <List
          dataSource={items}
          renderItem={(m) => {
            const code = codeIn(m.text);
            return (
              <List.Item data-testid="sms-item" style={{ display: 'block' }}>
                <Space wrap size={[8, 4]} style={{ marginBottom: 6 }}>
                  <Typography.Text strong>{m.phoneNumber}</Typography.Text>
                  <span className="muted">{new Date(m.receivedAt).toLocaleString('zh-CN')}</span>
                  <Tag style={{ marginInlineEnd: 0 }}>{m.templateCode}</Tag>
                </Space>
                {code && (
                  <div style={{ margin: '4px 0 8px' }}>
                    <span className="muted">验证码 </span>
                    <Typography.Text copyable={{ text: code }} strong style={{ fontSize: 24, letterSpacing: 4 }} data-testid="sms-code">
                      {code}
                    </Typography.Text>
                  </div>
                )}
                <Typography.Paragraph style={{ marginBottom: 0 }} data-testid="sms-text">
                  {m.text}
                </Typography.Paragraph>
              </List.Item>
            );
          }}
        />
      )}
    </Card>
  );
}

function MailInbox() {
  const [params, setParams] = useSearchParams();
  const to = params.get('to')?.trim() ?? '';
  const { items, error, load } = usePolled<Mail>(`/api/dev/mail${to ? `?to=${encodeURIComponent(to)}` : ''}`);
  return (
    <Card
      title="沙箱邮件收件箱"
      extra={
        <Button icon={<ReloadOutlined />} onClick={() => void load()}>
          刷新
        </Button>
      }
    >
      <Alert
        type="warning"
        showIcon
        style={{ marginBottom: 16 }}
        message="这是开发和演示用的沙箱：邮件由本系统内置的沙箱邮件服务器按SMTP协议接收后保存在这里，不会发到真实邮箱。"
      />
      <Input.Search
        key={to}
        defaultValue={to}
        placeholder="按收件邮箱筛选"
        allowClear
        inputMode="email"
        maxLength={200}
        enterButton="筛选"
        aria-label="按收件邮箱筛选"
        style={{ marginBottom: 16 }}
        onSearch={(v) => setParams(v.trim() ? { tab: 'mail', to: v.trim() } : { tab: 'mail' })}
      />
      {error && <Alert type="error" message={error} />}
      {items && items.length === 0 && <Empty description={to ? `${to} 还没有邮件` : '还没有邮件'} />}
      {items && items.length > 0 && (
        <List
          dataSource={items}
          renderItem={(m) => (
            <List.Item data-testid="mail-item" style={{ display: 'block' }}>
              <Space wrap size={[8, 4]} style={{ marginBottom: 6 }}>
                <Typography.Text strong data-testid="mail-subject">
                  {m.subject || '（无主题）'}
                </Typography.Text>
                <span className="muted">收件人 {m.to}</span>
                <span className="muted">{new Date(m.receivedAt).toLocaleString('zh-CN')}</span>
              </Space>
              <Typography.Paragraph style={{ marginBottom: 8, whiteSpace: 'pre-wrap' }} data-testid="mail-text">
                {m.text}
              </Typography.Paragraph>
              {m.attachments.length > 0 && (
                <Space wrap size={[12, 4]}>
                  {m.attachments.map((a, i) => (
                    <a key={i} href={`/api/dev/mail/${m.id}/attachments/${i}`} download={a.filename} data-testid="mail-attachment">
                      <PaperClipOutlined /> {a.filename}（{kb(a.bytes)}）
                    </a>
                  ))}
                </Space>
              )}
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
