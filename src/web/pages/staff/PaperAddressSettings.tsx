/**
 * 系统设置 → 纸质资料收件信息 (管理员): where applicants mail the paper originals. The order page, the page
 * after payment, the 付款成功 SMS and the printable 邮寄资料清单 all show what is saved here.
 */
import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Form, Input, Space, Spin, Tag, Typography } from 'antd';
import { ZPaperAddress, SMS_VARIABLE_MAX, type PaperAddress } from '../../../core/paper-checklist.js';
import { apiGet, apiPut } from '../../api.js';
import { showServerErrors, zodRule } from '../../components/forms.js';
import { useAction } from '../../components/useAction.js';
import { beijing } from './orders/format.js';
import type { PaperAddressSetting } from '../../../core/settings-schemas.js';
import { useStaffErrors } from './staffSession.js';

type Setting = PaperAddressSetting;

const FIELDS: { name: keyof PaperAddress; label: string; placeholder: string; max: number }[] = [
  { name: 'address', label: '收件地址', placeholder: '如 江西省南昌市省府大院西二路3号3楼', max: SMS_VARIABLE_MAX },
  { name: 'recipient', label: '收件人', placeholder: '如 江西省数字证书有限公司', max: SMS_VARIABLE_MAX },
  { name: 'phone', label: '收件电话', placeholder: '如 0791-82097407', max: 15 },
];

export function PaperAddressSettings() {
  const [form] = Form.useForm<PaperAddress>();
  const { message } = App.useApp();
  const fail = useStaffErrors();
  const [data, setData] = useState<Setting | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { run, busy } = useAction();

  const load = useCallback(async () => {
    try {
      const d = await apiGet<Setting>('/api/staff/settings/paper-address');
      setData(d);
      form.setFieldsValue(d.address);
    } catch (e) {
      setError(fail(e));
    }
  }, [fail, form]);
  useEffect(() => {
    void load();
  }, [load]);

  const save = (v: PaperAddress) =>
    run(
      async () => {
        setError(null);
        const d = await apiPut<Setting>('/api/staff/settings/paper-address', v);
        setData(d);
        form.setFieldsValue(d.address);
        message.success('纸质资料收件信息已保存');
      },
      (e) => {
        const rest = showServerErrors(form, e);
        setError(rest);
        if (!rest) fail(e);
      },
    );

  if (!data) return error ? <Alert type="error" showIcon title={error} /> : <Spin />;
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%', maxWidth: 640 }} data-testid="paper-address-settings">
      <Alert
        type="info"
        showIcon
        title="申请单位付款后把纸质资料原件寄到这里"
        description={`订单页面的“邮寄纸质资料”、付款成功页面、付款成功短信和邮寄资料清单都显示这里的地址、收件人和电话。每项最多${SMS_VARIABLE_MAX}个字（付款成功短信中每个变量最多${SMS_VARIABLE_MAX}个字）；电话须为带区号的固定电话或400电话（通知短信中的联系电话只能是固定电话或400电话）。使用阿里云短信时，付款成功短信的模板须包含这三个变量。`}
      />
      <Space wrap size={6}>
        {data.isDefault ? <Tag>默认（取自办证大厅地址，请核对）</Tag> : <Tag color="blue">已设置</Tag>}
        {data.updatedAt && (
          <Typography.Text type="secondary">
            最近修改：{beijing(data.updatedAt)} {data.updatedBy ?? ''}
          </Typography.Text>
        )}
      </Space>
      {error && <Alert type="error" showIcon title={error} />}
      <Form<PaperAddress> form={form} layout="vertical" name="paper_address" onFinish={(v) => void save(v)} requiredMark={false}>
        {FIELDS.map((f) => (
          <Form.Item key={f.name} label={f.label} name={f.name} rules={[zodRule(ZPaperAddress.shape[f.name])]} validateTrigger="onBlur">
            <Input maxLength={f.max} placeholder={f.placeholder} showCount={f.max > 15} />
          </Form.Item>
        ))}
        <Button type="primary" htmlType="submit" loading={busy} data-testid="paper-address-save">
          保存
        </Button>
      </Form>
    </Space>
  );
}
