import { useState } from 'react';
import { Alert, App, Button, Card, Form, Input, InputNumber, Space, Spin, Switch, Tag, Typography } from 'antd';
import { fenToYuanText, yuanTextToFen } from '../../../core/money.js';
import type { StaffCatalog, StaffProject } from '../../../core/catalog-schemas.js';
import { DUAL_CERTIFICATES } from '../../../core/content/projects.js';
import { KEY_LABEL } from '../../../core/requirements.js';
import { apiPut } from '../../api.js';
import { showServerErrors } from '../../components/forms.js';
import { useAction } from '../../components/useAction.js';
import { useStaffErrors, useStaffGet } from './staffSession.js';

type CatalogProject = StaffProject;

/**
 * 证书项目管理 (管理员): what each project is for, 法人核验, production time, and prices. Prices are typed in
 * yuan and sent as integer fen; a price the seeds did not state stays "待确认" — and cannot be ordered —
 * until an administrator saves one.
 */
export function StaffCatalogPage() {
  const { data, error, load } = useStaffGet<StaffCatalog>('/api/staff/catalog');
  const items = data?.items;
  if (error) return <Alert type="error" showIcon message={error} />;
  if (!items) return <Spin />;
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Alert
        type="info"
        showIcon
        message="修改会立即作用于新订单；已创建的订单按创建时的项目和锁类型办理。价格以元填写，系统按分保存。每次保存都记入操作记录。"
      />
      {items.map((p) => (
        <ProjectEditor key={p.code} project={p} onSaved={load} />
      ))}
    </Space>
  );
}

function ProjectEditor({ project, onSaved }: { project: CatalogProject; onSaved: () => void }) {
  const [form] = Form.useForm();
  const { message } = App.useApp();
  const fail = useStaffErrors();
  const { run, busy } = useAction();
  const [error, setError] = useState<string | null>(null);
  const unconfirmed = project.keys.some((k) => !k.priceConfirmed);
  // As 制证 decides it: the flag, on an SM2 project.
  const pair = project.dualCertificates && project.certFamily === 'sm2';

  const save = async (v: Record<string, unknown>) => {
    const keys = project.keys.map((k) => ({
      keyType: k.keyType,
      priceFen: yuanTextToFen(String(v[`price_${k.keyType}`] ?? '')),
      active: Boolean(v[`active_${k.keyType}`]),
    }));
    await run(
      async () => {
        setError(null);
        await apiPut(`/api/staff/catalog/${project.code}`, {
          purpose: v.purpose,
          legalCheckRequired: v.legalCheckRequired,
          productionWorkingDays: v.productionWorkingDays,
          active: v.active,
          keys,
        });
        message.success(`已保存“${project.name}”`);
        onSaved();
      },
      (e) => {
        const rest = showServerErrors(form, e);
        setError(rest ?? null);
        if (!rest) fail(e);
      },
    );
  };

  return (
    <Card
      title={
        <Space wrap>
          <span>{project.name}</span>
          {!project.active && <Tag>已停止在线受理</Tag>}
          {unconfirmed && <Tag color="orange">价格待确认</Tag>}
          {pair && (
            <Tag color="blue" data-testid="catalog-dual">
              双证书
            </Tag>
          )}
        </Space>
      }
      data-testid={`catalog-${project.code}`}
    >
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <Typography.Paragraph type="secondary" style={{ fontSize: 13 }} data-testid="catalog-certificates">
        {pair
          ? `${DUAL_CERTIFICATES.line}：制证时同时签发签名证书和加密证书，加密私钥由密钥管理中心生成、托管并以数字信封写入 USB Key。`
          : '只签发签名证书（单证书）。'}
        {/* Set with the catalog (seeds, migration) from what the platform requires, not on this page. */}
        是否签发双证书由证书项目目录设定，取决于交易平台是否要求加密证书；如需调整请联系系统运维。
      </Typography.Paragraph>
      <Form
        form={form}
        // One form per project on the page: the name prefixes field ids so labels point at their own inputs.
        name={`catalog_${project.code}`}
        layout="vertical"
        onFinish={save}
        initialValues={{
          purpose: project.purpose,
          legalCheckRequired: project.legalCheckRequired,
          productionWorkingDays: project.productionWorkingDays,
          active: project.active,
          ...Object.fromEntries(
            project.keys.flatMap((k) => [
              [`price_${k.keyType}`, k.priceFen === null ? '' : fenToYuanText(k.priceFen)],
              [`active_${k.keyType}`, k.active],
            ]),
          ),
        }}
      >
        <Form.Item
          label="证书用途（申请人选择项目时看到）"
          name="purpose"
          rules={[{ required: true, min: 4, message: '证书用途至少4个字' }]}
        >
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} maxLength={500} showCount />
        </Form.Item>
        <Space wrap size={24} align="start">
          <Form.Item label="需要法人核验" name="legalCheckRequired" valuePropName="checked">
            <Switch checkedChildren="需要" unCheckedChildren="不需要" />
          </Form.Item>
          <Form.Item
            label="制证时间（工作日）"
            name="productionWorkingDays"
            rules={[{ required: true, type: 'integer', min: 1, max: 30, message: '制证工作日为1–30的整数' }]}
          >
            <InputNumber min={1} max={30} precision={0} />
          </Form.Item>
          <Form.Item label="在线受理" name="active" valuePropName="checked">
            <Switch checkedChildren="受理" unCheckedChildren="停止" />
          </Form.Item>
        </Space>
        {project.keys.map((k) => (
          <Space key={k.keyType} wrap size={24} align="start">
            <Form.Item
              label={
                <span>
                  {KEY_LABEL[k.keyType]}价格（元）{' '}
                  {!k.priceConfirmed && (
                    <Typography.Text type="warning" style={{ fontSize: 12 }}>
                      种子资料未给出价格，保存后才能在线下单
                    </Typography.Text>
                  )}
                </span>
              }
              name={`price_${k.keyType}`}
              rules={[
                {
                  validator: async (_r, v) => {
                    if (yuanTextToFen(String(v ?? '')) === null) throw new Error('请填写价格，例如 220 或 190.50（最多两位小数）');
                  },
                },
              ]}
            >
              <Input inputMode="decimal" placeholder="例如 220" style={{ width: 160 }} addonAfter="元" />
            </Form.Item>
            <Form.Item label="提供" name={`active_${k.keyType}`} valuePropName="checked">
              <Switch />
            </Form.Item>
          </Space>
        ))}
        <div>
          <Button type="primary" htmlType="submit" loading={busy}>
            保存
          </Button>
        </div>
      </Form>
    </Card>
  );
}
