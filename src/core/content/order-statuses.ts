/**
 * Order statuses as applicants see them. Labels are exactly the ones in the seeds; meanings follow
 * seed 001 (三、上传资料说明, the paragraph that explains each status). The order feature uses these
 * labels; the help manual explains them.
 */

import { PAY_WAYS } from './help.js';

/** The same codes as the workflow (core/workflow.ts), which takes its labels and meanings from here. */
export type OrderStatusCode = 'submitted' | 'review_passed' | 'review_failed' | 'accepting' | 'produced' | 'shipped';

export interface OrderStatusInfo {
  code: OrderStatusCode;
  label: string;
  /** What the status means (seed 001). */
  meaning: string;
  /** What the applicant should do now. */
  applicantAction: string;
  /** antd Tag colour for the label. */
  color: 'processing' | 'success' | 'error' | 'warning' | 'default' | 'blue' | 'green' | 'cyan';
}

export const ORDER_STATUSES: OrderStatusInfo[] = [
  {
    code: 'submitted',
    label: '正在审核',
    meaning: '申请已提交，正在等待工作人员审核，但尚未审核。',
    applicantAction: '请耐心等待，审核结果会以短信发送到经办人手机。',
    color: 'processing',
  },
  {
    code: 'review_passed',
    label: '资料审核通过',
    meaning: '上传的资料已经通过审核，可以进行下一步付款操作。',
    applicantAction: `登录系统，${PAY_WAYS}，然后邮寄纸质资料。`,
    color: 'success',
  },
  {
    code: 'review_failed',
    label: '资料审核失败',
    meaning: '审核发现上传的资料有问题。',
    applicantAction: '登录系统查看退回原因，按要求修改后重新提交；或删除订单后重新申请。',
    color: 'error',
  },
  {
    code: 'accepting',
    label: '正在受理',
    meaning: '我司正在等待您邮寄的纸质资料；也可能是纸质资料有问题，但联系不上经办人，因此暂时无法制作证书。',
    applicantAction: '寄出纸质资料后在系统中填写快递单号；请经办人保持手机畅通，接听南昌拨入的电话。',
    color: 'warning',
  },
  {
    code: 'produced',
    label: '制证完成',
    meaning: '数字证书（及电子签章）已制作完成。',
    applicantAction: '等待证书寄出；发票将在制证后3个工作日内发送至发票接收邮箱。',
    color: 'cyan',
  },
  {
    code: 'shipped',
    label: '已发放',
    meaning: '数字证书已用顺丰到付邮寄。',
    applicantAction: '在订单中查看快递单号；关注“顺丰速运”公众号可查询物流详情。',
    color: 'green',
  },
];
