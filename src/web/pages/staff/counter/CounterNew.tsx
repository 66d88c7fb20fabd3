/**
 * 办理新业务: look the unit up by its USCC (or register it without a password — the unit claims the account
 * online later with 忘记密码 and the SMS code to its mobile, CounterRegister), then open a counter order
 * (CounterOpenForm): 新办 (project and key type, as the main/sub rule allows), or 补办/变更/续费 of one of
 * its certificates.
 */
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { Alert, Button, Card, Form, Input, Space, Typography } from 'antd';
import { ArrowLeftOutlined, SearchOutlined } from '@ant-design/icons';
import { ZUscc } from '../../../../core/schemas.js';
import { apiPost } from '../../../api.js';
import { showServerErrors, zodRule } from '../../../components/forms.js';
import { useAction } from '../../../components/useAction.js';
import { useStaffErrors } from '../staffSession.js';
import { CounterOpenForm, type OpenForm } from './CounterOpenForm.js';
import { CounterOrgCard } from './CounterOrgCard.js';
import { CounterRegister, type RegisterFields } from './CounterRegister.js';
import { useCounterMeta } from './StaffCounter.js';
import { useOrgLookup } from './useOrgLookup.js';

export function CounterNewPage() {
  const { meta, error: metaError } = useCounterMeta();
  const navigate = useNavigate();
  const fail = useStaffErrors();
  const [lookupForm] = Form.useForm<{ uscc: string }>();
  const [regForm] = Form.useForm<RegisterFields>();
  const [form] = Form.useForm<OpenForm>();
  const [error, setError] = useState<string | null>(null);
  const { found, searchedUscc, searching, lookup, reload, forget } = useOrgLookup(lookupForm, setError);
  // Registering and opening are actions; the buttons are busy while either those or a lookup run.
  const { run, busy: acting } = useAction();
  const busy = searching || acting;

  /** Runs a form's action; a refusal shows on the form's fields and in the page's alert. */
  const act = (form: Parameters<typeof showServerErrors>[0], action: () => Promise<void>) => {
    setError(null);
    void run(action, (e) => {
      setError(showServerErrors(form, e));
      fail(e);
    });
  };

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
              onChange={forget}
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" icon={<SearchOutlined />} loading={busy} data-testid="counter-lookup">
            查询
          </Button>
        </Form>
      </Card>

      {found && !found.organization && (
        <CounterRegister
          form={regForm}
          uscc={searchedUscc}
          busy={busy}
          onRegister={(fields) => {
            if (!searchedUscc) return;
            act(regForm, async () => {
              await apiPost('/api/staff/counter/organizations', { uscc: searchedUscc, ...fields });
              await reload(searchedUscc);
            });
          }}
        />
      )}

      {found?.organization && (
        <>
          <CounterOrgCard organization={found.organization} certs={found.certificates} />
          <CounterOpenForm
            form={form}
            found={{ ...found, organization: found.organization }}
            meta={meta}
            busy={busy}
            onOpen={(body) =>
              act(form, async () => {
                const r = await apiPost<{ order: { id: string } }>('/api/staff/counter/orders', body);
                navigate(`/staff/counter/${r.order.id}`);
              })
            }
          />
        </>
      )}
    </div>
  );
}
