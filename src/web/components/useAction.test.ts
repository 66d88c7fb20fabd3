import { describe, expect, it, vi } from 'vitest';
import { actionRunner } from './useAction.js';

/** A promise the test settles when it chooses. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function runner() {
  const busy: boolean[] = [];
  return { run: actionRunner((b) => busy.push(b)), busy };
}

describe('actionRunner (useAction without React)', () => {
  const cases: {
    name: string;
    settle: (d: ReturnType<typeof deferred<string>>) => void;
    onError: boolean;
    result: 'value' | 'undefined' | 'rejects';
    onErrorCalls: number;
  }[] = [
    { name: 'a success gives the result', settle: (d) => d.resolve('ok'), onError: true, result: 'value', onErrorCalls: 0 },
    { name: 'a failure goes to onError', settle: (d) => d.reject(new Error('boom')), onError: true, result: 'undefined', onErrorCalls: 1 },
    {
      name: 'a failure without onError goes to the caller',
      settle: (d) => d.reject(new Error('boom')),
      onError: false,
      result: 'rejects',
      onErrorCalls: 0,
    },
  ];
  for (const c of cases)
    it(`${c.name}; busy while it runs, and not after`, async () => {
      const { run, busy } = runner();
      const d = deferred<string>();
      const onError = vi.fn();
      const done = run(() => d.promise, c.onError ? onError : undefined);
      expect(busy).toEqual([true]);
      c.settle(d);
      if (c.result === 'rejects') await expect(done).rejects.toThrow('boom');
      else expect(await done).toBe(c.result === 'value' ? 'ok' : undefined);
      expect(busy).toEqual([true, false]);
      expect(onError).toHaveBeenCalledTimes(c.onErrorCalls);
      if (c.onErrorCalls) expect((onError.mock.calls[0]![0] as Error).message).toBe('boom');
    });

  it('a second start while one runs is refused: not run, no busy change, undefined', async () => {
    const { run, busy } = runner();
    const first = deferred<string>();
    const second = vi.fn(async () => 'second');
    const one = run(() => first.promise);
    // The flag is set at once: a double click in the same tick is already refused.
    expect(await run(second)).toBeUndefined();
    expect(second).not.toHaveBeenCalled();
    expect(busy).toEqual([true]);
    first.resolve('first');
    expect(await one).toBe('first');
    expect(busy).toEqual([true, false]);
  });

  it('after one ends, success or failure, the next runs', async () => {
    const { run, busy } = runner();
    await run(async () => {
      throw new Error('boom');
    }, vi.fn());
    expect(await run(async () => 'again')).toBe('again');
    expect(busy).toEqual([true, false, true, false]);
  });

  it('an onError that reloads (returns a promise) keeps it busy until the reload ends', async () => {
    const { run, busy } = runner();
    const reload = deferred<void>();
    const done = run(
      async () => {
        throw new Error('conflict');
      },
      () => reload.promise,
    );
    await Promise.resolve();
    await Promise.resolve();
    expect(busy).toEqual([true]);
    expect(await run(async () => 'meanwhile')).toBeUndefined();
    reload.resolve();
    expect(await done).toBeUndefined();
    expect(busy).toEqual([true, false]);
  });

  it('an action that throws before its first await is still an error of the action, not of run', async () => {
    const { run, busy } = runner();
    const onError = vi.fn();
    const result = await run(() => {
      throw new Error('sync');
    }, onError);
    expect(result).toBeUndefined();
    expect(onError).toHaveBeenCalledTimes(1);
    expect(busy).toEqual([true, false]);
  });
});
