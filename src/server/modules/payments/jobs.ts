/**
 * The payments module's background work, every 15 s on each instance (all state is in the database, and
 * every step claims its row compare-and-set, so several instances share the work):
 * - late notifications: pending attempts older than a minute are asked about at the provider (active
 *   query) and completed through the same path as a notification;
 * - expiry: pending attempts past their expiry are queried once more, then closed at the provider;
 * - refunds: pending/processing refunds are sent (again) with the same out_refund_no until the provider
 *   says success.
 */
import { periodicJob, type BackgroundJob, type JobDeps } from '../../jobs.js';
import { paymentProviders as paymentProvidersFor } from './providers.js';
import { sendRefund } from './cancellation.js';
import { closeAttempt, queryAttempt, type Providers } from './payments.js';
import { paymentRepository } from './repository.js';

const LATE_AFTER_MS = 60_000;

export function paymentJobs(deps: JobDeps, providers?: Providers): BackgroundJob {
  const p = providers ?? paymentProvidersFor(deps.config, { db: deps.db, clock: deps.clock });
  const pdeps = { db: deps.db, clock: deps.clock, providers: p };
  return periodicJob({
    name: 'payments',
    everyMs: 15_000,
    firstAfterMs: 15_000,
    log: deps.log,
    failLevel: 'warn',
    async run() {
      const now = deps.clock.now();
      for (const a of await paymentRepository.pendingAttempts(deps.db, new Date(now.getTime() - LATE_AFTER_MS))) {
        if (a.expiresAt <= now) await closeAttempt(pdeps, a, 'expired', deps.log);
        else await queryAttempt(pdeps, a, deps.log);
      }
      for (const r of await paymentRepository.dueRefunds(deps.db, now)) await sendRefund(pdeps, r.id, deps.log);
    },
  });
}
