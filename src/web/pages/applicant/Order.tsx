/**
 * The order page (/orders/:id): 填写订单信息 → 下载模板、法人核验、上传证件 → 提交; after 资料审核失败 the
 * reviewer's verdict per document; once paid 邮寄纸质资料, then 证书接收人 with the SF waybill, 发票 and
 * 办理进度. What can be done comes from the server's order view (editable, slots, missing, actions) and
 * the workflow's own tables; what to do next is worded once, in order/nextStep.ts.
 */
import { Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { Link, Navigate, useParams } from 'react-router-dom';
import { Alert, Breadcrumb, Button, Card, Descriptions, Skeleton, Typography } from 'antd';
import { beijing } from './order/time.js';
import { formatPriceFen } from '../../../core/content/projects.js';
import { ENDED } from '../../../core/workflow.js';
import { apiGet, ApiError } from '../../api.js';
import { LoginGate, loginUrl } from '../../components/LoginGate.js';
import { lazyPage } from '../../components/lazyPage.js';
import { useLatestLoad } from '../../components/useLatestLoad.js';
import { StatusTag } from '../../components/StatusTag.js';
import { Documents, failedReview } from './order/Documents.js';
import { nextStep } from './order/nextStep.js';
import { SectionCard } from './order/SectionCard.js';
import { OrderForm, type OrderFormHandle } from './order/OrderForm.js';
import { OrderProgress } from './order/Progress.js';
import { ReviewResult } from './order/ReviewResult.js';
import { SubmitPanel } from './order/SubmitPanel.js';
import type { OrderView } from '../../../core/orders-schemas.js';
import './order/order.css';

// Shown only when the order would not load: antd's Result (with its illustrations) is loaded then (issue 14).
const OrderLoadFailed = lazyPage(() => import('./order/OrderLoadFailed.js'), 'OrderLoadFailed');
// A submitted order's sections (paper, certificate, delivery, invoice): loaded when such an order is shown.
const SubmittedOrder = lazyPage(() => import('./order/SubmittedOrder.js'), 'SubmittedOrder');

export function OrderPage() {
  return (
    <LoginGate>
      <OrderScreen />
    </LoginGate>
  );
}

const scrollTo = (id: string) => document.getElementById(id)?.scrollIntoView({ behavior: 'smooth', block: 'start' });

function NextStepBox({ view }: { view: OrderView }) {
  const step = nextStep(view.order.status, view.project.productionWorkingDays);
  return (
    <div className="next-step" data-testid="next-step">
      <div className="next-step-title">
        <span className="next-step-label">下一步</span>
        <b data-testid="next-step-title">{step.title}</b>
      </div>
      <div className="next-step-detail">{step.detail}</div>
      {view.order.status === 'review_passed' && (
        <Link to={`/orders/${view.order.id}/pay`} data-testid="go-pay">
          <Button type="primary" style={{ marginTop: 8 }}>
            去付款
          </Button>
        </Link>
      )}
      {step.section && (
        <Button type="link" size="small" className="inline-link" onClick={() => scrollTo(step.section!)} data-testid="next-step-go">
          前往办理 ↓
        </Button>
      )}
    </div>
  );
}

function OrderScreen() {
  const { id = '' } = useParams();
  const [view, setView] = useState<OrderView | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const formRef = useRef<OrderFormHandle>(null);
  // Answers can cross: only the latest request's answer (or a view handed over) is shown.
  const begin = useLatestLoad();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const load = useCallback(async () => {
    const current = begin();
    try {
      const v = await apiGet<OrderView>(`/api/orders/${encodeURIComponent(id)}`);
      if (current()) {
        setView(v);
        setLoadError(null);
      }
    } catch (e) {
      if (current()) setLoadError(e instanceof ApiError ? e : new ApiError(0, 'NETWORK', '订单加载失败，请刷新页面'));
    }
  }, [id, begin]);

  /** After a save, an upload or a status change: fetch the view again (missing list, slots, status). */
  const refresh = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void load(), 300);
  }, [load]);

  useEffect(() => {
    void load();
    return () => clearTimeout(timer.current);
  }, [load]);

  const flush = useCallback(async () => (formRef.current ? formRef.current.flush() : true), []);
  const revealForm = useCallback(() => formRef.current?.revealAll(), []);
  const takeView = useCallback(
    (v: OrderView) => {
      begin(); // a load still out is older than this view
      setView(v);
    },
    [begin],
  );

  // The session ended before the order could be shown: log in and come back here. Once the order is on screen
  // a background reload's 401 (the refresh after a save, racing a logout in another tab) never takes the page
  // away: the form may hold input not yet saved, and its next save says 登录已超时 with a link to log in again.
  if (loadError?.status === 401 && !view) return <Navigate to={loginUrl(`/orders/${id}`)} replace />;
  if (loadError && !view) return <OrderLoadFailed error={loadError} title="订单加载失败" />;
  if (!view) return <Skeleton active paragraph={{ rows: 8 }} />;

  const o = view.order;
  const over = ENDED.includes(o.status);
  const review = failedReview(view);
  return (
    <div className="order-page" data-testid="order-page">
      <Breadcrumb className="apply-path" items={[{ title: <Link to="/orders">我的订单</Link> }, { title: `订单 ${o.orderNoDisplay}` }]} />

      <Card className="order-header">
        <div className="order-header-top">
          <div>
            <div className="muted" style={{ fontSize: 13 }}>
              订单编号
            </div>
            <Typography.Text
              className="order-no big"
              copyable={{ text: o.orderNoDisplay, tooltips: ['复制订单编号', '已复制'] }}
              data-testid="order-no"
            >
              {o.orderNoDisplay}
            </Typography.Text>
          </div>
          <StatusTag status={o.status} label={o.statusLabel} step={o.statusStep} large />
        </div>
        <p className="order-status-meaning" data-testid="status-meaning">
          {o.statusMeaning}
        </p>
        <NextStepBox view={view} />
        <Descriptions column={{ xs: 1, sm: 2, lg: 4 }} size="small" className="order-facts">
          <Descriptions.Item label="证书项目">
            <span data-testid="order-project">{o.projectName}</span>
          </Descriptions.Item>
          <Descriptions.Item label="锁类型">
            <span data-testid="order-key">{o.keyLabel}</span>
          </Descriptions.Item>
          <Descriptions.Item label="费用">
            <span className={o.priceFen === null ? 'muted' : 'price-text'} data-testid="order-price">
              {o.priceFen === null ? '价格待确认' : formatPriceFen(o.priceFen)}
            </span>
          </Descriptions.Item>
          <Descriptions.Item label="创建时间">
            <span data-testid="order-created">{beijing(o.createdAt)}</span>
          </Descriptions.Item>
          {o.submittedAt && <Descriptions.Item label="提交时间">{beijing(o.submittedAt)}</Descriptions.Item>}
        </Descriptions>
        {!over && <p className="muted order-no-hint">邮寄纸质资料时，请在申请表左上角写明订单编号。</p>}
      </Card>

      {review && <ReviewResult view={view} review={review} />}
      {loadError && <Alert type="warning" showIcon title={`订单状态刷新失败：${loadError.message}`} />}

      {o.editable ? (
        <>
          <SectionCard n={1} id="order-form" title="填写订单信息">
            <OrderForm key={o.id} ref={formRef} view={view} onSaved={refresh} />
          </SectionCard>
          <SectionCard n={2} id="order-documents" title="下载模板、法人核验、上传证件">
            <Documents view={view} onChanged={refresh} flush={flush} />
          </SectionCard>
          <SectionCard n={3} id="order-submit" title="提交">
            <SubmitPanel view={view} onView={takeView} flush={flush} revealForm={revealForm} />
          </SectionCard>
          <SectionCard n={4} id="order-progress" title="办理进度">
            <OrderProgress events={view.events} />
          </SectionCard>
        </>
      ) : (
        <Suspense fallback={<Skeleton active paragraph={{ rows: 6 }} />}>
          <SubmittedOrder view={view} refresh={refresh} takeView={takeView} flush={flush} revealForm={revealForm} />
        </Suspense>
      )}
    </div>
  );
}
