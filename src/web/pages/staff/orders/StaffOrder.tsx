import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router-dom';
import { Alert, Button, Card, Col, Descriptions, Empty, Grid, Row, Space, Spin, Table, Tag, Timeline, Typography } from 'antd';
import { ArrowLeftOutlined, EditOutlined, EyeInvisibleOutlined, ReloadOutlined } from '@ant-design/icons';
import { fenToYuanText } from '../../../../core/money.js';
import { RECIPIENT_EDITABLE, STATUS_STEP, type OrderStatus } from '../../../../core/workflow.js';
import { apiGet } from '../../../api.js';
import { statusColor } from '../../../components/StatusTag.js';
import { useLatestLoad } from '../../../components/useLatestLoad.js';
import { hasRole, useStaffErrors, useStaffSession } from '../staffSession.js';
import { ActionPanel } from './ActionPanel.js';
import { CallLog } from './CallLog.js';
import { PaperChecklist } from './PaperChecklist.js';
import { CancelPanel } from './CancelPanel.js';
import { DocumentGallery, DocumentViewer, type ViewerRequest } from './DocumentViewer.js';
import { FORM_SECTIONS, fieldText } from './formFields.js';
import { DueFlag, StaffStatusTag, beijing, mono } from './format.js';
import { RecipientModal } from './RecipientModal.js';
import { ReviewPanel } from './ReviewPanel.js';
import { OrderCertificate } from './OrderCertificate.js';
import { SealPanel } from './SealPanel.js';
import { SealImagesPanel } from '../../../components/seal-images/SealImagesPanel.js';
import type { KeyHistoryItem, Shipment, StaffOrderEvent, StaffOrderView } from '../../../../core/staff-orders-schemas.js';

