/**
 * The CA's background work: CRL republication (every shard marked by a revocation, and every CRL with less
 * than half its 7-day life left), taking in an operator's root CRL file, and OCSP pre-signing of what is due
 * (certificates.ocsp_due_at: issued or revoked lately, or at half-life; an index range, nothing read when
 * nothing is due). State lives in the database (crl_shards, crl_documents, ocsp_responses, ocsp_due_at), so
 * a crash between a revocation's commit and its republication is repaired by the next run, and several
 * instances may run it: each CRL scope is built by one of them at a time (its lease), the others skip it.
 */
import type { BackgroundJob, JobDeps } from '../../jobs.js';
import { publisherFor } from './publication.js';

const INTERVAL_MS = 30_000;

export function caJobs(deps: JobDeps): BackgroundJob {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function runOnce(): Promise<void> {
    const p = await publisherFor(deps);
    // An operator's new root CRL file on this machine reaches the database, and so every instance.
    for (const problem of await p.importRootCrls()) deps.log.warn({ problem }, 'root CRL file not taken in');
    await p.ensureShards();
    await p.publishDue();
    // Batches of 500 until nothing is due (a fresh deployment pre-signs its whole registry).
    while ((await p.refreshOcsp(500)) === 500);
  }

  return {
    name: 'ca',
    start() {
      const tick = () => {
        if (running) return;
        running = runOnce()
          .catch((e: unknown) => deps.log.warn({ err: e }, 'CA publication job failed'))
          .finally(() => (running = undefined));
      };
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
