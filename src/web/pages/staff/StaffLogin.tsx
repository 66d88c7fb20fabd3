import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { Alert, Button, Card, Form, Input } from 'antd';
import { apiPost } from '../../api.js';
import { CaptchaField } from '../../components/Captcha.js';
import { showServerErrors } from '../../components/forms.js';
import { useAction } from '../../components/useAction.js';
import { useStaffSession, type StaffInfo } from './staffSession.js';

export function StaffLoginPage() {
  const [form] = Form.useForm();
  const navigate = useNavigate();
  const { setStaff } = useStaffSession();
  const [captchaVersion, setCaptchaVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const { run, busy } = useAction();
  const submit = (v: Record<string, unknown>) =>
    run(
      async () => {
        setError(null);
        const r = await apiPost<{ staff: StaffInfo }>('/api/staff/login', v);
        setStaff(r.staff);
        navigate('/staff');
      },
      (e) => {
        setError(showServerErrors(form, e));
        form.setFieldValue('password', '');
        setCaptchaVersion((x) => x + 1);
      },
    );
  return (
    <div style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f0f2f5', padding: 16 }}>
      <Card title="江西CA 工作人员登录" style={{ width: '100%', maxWidth: 420 }}>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="form-error" />}
        <Form form={form} layout="vertical" onFinish={submit}>
          <Form.Item label="用户名" name="username" rules={[{ required: true, message: '请填写用户名' }]}>
            <Input autoComplete="username" maxLength={64} />
          </Form.Item>
          <Form.Item label="密码" name="password" rules={[{ required: true, message: '请填写密码' }]}>
            <Input.Password autoComplete="current-password" maxLength={64} />
          </Form.Item>
          <CaptchaField version={captchaVersion} />
          <Button type="primary" htmlType="submit" block loading={busy}>
            登录
          </Button>
        </Form>
      </Card>
    </div>
  );
}
