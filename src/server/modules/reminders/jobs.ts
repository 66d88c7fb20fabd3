/**
 * The expiry-reminder job: every 10 minutes on each instance (state in the database; the reminder row's
 * primary key decides between instances), first run a minute after start. `runOnce` lets tests drive it
 * with a ManualClock.
 */
import { periodicJob, type BackgroundJob, type JobDeps } from '../../jobs.js';
import { sendDueReminders } from './reminders.js';

export function reminderJobs(deps: JobDeps & { onEnqueued?: () => void }): BackgroundJob {
  return periodicJob({
    name: 'reminders',
    everyMs: 10 * 60_000,
    firstAfterMs: 60_000,
    log: deps.log,
    failLevel: 'warn',
    async run() {
      const r = await sendDueReminders(deps);
      if (r.enqueued > 0) {
        deps.log.info({ enqueued: r.enqueued }, 'expiry reminders enqueued');
        deps.onEnqueued?.();
      }
    },
  });
}