/** The order page for staff: /staff/orders/:id. */
export function StaffOrderPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const location = useLocation();
  const fail = useStaffErrors();
  const { staff } = useStaffSession();
  const wide = Grid.useBreakpoint().md ?? true;
  const [view, setView] = useState<StaffOrderView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  const [viewer, setViewer] = useState<ViewerRequest | null>(null);
  const [recipient, setRecipient] = useState(false);
  // The documents replaced since the last 预审 round (from the review panel), marked in the gallery too.
  const [changedSlots, setChangedSlots] = useState<Set<string>>(new Set());
  // Bumped after every reload so the action forms start clean for the order's new state.
  const [generation, setGeneration] = useState(0);

  // Reloads after two quick actions overlap: the older answer must not replace the newer state.
  const begin = useLatestLoad();
  const load = useCallback(async () => {
    const current = begin();
    try {
      const v = await apiGet<StaffOrderView>(`/api/staff/orders/${encodeURIComponent(id)}`);
      if (!current()) return;
      setView(v);
      setGeneration((g) => g + 1);
      setError(null);
    } catch (e) {
      if (current()) setError(fail(e));
    }
  }, [id, fail, begin]);
  useEffect(() => {
    void load();
  }, [load]);

  const back = () => (location.key !== 'default' ? navigate(-1) : navigate('/staff'));
  const done = () => {
    setConflict(null);
    void load();
  };
  const onConflict = (m: string) => {
    setConflict(m);
    void load();
  };

  if (error && !view)
    return (
      <Card>
        <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />
        <Button icon={<ArrowLeftOutlined />} onClick={back}>
          返回
        </Button>
      </Card>
    );
  if (!view) return <Spin style={{ margin: 48 }} />;
  const o = view.order;
  const act = (a: string) => view.actions.find((x) => x.action === a);
  const reviewing = act('approve') || act('reject');
  // Recipient corrections: 受理 (on the phone with the agent), 发放 (about to ship) or an administrator, until shipped.
  const canFixRecipient = hasRole(staff, '受理', '发放', '管理员') && RECIPIENT_EDITABLE.includes(o.status);
  // 电话通知补寄 is 受理's, from payment until the key is shipped.
  const canCall = hasRole(staff, '受理') && !!o.timestamps.paidAt && RECIPIENT_EDITABLE.includes(o.status);

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }} data-testid="staff-order">
      <Card
        size={wide ? 'default' : 'small'}
        title={
          <Space wrap size={8}>
            <Button type="text" icon={<ArrowLeftOutlined />} onClick={back} aria-label="返回" />
            <span style={mono} data-testid="order-no">
              {o.orderNoDisplay}
            </span>
          </Space>
        }
        extra={
          <Button icon={<ReloadOutlined />} onClick={() => void load()} aria-label="刷新">
            {wide ? '刷新' : null}
          </Button>
        }
      >
        <Descriptions column={{ xs: 1, md: 2, xl: 3 }} size="small" data-testid="order-header">
          <Descriptions.Item label="状态">
            <Space wrap size={6}>
              <StaffStatusTag status={o.status} label={o.statusLabel} step={o.statusStep} />
              {(o.dueAt || o.overdue) && <DueFlag dueAt={o.dueAt} overdue={o.overdue} />}
            </Space>
          </Descriptions.Item>
          <Descriptions.Item label="单位名称">
            <Link to={`/staff/organizations/${view.organization.id}`}>{view.organization.name}</Link>
          </Descriptions.Item>
          <Descriptions.Item label="统一社会信用代码">
            <Typography.Text copyable style={mono}>
              {view.organization.uscc}
            </Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label="证书项目">{o.projectName}</Descriptions.Item>
          <Descriptions.Item label="锁类型">{o.keyLabel}</Descriptions.Item>
          <Descriptions.Item label="价格">{o.priceFen == null ? '—' : `${fenToYuanText(o.priceFen)}元`}</Descriptions.Item>
          <Descriptions.Item label="法人核验">
            {!view.legalCheck.required ? (
              '本项目不需要'
            ) : view.legalCheck.status === 'passed' ? (
              <Tag color="green">认证成功 {beijing(view.legalCheck.at)}</Tag>
            ) : view.legalCheck.status === 'failed' ? (
              <Tag color="red">未通过</Tag>
            ) : (
              <Tag>未核验</Tag>
            )}
          </Descriptions.Item>
          <Descriptions.Item label="预审轮次">{o.reviewRound || '—'}</Descriptions.Item>
          <Descriptions.Item label="进入本状态">{beijing(o.statusChangedAt ?? o.timestamps.statusChangedAt ?? null)}</Descriptions.Item>
        </Descriptions>
      </Card>

      {conflict && (
        <Alert
          type="warning"
          showIcon
          closable={{ onClose: () => setConflict(null) }}
          data-testid="conflict"
          title="操作未执行：订单已被其他工作人员处理或状态已变化"
          description={
            <>
              <div>{conflict}</div>
              <div>页面已刷新为订单的最新状态，请确认后再操作。</div>
            </>
          }
        />
      )}

      <Row gutter={[16, 16]}>
        <Col xs={{ span: 24, order: 2 }} xl={{ span: 15, order: 1 }}>
          <Space orientation="vertical" size={16} style={{ width: '100%' }}>
            <Card title="证件" size={wide ? 'default' : 'small'}>
              <DocumentGallery
                orderId={o.id}
                documents={view.documents}
                highlight={reviewing ? changedSlots : undefined}
                onOpen={setViewer}
              />
            </Card>
            <SealImagesPanel key={`seal-images-${generation}`} orderId={o.id} wide={wide} onConfirmed={done} />
            <Card
              title="订单信息"
              size={wide ? 'default' : 'small'}
              extra={
                canFixRecipient && (
                  <Button size="small" icon={<EditOutlined />} onClick={() => setRecipient(true)} data-testid="recipient-edit">
                    更正收件信息
                  </Button>
                )
              }
            >
              <FormSummary view={view} />
            </Card>
            <Card title="主锁 / 副锁记录" size={wide ? 'default' : 'small'} data-testid="key-history">
              <KeyHistory items={view.keyHistory} order={o} />
            </Card>
            <Card title="办理记录" size={wide ? 'default' : 'small'}>
              <EventTimeline events={view.events} />
            </Card>
          </Space>
        </Col>
        <Col xs={{ span: 24, order: 1 }} xl={{ span: 9, order: 2 }}>
          <Space orientation="vertical" size={16} style={{ width: '100%' }}>
            <Card title="办理" size={wide ? 'default' : 'small'} data-testid="order-actions">
              {reviewing ? (
                <ReviewPanel
                  key={generation}
                  orderId={o.id}
                  labels={{ approve: act('approve')?.label, reject: act('reject')?.label }}
                  onOpen={setViewer}
                  onChanged={setChangedSlots}
                  onDone={done}
                  onConflict={onConflict}
                />
              ) : (
                <ActionPanel key={generation} view={view} onDone={done} onConflict={onConflict} />
              )}
              {view.actions.length === 0 && (
                <Typography.Text type="secondary" data-testid="no-actions">
                  订单当前状态为“{o.statusLabel}
                  {o.statusStep ? ` · ${o.statusStep}` : ''}”，您的角色在这一步没有可执行的操作。
                </Typography.Text>
              )}
            </Card>
            {view.paperChecklist.lastReview && !act('pass_paper') && !act('fail_paper') && (
              <Card title="纸质资料核对" size="small" data-testid="paper-review">
                <PaperChecklist list={view.paperChecklist} checked={view.paperChecklist.lastReview.checked} />
              </Card>
            )}
            <OrderCertificate key={`cert-${generation}`} orderId={o.id} wide={wide} />
            <SealPanel
              key={`seals-${generation}`}
              orderId={o.id}
              wide={wide}
              keyType={o.keyType}
              canMake={hasRole(staff, '制证')}
              onDone={done}
            />
            <CallLog key={`calls-${generation}`} view={view} canCall={canCall} onDone={done} onConflict={onConflict} />
            <Card title="快递" size="small" data-testid="shipments">
              <Shipments items={view.shipments} />
            </Card>
            <Card title="发票" size="small" data-testid="invoice">
              <InvoiceSummary view={view} />
            </Card>
            {/* 取消订单: only the roles that may ask for or approve it (CANCEL_REQUESTERS on the server) see it. */}
            {hasRole(staff, '受理', '财务', '管理员') && <CancelPanel key={`cancel-${generation}`} orderId={o.id} onDone={done} />}
          </Space>
        </Col>
      </Row>

      {viewer && <DocumentViewer orderId={o.id} documents={view.documents} request={viewer} onClose={() => setViewer(null)} />}
      {recipient && (
        <RecipientModal
          orderId={o.id}
          current={o.form.recipient}
          onCancel={() => setRecipient(false)}
          onDone={() => {
            setRecipient(false);
            done();
          }}
          onConflict={(m) => {
            setRecipient(false);
            onConflict(m);
          }}
        />
      )}
    </Space>
  );
}

