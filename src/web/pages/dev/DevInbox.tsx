import { useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { Alert, Button, Card, Empty, Input, List, Space, Tag, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { apiGet, ApiError } from '../../api.js';

interface Sms {
  id: number;
  phoneNumber: string;
  text: string;
  templateCode: string;
  receivedAt: string;
}

/** The verification code in a message, shown large so nobody has to pick it out of the sentence. */
const codeIn = (text: string) => /验证码(\d{4,8})/.exec(text)?.[1];

/**
 * 沙箱短信收件箱: what the sandbox SMS gateway "delivered". Only exists outside production.
 * `?phone=` shows one number's messages (the 忘记密码 page links here that way).
 */
export function DevInboxPage() {
  const [params, setParams] = useSearchParams();
  const phone = params.get('phone')?.trim() ?? '';
  const [items, setItems] = useState<Sms[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      const q = phone ? `?phone=${encodeURIComponent(phone)}` : '';
      setItems((await apiGet<{ items: Sms[] }>(`/api/dev/sms${q}`)).items);
      setError(null);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 404 ? '生产环境没有沙箱收件箱。' : '加载失败，请刷新重试');
    }
  }, [phone]);
  useEffect(() => {
    void load();
    const t = setInterval(() => void load(), 3000);
    return () => clearInterval(t);
  }, [load]);
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
