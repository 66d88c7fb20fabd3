/**
 * Saving a form as the user types (issue 18 item 4: this was seven refs and a timer inside OrderForm). The
 * rules, kept here without React so tests drive them on a fake clock (autosave.test.ts):
 *
 * - a change saves `delayMs` after the last keystroke (one request for a burst of typing);
 * - one save at a time: a change or a save asked for while one is out runs once it has answered, so the
 *   server ends with the last text and never two in flight (which could arrive out of order);
 * - the same text as last saved sends nothing;
 * - 409 (another tab saved first, or the order was submitted) stops saving for good: the text stays, the page
 *   asks for a reload; 401 (logged out) stops this save and says to log in again;
 * - a network failure, 5xx or 429 retries after `retryMs`; any other refusal waits for the next change;
 * - the state says 已保存 only when the server has exactly what the form holds now.
 */
import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../api.js';

export type SaveState =
  | { kind: 'idle' }
  | { kind: 'dirty' }
  | { kind: 'saving' }
  | { kind: 'saved'; at: Date }
  | { kind: 'error'; message: string; retrying: boolean; login?: boolean }
  | { kind: 'conflict'; message: string };

export interface AutosaveOptions<T, R> {
  /** What the form holds now, and its text (compared with the last saved text). */
  current(): { value: T; text: string };
  /** Sends it; resolves with the server's answer, rejects with an ApiError (or a network error). */
  send(value: T): Promise<R>;
  /** The server has `text` (whether or not the form has moved on since). */
  onSaved(text: string, answer: R): void;
  /** The server has everything the form holds (the copy kept on this computer can go). */
  onClean(): void;
  onState(state: SaveState): void;
  /** The text the server has at the start. */
  savedText: string;
  /** False: nothing is ever sent (an order no longer editable). */
  enabled: boolean;
  delayMs?: number;
  retryMs?: number;
  /** The message for a 401. */
  loginMessage?: string;
}

export interface Autosaver {
  /** The form changed: mark it unsaved and save shortly. */
  changed(): void;
  /** Save now (after the one in flight); true when the server has what was sent. */
  saveNow(): Promise<boolean>;
  /** The user asks to try again (after an error, or a conflict they resolved): saving resumes. */
  retry(): Promise<boolean>;
  /** Everything typed saved before going on (a 下一步): true when the server has all of it. */
  flush(): Promise<boolean>;
  /** The last saved text (to tell whether the server's remarks apply to what is shown). */
  savedText(): string;
  /** Whether the text differs from what the server has. */
  unsaved(): boolean;
  dispose(): void;
}

export function autosaver<T, R>(o: AutosaveOptions<T, R>): Autosaver {
  const delayMs = o.delayMs ?? 800;
  const retryMs = o.retryMs ?? 5000;
  let saved = o.savedText;
  let state: SaveState = { kind: 'idle' };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inflight: Promise<boolean> | null = null;
  let again = false;
  let stopped = false;

  const set = (s: SaveState) => {
    state = s;
    o.onState(s);
  };
  const later = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => void saveNow(), ms);
  };

  const failed = (e: unknown): false => {
    if (e instanceof ApiError && e.status === 409) {
      // Another tab saved first, or the order was submitted: stop, keep the input, ask for a reload.
      stopped = true;
      set({ kind: 'conflict', message: e.message });
      return false;
    }
    if (e instanceof ApiError && e.status === 401) {
      // Logged out meanwhile: the copy on this computer keeps the input until the user is back.
      set({ kind: 'error', message: o.loginMessage ?? e.message, retrying: false, login: true });
      return false;
    }
    const transient = !(e instanceof ApiError) || e.status === 0 || e.status >= 500 || e.status === 429;
    set({ kind: 'error', message: e instanceof ApiError ? e.message : '网络异常', retrying: transient });
    if (transient) later(retryMs);
    return false;
  };

  function saveNow(): Promise<boolean> {
    clearTimeout(timer);
    if (stopped || !o.enabled) return Promise.resolve(false);
    if (inflight) {
      again = true;
      return inflight;
    }
    const { value, text } = o.current();
    if (text === saved) {
      o.onClean();
      if (state.kind === 'dirty' || state.kind === 'error') set({ kind: 'saved', at: new Date() });
      return Promise.resolve(true);
    }
    set({ kind: 'saving' });
    const p = o
      .send(value)
      .then((answer) => {
        saved = text;
        o.onSaved(text, answer);
        // Typed on while this save was out: not saved yet (the timer or `again` saves it), so not 已保存.
        if (o.current().text === text) {
          set({ kind: 'saved', at: new Date() });
          o.onClean();
        } else set({ kind: 'dirty' });
        return true;
      })
      .catch(failed)
      .finally(() => {
        inflight = null;
        if (again) {
          again = false;
          void saveNow();
        }
      });
    inflight = p;
    return p;
  }

  return {
    changed() {
      if (!o.enabled || stopped) return;
      set({ kind: 'dirty' });
      later(delayMs);
    },
    saveNow,
    retry() {
      stopped = false;
      return saveNow();
    },
    async flush() {
      clearTimeout(timer);
      if (inflight) await inflight;
      if (o.current().text === saved) return true;
      return saveNow();
    },
    savedText: () => saved,
    unsaved: () => o.current().text !== saved,
    dispose: () => clearTimeout(timer),
  };
}

/**
 * The autosaver of a component, made once; its callbacks always see the component's latest render (through
 * a ref), so they can use state and props without remaking it. The state is the component's to show.
 */
export function useAutosave<T, R>(options: Omit<AutosaveOptions<T, R>, 'onState'>): [Autosaver, SaveState] {
  const [state, setState] = useState<SaveState>({ kind: 'idle' });
  const latest = useRef(options);
  latest.current = options;
  const [saver] = useState(() =>
    autosaver<T, R>({
      ...options,
      current: () => latest.current.current(),
      send: (v) => latest.current.send(v),
      onSaved: (text, answer) => latest.current.onSaved(text, answer),
      onClean: () => latest.current.onClean(),
      onState: setState,
      get enabled() {
        return latest.current.enabled;
      },
    }),
  );
  useEffect(() => () => saver.dispose(), [saver]);
  return [saver, state];
}
