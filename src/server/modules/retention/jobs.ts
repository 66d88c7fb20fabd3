/**
 * The retention job: once a day, purges what is past retention (purge.ts). Any number of instances may run
 * it: each dossier is purged under row locks after its facts are read again, and a second cut at the same
 * place deletes nothing. `runOnce` lets tests drive it with a ManualClock.
 */
import { periodicJob, type BackgroundJob, type JobDeps } from '../../jobs.js';
import { describeRetention, runRetention } from './purge.js';

export function retentionJobs(deps: JobDeps): BackgroundJob {
  return periodicJob({
    name: 'retention purge',
    everyMs: 24 * 60 * 60_000,
    // The first run waits a little after start, so starting (and restarting) instances do not all verify the chain at once.
    firstAfterMs: 10 * 60_000,
    log: deps.log,
    async run() {
      const r = await runRetention(deps, { dryRun: false });
      if (r.refused) deps.log.error({ retention: 'refused' }, r.refused);
      else if (r.dossiers.length || r.audit) deps.log.info({ retention: 'purged' }, describeRetention(r));
    },
  });
}
