/** 柜台登记: a unit not yet registered, without a password (it claims the account online with 忘记密码). */
import { Alert, Button, Card, Form, Input, type FormInstance } from 'antd';
import { ZOrgName, mobileField } from '../../../../core/schemas.js';
import { zodRule } from '../../../components/forms.js';
import { mono } from '../orders/format.js';

export type RegisterFields = { name: string; mobile: string };

export function CounterRegister({
  form,
  uscc,
  busy,
  onRegister,
}: {
  /** The page's: what was typed stays when the unit is looked up again. */
  form: FormInstance<RegisterFields>;
  uscc: string | null;
  busy: boolean;
  onRegister: (fields: RegisterFields) => void;
}) {
  const register = async () => {
    const v = await form.validateFields().catch(() => null);
    if (v) onRegister(v);
  };
  return (
    <Card size="small" title="该单位尚未登记：柜台登记" data-testid="counter-register">
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 12 }}
        message="柜台登记不设密码。单位以后可在网上用“忘记密码”，凭发送到登记手机号的短信验证码设置密码，认领本账号。"
      />
      <Form form={form} layout="vertical" requiredMark={false} initialValues={{ name: '', mobile: '' }}>
        <Form.Item label="统一社会信用代码">
          <span style={mono}>{uscc}</span>
        </Form.Item>
        <Form.Item name="name" label="单位名称（与营业执照一致）" rules={[zodRule(ZOrgName)]}>
          <Input maxLength={100} data-testid="counter-reg-name" />
        </Form.Item>
        <Form.Item name="mobile" label="单位手机号（用于短信通知和认领账号）" rules={[zodRule(mobileField('单位手机号'))]}>
          <Input maxLength={20} inputMode="tel" data-testid="counter-reg-mobile" style={{ maxWidth: 240 }} />
        </Form.Item>
        <Button type="primary" onClick={() => void register()} loading={busy} data-testid="counter-reg-submit">
          登记单位
        </Button>
      </Form>
    </Card>
  );
}
