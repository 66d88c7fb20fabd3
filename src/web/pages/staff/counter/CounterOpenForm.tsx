/**
 * 第二步：业务与经办人. 新办 picks a project and a key type as the main/sub rule allows (CounterNewKeyFields);
 * 补办/变更/续费 pick one of the unit's certificates (CounterReplacementFields); then the agent.
 */
import { Alert, Button, Card, Form, Input, Radio, Select, Space } from 'antd';
import type { FormInstance } from 'antd';
import { certificateValidity, VALIDITY_BASIS_TEXT } from '../../../../core/certificate-validity.js';
import type { CounterMeta, OrgLookup } from '../../../../core/counter-response-schemas.js';
import { fenToYuanText } from '../../../../core/money.js';
import { ZOrgName, mobileField } from '../../../../core/schemas.js';
import { zodRule } from '../../../components/forms.js';
import { beijing } from '../orders/format.js';

export type OpenForm = {
  business: 'new' | 'reissue' | 'change' | 'renew';
  projectCode?: string;
  keyType?: 'main' | 'sub';
  replacesCertificateId?: string;
  revocationReason?: number;
  newUnitName?: string;
  agentName: string;
  agentMobile: string;
};

/** The body of POST /api/staff/counter/orders: only the fields of the chosen business. */
function openBody(organizationId: string, v: OpenForm): Record<string, unknown> {
  const body: Record<string, unknown> = { organizationId, business: v.business, agentName: v.agentName, agentMobile: v.agentMobile };
  if (v.business === 'new') Object.assign(body, { projectCode: v.projectCode, keyType: v.keyType });
  else body.replacesCertificateId = v.replacesCertificateId;
  if (v.business === 'reissue' || v.business === 'change') body.revocationReason = v.revocationReason;
  if (v.business === 'change') body.newUnitName = v.newUnitName;
  return body;
}

export function CounterOpenForm({
  form,
  found,
  meta,
  busy,
  onOpen,
}: {
  /** The page's: what was typed stays when the unit is looked up again. */
  form: FormInstance<OpenForm>;
  found: OrgLookup & { organization: NonNullable<OrgLookup['organization']> };
  meta: CounterMeta | null;
  busy: boolean;
  onOpen: (body: Record<string, unknown>) => void;
}) {
  const business = Form.useWatch('business', form) ?? 'new';
  const open = async () => {
    const v = await form.validateFields().catch(() => null);
    if (v) onOpen(openBody(found.organization.id, v));
  };
  return (
    <Card size="small" title="第二步：业务与经办人">
      <Form
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{
          business: 'new',
          projectCode: undefined,
          keyType: undefined,
          replacesCertificateId: undefined,
          revocationReason: undefined,
          newUnitName: '',
          agentName: '',
          agentMobile: '',
        }}
        onValuesChange={(changed) => {
          if ('business' in changed || 'projectCode' in changed) form.setFieldsValue({ keyType: undefined });
        }}
      >
        <Form.Item name="business" label="业务类型">
          <Radio.Group
            optionType="button"
            buttonStyle="solid"
            options={meta?.businesses.map((b) => ({ value: b.code, label: b.label }))}
            data-testid="counter-business"
          />
        </Form.Item>
        {business === 'new' ? (
          <CounterNewKeyFields form={form} keyChoices={found.keyChoices} />
        ) : (
          <CounterReplacementFields form={form} business={business} certs={found.certificates} meta={meta} />
        )}
        <Space wrap size={16} align="start">
          <Form.Item name="agentName" label="经办人姓名" rules={[{ required: true, min: 2, message: '经办人姓名至少2个字' }]}>
            <Input maxLength={30} style={{ width: 200 }} data-testid="counter-agent-name" />
          </Form.Item>
          <Form.Item name="agentMobile" label="经办人手机号" rules={[zodRule(mobileField('经办人手机号'))]}>
            <Input maxLength={20} inputMode="tel" style={{ width: 200 }} data-testid="counter-agent-mobile" />
          </Form.Item>
        </Space>
        <div>
          <Button type="primary" onClick={() => void open()} loading={busy} disabled={!meta?.myOffice} data-testid="counter-open">
            提交资料，开始办理
          </Button>
        </div>
      </Form>
    </Card>
  );
}

