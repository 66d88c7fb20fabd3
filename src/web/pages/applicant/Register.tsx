import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { Alert, Button, Card, Checkbox, Form, Input, Typography } from 'antd';
import { REGISTERED_MOBILE_USE } from '../../../core/content/help.js';
import { ZMobile, ZNewPassword, ZOrgName, ZUscc } from '../../../core/schemas.js';
import { normalizeUscc } from '../../../core/uscc.js';
import type { OrgLoggedIn } from '../../../core/accounts-schemas.js';
import { apiPost } from '../../api.js';
import { CaptchaField } from '../../components/Captcha.js';
import { showServerErrors, zodRule } from '../../components/forms.js';
import { useDraft } from '../../components/useDraft.js';
import { useAction } from '../../components/useAction.js';
import { useOrgSession } from '../../session.js';

export function RegisterPage() {
  const [form] = Form.useForm();
  const navigate = useNavigate();
  const { passwordRule, setOrganization } = useOrgSession();
  const [captchaVersion, setCaptchaVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const { run, busy } = useAction();
  const draft = useDraft('register', form, ['name', 'uscc', 'mobile']);
  const typedUscc = Form.useWatch('uscc', form) as string | undefined;
  const normalized = typedUscc ? normalizeUscc(typedUscc) : '';

  const submit = (values: Record<string, unknown>) =>
    run(
      async () => {
        setError(null);
        const r = await apiPost<OrgLoggedIn>('/api/register', { ...values, uscc: normalizeUscc(String(values.uscc ?? '')) });
        draft.clear();
        setOrganization(r.organization);
        navigate('/account?welcome=1');
      },
      (e) => {
        setError(showServerErrors(form, e));
        setCaptchaVersion((v) => v + 1);
      },
    );

  return (
    <Card className="auth-card" title="免费注册">
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 16 }}
        message="统一社会信用代码将作为登录名"
        description="请对照营业执照认真填写单位名称和统一社会信用代码。代码填错需用正确的代码重新注册；名称填错请致电客服热线 400-800-1040 登记修改。"
      />
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="form-error" />}
      <Form form={form} layout="vertical" onFinish={submit} onValuesChange={() => draft.save()} requiredMark>
        <Form.Item label="单位名称" name="name" rules={[zodRule(ZOrgName)]} validateTrigger="onBlur">
          <Input placeholder="与营业执照上的名称完全一致" maxLength={100} autoComplete="organization" />
        </Form.Item>
        <Form.Item
          label="统一社会信用代码"
          name="uscc"
          rules={[zodRule(ZUscc)]}
          validateTrigger="onBlur"
          extra={
            normalized && normalized !== typedUscc ? (
              <span data-testid="uscc-normalized">
                将保存为：<Typography.Text code>{normalized}</Typography.Text>（字母一律大写，字母 O、I 按数字 0、1 处理）
              </span>
            ) : (
              '18位，字母一律大写'
            )
          }
        >
          <Input placeholder="例如 91360100MA35XQ7T6B" maxLength={24} autoComplete="off" style={{ fontFamily: 'monospace' }} />
        </Form.Item>
        <Form.Item label="手机号" name="mobile" rules={[zodRule(ZMobile)]} validateTrigger="onBlur" extra={REGISTERED_MOBILE_USE}>
          <Input placeholder="11位大陆手机号码" maxLength={20} inputMode="tel" autoComplete="tel" />
        </Form.Item>
        <Form.Item label="密码" name="password" rules={[zodRule(ZNewPassword)]} validateTrigger="onBlur" extra={passwordRule}>
          <Input.Password autoComplete="new-password" maxLength={64} />
        </Form.Item>
        <Form.Item
          label="确认密码"
          name="passwordConfirm"
          dependencies={['password']}
          validateTrigger="onBlur"
          rules={[
            { required: true, message: '请再次填写密码' },
            ({ getFieldValue }) => ({
              validator: async (_r, v) => {
                if (v && v !== getFieldValue('password')) throw new Error('两次填写的密码不一致');
              },
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" maxLength={64} />
        </Form.Item>
        <CaptchaField version={captchaVersion} />
        <Form.Item
          name="agree"
          valuePropName="checked"
          rules={[
            {
              validator: async (_r, v) => {
                if (!v) throw new Error('请阅读并同意《江西CA数字证书用户协议》');
              },
            },
          ]}
        >
          <Checkbox>
            我已阅读并同意
            <Link to="/agreement" target="_blank">
              《江西CA数字证书用户协议》
            </Link>
          </Checkbox>
        </Form.Item>
        <Button type="primary" htmlType="submit" block size="large" loading={busy}>
          注册
        </Button>
        <div style={{ marginTop: 12, textAlign: 'center' }}>
          已有账号？<Link to="/login">直接登录</Link>
        </div>
      </Form>
    </Card>
  );
}
