/**
 * Folds the queue counts' appended rows (order_status_counts) into one per status every minute, so
 * reading the six queue counts stays a read of a few dozen rows. Any number of instances may run it.
 */
import { periodicJob, type BackgroundJob, type JobDeps } from '../../jobs.js';
import { staffOrderRepository } from './repository.js';

export function orderCountJobs(deps: JobDeps): BackgroundJob {
  return periodicJob({
    name: 'queue counts',
    everyMs: 60_000,
    firstAfterMs: 60_000,
    log: deps.log,
    failLevel: 'warn',
    run: () => staffOrderRepository.foldStatusCounts(deps.db),
  });
}
