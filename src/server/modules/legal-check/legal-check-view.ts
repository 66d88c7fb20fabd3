/**
 * What the two pages see of 法人核验:
 *  - the legal representative's phone page (by QR token): which organization, order and project, and the
 *    agent being authorized — masked. Never the legal representative's own data: the page asks for it.
 *  - the applicant's order page (live polling): the state of the check.
 */
import { maskIdNumber } from '../../../core/id-number.js';
import { maskMobile } from '../../../core/mobile.js';
import { formatOrderNumber } from '../../../core/order-number.js';
import { STATUS_LABEL, type OrderStatus } from '../../../core/workflow.js';
import type { Clock } from '../../clock.js';
import type { DbOrTx } from '../../db/client.js';
import type { FaceVerifier } from '../../adapters/face/port.js';
import type { CatalogProject } from '../catalog/repository.js';
import { KEY_LABEL } from '../../../core/requirements.js';
import type { OrderRow } from '../orders/repository.js';
import { legalPersonOf } from '../../../core/legal-person.js';
import { attemptLimitReached, attemptsLeft, chinaDayStart } from './limits.js';
import { legalCheckRepository } from './repository.js';
import type { TokenOrder } from './find-by-token.js';

/** How long a started check may still be running on the provider's page (its BizToken lives 7,200 s). */
const IN_PROGRESS_MS = 7200_000;

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);

export async function legalCheckState(deps: { db: DbOrTx; clock: Clock }, order: OrderRow, project: CatalogProject) {
  const now = deps.clock.now();
  const [counts, latest, failure] = await Promise.all([
    legalCheckRepository.counts(deps.db, order.id, chinaDayStart(now)),
    legalCheckRepository.latest(deps.db, order.id),
    legalCheckRepository.latestFailure(deps.db, order.id),
  ]);
  const passed = order.legalCheckStatus === 'passed';
  const limit = passed ? null : attemptLimitReached(counts);
  return {
    required: project.legalCheckRequired,
    status: order.legalCheckStatus,
    at: order.legalCheckAt,
    lastFailure: passed ? null : (failure?.failureReason ?? null),
    /** The legal representative opened the provider's page and has not come back yet. */
    inProgress: !passed && latest?.status === 'started' && now.getTime() - latest.startedAt.getTime() < IN_PROGRESS_MS,
    attemptsLeft: passed ? 0 : attemptsLeft(counts),
    limitMessage: limit?.message ?? null,
  };
}

export async function mobileLegalCheckView(deps: { db: DbOrTx; clock: Clock; verifier: FaceVerifier | null }, t: TokenOrder) {
  const form = t.order.form as { agent?: { name?: unknown; idNumber?: unknown; mobile?: unknown } };
  const agentId = str(form.agent?.idNumber);
  const agentMobile = str(form.agent?.mobile);
  return {
    organization: { name: t.org.name },
    order: {
      orderNoDisplay: formatOrderNumber(t.order.orderNo),
      projectName: t.project.name,
      keyLabel: KEY_LABEL[t.order.keyType],
      statusLabel: STATUS_LABEL[t.order.status as OrderStatus] ?? t.order.status,
    },
    agent: {
      name: str(form.agent?.name),
      idNumberMasked: agentId ? maskIdNumber(agentId) : null,
      mobileMasked: agentMobile ? maskMobile(agentMobile) : null,
    },
    /** Whether the order form names a legal representative yet (the check compares against it). */
    legalPersonReady: legalPersonOf(t.order.form) !== null,
    legalCheck: await legalCheckState(deps, t.order, t.project),
    service: { available: deps.verifier !== null, sandbox: deps.verifier?.name === 'sandbox' },
  };
}
