import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api.js';
import { autosaver, type AutosaveOptions, type SaveState } from './autosave.js';

/** A form whose text the test sets, a server whose answers the test settles, and everything the saver said. */
function harness(over: Partial<AutosaveOptions<string, number>> = {}) {
  const form = { text: 'a' };
  const sent: string[] = [];
  const answers: { resolve: (n: number) => void; reject: (e: unknown) => void }[] = [];
  const states: SaveState['kind'][] = [];
  const saved: string[] = [];
  let cleaned = 0;
  const saver = autosaver<string, number>({
    current: () => ({ value: form.text, text: form.text }),
    send: (v) => {
      sent.push(v);
      return new Promise<number>((resolve, reject) => answers.push({ resolve, reject }));
    },
    onSaved: (text) => saved.push(text),
    onClean: () => (cleaned += 1),
    onState: (s) => states.push(s.kind),
    savedText: 'a',
    enabled: true,
    ...over,
  });
  const type = (text: string) => {
    form.text = text;
    saver.changed();
  };
  /** Settles the oldest open request and lets its callbacks run. */
  const answer = async (how: number | Error) => {
    const a = answers.shift()!;
    if (how instanceof Error) a.reject(how);
    else a.resolve(how);
    await vi.advanceTimersByTimeAsync(0);
  };
  return { form, sent, states, saved, saver, type, answer, cleaned: () => cleaned };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('autosave (components/autosave.ts, on a fake clock)', () => {
  it('a burst of typing is one save, 0.8 s after the last keystroke', async () => {
    const h = harness();
    h.type('ab');
    await vi.advanceTimersByTimeAsync(500);
    h.type('abc');
    await vi.advanceTimersByTimeAsync(500);
    h.type('abcd');
    await vi.advanceTimersByTimeAsync(799);
    expect(h.sent).toEqual([]);
    expect(h.states.at(-1)).toBe('dirty');
    await vi.advanceTimersByTimeAsync(1);
    expect(h.sent).toEqual(['abcd']);
    expect(h.states.at(-1)).toBe('saving');
    await h.answer(2);
    expect(h.states.at(-1)).toBe('saved');
    expect(h.saved).toEqual(['abcd']);
    expect(h.cleaned()).toBe(1);
  });

  it('typing during a save: not 已保存 when it answers, and the rest goes after it, never two at once', async () => {
    const h = harness();
    h.type('ab');
    await vi.advanceTimersByTimeAsync(800);
    h.type('abc');
    // Asked to save while one is out: it waits for that one.
    const second = h.saver.saveNow();
    expect(h.sent).toEqual(['ab']);
    await h.answer(2);
    expect(h.states).toContain('dirty');
    expect(h.sent).toEqual(['ab', 'abc']);
    await h.answer(3);
    expect(await second).toBe(true);
    expect(h.states.at(-1)).toBe('saved');
    expect(h.saved).toEqual(['ab', 'abc']);
  });

  it('the text the server already has is not sent again', async () => {
    const h = harness();
    h.type('a');
    await vi.advanceTimersByTimeAsync(800);
    expect(h.sent).toEqual([]);
    expect(h.states.at(-1)).toBe('saved');
    expect(h.cleaned()).toBe(1);
  });

  const failures: { name: string; error: Error; state: Partial<SaveState>; retries: boolean; stops: boolean }[] = [
    {
      name: 'a network failure',
      error: new TypeError('fetch failed'),
      state: { kind: 'error', retrying: true },
      retries: true,
      stops: false,
    },
    {
      name: 'status 0',
      error: new ApiError(0, 'NETWORK', '网络连接失败'),
      state: { kind: 'error', retrying: true },
      retries: true,
      stops: false,
    },
    {
      name: 'a 503',
      error: new ApiError(503, 'UNAVAILABLE', '服务暂时不可用'),
      state: { kind: 'error', retrying: true },
      retries: true,
      stops: false,
    },
    {
      name: 'a 429',
      error: new ApiError(429, 'TOO_MANY', '操作过于频繁'),
      state: { kind: 'error', retrying: true },
      retries: true,
      stops: false,
    },
    {
      name: 'a 400',
      error: new ApiError(400, 'VALIDATION', '内容有误'),
      state: { kind: 'error', retrying: false },
      retries: false,
      stops: false,
    },
    {
      name: 'a 401 (logged out)',
      error: new ApiError(401, 'UNAUTHENTICATED', '请先登录'),
      state: { kind: 'error', retrying: false, login: true, message: '请重新登录' },
      retries: false,
      stops: false,
    },
    {
      name: 'a 409 (saved elsewhere)',
      error: new ApiError(409, 'STALE', '订单已在别处修改'),
      state: { kind: 'conflict' },
      retries: false,
      stops: true,
    },
  ];
  it.each(failures)('$name: retried after 5 s: $retries; saving stops: $stops', async ({ error, state, retries, stops }) => {
    const seen: SaveState[] = [];
    const h = harness({ onState: (s) => seen.push(s), loginMessage: '请重新登录' });
    h.type('ab');
    await vi.advanceTimersByTimeAsync(800);
    await h.answer(error);
    expect(seen.at(-1)).toMatchObject(state);
    expect(h.saved).toEqual([]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.sent).toEqual(retries ? ['ab', 'ab'] : ['ab']);
    if (retries) await h.answer(2);
    // A later change: sent unless saving stopped.
    h.type('abc');
    await vi.advanceTimersByTimeAsync(800);
    expect(h.sent.at(-1) === 'abc').toBe(!stops);
    if (stops) {
      // The user reloads elsewhere and asks to try again: saving resumes.
      void h.saver.retry();
      expect(h.sent.at(-1)).toBe('abc');
    }
  });

  it('flush waits for the save in flight, then saves what is left, and says whether the server has it all', async () => {
    const h = harness();
    h.type('ab');
    await vi.advanceTimersByTimeAsync(800);
    h.type('abc');
    const done = h.saver.flush();
    await h.answer(2);
    expect(h.sent).toEqual(['ab', 'abc']);
    await h.answer(3);
    expect(await done).toBe(true);
    // Nothing left: true without a request.
    expect(await h.saver.flush()).toBe(true);
    expect(h.sent).toHaveLength(2);
  });

  it('an order no longer editable sends nothing, whatever happens', async () => {
    const h = harness({ enabled: false });
    h.type('ab');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await h.saver.saveNow()).toBe(false);
    expect(await h.saver.flush()).toBe(false);
    expect(h.sent).toEqual([]);
    expect(h.states).toEqual([]);
  });

  it('dispose cancels a pending save (the page went away)', async () => {
    const h = harness();
    h.type('ab');
    h.saver.dispose();
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.sent).toEqual([]);
    expect(h.saver.unsaved()).toBe(true);
  });
});
