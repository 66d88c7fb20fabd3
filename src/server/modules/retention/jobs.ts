/**
 * The retention job: once a day, purges what is past retention (purge.ts). Any number of instances may run
 * it: each dossier is purged under row locks after its facts are read again, and a second cut at the same
 * place deletes nothing. `runOnce` lets tests drive it with a ManualClock.
 */
import type { BackgroundJob, JobDeps } from '../../jobs.js';
import { describeRetention, runRetention } from './purge.js';

const INTERVAL_MS = 24 * 60 * 60_000;
/** The first run waits a little after start, so starting (and restarting) instances do not all verify the chain at once. */
const FIRST_RUN_MS = 10 * 60_000;

export function retentionJobs(deps: JobDeps): BackgroundJob {
  let timer: NodeJS.Timeout | undefined;
  let first: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function runOnce(): Promise<void> {
    const r = await runRetention(deps, { dryRun: false });
    if (r.refused) deps.log.error({ retention: 'refused' }, r.refused);
    else if (r.dossiers.length || r.audit) deps.log.info({ retention: 'purged' }, describeRetention(r));
  }

  const tick = () => {
    if (running) return;
    running = runOnce()
      .catch((e: unknown) => deps.log.error({ err: e }, 'retention purge failed'))
      .finally(() => (running = undefined));
  };

  return {
    name: 'retention',
    start() {
      timer ??= setInterval(tick, INTERVAL_MS);
      timer.unref();
      first ??= setTimeout(tick, FIRST_RUN_MS);
      first.unref();
    },
    runOnce,
    async stop() {
      if (timer) clearInterval(timer);
      if (first) clearTimeout(first);
      timer = undefined;
      first = undefined;
      await running;
    },
  };
}
