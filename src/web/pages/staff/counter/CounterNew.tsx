/**
 * 办理新业务: look the unit up by its USCC (or register it without a password — the unit claims the account
 * online later with 忘记密码 and the SMS code to its mobile), then open a counter order: 新办 (project and
 * key type, as the main/sub rule allows), or 补办/变更/续费 of one of its certificates.
 */
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { Alert, Button, Card, Descriptions, Empty, Form, Input, Radio, Select, Space, Tag, Typography } from 'antd';
import { ArrowLeftOutlined, SearchOutlined } from '@ant-design/icons';
import { certificateValidity, VALIDITY_BASIS_TEXT } from '../../../../core/certificate-validity.js';
import { fenToYuanText } from '../../../../core/money.js';
import { ZUscc, ZOrgName, mobileField } from '../../../../core/schemas.js';
import { apiGet, apiPost } from '../../../api.js';
import { showServerErrors, zodRule } from '../../../components/forms.js';
import { useLatestLoad } from '../../../components/useLatestLoad.js';
import { useStaffErrors } from '../staffSession.js';
import { beijing, mono } from '../orders/format.js';
import { useCounterMeta } from './StaffCounter.js';
import type { OrgLookup } from '../../../../core/counter-response-schemas.js';

type OpenForm = {
  business: 'new' | 'reissue' | 'change' | 'renew';
  projectCode?: string;
  keyType?: 'main' | 'sub';
  replacesCertificateId?: string;
  revocationReason?: number;
  newUnitName?: string;
  agentName: string;
  agentMobile: string;
};

