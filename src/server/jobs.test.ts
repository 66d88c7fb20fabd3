import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { periodicJob } from './jobs.js';

describe('periodicJob', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  const log = () => {
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as { level: number; msg: string }) });
    return { logger, lines };
  };

  it('runs first after firstAfterMs, then every everyMs; never two runs at a time; stop waits for a run', async () => {
    let runs = 0;
    let release: (() => void) | undefined;
    const job = periodicJob({
      name: 'test',
      everyMs: 1000,
      firstAfterMs: 5000,
      log: log().logger,
      run: () => new Promise<void>((r) => ((runs += 1), (release = r))),
    });
    job.start();
    job.start(); // a second start changes nothing
    await vi.advanceTimersByTimeAsync(4999);
    expect(runs).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(3000); // still running: the ticks are skipped
    expect(runs).toBe(1);
    release!();
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(2);
    let stopped = false;
    const stopping = job.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false); // waits for the run in progress
    release!();
    await stopping;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toBe(2);
  });

  it('starts at once by default, and a failed run is logged and retried at the next tick', async () => {
    const { logger, lines } = log();
    let runs = 0;
    const job = periodicJob({
      name: 'flaky',
      everyMs: 1000,
      log: logger,
      failLevel: 'warn',
      run: async () => {
        runs += 1;
        if (runs === 1) throw new Error('boom');
      },
    });
    job.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(1);
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'flaky job failed' })]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(2);
    await job.stop();
  });
});
