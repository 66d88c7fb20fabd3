/**
 * Back from the provider's page: ask the provider how the check ended and record it — in one transaction,
 * the check row (compare-and-set from 'started', so a replayed or concurrent finish changes nothing), the
 * order's 法人核验 state, and the order event. A pass counts only if the identity the provider verified is
 * the legal representative the order names now (a BizToken swapped in from another person's check fails).
 */
import { AppError, OutageError } from '../../../core/errors.js';
import { orderRepository } from '../orders/repository.js';
import { deadToken, orderByLegalToken } from './find-by-token.js';
import { legalPersonOf, sameIdentity } from '../../../core/legal-person.js';
import { attemptsLeft, chinaDayStart } from './limits.js';
import { legalCheckRepository, type LegalCheckRow } from './repository.js';
import { SERVICE_OFF_MESSAGE, type LegalCheckDeps } from './start-legal-check.js';

export const IDENTITY_SWAP_MESSAGE = '核验通过的身份与订单中填写的法定代表人不一致';

export interface FinishOutcome {
  status: 'passed' | 'failed' | 'incomplete';
  reason: string | null;
  at: Date | null;
  attemptsLeft: number;
}

export async function finishLegalCheck(deps: LegalCheckDeps, token: string, bizToken: string): Promise<FinishOutcome> {
  const { order } = await orderByLegalToken(deps.db, token);
  const left = async () => attemptsLeft(await legalCheckRepository.counts(deps.db, order.id, chinaDayStart(deps.clock.now())));
  const check = await legalCheckRepository.findForOrder(deps.db, order.id, bizToken);
  if (!check || check.status === 'error') throw new AppError('NOT_FOUND', '找不到这次核验的记录，请返回重新开始核验');
  const recorded = async (c: LegalCheckRow): Promise<FinishOutcome> => ({
    status: c.status === 'passed' ? 'passed' : 'failed',
    reason: c.status === 'passed' ? null : c.failureReason,
    at: c.finishedAt,
    attemptsLeft: c.status === 'passed' ? 0 : await left(),
  });
  // Already finished: the same answer again, nothing changes.
  if (check.status !== 'started') return recorded(check);
  if (!deps.verifier) throw new AppError('CONFLICT', SERVICE_OFF_MESSAGE);

  let result;
  try {
    result = await deps.verifier.result(bizToken);
  } catch (e) {
    throw new OutageError('face', e);
  }
  if (result.state === 'incomplete')
    return {
      status: 'incomplete',
      reason: '刷脸尚未完成：请重新开始核验，并在人脸核身页面完成全部步骤',
      at: null,
      attemptsLeft: await left(),
    };

  let passed = result.state === 'passed';
  let reason = result.state === 'failed' ? result.reason : null;
  if (result.state === 'passed') {
    const onOrder = legalPersonOf(order.form);
    if (!onOrder || !sameIdentity({ name: result.name, idNumber: result.idNumber }, onOrder)) {
      passed = false;
      reason = IDENTITY_SWAP_MESSAGE;
    }
  }

  const now = deps.clock.now();
  const done = await deps.db.transaction(async (tx) => {
    const row = await legalCheckRepository.finish(tx, check.id, passed ? 'passed' : 'failed', reason, now);
    if (!row) return null; // another finish won the race: it wrote the event
    if (passed) {
      if (!(await legalCheckRepository.markOrderPassed(tx, order.id, now))) throw deadToken();
    } else {
      await legalCheckRepository.markOrderFailed(tx, order.id, now);
    }
    await orderRepository.addEvent(tx, {
      orderId: order.id,
      actorType: 'legal_person',
      actorId: null,
      action: passed ? 'order.legal_check_passed' : 'order.legal_check_failed',
      reason,
      detail: { provider: check.provider, legalCheckId: check.id, ...(result.state === 'failed' ? { providerCode: result.code } : {}) },
      public: true,
      at: now,
    });
    return row;
  });
  if (!done) {
    const again = await legalCheckRepository.findForOrder(deps.db, order.id, bizToken);
    return recorded(again!);
  }
  return { status: passed ? 'passed' : 'failed', reason, at: now, attemptsLeft: passed ? 0 : await left() };
}
