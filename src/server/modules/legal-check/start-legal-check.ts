/**
 * The legal representative confirms name and ID number and is sent to the face check. The typed identity
 * must be the one the order names (the answer never says which field differs, nor what the order holds);
 * the number of checks is limited; and the attempt is reserved in the database before the provider is
 * called — under a per-order lock, so two phones at once cannot both slip under the limit — while the
 * provider call itself happens outside any transaction.
 */
import { LEGAL_CHECK_CORRECTION } from '../../../core/content/legal-check.js';
import { AppError, OutageError } from '../../../core/errors.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { FaceError, type FaceVerifier } from '../../adapters/face/port.js';
import type { Throttle } from '../throttle/throttle.js';
import { orderByLegalToken } from './find-by-token.js';
import { legalPersonOf, sameIdentity, type Identity } from '../../../core/legal-person.js';
import { attemptLimitReached, attemptsLeft, chinaDayStart, HOTLINE, MISMATCH_POLICY } from './limits.js';
import { legalCheckRepository } from './repository.js';

export interface LegalCheckDeps {
  db: Db;
  clock: Clock;
  throttle: Throttle;
  verifier: FaceVerifier | null;
}

export const MISMATCH_MESSAGE = `姓名或身份证号与订单中填写的法定代表人信息不一致。请核对后重新填写；${LEGAL_CHECK_CORRECTION}`;
export const SERVICE_OFF_MESSAGE = `法人核验服务暂未开通，请致电客服热线 ${HOTLINE}`;

export async function startLegalCheck(
  deps: LegalCheckDeps,
  token: string,
  typed: Identity,
  opts: { baseUrl: string },
): Promise<{ redirectUrl: string; attemptsLeft: number }> {
  const { order } = await orderByLegalToken(deps.db, token);
  if (!deps.verifier) throw new AppError('CONFLICT', SERVICE_OFF_MESSAGE);
  if (order.legalCheckStatus === 'passed') throw new AppError('CONFLICT', '法定代表人已认证成功，无需再次核验');
  const onOrder = legalPersonOf(order.form);
  if (!onOrder) throw new AppError('CONFLICT', '订单中还没有填写法定代表人信息：请联系经办人先在订单中填写法人姓名和身份证号，再扫码核验');

  // The guess is counted before it is compared (atomically), so parallel guesses cannot pass the limit;
  // a match is taken back — it was not a wrong guess, and the checks themselves are counted below.
  const throttleKey = `legal-check:mismatch:${order.id}`;
  const attempt = await deps.throttle.take(throttleKey, MISMATCH_POLICY);
  if (!sameIdentity(typed, onOrder)) throw new AppError('VALIDATION_FAILED', MISMATCH_MESSAGE);
  await deps.throttle.giveBack(throttleKey, attempt);

  const now = deps.clock.now();
  const dayStart = chinaDayStart(now);
  const { check, left } = await deps.db.transaction(async (tx) => {
    await legalCheckRepository.lockOrder(tx, order.id);
    const counts = await legalCheckRepository.counts(tx, order.id, dayStart);
    const limit = attemptLimitReached(counts);
    if (limit) {
      const retry = limit.final ? undefined : Math.ceil((dayStart.getTime() + 86_400_000 - now.getTime()) / 1000);
      throw new AppError('RATE_LIMITED', limit.message, retry ? { retryAfterSeconds: retry } : {});
    }
    const id = crypto.randomUUID();
    const row = await legalCheckRepository.insert(tx, {
      id,
      orderId: order.id,
      provider: deps.verifier!.name,
      // Reserved until the provider names the BizToken; unique like any BizToken.
      bizToken: `pending:${id}`,
      status: 'started',
      startedAt: now,
    });
    return { check: row, left: attemptsLeft({ today: counts.today + 1, total: counts.total + 1 }) };
  });

  try {
    const started = await deps.verifier.start({
      name: onOrder.name,
      idNumber: onOrder.idNumber,
      redirectUrl: `${opts.baseUrl}/v/${token}/done`,
      extra: check.id,
    });
    await legalCheckRepository.setBizToken(deps.db, check.id, started.bizToken);
    return { redirectUrl: started.url, attemptsLeft: left };
  } catch (e) {
    // The attempt never reached the person: it is recorded as an error and does not count.
    const why = e instanceof FaceError ? e.message : 'unexpected error';
    await legalCheckRepository.markError(deps.db, check.id, why.slice(0, 300), deps.clock.now());
    throw new OutageError('face', e);
  }
}
