/**
 * UKEY 在线解锁 (issue 20): a locked user PIN gets a new one without a trip to an office. The 证书助手 on this
 * PC reads the key; the server sends an SMS code to the organization's registered mobile, then the 经办人
 * named in the certificate's order passes a face check on the provider's page (this page is where it comes
 * back, ?request=…); the server then hands out one authorization for this key and this agent pairing, and
 * the agent resets the PIN — the new PIN is typed in the agent's window, never here (modules/tokens/unlock.ts).
 */
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { Alert, Button, Card, Input, Result, Space, Steps, Typography } from 'antd';
import type { TokenAuthorization, UnlockFaceStarted, UnlockRequested, UnlockView } from '../../../core/tokens-schemas.js';
import { apiGet, apiPost, ApiError } from '../../api.js';
import { LoginGate } from '../../components/LoginGate.js';
import { useAction } from '../../components/useAction.js';
import { AgentError, type AgentClient, type AgentToken } from '../../agent/agentClient.js';
import { AgentPanel } from '../../agent/AgentPanel.js';

const STEP_OF: Record<UnlockView['status'], number> = {
  code_sent: 1,
  code_ok: 2,
  face_started: 2,
  face_passed: 3,
  granted: 3,
  done: 4,
  closed: 0,
};

export function UkeyUnlockPage() {
  return (
    <LoginGate>
      <Unlock />
    </LoginGate>
  );
}

const messageOf = (e: unknown) => (e instanceof ApiError || e instanceof AgentError ? e.message : '系统繁忙，请稍后再试');

