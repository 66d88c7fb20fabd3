/**
 * How audit rows read in the staff console: one Chinese label per action code the server writes to the
 * audit log, and the few detail fields worth showing, in order. The test beside this file checks that every
 * code passed to auditRepository.record in the server's source has a label here, so a new action never
 * shows up as a bare code.
 */
import { CALL_OUTCOMES } from '../../../core/fulfilment.js';
import type { StaffRole } from '../../../core/schemas.js';
import { fenToYuanText } from '../../../core/money.js';
import { formatOrderNumber } from '../../../core/order-number.js';

export const ACTION_LABELS: Record<string, string> = {
  'organization.register': '注册',
  'organization.login': '登录',
  'organization.login_failed': '登录失败',
  'organization.password_reset_requested': '申请找回密码',
  'organization.password_reset': '通过短信重置密码',
  'organization.search': '查询单位',
  'organization.view': '查看单位资料',
  'organization.rename': '更正单位名称',
  'staff.login': '工作人员登录',
  'staff.login_failed': '工作人员登录失败',
  'staff.login_disabled': '已停用账号尝试登录',
  'staff.logout': '工作人员退出',
  'staff.create': '新建工作人员账号',
  'staff.disable': '停用工作人员账号',
  'staff.enable': '启用工作人员账号',
  'catalog.update': '修改证书项目',
  'document.view': '查看订单证件',
  'document.reuse': '沿用本单位已上传的营业执照',
  // Workflow steps (the engine writes `order.<action>` for every row of core/workflow.ts's table).
  'order.submit': '提交申请',
  'order.resubmit': '重新提交申请',
  'order.delete': '删除订单',
  'order.approve': '预审通过',
  'order.reject': '预审退回修改',
  'order.pay': '付款（支付结果已核实）',
  'order.cancel': '订单取消（第二人批准）',
  'order.receive_paper': '已收到纸质资料',
  'order.pass_paper': '纸质资料合格',
  'order.fail_paper': '纸质资料不合格（通知补寄）',
  'order.call': '登记电话记录',
  'order.produce': '制证完成',
  'certificate.import': '导入证书（现场办理）',
  'order.ship': '发放（顺丰寄出）',
  'order.recipient_correct': '更正证书接收人',
  'invoice.issue': '开具发票',
  'order.view': '查看订单',
  'order.search': '查询订单',
  'calendar.set': '设置节假日或调休上班',
  'calendar.delete': '取消节假日或调休设置',
  'sms.template_update': '修改短信模板',
  'settings.paper_address_update': '修改纸质资料收件信息',
  'outbox.resend': '重新发送失败的消息',
  'payment.notice_refused': '拒绝支付通知',
  'payment.duplicate_refund': '重复付款，自动退款',
  'ca.operational_revoke': '吊销 CA 自用证书（制章人或审计签名）',
  // 保存期限 (modules/retention)
  'retention.purge': '超过保存期限，清除档案',
  'retention.audit_cut': '超过保存期限，清除早期操作记录',
  'order.cancel_request': '申请取消订单并退款',
  'order.cancel_approve': '批准取消订单并退款',
  'order.cancel_refuse': '不批准取消订单',
  'certificate.revoke_request': '申请吊销证书',
  'certificate.revoke_code_sent': '申请吊销：发送短信验证码',
  'certificate.revoke_approve': '批准吊销证书（证书已吊销）',
  'certificate.revoke_refuse': '不批准吊销证书',
  // 柜台业务 (现场办理, issue 7)
  'counter.lookup_org': '柜台查询申请单位',
  'counter.register_org': '柜台登记申请单位',
  'counter.open': '柜台业务：提交资料',
  'counter.materials': '柜台业务：核对资料清单',
  'counter.accept': '柜台业务：前台受理',
  'counter.approve': '柜台业务：审核通过',
  'counter.return': '柜台业务：退回补正资料',
  'counter.produce': '柜台业务：制作证书',
  'counter.pay': '柜台业务：现场缴费并领取',
  'counter.seal': '柜台业务：制作电子签章',
  'counter.finish': '柜台业务：办结',
  'counter.cancel': '柜台业务：取消办理',
  'counter.view': '查看柜台业务',
  'counter.daily': '查看受理点日报',
  'counter.scan_upload': '柜台业务：上传资料扫描件',
  'counter.scan_view': '查看柜台资料扫描件',
  'office.update': '修改受理点',
  'office.assign_staff': '设置工作人员所属受理点',
  'sealimages.view': '查看电子签章印模',
  'sealimages.extract': '调整并重新提取电子签章印模',
  'sealimages.confirm': '确认电子签章印模',
  'seal.make': '制作电子签章',
  'seal.download': '下载电子签章（写入UKEY）',
  'renewal.start': '在线续费：开始（短信验证码）',
  'renewal.request': '在线续费：提交新证书请求',
  'renewal.prove': '在线续费：核验原UKEY',
  'renewal.pay_start': '在线续费：发起付款',
  'renewal.pay': '在线续费：付款成功',
  'renewal.duplicate_payment': '在线续费：重复付款（待退款）',
  'renewal.issue': '在线续费：签发新证书',
  'renewal.complete': '在线续费：新证书已写入UKEY',
  'renewal.cancel': '在线续费：关闭（单位已放弃，改在受理点办理）',
  'certificate.revoke': '吊销证书（已续费，被新证书取代）',
  'kmc.envelope_download': '下载加密密钥信封（写入UKEY）',
  'kmc.recovery_request': '申请密钥恢复',
  'kmc.recovery_approve': '批准密钥恢复',
  'kmc.recovery_refuse': '驳回密钥恢复',
  'kmc.recovery_download': '下载恢复的加密密钥信封',
  'token.init_authorized': '制证：授权证书助手初始化UKEY',
  'token.unlock_requested': 'UKEY在线解锁：申请（短信验证码）',
  'token.unlock_code_wrong': 'UKEY在线解锁：短信验证码错误',
  'token.unlock_code_ok': 'UKEY在线解锁：短信验证通过',
  'token.unlock_face_started': 'UKEY在线解锁：开始经办人人脸核身',
  'token.unlock_face_passed': 'UKEY在线解锁：人脸核身通过',
  'token.unlock_face_failed': 'UKEY在线解锁：人脸核身未通过',
  'token.unlock_granted': 'UKEY在线解锁：发放一次性解锁授权',
  'token.unlock_done': 'UKEY在线解锁：口令已重置',
  'token.unlock_agent_failed': 'UKEY在线解锁：证书助手重置失败',
};