const dash = (v: string) => (v ? v : <span style={{ color: '#bfbfbf' }}>未填写</span>);

function FormSummary({ view }: { view: StaffOrderView }) {
  const f = view.order.form;
  const sections: { title: string; items: [string, ReactNode][] }[] = [
    {
      title: '单位信息',
      items: [
        ['单位名称', view.organization.name],
        ['统一社会信用代码', <span style={mono}>{view.organization.uscc}</span>],
        ...FORM_SECTIONS[0]!.fields.map((x): [string, ReactNode] => [x.label, dash(fieldText(f, 'unit', x.key))]),
      ],
    },
    ...FORM_SECTIONS.slice(1)
      .filter((s) => s.key !== 'inGanManager' || fieldText(f, 'inGanManager', 'name'))
      .map((s) => ({
        title: s.title,
        items: s.fields.map((x): [string, ReactNode] => {
          const v = fieldText(f, s.key, x.key);
          return [x.label, v && x.mono ? <span style={mono}>{v}</span> : dash(v)];
        }),
      })),
  ];
  return (
    <div data-testid="order-form" style={{ display: 'grid', gap: 12 }}>
      {sections.map((s) => (
        <Descriptions
          key={s.title}
          title={<span style={{ fontSize: 14 }}>{s.title}</span>}
          column={{ xs: 1, md: 2 }}
          size="small"
          styles={{ label: { whiteSpace: 'nowrap' } }}
        >
          {s.items.map(([label, value]) => (
            <Descriptions.Item key={label} label={label}>
              <span style={{ wordBreak: 'break-all' }}>{value}</span>
            </Descriptions.Item>
          ))}
        </Descriptions>
      ))}
    </div>
  );
}

function KeyHistory({ items, order }: { items: KeyHistoryItem[]; order: StaffOrderView['order'] }) {
  const sameProject = items.filter((r) => r.projectCode === order.projectCode && r.status !== 'deleted' && r.status !== 'cancelled');
  const mainElsewhere = sameProject.filter((r) => r.keyType === 'main');
  return (
    <div style={{ display: 'grid', gap: 12 }}>
      <Alert
        type={order.keyType === 'main' && mainElsewhere.length ? 'warning' : 'info'}
        showIcon
        data-testid="key-rule"
        title={
          order.keyType === 'main'
            ? mainElsewhere.length
              ? `本订单申请主锁，但该单位在“${order.projectName}”已有 ${mainElsewhere.length} 个主锁订单：每个单位每个项目只能有一个主锁，请核对（主副锁选择错误）。`
              : `本订单申请主锁；该单位在“${order.projectName}”没有其他主锁订单。`
            : mainElsewhere.length
              ? `本订单申请副锁；该单位在“${order.projectName}”已有主锁订单。`
              : `本订单申请副锁，但在线记录中没有该单位“${order.projectName}”的主锁订单（可能在现场办理），请核对。`
        }
      />
      {items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="该单位没有其他在线订单" />
      ) : (
        <Table<KeyHistoryItem>
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={items}
          scroll={{ x: 'max-content' }}
          columns={[
            {
              title: '订单编号',
              dataIndex: 'orderNoDisplay',
              render: (v: string, r) => (
                <Link to={`/staff/orders/${r.id}`} style={mono}>
                  {v}
                </Link>
              ),
            },
            { title: '证书项目', dataIndex: 'projectName' },
            {
              title: '锁',
              dataIndex: 'keyLabel',
              render: (v: string, r) => <Tag color={r.keyType === 'main' ? 'red' : 'blue'}>{v}</Tag>,
            },
            { title: '状态', dataIndex: 'statusLabel', render: (v: string, r) => <Tag color={statusColor(r.status)}>{v}</Tag> },
            { title: '创建时间', dataIndex: 'createdAt', render: (v: string) => beijing(v, 'YYYY-MM-DD') },
          ]}
        />
      )}
    </div>
  );
}