function Unlock() {
  const [params, setParams] = useSearchParams();
  const requestId = params.get('request');
  const [view, setView] = useState<UnlockView | null>(null);
  const [agent, setAgent] = useState<AgentClient | null>(null);
  const [token, setToken] = useState<AgentToken | undefined>();
  const [mobile, setMobile] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { run, busy } = useAction();
  const show = (e: unknown) => setError(messageOf(e));

  // On arrival with a request (back from the face check, or a reload): where it stands.
  useEffect(() => {
    if (!requestId) return;
    void run(async () => {
      const v = await apiGet<UnlockView>(`/api/my/ukey-unlocks/${requestId}`);
      setView(v.status === 'face_started' ? await apiPost<UnlockView>(`/api/my/ukey-unlocks/${requestId}/face/result`) : v);
    }, show);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [requestId]);

  const step = !requestId || !view ? 0 : STEP_OF[view.status];
  const serial = view?.tokenSerial ?? token?.serial;

  const request = () =>
    run(async () => {
      if (!token) return setError('请先连接证书助手并选择口令已锁定的 UKEY');
      setError(null);
      const r = await apiPost<UnlockRequested>('/api/my/ukey-unlocks', { tokenSerial: token.serial });
      setMobile(r.maskedMobile);
      setView({ id: r.id, status: 'code_sent', tokenSerial: token.serial, codeAttemptsLeft: 5, faceAttemptsLeft: 3, expiresAt: '' });
      setParams({ request: r.id }, { replace: true });
    }, show);

  const confirmCode = () =>
    run(
      async () => {
        setCodeError(null);
        setView(await apiPost<UnlockView>(`/api/my/ukey-unlocks/${requestId}/code`, { code }));
      },
      (e) => (e instanceof ApiError && e.fields.code ? setCodeError(e.fields.code) : show(e)),
    );

  const startFace = () =>
    run(async () => {
      const r = await apiPost<UnlockFaceStarted>(`/api/my/ukey-unlocks/${requestId}/face`);
      window.location.assign(r.redirectUrl);
    }, show);

  const reset = () =>
    run(async () => {
      if (!agent) return setError('请先连接证书助手');
      setError(null);
      const session = await agent.session();
      const { authorization } = await apiPost<TokenAuthorization>(`/api/my/ukey-unlocks/${requestId}/authorization`, {
        agent: session,
      });
      try {
        await agent.resetPin(view!.tokenSerial, authorization);
      } catch (e) {
        // The request ends either way (the authorization was one-time): the server records why.
        await apiPost(`/api/my/ukey-unlocks/${requestId}/finish`, { reset: false, error: messageOf(e).slice(0, 200) }).catch(
          () => undefined,
        );
        throw e;
      }
      setView(await apiPost<UnlockView>(`/api/my/ukey-unlocks/${requestId}/finish`, { reset: true }));
    }, show);

  const again = () => {
    setParams({}, { replace: true });
    setView(null);
    setError(null);
    setCode('');
  };

  const closed = view?.status === 'closed';
  return (
    <Card title="UKEY 在线解锁" data-testid="unlock-page">
      <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
        UKEY 用户口令输错次数过多被锁定时，可在线重置：需本机已安装并启动证书助手、插入该 UKEY，短信验证码发送到本单位注册手机号，
        并由证书订单中的经办人本人完成人脸核身。新口令在证书助手窗口中设置，网页不会看到任何口令。也可携带 UKEY 和经办人身份证到
        <Link to="/offices">受理点</Link>办理。
      </Typography.Paragraph>
      <Steps
        size="small"
        current={step}
        responsive
        style={{ marginBottom: 16 }}
        items={[{ title: '选择 UKEY' }, { title: '短信验证' }, { title: '经办人人脸核身' }, { title: '重置口令' }, { title: '完成' }]}
        data-testid="unlock-steps"
      />
      {error && (
        <Alert
          type="error"
          showIcon
          title={error}
          style={{ marginBottom: 12 }}
          data-testid="unlock-error"
          closable
          onClose={() => setError(null)}
        />
      )}

      {closed ? (
        <Result
          status="warning"
          title="这次在线解锁申请已失效"
          extra={
            <Button type="primary" onClick={again}>
              重新申请
            </Button>
          }
        />
      ) : view?.status === 'done' ? (
        <Result
          status="success"
          title="UKEY 口令已重置"
          subTitle={`序列号 ${view.tokenSerial} 的 UKEY 已设置您在证书助手中输入的新口令，请妥善保管。`}
          data-testid="unlock-done"
          extra={
            <Link to="/certificates">
              <Button type="primary">返回我的证书</Button>
            </Link>
          }
        />
      ) : (
        <div style={{ display: 'grid', gap: 16 }}>
          {step !== 1 && step !== 2 && (
            <Card size="small" title={step === 0 ? '第一步：连接证书助手，选择口令已锁定的 UKEY' : '证书助手'}>
              <AgentPanel
                pairingUrl="/api/agent/pairing"
                value={serial}
                onChange={setToken}
                onClient={setAgent}
                describe={(t) =>
                  view ? (t.serial === view.tokenSerial ? null : '不是本次解锁的 UKEY') : t.userPinLocked ? null : '口令未锁定，无需解锁'
                }
              />
              {step === 0 && (
                <Button
                  type="primary"
                  style={{ marginTop: 12 }}
                  loading={busy}
                  disabled={!token}
                  onClick={() => void request()}
                  data-testid="unlock-request"
                >
                  获取短信验证码
                </Button>
              )}
            </Card>
          )}
          {step === 1 && (
            <Card size="small" title="第二步：短信验证">
              <Space direction="vertical" style={{ width: '100%' }}>
                <span data-testid="unlock-code-sent">
                  验证码已发送至本单位注册手机号{mobile ? ` ${mobile}` : ''}，10 分钟内有效（UKEY 序列号 {view?.tokenSerial}）。
                </span>
                <Space.Compact style={{ maxWidth: 320 }}>
                  <Input
                    value={code}
                    onChange={(e) => setCode(e.target.value.replace(/\D/g, '').slice(0, 6))}
                    onPressEnter={() => void confirmCode()}
                    inputMode="numeric"
                    placeholder="6 位验证码"
                    aria-label="短信验证码"
                    status={codeError ? 'error' : undefined}
                    data-testid="unlock-code"
                  />
                  <Button type="primary" loading={busy} onClick={() => void confirmCode()} data-testid="unlock-code-submit">
                    下一步
                  </Button>
                </Space.Compact>
                {codeError && (
                  <Typography.Text type="danger" data-testid="unlock-code-error">
                    {codeError}
                  </Typography.Text>
                )}
              </Space>
            </Card>
          )}
          {step === 2 && view && (
            <Card size="small" title="第三步：经办人人脸核身">
              <Space direction="vertical">
                <span>
                  请由证书订单中的<strong>经办人本人</strong>
                  进行人脸核身（可用手机或带摄像头的电脑），完成后会自动回到本页。本次申请还可核身 {view.faceAttemptsLeft} 次。
                </span>
                {view.status === 'face_started' && (
                  <Alert type="info" showIcon title="人脸核身尚未完成，可重新开始" data-testid="unlock-face-incomplete" />
                )}
                <Button
                  type="primary"
                  loading={busy}
                  onClick={() => void startFace()}
                  data-testid="unlock-face"
                  disabled={view.faceAttemptsLeft === 0}
                >
                  开始人脸核身
                </Button>
              </Space>
            </Card>
          )}
          {step === 3 && view && (
            <Card size="small" title="第四步：重置口令">
              <Space direction="vertical">
                <Alert type="success" showIcon title="经办人身份核验通过" />
                <span>
                  点击“重置口令”后，请在证书助手窗口中输入两次新的用户口令。CA 的授权只对这个 UKEY
                  和本次配对的证书助手有效，且只能使用一次。
                </span>
                <Button type="primary" loading={busy} disabled={!agent} onClick={() => void reset()} data-testid="unlock-reset">
                  重置口令
                </Button>
              </Space>
            </Card>
          )}
          {view && view.status === 'granted' && (
            <Button onClick={again} data-testid="unlock-again">
              重新申请在线解锁
            </Button>
          )}
        </div>
      )}
    </Card>
  );
}
