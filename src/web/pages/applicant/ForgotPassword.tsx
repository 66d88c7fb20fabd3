import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { Alert, Button, Card, Form, Input, Result, Steps } from 'antd';
import { ZMobile, ZNewPassword } from '../../../core/schemas.js';
import { normalizeMobile } from '../../../core/mobile.js';
import { normalizeUscc } from '../../../core/uscc.js';
import { apiPost } from '../../api.js';
import { CaptchaField } from '../../components/Captcha.js';
import { showServerErrors, zodRule } from '../../components/forms.js';
import { useAction } from '../../components/useAction.js';
import { useOrgSession } from '../../session.js';

/** 忘记密码: USCC + registered mobile + captcha → SMS code → new password. */
export function ForgotPasswordPage() {
  const [step, setStep] = useState(0);
  const [asked, setAsked] = useState<{ uscc: string; mobile: string } | null>(null);
  const [sent, setSent] = useState<{ maskedMobile: string } | null>(null);
  const [cooldown, setCooldown] = useState(0);
  const { sandbox } = useOrgSession();
  const navigate = useNavigate();
  useEffect(() => {
    if (cooldown <= 0) return;
    const t = setTimeout(() => setCooldown((c) => c - 1), 1000);
    return () => clearTimeout(t);
  }, [cooldown]);

  return (
    <Card className="auth-card" title="忘记密码">
      <Steps
        size="small"
        current={step}
        items={[{ title: '验证手机号' }, { title: '设置新密码' }, { title: '完成' }]}
        style={{ marginBottom: 24 }}
        responsive={false}
      />
      {step === 0 && (
        <RequestStep
          initial={asked}
          onSent={(a, r) => {
            setAsked(a);
            setSent(r);
            setCooldown(60);
            setStep(1);
          }}
        />
      )}
      {step === 1 && sent && asked && (
        <>
          <Alert
            type="success"
            showIcon
            style={{ marginBottom: 16 }}
            message={`短信验证码已发送至 ${sent.maskedMobile}，10分钟内有效`}
            description={
              sandbox.sms ? (
                <span>
                  演示环境不发送真实短信，请到
                  <Link to={`/dev/inbox?phone=${encodeURIComponent(asked.mobile)}`} target="_blank">
                    沙箱短信收件箱
                  </Link>
                  查看验证码。
                </span>
              ) : undefined
            }
          />
          <ConfirmStep uscc={asked.uscc} onDone={() => setStep(2)} />
          <Button type="link" disabled={cooldown > 0} onClick={() => setStep(0)} style={{ paddingLeft: 0 }}>
            {cooldown > 0 ? `${cooldown}秒后可重新获取验证码` : '没收到？重新获取验证码'}
          </Button>
        </>
      )}
      {step === 2 && (
        <Result
          status="success"
          title="密码已重置"
          subTitle="请使用新密码登录。为安全起见，此前所有已登录的设备均已退出。"
          extra={
            <Button type="primary" onClick={() => navigate('/login')}>
              去登录
            </Button>
          }
        />
      )}
    </Card>
  );
}

/** Asking again (after the cooldown) starts from what was typed the first time. */
function RequestStep({
  initial,
  onSent,
}: {
  initial: { uscc: string; mobile: string } | null;
  onSent: (asked: { uscc: string; mobile: string }, r: { maskedMobile: string }) => void;
}) {
  const [form] = Form.useForm();
  const [captchaVersion, setCaptchaVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const { run, busy } = useAction();
  const submit = (v: Record<string, unknown>) =>
    run(
      async () => {
        setError(null);
        const uscc = normalizeUscc(String(v.uscc ?? ''));
        const r = await apiPost<{ maskedMobile: string }>('/api/password-reset/request', { ...v, uscc });
        onSent({ uscc, mobile: normalizeMobile(String(v.mobile ?? '')) }, r);
      },
      (e) => {
        setError(showServerErrors(form, e));
        setCaptchaVersion((x) => x + 1);
      },
    );
  return (
    <Form form={form} layout="vertical" onFinish={submit} initialValues={initial ?? undefined}>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="form-error" />}
      <Form.Item label="统一社会信用代码" name="uscc" rules={[{ required: true, message: '请填写统一社会信用代码' }]}>
        <Input maxLength={24} autoComplete="username" style={{ fontFamily: 'monospace' }} />
      </Form.Item>
      <Form.Item label="注册时填写的手机号" name="mobile" required rules={[zodRule(ZMobile)]} validateTrigger="onBlur">
        <Input maxLength={20} inputMode="tel" />
      </Form.Item>
      <CaptchaField version={captchaVersion} />
      <Button type="primary" htmlType="submit" block loading={busy}>
        获取短信验证码
      </Button>
      <p className="muted" style={{ marginTop: 12 }}>
        注册手机号已停用？请致电客服热线 400-800-1040。
      </p>
    </Form>
  );
}

function ConfirmStep({ uscc, onDone }: { uscc: string; onDone: () => void }) {
  const [form] = Form.useForm();
  const { passwordRule } = useOrgSession();
  const [error, setError] = useState<string | null>(null);
  const { run, busy } = useAction();
  const submit = (v: Record<string, unknown>) =>
    run(
      async () => {
        setError(null);
        await apiPost('/api/password-reset/confirm', { ...v, uscc });
        onDone();
      },
      (e) => setError(showServerErrors(form, e)),
    );
  return (
    <Form form={form} layout="vertical" onFinish={submit}>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="form-error" />}
      <Form.Item label="短信验证码" name="code" rules={[{ required: true, pattern: /^\d{6}$/, message: '短信验证码为6位数字' }]}>
        <Input maxLength={6} inputMode="numeric" autoComplete="one-time-code" />
      </Form.Item>
      <Form.Item label="新密码" name="password" required rules={[zodRule(ZNewPassword)]} validateTrigger="onBlur" extra={passwordRule}>
        <Input.Password autoComplete="new-password" maxLength={64} />
      </Form.Item>
      <Form.Item
        label="确认新密码"
        name="passwordConfirm"
        dependencies={['password']}
        rules={[
          { required: true, message: '请再次填写新密码' },
          ({ getFieldValue }) => ({
            validator: async (_r, val) => {
              if (val && val !== getFieldValue('password')) throw new Error('两次填写的密码不一致');
            },
          }),
        ]}
      >
        <Input.Password autoComplete="new-password" maxLength={64} />
      </Form.Item>
      <Button type="primary" htmlType="submit" block loading={busy}>
        重置密码
      </Button>
    </Form>
  );
}