/** What each recorded action means, for staff. */
const EVENT_LABEL: Record<string, string> = {
  'order.create': '创建订单',
  'order.submit': '提交申请',
  'order.resubmit': '修改后重新提交',
  'order.delete': '删除订单',
  'order.upload': '上传证件',
  'order.print_application_form': '下载申请表',
  'order.legal_check_passed': '法人核验：认证成功',
  'order.legal_check_failed': '法人核验未通过',
  'order.legal_check_reset': '法定代表人信息已修改，法人核验需重新进行',
  'order.approve': '预审通过',
  'order.reject': '预审退回修改',
  'order.pay': '付款成功',
  'order.cancel': '订单已取消（付款原路退回）',
  'order.paper_shipment': '填写纸质资料快递单号',
  'order.receive_paper': '收到纸质资料',
  'order.pass_paper': '纸质资料合格',
  'order.fail_paper': '纸质资料不合格，需补寄',
  'order.call': '电话记录',
  'order.produce': '制证完成',
  'order.seals_made': '制作电子签章',
  'order.seal_images_confirmed': '确认电子签章印模',
  'order.ship': '发放（顺丰寄出）',
  'order.recipient_change': '申请单位修改收件信息',
  'order.recipient_correct': '工作人员更正收件信息',
  'order.invoice_issued': '发票已开具',
};

/** What an event's free text is, where 原因 would be the wrong word. */
const REASON_LABEL: Record<string, string> = { 'order.call': '备注', 'order.approve': '结论', 'order.fail_paper': '说明' };

const DETAIL_LABEL: Record<string, string> = {
  trackingNo: '运单号',
  outcomeLabel: '通话结果',
  invoiceNo: '发票号码',
};

type Person = { name?: string; mobile?: string; address?: string } | null | undefined;
const personText = (p: Person) => (p ? [p.name, p.mobile, p.address].filter(Boolean).join(' ') : '—');

function detailLines(e: StaffOrderEvent): string[] {
  const d = e.detail ?? {};
  const out: string[] = [];
  if (e.action === 'order.recipient_correct' || e.action === 'order.recipient_change') {
    out.push(`原收件信息：${personText(d.before as Person)}`);
    out.push(`新收件信息：${personText(d.after as Person)}`);
  }
  for (const [k, label] of Object.entries(DETAIL_LABEL)) {
    const v = d[k];
    if (typeof v === 'string' && v.trim()) out.push(`${label}：${v}`);
    else if (Array.isArray(v) && v.length && v.every((x) => typeof x === 'string')) out.push(`${label}：${v.join('、')}`);
  }
  return out;
}

/** Consecutive events of one kind by one actor that change nothing (six uploads in a row) read as one line. */
function grouped(events: StaffOrderEvent[]): { e: StaffOrderEvent; first: StaffOrderEvent; count: number }[] {
  const out: { e: StaffOrderEvent; first: StaffOrderEvent; count: number }[] = [];
  const quiet = (x: StaffOrderEvent) => !x.reason && (!x.toStatus || x.toStatus === x.fromStatus) && detailLines(x).length === 0;
  for (const e of events) {
    const last = out[out.length - 1];
    if (last && last.e.action === e.action && last.e.actorName === e.actorName && quiet(e) && quiet(last.e))
      out[out.length - 1] = { e, first: last.first, count: last.count + 1 };
    else out.push({ e, first: e, count: 1 });
  }
  return out;
}

