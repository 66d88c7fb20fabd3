/**
 * Calls per second of one operation, one call at a time, after a warm-up of 20 — for benches whose
 * operation takes long enough (a device call, a key pair) that the loop's own cost does not count. Printed
 * as a line `name … N /s`, the name padded to `width` so a bench's rows line up.
 */
const SECONDS = Number(process.env.BENCH_SECONDS || 3);

export async function rate(name: string, fn: () => Promise<unknown> | unknown, width: number): Promise<number> {
  for (let i = 0; i < 20; i++) await fn(); // warm-up
  let n = 0;
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  while (performance.now() < end) {
    await fn();
    n++;
  }
  const perSec = n / ((performance.now() - t0) / 1000);
  console.log(`${name.padEnd(width)}${perSec.toFixed(0).padStart(8)} /s`);
  return perSec;
}
