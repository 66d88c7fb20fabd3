/**
 * The audit checkpoint job: every 10 minutes, when rows were written since the last checkpoint, the CA's
 * audit signer signs the chain head (checkpoints.ts). Any number of instances may run it: a second
 * checkpoint at the same seq is harmless. `runOnce` lets tests drive it.
 */
import type { BackgroundJob, JobDeps } from '../../jobs.js';
import { caRuntime } from '../certificates/ca-runtime.js';
import { signCheckpoint } from './checkpoints.js';

const INTERVAL_MS = 10 * 60_000;

export function auditJobs(deps: JobDeps): BackgroundJob {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function runOnce(): Promise<void> {
    const ca = await caRuntime(deps.config.ca);
    const c = await signCheckpoint(deps.db, ca.auditSigner(), deps.clock.now());
    if (c) deps.log.info({ seq: c.seq, hash: c.hash }, 'audit checkpoint signed');
  }
  const tick = () => {
    if (running) return;
    running = runOnce()
      .catch((e: unknown) => deps.log.error({ err: e }, 'audit checkpoint failed'))
      .finally(() => (running = undefined));
  };

  return {
    name: 'audit',
    start() {
      timer ??= setInterval(tick, INTERVAL_MS);
      timer.unref();
      tick();
    },
    runOnce,
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
