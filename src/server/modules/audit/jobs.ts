/**
 * The audit checkpoint job: every 10 minutes, when rows were written since the last checkpoint, the CA's
 * audit signer signs the chain head (checkpoints.ts). Any number of instances may run it: a second
 * checkpoint at the same seq is harmless. `runOnce` lets tests drive it.
 */
import { periodicJob, type BackgroundJob, type JobDeps } from '../../jobs.js';
import { caRuntime } from '../certificates/ca-runtime.js';
import { signCheckpoint } from './checkpoints.js';

export function auditJobs(deps: JobDeps): BackgroundJob {
  return periodicJob({
    name: 'audit checkpoint',
    everyMs: 10 * 60_000,
    log: deps.log,
    async run() {
      const ca = await caRuntime(deps.config.ca);
      const c = await signCheckpoint(deps.db, ca.auditSigner(), deps.clock.now());
      if (c) deps.log.info({ seq: c.seq, hash: c.hash }, 'audit checkpoint signed');
    },
  });
}
