/**
 * What the applicant does next, per status — the one place the order page and 我的订单 take it from.
 * The statuses and who moves them are the workflow table's (core/workflow.ts); this only words the
 * applicant's part of each one, from the seeds (000 五–八, 001 三–五).
 */
import { UKEY_PIN_SMS } from '../../../../core/content/downloads.js';
import { HOTLINE, PAY_WAYS } from '../../../../core/content/help.js';
import type { OrderStatus } from '../../../../core/workflow.js';

export interface NextStep {
  /** One line: what to do now. */
  title: string;
  /** Why, or how. */
  detail: string;
  /** The section of the order page where it is done. */
  section?: 'order-submit' | 'order-documents' | 'order-paper' | 'order-delivery' | 'order-invoice';
  /** The link text in 我的订单. */
  short: string;
}

export function nextStep(status: OrderStatus, productionWorkingDays = 2): NextStep {
  switch (status) {
    case 'draft':
      return {
        title: '填写订单信息、下载模板、完成法人核验并上传资料后提交',
        detail: '订单信息随填随存；资料齐全后“提交”按钮才可使用。',
        section: 'order-submit',
        short: '继续填写',
      };
    case 'submitted':
      return {
        title: '等待工作人员审核上传的资料',
        detail: '审核结果会以短信发送到经办人手机，也可随时在本页查看。',
        short: '查看详情',
      };
    case 'review_passed':
      return {
        title: '请付款',
        detail: `资料审核已通过。请点击“去付款”，${PAY_WAYS}，不支持对公转账；付款后邮寄纸质资料。`,
        short: '付款',
      };
    case 'review_failed':
      return {
        title: '查看审核意见，只需重新上传未通过的资料，然后重新提交',
        detail: '也可以删除订单后重新申请。',
        section: 'order-documents',
        short: '查看原因并修改',
      };
    case 'paper_awaiting':
      return {
        title: '邮寄纸质资料并填写快递单号',
        detail: '按下方清单准备盖章原件，在申请表左上角写明订单编号，寄出后在本页填写快递公司和快递单号。',
        section: 'order-paper',
        short: '填写快递单号',
      };
    case 'paper_received':
      return {
        title: '等待纸质资料审核',
        detail: '我司已收到您邮寄的纸质资料，正在审核；如有问题，工作人员会电话联系经办人，请接听南昌拨入的电话。',
        short: '查看详情',
      };
    case 'paper_failed':
      return {
        title: '工作人员已电话通知补寄资料：请按电话要求补寄，并填写补寄的快递单号',
        detail: `请经办人保持手机畅通，接听南昌拨入的电话；未接到电话或不清楚要补寄什么，请致电客服热线${HOTLINE}。`,
        section: 'order-paper',
        short: '填写补寄单号',
      };
    case 'in_production':
      return {
        title: '等待制证',
        detail: `纸质资料合格，我们将在大约${productionWorkingDays}个工作日内制作证书和电子签章（副锁无电子签章）。`,
        short: '查看详情',
      };
    case 'produced':
      return {
        title: '等待寄出',
        detail: '证书已制作完成，将用顺丰到付寄给证书接收人；发票在制证后3个工作日内发送至发票接收邮箱。',
        section: 'order-delivery',
        short: '查看详情',
      };
    case 'shipped':
      return {
        title: '查看顺丰运单',
        detail: `证书已用顺丰到付寄出，请注意查收；收件人关注“顺丰速运”公众号可接收发件通知、查询物流详情。${UKEY_PIN_SMS}`,
        section: 'order-delivery',
        short: '查看运单',
      };
    case 'deleted':
      return { title: '订单已删除', detail: '如需办理，请重新新制申请。', short: '查看详情' };
    case 'cancelled':
      return { title: '订单已取消', detail: `如有疑问，请致电客服热线${HOTLINE}。`, short: '查看详情' };
  }
}

/** Paid: the paper originals are due or on their way, and the certificate follows. */
export const PAID: readonly OrderStatus[] = ['paper_awaiting', 'paper_received', 'paper_failed', 'in_production', 'produced', 'shipped'];
