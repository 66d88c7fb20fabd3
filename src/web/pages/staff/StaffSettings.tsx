import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Empty,
  Form,
  Grid,
  Input,
  Popconfirm,
  Radio,
  Select,
  Space,
  Spin,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { DeleteOutlined, PlusOutlined, UndoOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import type { SmsTemplates as SmsTemplatesAnswer } from '../../../core/settings-schemas.js';
import type { CalendarYear } from '../../../core/staff-orders-schemas.js';
import { ApiError, apiGet, apiPut, ensureSession } from '../../api.js';
import { showServerErrors } from '../../components/forms.js';
import { useLatestLoad } from '../../components/useLatestLoad.js';
import { useAction } from '../../components/useAction.js';
import { beijing } from './orders/format.js';
import { PaperAddressSettings } from './PaperAddressSettings.js';
import { DeadMessages } from './DeadMessages.js';
import { useStaffErrors, useStaffGet } from './staffSession.js';

/**
 * 系统设置 (管理员): the working-day calendar that deadlines count on, the SMS texts sent to agents, where
 * applicants mail the paper originals, and the messages that could not be sent.
 */
export function StaffSettingsPage() {
  return (
    <Card title="系统设置" styles={{ body: { paddingTop: 0 } }}>
      <Tabs
        items={[
          { key: 'calendar', label: '工作日历', children: <CalendarSettings /> },
          { key: 'sms', label: '短信模板', children: <SmsTemplates /> },
          { key: 'paper-address', label: '纸质资料收件信息', children: <PaperAddressSettings /> },
          { key: 'dead-messages', label: '发送失败的消息', children: <DeadMessages /> },
        ]}
      />
    </Card>
  );
}

// ——— 工作日历 ———

type CalendarDay = CalendarYear['days'][number];

const WEEKDAY = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
const weekday = (day: string) => WEEKDAY[new Date(`${day}T00:00:00Z`).getUTCDay()]!;
const KIND = { holiday: { text: '放假', color: 'red' }, workday: { text: '调休上班', color: 'blue' } } as const;

/** DELETE with the staff CSRF token (the shared client sends only POST and PUT). */
async function apiDelete(url: string): Promise<void> {
  const { csrfToken } = await ensureSession('staff');
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'DELETE',
      credentials: 'same-origin',
      headers: { accept: 'application/json', 'x-csrf-token': csrfToken },
    });
  } catch {
    throw new ApiError(0, 'NETWORK', '网络连接失败，请检查网络后重试');
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
    throw new ApiError(res.status, body?.error?.code ?? 'NETWORK', body?.error?.message ?? `网络异常（${res.status}），请刷新页面后重试`);
  }
}

function CalendarSettings() {
  const fail = useStaffErrors();
  const { message } = App.useApp();
  const wide = Grid.useBreakpoint().md ?? true;
  const thisYear = dayjs().year();
  const [year, setYear] = useState(thisYear);
  const [days, setDays] = useState<CalendarDay[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busyDay, setBusyDay] = useState<string | null>(null);

  const begin = useLatestLoad();
  const load = useCallback(async () => {
    const current = begin();
    try {
      const r = await apiGet<CalendarYear>(`/api/staff/calendar?year=${year}`);
      if (!current()) return;
      setDays(r.days);
      setError(null);
    } catch (e) {
      if (current()) setError(fail(e));
    }
  }, [year, fail, begin]);
  useEffect(() => {
    void load();
  }, [load]);

  const remove = async (d: CalendarDay) => {
    setBusyDay(d.day);
    try {
      await apiDelete(`/api/staff/calendar/${d.day}`);
      message.success(`已删除 ${d.day}（${d.name}），该日恢复按周一至周五上班计算`);
      await load();
    } catch (e) {
      message.error(fail(e));
    } finally {
      setBusyDay(null);
    }
  };

  const holidays = (days ?? []).filter((d) => d.kind === 'holiday').length;
  const workdays = (days ?? []).filter((d) => d.kind === 'workday').length;

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }} data-testid="calendar-settings">
      <Alert
        type="info"
        showIcon
        title="周一至周五为工作日，周六、周日休息；这里只登记例外：法定节假日（放假）和调休上班的周末。"
        description="制证期限（2或3个工作日）、发票期限（3个工作日）和队列中的等待天数都按此日历计算，修改立即生效。请按国务院办公厅每年发布的节假日安排通知维护。"
      />
      <Space wrap>
        <span>年份</span>
        <Select
          value={year}
          onChange={setYear}
          aria-label="年份"
          style={{ width: 110 }}
          options={[thisYear - 1, thisYear, thisYear + 1, thisYear + 2].map((y) => ({ value: y, label: `${y}年` }))}
        />
        {days && (
          <Typography.Text type="secondary">
            放假 {holidays} 天，调休上班 {workdays} 天
          </Typography.Text>
        )}
      </Space>
      <AddDays year={year} onSaved={load} />
      {error && <Alert type="error" showIcon title={error} />}
      {!days && !error && <Spin />}
      {days && (
        <Table<CalendarDay>
          rowKey="day"
          size="small"
          dataSource={days}
          pagination={false}
          data-testid="calendar-days"
          locale={{ emptyText: <Empty description={`${year}年尚未登记节假日和调休`} /> }}
          columns={[
            { title: '日期', dataIndex: 'day', render: (d: string) => <span style={{ fontFamily: 'monospace' }}>{d}</span> },
            { title: '星期', key: 'weekday', render: (_: unknown, d) => weekday(d.day) },
            { title: '类型', dataIndex: 'kind', render: (k: CalendarDay['kind']) => <Tag color={KIND[k].color}>{KIND[k].text}</Tag> },
            { title: '名称', dataIndex: 'name', responsive: wide ? undefined : ['sm'] },
            {
              title: '操作',
              key: 'op',
              width: 80,
              render: (_: unknown, d) => (
                <Popconfirm
                  title={`删除 ${d.day}（${d.name}）？`}
                  description="删除后该日按周一至周五上班、周末休息计算。"
                  okText="删除"
                  cancelText="取消"
                  onConfirm={() => void remove(d)}
                >
                  <Button size="small" danger icon={<DeleteOutlined />} loading={busyDay === d.day} aria-label={`删除${d.day}`} />
                </Popconfirm>
              ),
            },
          ]}
        />
      )}
    </Space>
  );
}

