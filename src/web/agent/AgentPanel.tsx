/**
 * Connects the page to the 证书助手 and lets the person pick a UKEY: finds the agent (or says how to start
 * it), pairs with the 8-digit code the agent shows, lists the keys plugged in with their PIN state. Used by
 * 制证's key form (staff) and 在线解锁 (applicants).
 */
import { useEffect, useState } from 'react';
import { Alert, Button, Input, Radio, Space, Spin, Tag, Typography } from 'antd';
import { ReloadOutlined, UsbOutlined } from '@ant-design/icons';
import type { AgentPairing } from '../../core/tokens-schemas.js';
import { apiGet } from '../api.js';
import { AgentClient, AgentError, type AgentToken } from './agentClient.js';

type State =
  | { kind: 'loading' }
  | { kind: 'offline'; message: string }
  | { kind: 'unpaired'; error?: string }
  | { kind: 'paired'; tokens: AgentToken[] };

export function AgentPanel({
  pairingUrl,
  value,
  onChange,
  onClient,
  describe,
}: {
  /** '/api/agent/pairing' (applicants) or '/api/staff/agent/pairing' (制证). */
  pairingUrl: string;
  value?: string;
  onChange: (token: AgentToken | undefined) => void;
  onClient: (client: AgentClient | null) => void;
  /** Why a key cannot be chosen here (e.g. not locked), or null when it can. */
  describe?: (t: AgentToken) => string | null;
}) {
  const [client, setClient] = useState<AgentClient | null>(null);
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);

  const refresh = async (c: AgentClient) => {
    try {
      await c.health();
      if (!c.paired) return setState({ kind: 'unpaired' });
      const tokens = await c.tokens();
      setState({ kind: 'paired', tokens });
      onClient(c);
      const chosen = tokens.find((t) => t.serial === value);
      if (!chosen) onChange(undefined);
    } catch (e) {
      if (e instanceof AgentError && e.status === 401) return setState({ kind: 'unpaired' });
      setState({ kind: 'offline', message: e instanceof Error ? e.message : '没有连接到证书助手' });
      onClient(null);
    }
  };

  const connect = async () => {
    setState({ kind: 'loading' });
    try {
      const p = await apiGet<AgentPairing>(pairingUrl);
      const c = new AgentClient(p.agentUrl, p.binding);
      setClient(c);
      await refresh(c);
    } catch (e) {
      setState({ kind: 'offline', message: e instanceof Error ? e.message : '无法取得证书助手的配对信息' });
    }
  };

  useEffect(() => {
    void connect();
    // Once per page (and pairing URL): the buttons reconnect and refresh.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [pairingUrl]);

  const pair = async () => {
    if (!client) return;
    if (!/^\d{8}$/.test(code)) return setState({ kind: 'unpaired', error: '配对码是证书助手窗口中显示的 8 位数字' });
    setBusy(true);
    try {
      await client.pair(code);
      setCode('');
      await refresh(client);
    } catch (e) {
      setState({ kind: 'unpaired', error: e instanceof Error ? e.message : '配对失败' });
    } finally {
      setBusy(false);
    }
  };

  if (state.kind === 'loading') return <Spin size="small" data-testid="agent-loading" />;
  if (state.kind === 'offline')
    return (
      <Alert
        type="warning"
        showIcon
        data-testid="agent-offline"
        title="没有连接到证书助手"
        description={
          <Space direction="vertical">
            <span>{state.message}。证书助手可在“下载中心”下载；安装后它随开机启动，窗口中显示配对码。</span>
            <Button icon={<ReloadOutlined />} onClick={() => void connect()} data-testid="agent-retry">
              重新连接
            </Button>
          </Space>
        }
      />
    );
  if (state.kind === 'unpaired')
    return (
      <div style={{ display: 'grid', gap: 8 }} data-testid="agent-unpaired">
        <Typography.Text>请输入证书助手窗口中显示的 8 位配对码（2 分钟内有效，只能使用一次）：</Typography.Text>
        <Space.Compact style={{ maxWidth: 320 }}>
          <Input
            value={code}
            onChange={(e) => setCode(e.target.value.replace(/\D/g, '').slice(0, 8))}
            onPressEnter={() => void pair()}
            inputMode="numeric"
            placeholder="8 位配对码"
            aria-label="配对码"
            data-testid="agent-pair-code"
            style={{ fontFamily: 'monospace', letterSpacing: 2 }}
          />
          <Button type="primary" loading={busy} onClick={() => void pair()} data-testid="agent-pair">
            配对
          </Button>
        </Space.Compact>
        {state.error && <Alert type="error" showIcon title={state.error} data-testid="agent-pair-error" />}
      </div>
    );
  return (
    <div style={{ display: 'grid', gap: 8 }} data-testid="agent-paired">
      <Space wrap>
        <Tag color="green" icon={<UsbOutlined />}>
          已连接证书助手
        </Tag>
        <Button size="small" icon={<ReloadOutlined />} onClick={() => client && void refresh(client)} data-testid="agent-refresh">
          刷新
        </Button>
      </Space>
      {state.tokens.length === 0 ? (
        <Alert type="info" showIcon title="没有检测到 UKEY：请插入 UKEY 后点“刷新”" data-testid="agent-no-token" />
      ) : (
        <Radio.Group
          value={value}
          onChange={(e) => onChange(state.tokens.find((t) => t.serial === e.target.value))}
          style={{ display: 'grid', gap: 8 }}
        >
          {state.tokens.map((t) => {
            const why = describe?.(t) ?? null;
            return (
              <Radio key={t.serial} value={t.serial} disabled={why !== null} data-testid={`agent-token-${t.serial}`}>
                <span style={{ display: 'inline-flex', flexWrap: 'wrap', gap: 6, alignItems: 'center' }}>
                  <strong>{t.label || '（无标签）'}</strong>
                  <span style={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>序列号 {t.serial}</span>
                  {t.userPinLocked && <Tag color="red">口令已锁定</Tag>}
                  {!t.userPinLocked && t.userPinToBeChanged && <Tag color="orange">须修改初始口令</Tag>}
                  {t.certDesk && <Tag>CA 已初始化</Tag>}
                  {why && <Typography.Text type="secondary">{why}</Typography.Text>}
                </span>
              </Radio>
            );
          })}
        </Radio.Group>
      )}
    </div>
  );
}
