/**
 * The counter's side of "one successor per certificate" (issue 20): a counter 续费/补办/变更 and an online renewal
 * of the same certificate never run side by side. The online side refuses while a counter order is open on the
 * certificate (rules.ts, refusalOf); this is the other side, called by the counter inside the transaction that
 * opens its order, after it has locked the certificate row — startRenewal locks the same row, so the two checks
 * cannot interleave. What the counter may do is counterStance's table (rules.ts).
 */
import { AppError } from '../../../core/errors.js';
import type { Tx } from '../../db/client.js';
import { renewalRepository } from './repository.js';
import { recordStep } from './renewal.js';
import { counterStance, RENEWAL_IDLE_HOURS } from './rules.js';

/**
 * Refuses (VALIDATION_FAILED on the certificate field the clerk chose, as the counter's other refusals of a
 * certificate do) or closes an unpaid renewal idle for RENEWAL_IDLE_HOURS: status → cancelled compare-and-set,
 * with its event and audit row naming the staff member, in the counter's transaction.
 */
export async function clearRenewalForCounter(
  tx: Tx,
  certificateId: string,
  actor: { staffId: string; ip: string | null },
  counter: { business: string },
  now: Date,
): Promise<void> {
  const open = await renewalRepository.openFor(tx, certificateId);
  if (!open) return;
  const lastPayment = (await renewalRepository.paymentsOf(tx, open.id))[0];
  const lastActivity = lastPayment && lastPayment.createdAt > open.updatedAt ? lastPayment.createdAt : open.updatedAt;
  const stance = counterStance(open, lastActivity, now);
  if (stance.kind === 'refuse')
    throw new AppError('VALIDATION_FAILED', stance.reason, { fields: { replacesCertificateId: stance.reason } });
  if (stance.kind === 'free') return;
  const closed = await renewalRepository.move(tx, open.id, open.status, 'cancelled', {}, now);
  // Moved on meanwhile (the organization came back to it): refuse rather than close a renewal in use.
  if (!closed) {
    const reason = '该证书的在线续费刚刚有了新进展，不能在受理点办理：请刷新后再试';
    throw new AppError('VALIDATION_FAILED', reason, { fields: { replacesCertificateId: reason } });
  }
  await recordStep(
    tx,
    open,
    {
      action: 'renewal.cancel',
      from: open.status,
      to: 'cancelled',
      detail: {
        reason: `单位在网上未付款的在线续费已搁置超过 ${RENEWAL_IDLE_HOURS} 小时，改在受理点办理`,
        counterBusiness: counter.business,
      },
    },
    { type: 'staff', id: actor.staffId, ip: actor.ip },
    now,
  );
}