function EventTimeline({ events }: { events: StaffOrderEvent[] }) {
  if (!events.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="暂无记录" />;
  const rows = grouped(events);
  return (
    <Timeline
      data-testid="order-events"
      items={rows.map(({ e, first, count }, i) => ({
        key: String(e.id),
        color: !e.public ? '#bfbfbf' : i === rows.length - 1 ? '#c8102e' : '#1677ff',
        content: (
          <div data-testid="order-event" data-action={e.action} style={{ display: 'grid', gap: 2 }}>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {count > 1
                ? `${beijing(first.at, 'YYYY-MM-DD HH:mm:ss')} 至 ${beijing(e.at, 'HH:mm:ss')}`
                : beijing(e.at, 'YYYY-MM-DD HH:mm:ss')}{' '}
              · {e.actorName ?? ACTOR[e.actorType] ?? e.actorType}
            </Typography.Text>
            <span>
              {EVENT_LABEL[e.action] ?? e.action}
              {count > 1 ? `（${count}次）` : ''}{' '}
              {e.toStatus && e.toStatus !== e.fromStatus && e.toStatusLabel && (
                <Tag color={statusColor(e.toStatus)}>
                  {e.toStatusLabel}
                  {STATUS_STEP[e.toStatus as OrderStatus] ? ` · ${STATUS_STEP[e.toStatus as OrderStatus]}` : ''}
                </Tag>
              )}
              {!e.public && (
                <Tag icon={<EyeInvisibleOutlined />} data-testid="staff-only">
                  仅工作人员可见
                </Tag>
              )}
            </span>
            {e.reason && (
              <span style={{ color: '#595959', wordBreak: 'break-all' }}>
                {REASON_LABEL[e.action] ?? '原因'}：{e.reason}
              </span>
            )}
            {detailLines(e).map((l) => (
              <span key={l} style={{ color: '#595959', wordBreak: 'break-all' }}>
                {l}
              </span>
            ))}
          </div>
        ),
      }))}
    />
  );
}

const ACTOR: Record<string, string> = { org: '申请单位', staff: '工作人员', system: '系统', legal_person: '法定代表人' };

function Shipments({ items }: { items: Shipment[] }) {
  if (!items.length) return <Typography.Text type="secondary">暂无快递记录</Typography.Text>;
  return (
    <div style={{ display: 'grid', gap: 8 }}>
      {items.map((s) => (
        <div key={s.id} data-testid={`shipment-${s.direction}`} style={{ display: 'grid', gap: 2 }}>
          <Space wrap size={6}>
            <Tag color={s.direction === 'inbound' ? 'blue' : 'green'}>
              {s.direction === 'inbound' ? '纸质资料（寄来）' : 'UKEY（寄出）'}
            </Tag>
            <span>{s.courier}</span>
            {s.trackingUrl ? (
              <a href={s.trackingUrl} target="_blank" rel="noreferrer" style={mono}>
                {s.trackingNo}
              </a>
            ) : (
              <Typography.Text copyable style={mono}>
                {s.trackingNo}
              </Typography.Text>
            )}
          </Space>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {beijing(s.at)} · {s.enteredByName ?? (s.enteredByType === 'org' ? '申请单位填写' : '工作人员填写')}
          </Typography.Text>
        </div>
      ))}
    </div>
  );
}

const INVOICE_STATUS: Record<string, { text: string; color: string }> = {
  waiting: { text: '待制证完成后开具', color: 'default' },
  due: { text: '待开具', color: 'orange' },
  issued: { text: '已开具', color: 'green' },
};

function InvoiceSummary({ view }: { view: StaffOrderView }) {
  const inv = view.invoice;
  if (!inv) return <Typography.Text type="secondary">付款后生成发票任务</Typography.Text>;
  const s = INVOICE_STATUS[inv.status] ?? { text: inv.status, color: 'default' };
  return (
    <Descriptions column={1} size="small">
      <Descriptions.Item label="状态">
        <Space wrap size={4}>
          <Tag color={s.color}>{s.text}</Tag>
          {inv.status === 'due' && <DueFlag dueAt={inv.dueAt} overdue={!!inv.overdue} />}
        </Space>
      </Descriptions.Item>
      <Descriptions.Item label="金额">{fenToYuanText(inv.amountFen)}元</Descriptions.Item>
      <Descriptions.Item label="发票抬头">{inv.title}</Descriptions.Item>
      <Descriptions.Item label="纳税人识别号">
        <span style={mono}>{inv.taxNumber}</span>
      </Descriptions.Item>
      <Descriptions.Item label="接收邮箱">{inv.email}</Descriptions.Item>
      {inv.invoiceNo && (
        <Descriptions.Item label="发票号码">
          <span style={mono}>{inv.invoiceNo}</span>（{beijing(inv.issuedAt)}）
        </Descriptions.Item>
      )}
    </Descriptions>
  );
}
