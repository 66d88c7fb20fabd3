import { useCallback, useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { Alert, App, Button, Card, Empty, Form, Grid, Input, Modal, Space, Spin, Table, Tabs, Tag, Typography, Upload } from 'antd';
import { FilePdfOutlined, UploadOutlined } from '@ant-design/icons';
import { ZInvoiceNo } from '../../../../core/fulfilment.js';
import { fenToYuanText } from '../../../../core/money.js';
import { ApiError, apiGet, apiPost, apiUpload } from '../../../api.js';
import { showServerErrors, zodRule } from '../../../components/forms.js';
import { useLatestLoad } from '../../../components/useLatestLoad.js';
import { useStaffErrors } from '../staffSession.js';
import { DueFlag, beijing, mono } from './format.js';
import type { InvoiceItem, InvoiceList } from '../../../../core/invoices-schemas.js';

type Status = 'due' | 'waiting' | 'issued';
const TABS: { key: Status; label: string; hint: string }[] = [
  { key: 'due', label: '待开具', hint: '证书已制作完成：须在制证完成后3个工作日内开具，系统将发票发送至发票接收邮箱。期限最早的在最前。' },
  { key: 'waiting', label: '待制证', hint: '已付款、证书尚未制作完成的订单；也可提前开具。' },
  { key: 'issued', label: '已开具', hint: '已开具的发票，最近开具的在最前。' },
];

/** 发票 (财务): the invoices to issue — upload the PDF with its number, or mark one issued without a file. */
export function StaffInvoicesPage() {
  const [params, setParams] = useSearchParams();
  const status = (TABS.find((t) => t.key === params.get('status'))?.key ?? 'due') as Status;
  return (
    <Card title="发票" styles={{ body: { paddingTop: 0 } }}>
      <Tabs
        activeKey={status}
        onChange={(k) => setParams(k === 'due' ? {} : { status: k })}
        items={TABS.map((t) => ({ key: t.key, label: t.label }))}
      />
      <Typography.Paragraph type="secondary">{TABS.find((t) => t.key === status)!.hint}</Typography.Paragraph>
      <InvoiceList key={status} status={status} />
    </Card>
  );
}

function InvoiceList({ status }: { status: Status }) {
  const fail = useStaffErrors();
  const wide = Grid.useBreakpoint().lg ?? true;
  const [page, setPage] = useState<InvoiceList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [issuing, setIssuing] = useState<InvoiceItem | null>(null);
  const begin = useLatestLoad();

  const load = useCallback(
    async (after?: string) => {
      const current = begin();
      setLoading(true);
      try {
        const r = await apiGet<InvoiceList>(`/api/staff/invoices?status=${status}${after ? `&after=${encodeURIComponent(after)}` : ''}`);
        if (!current()) return;
        setPage((p) => (after && p ? { items: [...p.items, ...r.items], next: r.next } : r));
        setError(null);
      } catch (e) {
        if (current()) setError(fail(e));
      } finally {
        if (current()) setLoading(false);
      }
    },
    [status, fail, begin],
  );
  useEffect(() => {
    void load();
  }, [load]);

  const issue = (i: InvoiceItem) =>
    status === 'issued' ? null : (
      <Button
        size="small"
        type={status === 'due' ? 'primary' : 'default'}
        icon={<UploadOutlined />}
        onClick={() => setIssuing(i)}
        data-testid={`issue-${i.orderNo}`}
      >
        开具
      </Button>
    );

  return (
    <div data-testid={`invoices-${status}`}>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      {!page && loading && <Spin />}
      {page &&
        (wide ? (
          <Table<InvoiceItem>
            rowKey="orderId"
            size="middle"
            dataSource={page.items}
            pagination={false}
            loading={loading}
            data-testid="invoice-table"
            locale={{ emptyText: <Empty description="没有发票" /> }}
            columns={[
              {
                title: '订单编号',
                dataIndex: 'orderNoDisplay',
                width: 170,
                render: (v: string, i) => (
                  <Link to={`/staff/orders/${i.orderId}`} style={mono}>
                    {v}
                  </Link>
                ),
              },
              { title: '单位名称', dataIndex: 'organizationName' },
              {
                title: '发票抬头 / 税号',
                key: 'title',
                render: (_: unknown, i) => (
                  <>
                    <div>{i.title}</div>
                    <Typography.Text type="secondary" style={mono}>
                      {i.taxNumber}
                    </Typography.Text>
                  </>
                ),
              },
              { title: '金额', dataIndex: 'amountFen', width: 100, render: (f: number) => `${fenToYuanText(f)}元` },
              { title: '接收邮箱', dataIndex: 'email' },
              status === 'issued'
                ? {
                    title: '发票号码',
                    key: 'no',
                    render: (_: unknown, i: InvoiceItem) => (
                      <>
                        <div style={mono}>{i.invoiceNo}</div>
                        <Typography.Text type="secondary">{beijing(i.issuedAt)}</Typography.Text>
                      </>
                    ),
                  }
                : {
                    title: '期限',
                    key: 'due',
                    width: 120,
                    render: (_: unknown, i: InvoiceItem) => <DueFlag dueAt={i.dueAt} overdue={i.overdue} />,
                  },
              ...(status === 'issued' ? [] : [{ title: '操作', key: 'op', width: 90, render: (_: unknown, i: InvoiceItem) => issue(i) }]),
            ]}
          />
        ) : page.items.length === 0 ? (
          <Empty description="没有发票" />
        ) : (
          <div style={{ display: 'grid', gap: 8 }} data-testid="invoice-cards">
            {page.items.map((i) => (
              <div
                key={i.orderId}
                style={{
                  display: 'grid',
                  gap: 4,
                  padding: 12,
                  borderRadius: 8,
                  border: `1px solid ${i.overdue ? '#ffa39e' : '#f0f0f0'}`,
                  background: i.overdue ? '#fff1f0' : '#fff',
                }}
              >
                <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8, flexWrap: 'wrap' }}>
                  <Link to={`/staff/orders/${i.orderId}`} style={mono}>
                    {i.orderNoDisplay}
                  </Link>
                  {status === 'issued' ? <Tag color="green">已开具</Tag> : <DueFlag dueAt={i.dueAt} overdue={i.overdue} />}
                </div>
                <div style={{ wordBreak: 'break-all' }}>{i.title}</div>
                <Typography.Text type="secondary" style={mono}>
                  {i.taxNumber}
                </Typography.Text>
                <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8, flexWrap: 'wrap', alignItems: 'center' }}>
                  <span>
                    {fenToYuanText(i.amountFen)}元 · <span style={{ wordBreak: 'break-all' }}>{i.email}</span>
                  </span>
                  {status === 'issued' ? (
                    <span>
                      发票号码 <span style={mono}>{i.invoiceNo}</span> · {beijing(i.issuedAt, 'MM-DD HH:mm')}
                    </span>
                  ) : (
                    issue(i)
                  )}
                </div>
              </div>
            ))}
          </div>
        ))}
      {page?.next && (
        <div style={{ textAlign: 'center', marginTop: 16 }}>
          <Button onClick={() => void load(page.next!)} loading={loading}>
            加载更多
          </Button>
        </div>
      )}
      {issuing && (
        <IssueModal
          invoice={issuing}
          onCancel={() => setIssuing(null)}
          onDone={() => {
            setIssuing(null);
            void load();
          }}
        />
      )}
    </div>
  );
}