interface AddValues {
  range: [Dayjs, Dayjs];
  kind: CalendarDay['kind'];
  name: string;
}

/** Adds (or changes) one day or a span of days: a holiday span is entered at once, every day with the same name. */
function AddDays({ year, onSaved }: { year: number; onSaved: () => Promise<void> }) {
  const [form] = Form.useForm<AddValues>();
  const { message } = App.useApp();
  const fail = useStaffErrors();
  const { run, busy } = useAction();
  const [error, setError] = useState<string | null>(null);

  const save = async (v: AddValues) => {
    const [from, to] = v.range;
    const list: string[] = [];
    for (let d = from.startOf('day'); !d.isAfter(to, 'day'); d = d.add(1, 'day')) list.push(d.format('YYYY-MM-DD'));
    if (list.length > 31) {
      setError('一次最多登记31天');
      return;
    }
    await run(
      async () => {
        setError(null);
        for (const day of list) await apiPut(`/api/staff/calendar/${day}`, { kind: v.kind, name: v.name.trim() });
        message.success(`已登记 ${list.length} 天：${v.name.trim()}（${KIND[v.kind].text}）`);
        form.resetFields(['range', 'name']);
        await onSaved();
      },
      async (e) => {
        const rest = showServerErrors(form, e);
        setError(rest);
        if (!rest) fail(e);
        await onSaved();
      },
    );
  };

  return (
    <Card size="small" title="登记节假日或调休上班日" data-testid="calendar-add">
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} name="calendar_add" layout="inline" onFinish={save} initialValues={{ kind: 'holiday' }} style={{ rowGap: 8 }}>
        <Form.Item name="range" rules={[{ required: true, message: '请选择日期' }]}>
          <DatePicker.RangePicker
            aria-label="日期"
            placeholder={['开始日期', '结束日期']}
            defaultPickerValue={[dayjs(`${year}-01-01`), dayjs(`${year}-02-01`)]}
          />
        </Form.Item>
        <Form.Item name="kind">
          <Radio.Group
            optionType="button"
            options={[
              { value: 'holiday', label: '放假' },
              { value: 'workday', label: '调休上班' },
            ]}
          />
        </Form.Item>
        <Form.Item name="name" rules={[{ required: true, whitespace: true, message: '请填写名称，如：国庆节' }]}>
          <Input placeholder="名称，如：国庆节、国庆节调休上班" maxLength={30} aria-label="名称" style={{ width: 220 }} />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" icon={<PlusOutlined />} loading={busy}>
            登记
          </Button>
        </Form.Item>
      </Form>
      <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>
        可选择一段日期一次登记；已登记的日期会被改为新的类型和名称。
      </Typography.Paragraph>
    </Card>
  );
}

