/**
 * The expiry-reminder job: every 10 minutes on each instance (state in the database; the reminder row's
 * primary key decides between instances), first run a minute after start. `runOnce` lets tests drive it
 * with a ManualClock.
 */
import type { BackgroundJob, JobDeps } from '../../jobs.js';
import { sendDueReminders } from './reminders.js';

const INTERVAL_MS = 10 * 60_000;
const FIRST_RUN_MS = 60_000;

export function reminderJobs(deps: JobDeps & { onEnqueued?: () => void }): BackgroundJob {
  let timer: NodeJS.Timeout | undefined;
  let first: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function runOnce(): Promise<void> {
    const r = await sendDueReminders(deps);
    if (r.enqueued > 0) {
      deps.log.info({ enqueued: r.enqueued }, 'expiry reminders enqueued');
      deps.onEnqueued?.();
    }
  }
  const tick = () => {
    if (running) return;
    running = runOnce()
      .catch((e: unknown) => deps.log.warn({ err: e }, 'reminder job failed'))
      .finally(() => (running = undefined));
  };

  return {
    name: 'reminders',
    start() {
      first ??= setTimeout(tick, FIRST_RUN_MS);
      first.unref();
      timer ??= setInterval(tick, INTERVAL_MS);
      timer.unref();
    },
    runOnce,
    async stop() {
      if (first) clearTimeout(first);
      if (timer) clearInterval(timer);
      first = timer = undefined;
      await running;
    },
  };
}