/** 开具发票: the invoice number, and the PDF to e-mail — or no file when the invoice went out another way. */
function IssueModal({ invoice, onCancel, onDone }: { invoice: InvoiceItem; onCancel: () => void; onDone: () => void }) {
  const [form] = Form.useForm<{ invoiceNo: string }>();
  const { message } = App.useApp();
  const fail = useStaffErrors();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState<'file' | 'nofile' | null>(null);
  const [error, setError] = useState<string | null>(null);

  const send = async (withFile: boolean) => {
    let v: { invoiceNo: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    if (withFile && !file) {
      setError('请选择发票PDF文件，或点击“仅标记已开具”');
      return;
    }
    setBusy(withFile ? 'file' : 'nofile');
    setError(null);
    const invoiceNo = v.invoiceNo.trim();
    try {
      if (withFile) {
        const fd = new FormData();
        fd.append('invoiceNo', invoiceNo);
        fd.append('file', file!, file!.name);
        await apiUpload(`/api/staff/invoices/${invoice.orderId}/issue`, fd);
      } else {
        await apiPost(`/api/staff/invoices/${invoice.orderId}/issue`, { invoiceNo });
      }
      message.success(withFile ? `发票 ${invoiceNo} 已开具，正在发送至 ${invoice.email}` : `发票 ${invoiceNo} 已标记为已开具`);
      onDone();
    } catch (e) {
      const text = fail(e);
      if (e instanceof ApiError && e.status === 409) {
        message.warning(text);
        onDone();
      } else setError(showServerErrors(form, e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Modal
      open
      title={`开具发票 · ${invoice.orderNoDisplay}`}
      onCancel={onCancel}
      mask={{ closable: false }}
      footer={
        <Space wrap style={{ justifyContent: 'flex-end' }}>
          <Button onClick={onCancel}>取消</Button>
          <Button onClick={() => void send(false)} loading={busy === 'nofile'} disabled={busy !== null} data-testid="issue-nofile">
            仅标记已开具
          </Button>
          <Button
            type="primary"
            onClick={() => void send(true)}
            loading={busy === 'file'}
            disabled={busy !== null}
            data-testid="issue-file"
          >
            上传并发送
          </Button>
        </Space>
      }
    >
      <div style={{ display: 'grid', gap: 4, marginBottom: 16 }}>
        <div>
          <Typography.Text type="secondary">发票抬头：</Typography.Text>
          {invoice.title}
        </div>
        <div>
          <Typography.Text type="secondary">纳税人识别号：</Typography.Text>
          <span style={mono}>{invoice.taxNumber}</span>
        </div>
        <div>
          <Typography.Text type="secondary">金额：</Typography.Text>
          {fenToYuanText(invoice.amountFen)}元
        </div>
        <div style={{ wordBreak: 'break-all' }}>
          <Typography.Text type="secondary">发送至：</Typography.Text>
          {invoice.email}
        </div>
      </div>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} name="invoice_issue" layout="vertical">
        <Form.Item label="发票号码" name="invoiceNo" rules={[zodRule(ZInvoiceNo)]} validateTrigger="onBlur">
          <Input maxLength={20} inputMode="numeric" placeholder="8位数字，或20位数字（数电发票）" style={mono} autoComplete="off" />
        </Form.Item>
        <Form.Item label="发票PDF" extra="上传后系统将发票作为附件发送至发票接收邮箱；申请单位也可在订单中下载。">
          <Upload
            accept="application/pdf,.pdf"
            maxCount={1}
            beforeUpload={(f) => {
              setFile(f);
              setError(null);
              return false;
            }}
            onRemove={() => setFile(null)}
            fileList={file ? [{ uid: '1', name: file.name, status: 'done' }] : []}
          >
            <Button icon={<FilePdfOutlined />} data-testid="invoice-pdf">
              选择PDF文件
            </Button>
          </Upload>
        </Form.Item>
      </Form>
    </Modal>
  );
}