/** Tag colours: red for what changes data or access, orange for refusals, default for reading. */
const ACTION_COLORS: Record<string, string> = {
  'organization.rename': 'red',
  'organization.password_reset': 'red',
  'staff.create': 'red',
  'staff.disable': 'red',
  'staff.enable': 'red',
  'catalog.update': 'red',
  'order.recipient_correct': 'red',
  'calendar.set': 'red',
  'calendar.delete': 'red',
  'sms.template_update': 'red',
  'settings.paper_address_update': 'red',
  'outbox.resend': 'red',
  'order.cancel_approve': 'red',
  'order.cancel': 'red',
  'certificate.revoke_approve': 'red',
  'counter.produce': 'red',
  'office.update': 'red',
  'office.assign_staff': 'red',
  'sealimages.confirm': 'red',
  'retention.purge': 'red',
  'retention.audit_cut': 'red',
  'ca.operational_revoke': 'red',
  'token.init_authorized': 'red',
  'token.unlock_granted': 'red',
  'token.unlock_code_wrong': 'orange',
  'token.unlock_face_failed': 'orange',
  'payment.notice_refused': 'orange',
  'organization.login_failed': 'orange',
  'staff.login_failed': 'orange',
  'staff.login_disabled': 'orange',
  'organization.register': 'green',
};

export const actionLabel = (code: string): string => ACTION_LABELS[code] ?? code;
export const actionColor = (code: string): string | undefined => ACTION_COLORS[code];

export type ActorType = 'staff' | 'org' | 'system' | 'anonymous';
export const ACTOR_TYPE_LABELS: Record<ActorType, string> = {
  staff: '工作人员',
  org: '申请单位',
  system: '系统（命令行）',
  anonymous: '未登录访客',
};

/**
 * Who did it: a staff member by name (most rows, so no suffix); an organization as 「名称（申请单位）」;
 * otherwise the kind of actor (a failed login, the command line).
 */
export function actorText(r: { actorType: ActorType; actorName: string | null }): string {
  const kind = ACTOR_TYPE_LABELS[r.actorType] ?? r.actorType;
  if (!r.actorName) return kind;
  return r.actorType === 'staff' ? r.actorName : `${r.actorName}（${kind}）`;
}

