import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Empty, List, Space, Tag, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { apiGet, ApiError } from '../../api.js';

interface Sms {
  id: number;
  phoneNumber: string;
  text: string;
  templateCode: string;
  receivedAt: string;
}

/** 沙箱短信收件箱: what the sandbox SMS gateway "delivered". Only exists outside production. */
export function DevInboxPage() {
  const [items, setItems] = useState<Sms[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setItems((await apiGet<{ items: Sms[] }>('/api/dev/sms')).items);
      setError(null);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 404 ? '生产环境没有沙箱收件箱。' : '加载失败，请刷新重试');
    }
  }, []);
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
      {error && <Alert type="error" message={error} />}
      {items && items.length === 0 && <Empty description="还没有短信" />}
      {items && items.length > 0 && (
        <List
          dataSource={items}
          renderItem={(m) => (
            <List.Item data-testid="sms-item">
              <List.Item.Meta
                title={
                  <Space wrap>
                    <Typography.Text strong>{m.phoneNumber}</Typography.Text>
                    <Tag>{m.templateCode}</Tag>
                    <span className="muted">{new Date(m.receivedAt).toLocaleString('zh-CN')}</span>
                  </Space>
                }
                description={<span data-testid="sms-text">{m.text}</span>}
              />
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