export function CounterNewPage() {
  const { meta, error: metaError } = useCounterMeta();
  const navigate = useNavigate();
  const fail = useStaffErrors();
  const [lookupForm] = Form.useForm<{ uscc: string }>();
  const [regForm] = Form.useForm<{ name: string; mobile: string }>();
  const [form] = Form.useForm<OpenForm>();
  const [found, setFound] = useState<OrgLookup | null>(null);
  const [searchedUscc, setSearchedUscc] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const business = Form.useWatch('business', form) ?? 'new';
  const projectCode = Form.useWatch('projectCode', form);
  const replacesId = Form.useWatch('replacesCertificateId', form);

  // A second lookup (or a registration) while one is out: only the newest may fill the page.
  const begin = useLatestLoad();
  const lookup = async () => {
    const v = await lookupForm.validateFields().catch(() => null);
    if (!v) return;
    const current = begin();
    setBusy(true);
    setError(null);
    try {
      const r = await apiGet<OrgLookup>(`/api/staff/counter/organizations?uscc=${encodeURIComponent(v.uscc)}`);
      if (!current()) return;
      setFound(r);
      setSearchedUscc(ZUscc.safeParse(v.uscc).data ?? v.uscc);
    } catch (e) {
      if (!current()) return;
      setError(showServerErrors(lookupForm, e) ?? null);
      fail(e);
    } finally {
      if (current()) setBusy(false);
    }
  };

  const register = async () => {
    const v = await regForm.validateFields().catch(() => null);
    if (!v || !searchedUscc) return;
    setBusy(true);
    setError(null);
    try {
      await apiPost('/api/staff/counter/organizations', { uscc: searchedUscc, ...v });
      const current = begin();
      const r = await apiGet<OrgLookup>(`/api/staff/counter/organizations?uscc=${searchedUscc}`);
      if (current()) setFound(r);
    } catch (e) {
      setError(showServerErrors(regForm, e));
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const open = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v || !found?.organization) return;
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = {
        organizationId: found.organization.id,
        business: v.business,
        agentName: v.agentName,
        agentMobile: v.agentMobile,
      };
      if (v.business === 'new') Object.assign(body, { projectCode: v.projectCode, keyType: v.keyType });
      else body.replacesCertificateId = v.replacesCertificateId;
      if (v.business === 'reissue' || v.business === 'change') body.revocationReason = v.revocationReason;
      if (v.business === 'change') body.newUnitName = v.newUnitName;
      const r = await apiPost<{ order: { id: string } }>('/api/staff/counter/orders', body);
      navigate(`/staff/counter/${r.order.id}`);
    } catch (e) {
      setError(showServerErrors(form, e));
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const choice = found?.keyChoices.find((k) => k.projectCode === projectCode);
  const certs = found?.certificates ?? [];
  /** What the new certificate would run to if made today (the server applies the same rule at 制作证书). */
  const replacing = certs.find((c) => c.id === replacesId);
  const preview =
    replacing && business !== 'new' ? certificateValidity(new Date(), business, { notAfter: new Date(replacing.notAfter) }) : null;

  return (
    <div style={{ display: 'grid', gap: 16, maxWidth: 880, gridTemplateColumns: 'minmax(0, 1fr)' }} data-testid="counter-new-page">
      <Space>
        <Link to="/staff/counter">
          <Button icon={<ArrowLeftOutlined />}>返回柜台业务</Button>
        </Link>
      </Space>
      <Typography.Title level={3} style={{ margin: 0 }}>
        办理新业务{meta?.myOffice ? ` · ${meta.myOffice.name}` : ''}
      </Typography.Title>
      {metaError && <Alert type="error" showIcon message={metaError} />}
      {meta && !meta.myOffice && <Alert type="warning" showIcon message="您的账号尚未设置所属受理点，不能办理柜台业务，请联系管理员。" />}
      {error && <Alert type="error" showIcon message={error} data-testid="counter-new-error" />}

      <Card size="small" title="第一步：查询申请单位">
        <Form form={lookupForm} layout="vertical" requiredMark={false} initialValues={{ uscc: '' }} onFinish={() => void lookup()}>
          <Form.Item name="uscc" label="统一社会信用代码" rules={[zodRule(ZUscc)]} style={{ marginBottom: 8 }}>
            <Input
              placeholder="18位统一社会信用代码"
              maxLength={24}
              data-testid="counter-uscc"
              style={{ maxWidth: 360, fontFamily: 'monospace' }}
              onChange={() => setFound(null)}
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" icon={<SearchOutlined />} loading={busy} data-testid="counter-lookup">
            查询
          </Button>
        </Form>
      </Card>

      {found && !found.organization && (
        <Card size="small" title="该单位尚未登记：柜台登记" data-testid="counter-register">
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 12 }}
            message="柜台登记不设密码。单位以后可在网上用“忘记密码”，凭发送到登记手机号的短信验证码设置密码，认领本账号。"
          />
          <Form form={regForm} layout="vertical" requiredMark={false} initialValues={{ name: '', mobile: '' }}>
            <Form.Item label="统一社会信用代码">
              <span style={mono}>{searchedUscc}</span>
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
      )}

      {found?.organization && (
        <>
          <Card size="small" title="申请单位" data-testid="counter-org">
            <Descriptions column={1} size="small">
              <Descriptions.Item label="单位名称">{found.organization.name}</Descriptions.Item>
              <Descriptions.Item label="统一社会信用代码">
                <span style={mono}>{found.organization.uscc}</span>
              </Descriptions.Item>
              <Descriptions.Item label="登记手机号">{found.organization.mobileMasked}</Descriptions.Item>
              <Descriptions.Item label="在线账号">
                {found.organization.claimed ? <Tag color="green">已注册</Tag> : <Tag>柜台登记，未认领</Tag>}
              </Descriptions.Item>
            </Descriptions>
            <Typography.Text strong style={{ display: 'block', marginTop: 8 }}>
              有效证书
            </Typography.Text>
            {certs.length ? (
              <ul style={{ paddingInlineStart: 20, margin: '4px 0' }} data-testid="counter-org-certs">
                {certs.map((c) => (
                  <li key={c.id}>
                    {c.projectName} · {c.keyType === 'main' ? '主锁' : '副锁'} · <span style={mono}>{c.serial}</span> · 有效期至{' '}
                    {beijing(c.notAfter, 'YYYY-MM-DD')}
                    {c.expired && (
                      <Tag color="red" style={{ marginInlineStart: 4 }}>
                        已过期
                      </Tag>
                    )}
                  </li>
                ))}
              </ul>
            ) : (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="该单位没有有效证书" />
            )}
          </Card>

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
                <>
                  <Form.Item name="projectCode" label="证书项目" rules={[{ required: true, message: '请选择证书项目' }]}>
                    <Select
                      placeholder="选择证书项目"
                      options={found.keyChoices.map((k) => ({ value: k.projectCode, label: k.projectName }))}
                      data-testid="counter-project"
                    />
                  </Form.Item>
                  {choice && (
                    <>
                      <Alert
                        type={choice.allowed.length ? 'info' : 'warning'}
                        showIcon
                        message={choice.reason}
                        style={{ marginBottom: 12 }}
                      />
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
              ) : (
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
                      <Select
                        placeholder="默认：第一项"
                        options={meta?.revocationReasons[business]?.map((r) => ({ value: r.code, label: r.label }))}
                      />
                    </Form.Item>
                  )}
                  {business === 'change' && (
                    <Form.Item name="newUnitName" label="变更后的单位名称（与新营业执照一致）" rules={[zodRule(ZOrgName)]}>
                      <Input maxLength={100} data-testid="counter-new-name" />
                    </Form.Item>
                  )}
                </>
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
        </>
      )}
    </div>
  );
}