export const ROLE_HINTS: Record<StaffRole, string> = {
  预审: '审核在线上传的证件',
  受理: '审核邮寄的纸质资料，联系经办人',
  制证: '制作数字证书和电子签章',
  发放: '顺丰寄出UKEY，录入运单号',
  财务: '核对付款，开具发票',
  管理员: '管理工作人员账号、更正单位名称、查看操作记录',
  审计员: '只能查看和校验操作记录，不能兼任其他角色',
  密钥管理员: '申请和批准加密密钥恢复（须两人）',
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : undefined);
/** Order numbers are recorded as stored (15 digits) and shown as everywhere else. */
const orderNo = (v: unknown): string | undefined => {
  const s = str(v);
  return s === undefined ? undefined : formatOrderNumber(s);
};

/** The detail fields of a row as label/value pairs, in reading order; unknown fields are left out. */
export function auditDetails(action: string, detail: Record<string, unknown> | null | undefined): { label: string; value: string }[] {
  const d = detail ?? {};
  // long: a table, one case per audited action with its detail fields in reading order; split, it reads worse
  const pairs: [string, string | undefined][] = (() => {
    switch (action) {
      case 'organization.rename':
        return [
          ['原名称', str(d.from)],
          ['新名称', str(d.to)],
          ['原因', str(d.reason)],
        ];
      case 'organization.register':
        return [
          ['单位名称', str(d.name)],
          ['统一社会信用代码', str(d.uscc)],
        ];
      case 'organization.login_failed':
        return [['统一社会信用代码', str(d.uscc)]];
      case 'order.receive_paper':
        return [['订单编号', orderNo(d.orderNo)]];
      case 'order.pass_paper':
        return [
          ['订单编号', orderNo(d.orderNo)],
          ['核对无误', Array.isArray(d.checked) ? d.checked.join('、') : undefined],
        ];
      case 'order.produce':
        return [
          ['订单编号', orderNo(d.orderNo)],
          ['证书序列号', str(d.serial)?.toUpperCase()],
        ];
      case 'certificate.import':
        return [['导入条数', str(d.count)]];
      case 'seal.download':
        return [['印章编号', str(d.esId)]];
      case 'order.fail_paper':
        return [
          ['订单编号', orderNo(d.orderNo)],
          ['需补寄', Array.isArray(d.missing) ? d.missing.join('、') : undefined],
          ['核对无误', Array.isArray(d.checked) && d.checked.length ? d.checked.join('、') : undefined],
          ['说明', str(d.note)],
        ];
      case 'order.cancel_request':
      case 'order.cancel_approve':
      case 'order.cancel_refuse':
        return [
          ['订单编号', orderNo(d.orderNo)],
          ['取消原因', str(d.reason)],
          ['批准说明', str(d.note)],
        ];
      case 'certificate.revoke_request':
      case 'certificate.revoke_approve':
      case 'certificate.revoke_refuse':
        return [
          ['证书序列号', str(d.serial)?.toUpperCase()],
          ['吊销原因', str(d.reasonLabel)],
          ['说明', str(d.note)],
        ];
      case 'payment.notice_refused':
        return [
          ['渠道', d.channel === 'wechat' ? '微信支付' : d.channel === 'alipay' ? '支付宝' : str(d.channel)],
          ['商户订单号', str(d.outTradeNo)],
          ['原因', str(d.reason)],
          // Refusals before verification: this row stands for every one of its address, reason and hour.
          ['同一地址同一原因本小时起只计数', str(d.countedFrom)],
        ];
      case 'ca.operational_revoke':
        return [
          ['证书', d.kind === 'seal' ? '电子印章制章人证书' : d.kind === 'audit' ? '审计日志签名证书' : str(d.kind)],
          ['序列号', str(d.serial)?.toUpperCase()],
          ['吊销原因', str(d.reasonLabel)],
        ];
      case 'retention.purge': {
        const list = (v: unknown, f: (x: unknown) => string | undefined = str) =>
          Array.isArray(v) && v.length ? v.map(f).filter(Boolean).join('、') : undefined;
        return [
          ['订单编号', list(d.orderNos, orderNo)],
          ['柜台业务编号', list(d.counterOrderNos)],
          ['证书序列号', list(d.serials, (x) => str(x)?.toUpperCase())],
          ['保存至', str(d.retainUntil)],
          ['清除的文件', typeof d.files === 'number' ? `${d.files} 个` : undefined],
        ];
      }
      case 'retention.audit_cut':
        return [
          [
            '清除范围',
            typeof d.fromSeq === 'number' && typeof d.throughSeq === 'number' ? `第 ${d.fromSeq + 1}–${d.throughSeq} 条` : undefined,
          ],
          ['条数', str(d.rows)],
          ['早于', str(d.horizon)],
        ];
      case 'order.call':
        return [
          ['订单编号', orderNo(d.orderNo)],
          ['通话结果', CALL_OUTCOMES[d.outcome as keyof typeof CALL_OUTCOMES]],
          ['通话时间', str(d.calledAt)],
        ];
      case 'order.approve':
      case 'order.reject':
        return [
          ['订单编号', orderNo(d.orderNo)],
          ['评审轮次', str(d.round)],
          ['结论', str(d.reason)],
        ];
      case 'order.pay':
        return [
          ['订单编号', orderNo(d.orderNo)],
          ['交易号', str(d.transactionId)],
          ['金额', typeof d.amountFen === 'number' ? `${fenToYuanText(d.amountFen)} 元` : undefined],
        ];
      case 'order.submit':
      case 'order.resubmit':
      case 'order.delete':
        return [['订单编号', orderNo(d.orderNo)]];
      case 'order.cancel':
        return [
          ['订单编号', orderNo(d.orderNo)],
          ['取消原因', str(d.reason)],
        ];
      case 'order.ship':
        return [
          ['订单编号', orderNo(d.orderNo)],
          ['顺丰运单号', str(d.trackingNo)],
        ];
      case 'order.recipient_correct': {
        const to = d.after as { name?: unknown; mobile?: unknown; address?: unknown } | undefined;
        return [
          ['订单编号', orderNo(d.orderNo)],
          ['新收件人', to ? [to.name, to.mobile, to.address].map(str).filter(Boolean).join(' ') : undefined],
          ['原因', str(d.reason)],
        ];
      }
      case 'invoice.issue':
        return [
          ['订单编号', orderNo(d.orderNo)],
          ['发票号码', str(d.invoiceNo)],
          ['发票文件', d.withFile === undefined ? undefined : d.withFile ? '已上传PDF' : '无（仅标记已开具）'],
          ['邮件', d.emailed === undefined ? undefined : d.emailed ? '已发送至发票接收邮箱' : '发票接收邮箱无效，未发送'],
        ];
      case 'order.view':
        return [['订单编号', orderNo(d.orderNo)]];
      case 'order.search':
        return [
          ['查询内容', str(d.q)],
          ['结果', d.count === undefined ? undefined : `${str(d.count)}条`],
        ];
      case 'calendar.set': {
        const kind = (k: unknown) => (k === 'holiday' ? '放假' : k === 'workday' ? '调休上班' : undefined);
        const before = d.before as { kind?: unknown; name?: unknown } | null | undefined;
        return [
          ['日期', str(d.day)],
          ['设置为', kind(d.kind) && `${kind(d.kind)}（${str(d.name) ?? ''}）`],
          ['原设置', before ? `${kind(before.kind) ?? ''}（${str(before.name) ?? ''}）` : '无'],
        ];
      }
      case 'calendar.delete': {
        const before = d.before as { kind?: unknown; name?: unknown } | null | undefined;
        return [
          ['日期', str(d.day)],
          ['原设置', before ? `${before.kind === 'holiday' ? '放假' : '调休上班'}（${str(before.name) ?? ''}）` : undefined],
        ];
      }
      case 'sms.template_update':
        return [
          ['模板', str(d.name)],
          ['原文字', str(d.before)],
          ['新文字', str(d.after)],
        ];
      case 'organization.search':
        return [
          ['查询内容', str(d.q) ?? '（空，列出最近注册）'],
          ['结果', d.count === undefined ? undefined : `${str(d.count)}条`],
        ];
      case 'staff.create':
        return [
          ['用户名', str(d.username)],
          ['姓名', str(d.displayName)],
          ['角色', Array.isArray(d.roles) ? d.roles.join('、') : undefined],
        ];
      case 'staff.login_failed':
      case 'staff.login_disabled':
      case 'staff.disable':
      case 'staff.enable':
        return [['用户名', str(d.username)]];
      default:
        return [];
    }
  })();
  return pairs.filter((p): p is [string, string] => p[1] !== undefined).map(([label, value]) => ({ label, value }));
}
