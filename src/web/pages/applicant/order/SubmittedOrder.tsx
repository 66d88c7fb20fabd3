/**
 * The order page once submitted or over (issue 14: its own chunk, loaded when such an order is shown, so the
 * form an applicant fills in does not download the paper, certificate, seal, delivery and invoice cards and the
 * rule library they bring): what to do now comes first (the paper while it is due, the waybill once shipped),
 * then where it stands, then what was sent.
 */
import type { OrderStatus } from '../../../../core/workflow.js';
import { ENDED } from '../../../../core/workflow.js';
import type { OrderView } from '../../../../core/orders-schemas.js';
import { CertificateCard } from './CertificateCard.js';
import { DeliveryCard } from './DeliveryCard.js';
import { Documents } from './Documents.js';
import { InvoiceCard } from './InvoiceCard.js';
import { PAID } from './nextStep.js';
import { OrderSummary } from './OrderSummary.js';
import { PaperCard } from './PaperCard.js';
import { OrderProgress } from './Progress.js';
import { SealsCard } from './SealsCard.js';
import { SectionCard } from './SectionCard.js';
import { SubmitPanel } from './SubmitPanel.js';

/** Waiting for the paper or checking it: the paper section comes first. */
const PAPER_FIRST: readonly OrderStatus[] = ['review_passed', 'paper_awaiting', 'paper_received', 'paper_failed'];

export function SubmittedOrder({
  view,
  refresh,
  takeView,
  flush,
  revealForm,
}: {
  view: OrderView;
  refresh: () => void;
  takeView: (v: OrderView) => void;
  flush: () => Promise<boolean>;
  revealForm: () => void;
}) {
  const o = view.order;
  const over = ENDED.includes(o.status);
  const paid = PAID.includes(o.status);
  const produced = o.status === 'produced' || o.status === 'shipped';
  const paperSection = (paid || o.status === 'review_passed') && (
    <SectionCard
      key="paper"
      id="order-paper"
      title={!paid ? '付款后邮寄纸质资料' : PAPER_FIRST.includes(o.status) ? '邮寄纸质资料' : '纸质资料'}
    >
      <PaperCard view={view} done={paid && !PAPER_FIRST.includes(o.status)} onChanged={refresh} />
    </SectionCard>
  );
  const afterSubmission = !over && (
    <>
      {produced && (
        <SectionCard key="certificate" id="order-certificate" title="证书">
          <CertificateCard orderId={o.id} />
        </SectionCard>
      )}
      {produced && o.keyType === 'main' && (
        <SectionCard key="seals" id="order-seals" title="电子签章">
          <SealsCard orderId={o.id} />
        </SectionCard>
      )}
      <SectionCard key="delivery" id="order-delivery" title="证书接收人">
        <DeliveryCard view={view} onChanged={refresh} />
      </SectionCard>
      <SectionCard key="invoice" id="order-invoice" title="发票">
        <InvoiceCard view={view} />
      </SectionCard>
    </>
  );
  return (
    <>
      {PAPER_FIRST.includes(o.status) ? (
        <>
          {paperSection}
          {afterSubmission}
        </>
      ) : (
        <>
          {afterSubmission}
          {paperSection}
        </>
      )}
      <SectionCard id="order-progress" title="办理进度">
        <SubmitPanel view={view} onView={takeView} flush={flush} revealForm={revealForm} />
        <OrderProgress events={view.events} />
      </SectionCard>
      <SectionCard id="order-form" title="订单信息">
        <OrderSummary view={view} />
      </SectionCard>
      <SectionCard id="order-documents" title="证件与模板">
        <Documents view={view} onChanged={refresh} flush={flush} />
      </SectionCard>
    </>
  );
}
