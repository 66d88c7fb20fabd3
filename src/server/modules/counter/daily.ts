/**
 * 受理点日报: one office's counter orders of one China-time day (and those opened earlier still open), with
 * totals by business type and status, and the day's counter payments by channel.
 */
import { BUSINESS_LABEL, COUNTER_PAY_CHANNELS, COUNTER_STATUS_LABEL, type CounterStatus } from '../../../core/counter.js';
import { AppError } from '../../../core/errors.js';
import { chinaDay, chinaMidnight } from '../../../core/working-days.js';
import type { StaffRole } from '../../../core/schemas.js';
import { auditRepository } from '../audit/repository.js';
import type { RequestMeta } from '../deps.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import type { CounterDeps } from './counter-access.js';
import { counterRepository, officeRepository, type CounterOrderRow, type CounterPaymentRow } from './repository.js';

const ALL_OFFICES: readonly StaffRole[] = ['管理员', '财务'];

const line = ({ order: o, payment: p }: { order: CounterOrderRow; payment: CounterPaymentRow | null }) => ({
  id: o.id,
  orderNo: o.orderNo,
  business: o.business,
  businessLabel: BUSINESS_LABEL[o.business],
  unitName: o.newUnitName ?? o.unitName,
  uscc: o.uscc,
  projectCode: o.projectCode,
  keyType: o.keyType,
  agentName: o.agentName,
  status: o.status,
  statusLabel: COUNTER_STATUS_LABEL[o.status as CounterStatus],
  createdAt: o.createdAt,
  statusChangedAt: o.statusChangedAt,
  payment: p ? { channel: p.channel, channelName: COUNTER_PAY_CHANNELS[p.channel], amountFen: p.amountFen, receiptNo: p.receiptNo } : null,
});

export async function dailyList(deps: CounterDeps, actor: StaffActor, q: { office?: string; day?: string }, meta: RequestMeta) {
  const mine = await officeRepository.officeOfStaff(deps.db, actor.id);
  const all = actor.roles.some((r) => ALL_OFFICES.includes(r));
  const code = q.office ?? mine?.code;
  if (!code) throw new AppError('VALIDATION_FAILED', '请选择受理点', { fields: { office: '您的账号没有所属受理点，请选择受理点' } });
  if (code !== mine?.code && !all) throw new AppError('FORBIDDEN', '只能查看本受理点的业务');
  const office = await officeRepository.get(deps.db, code);
  if (!office) throw new AppError('VALIDATION_FAILED', '请选择受理点', { fields: { office: '请选择列表中的受理点' } });
  const day = q.day ?? chinaDay(deps.clock.now());
  const from = chinaMidnight(day);
  const to = new Date(from.getTime() + 86_400_000);
  const [today, earlier, payments] = await Promise.all([
    counterRepository.ofOfficeBetween(deps.db, code, from, to),
    counterRepository.openOfOfficeBefore(deps.db, code, from),
    counterRepository.paymentsOfOffice(deps.db, code, from, to),
  ]);
  const byBusiness = Object.entries(BUSINESS_LABEL).map(([business, label]) => {
    const rows = today.filter((r) => r.order.business === business);
    return {
      business,
      label,
      opened: rows.length,
      completed: rows.filter((r) => r.order.status === 'completed').length,
      cancelled: rows.filter((r) => r.order.status === 'cancelled').length,
    };
  });
  const byChannel = Object.entries(COUNTER_PAY_CHANNELS).map(([channel, label]) => {
    const ps = payments.filter((p) => p.channel === channel);
    return { channel, label, count: ps.length, amountFen: ps.reduce((s, p) => s + p.amountFen, 0) };
  });
  await auditRepository.record(deps.db, {
    actorType: 'staff',
    actorId: actor.id,
    action: 'counter.daily',
    targetType: 'office',
    targetId: code,
    detail: { day },
    ip: meta.ip,
    at: deps.clock.now(),
  });
  return {
    office: { code: office.code, name: office.name },
    myOffice: mine ? { code: mine.code, name: mine.name } : null,
    canChooseOffice: all,
    day,
    orders: today.map(line),
    openEarlier: earlier.map(line),
    totals: {
      byBusiness,
      byChannel,
      opened: today.length,
      paidCount: payments.length,
      paidFen: payments.reduce((s, p) => s + p.amountFen, 0),
    },
  };
}