// ——— 短信模板 ———

type SmsTemplates = SmsTemplatesAnswer;
type SmsTemplate = SmsTemplates['items'][number];

function SmsTemplates() {
  const { data, setData, error } = useStaffGet<SmsTemplates>('/api/staff/sms-templates');
  if (error) return <Alert type="error" showIcon title={error} />;
  if (!data) return <Spin />;
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }} data-testid="sms-templates">
      <Alert
        type={data.provider === 'aliyun' ? 'warning' : 'info'}
        showIcon
        title={data.provider === 'aliyun' ? '当前使用阿里云短信发送' : '当前使用沙箱短信网关（开发/测试）'}
        description={data.note}
      />
      {data.items.map((t) => (
        <SmsTemplateEditor key={`${t.key}-${t.updatedAt ?? ''}`} template={t} onSaved={(d) => setData(d)} />
      ))}
    </Space>
  );
}

const SAMPLE: Record<string, string> = {
  code: '123456',
  unit: '江西演示科技有限公司',
  orderNo: '260101-0001-00001',
  missing: '营业执照复印件、法人授权委托书',
  trackingNo: 'SF1234567890123',
  amount: '220.00',
  mailAddress: '江西省南昌市省府大院西二路3号3楼',
  mailRecipient: '江西省数字证书有限公司',
  mailPhone: '0791-82097407',
};

function SmsTemplateEditor({ template, onSaved }: { template: SmsTemplate; onSaved: (d: SmsTemplates) => void }) {
  const [form] = Form.useForm<{ text: string }>();
  const { message } = App.useApp();
  const fail = useStaffErrors();
  const [busy, setBusy] = useState<'save' | 'reset' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const text = Form.useWatch('text', form) ?? template.text;
  const preview = text.replace(/\$\{(\w+)\}/g, (_: string, k: string) => SAMPLE[k] ?? `\${${k}}`);

  const save = async (value: string, kind: 'save' | 'reset') => {
    setBusy(kind);
    setError(null);
    try {
      const d = await apiPut<SmsTemplates>(`/api/staff/sms-templates/${template.key}`, { text: value });
      message.success(kind === 'reset' ? `已恢复“${template.name}”的默认文字` : `已保存“${template.name}”`);
      onSaved(d);
    } catch (e) {
      const rest = showServerErrors(form, e);
      setError(rest);
      if (!rest) fail(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <Card
      size="small"
      data-testid={`sms-${template.key}`}
      title={
        <Space wrap size={6}>
          <span>{template.name}</span>
          {template.customized ? <Tag color="orange">已修改</Tag> : <Tag>默认</Tag>}
        </Space>
      }
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ text: template.text }}
        onFinish={(v) => void save(v.text, 'save')}
        name={`sms_${template.key}`}
      >
        <Form.Item label="短信内容" name="text" rules={[{ required: true, whitespace: true, message: '请填写短信内容' }]}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={500} showCount />
        </Form.Item>
        <div style={{ display: 'grid', gap: 6, marginBottom: 12 }}>
          <Space wrap size={[6, 4]}>
            <Typography.Text type="secondary">占位符（须全部保留）：</Typography.Text>
            {template.placeholders.map((p) => (
              <Tag key={p.name} style={{ fontFamily: 'monospace' }}>
                {'${'}
                {p.name}
                {'}'} <span style={{ fontFamily: 'inherit', color: '#8c8c8c' }}>{p.meaning}</span>
              </Tag>
            ))}
          </Space>
          <Typography.Text type="secondary" style={{ wordBreak: 'break-all' }}>
            示例：{preview}
          </Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            阿里云模板CODE环境变量：<span style={{ fontFamily: 'monospace' }}>{template.aliyunTemplateEnv}</span>
            {template.updatedAt && ` · 最近修改：${beijing(template.updatedAt)} ${template.updatedBy ?? ''}`}
          </Typography.Text>
        </div>
        <Space wrap>
          <Button type="primary" htmlType="submit" loading={busy === 'save'} disabled={text === template.text}>
            保存
          </Button>
          <Popconfirm
            title="恢复为默认文字？"
            description={template.defaultText}
            okText="恢复"
            cancelText="取消"
            onConfirm={() => void save(template.defaultText, 'reset')}
            disabled={!template.customized}
          >
            <Button icon={<UndoOutlined />} loading={busy === 'reset'} disabled={!template.customized}>
              恢复默认
            </Button>
          </Popconfirm>
        </Space>
      </Form>
    </Card>
  );
}