/** 新办: the project, then the key types its prices offer, those the main/sub rule refuses disabled. */
function CounterNewKeyFields({ form, keyChoices }: { form: FormInstance<OpenForm>; keyChoices: OrgLookup['keyChoices'] }) {
  const projectCode = Form.useWatch('projectCode', form);
  const choice = keyChoices.find((k) => k.projectCode === projectCode);
  return (
    <>
      <Form.Item name="projectCode" label="证书项目" rules={[{ required: true, message: '请选择证书项目' }]}>
        <Select
          placeholder="选择证书项目"
          options={keyChoices.map((k) => ({ value: k.projectCode, label: k.projectName }))}
          data-testid="counter-project"
        />
      </Form.Item>
      {choice && (
        <>
          <Alert type={choice.allowed.length ? 'info' : 'warning'} showIcon message={choice.reason} style={{ marginBottom: 12 }} />
          <Form.Item name="keyType" label="锁类型" rules={[{ required: true, message: '请选择主锁或副锁' }]}>
            <Radio.Group
              options={(['main', 'sub'] as const)
                .filter((k) => k in choice.prices)
                .map((k) => ({
                  value: k,
                  disabled: !choice.allowed.includes(k),
                  label: `${k === 'main' ? '主锁（含电子签章）' : '副锁（不含电子签章）'}${choice.prices[k] != null ? ` ${fenToYuanText(choice.prices[k]!)} 元` : ''}`,
                }))}
            />
          </Form.Item>
        </>
      )}
    </>
  );
}

/** 补办/变更/续费: the certificate replaced (with the new one's validity if made today), why it is revoked, the new name. */
function CounterReplacementFields({
  form,
  business,
  certs,
  meta,
}: {
  form: FormInstance<OpenForm>;
  business: Exclude<OpenForm['business'], 'new'>;
  certs: OrgLookup['certificates'];
  meta: CounterMeta | null;
}) {
  const replacesId = Form.useWatch('replacesCertificateId', form);
  /** What the new certificate would run to if made today (the server applies the same rule at 制作证书). */
  const replacing = certs.find((c) => c.id === replacesId);
  const preview = replacing ? certificateValidity(new Date(), business, { notAfter: new Date(replacing.notAfter) }) : null;
  return (
    <>
      <Form.Item
        name="replacesCertificateId"
        label={`要${meta?.businesses.find((b) => b.code === business)?.label ?? ''}的证书`}
        rules={[{ required: true, message: '请选择要补办、变更或续费的证书' }]}
        extra={
          preview && (
            <span data-testid="counter-validity-preview">
              今日制作的新证书有效期至 {beijing(preview.notAfter, 'YYYY-MM-DD')}（{VALIDITY_BASIS_TEXT[preview.basis]}）
            </span>
          )
        }
      >
        <Select
          placeholder={certs.length ? '选择证书' : '该单位没有有效证书'}
          data-testid="counter-replaces"
          options={certs.map((c) => ({
            value: c.id,
            label: `${c.projectName} · ${c.keyType === 'main' ? '主锁' : '副锁'} · ${c.serial.slice(0, 12)}… · 至 ${beijing(c.notAfter, 'YYYY-MM-DD')}`,
          }))}
        />
      </Form.Item>
      {(business === 'reissue' || business === 'change') && (
        <Form.Item
          name="revocationReason"
          label="原证书的吊销原因"
          extra={
            business === 'reissue'
              ? '补办：受理后即申请吊销原证书（须另一位制证或管理员批准）。'
              : '变更：领取新证书、交回原 UKEY 时申请吊销原证书。'
          }
        >
          <Select placeholder="默认：第一项" options={meta?.revocationReasons[business]?.map((r) => ({ value: r.code, label: r.label }))} />
        </Form.Item>
      )}
      {business === 'change' && (
        <Form.Item name="newUnitName" label="变更后的单位名称（与新营业执照一致）" rules={[zodRule(ZOrgName)]}>
          <Input maxLength={100} data-testid="counter-new-name" />
        </Form.Item>
      )}
    </>
  );
}
