import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { Alert, Button, Card, Form, Input } from 'antd';
import { normalizeUscc } from '../../../core/uscc.js';
import type { OrgLoggedIn } from '../../../core/accounts-schemas.js';
import { apiPost } from '../../api.js';
import { CaptchaField } from '../../components/Captcha.js';
import { showServerErrors } from '../../components/forms.js';
import { useAction } from '../../components/useAction.js';
import { useOrgSession } from '../../session.js';

export function LoginPage() {
  const [form] = Form.useForm();
  const navigate = useNavigate();
  const { setOrganization } = useOrgSession();
  const [captchaVersion, setCaptchaVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const { run, busy } = useAction();
  // Where to go back to after logging in (a page that required a login); only paths on this site.
  const [params] = useSearchParams();
  const next = params.get('next');
  const target = next && /^\/(?![/\\])/.test(next) ? next : '/account';

  const submit = (values: Record<string, unknown>) =>
    run(
      async () => {
        setError(null);
        const r = await apiPost<OrgLoggedIn>('/api/login', { ...values, uscc: normalizeUscc(String(values.uscc ?? '')) });
        setOrganization(r.organization);
        navigate(target);
      },
      (e) => {
        setError(showServerErrors(form, e));
        form.setFieldValue('password', '');
        setCaptchaVersion((v) => v + 1);
      },
    );

  return (
    <Card className="auth-card" title="登录数字证书在线受理系统">
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="form-error" />}
      <Form form={form} layout="vertical" onFinish={submit}>
        <Form.Item
          label="统一社会信用代码"
          name="uscc"
          rules={[{ required: true, message: '请填写统一社会信用代码' }]}
          extra="注册时填写的18位代码即登录名"
        >
          <Input placeholder="18位统一社会信用代码" maxLength={24} autoComplete="username" style={{ fontFamily: 'monospace' }} />
        </Form.Item>
        <Form.Item label="密码" name="password" rules={[{ required: true, message: '请填写密码' }]}>
          <Input.Password autoComplete="current-password" maxLength={64} />
        </Form.Item>
        <CaptchaField version={captchaVersion} />
        <Button type="primary" htmlType="submit" block size="large" loading={busy}>
          登录
        </Button>
        <div style={{ marginTop: 12, display: 'flex', justifyContent: 'space-between' }}>
          <Link to="/forgot-password">忘记密码</Link>
          <Link to="/register">免费注册</Link>
        </div>
      </Form>
    </Card>
  );
}
