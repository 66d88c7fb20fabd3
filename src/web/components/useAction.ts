/**
 * A button's or a form's action against the server (issue 18 item 7): while it runs the caller shows it busy
 * (`loading={busy}`), and a second start meanwhile — a double click, Enter pressed again in a form, another
 * button sharing the flag — is ignored rather than sent twice. antd's `loading` alone does not stop a form's
 * Enter key, and React's state is only read on the next render, so the guard is a plain flag set at once.
 *
 * Errors are shown where the page shows them today: `onError` gets the error (the page's Alert text through
 * `showServerErrors` for forms, `useStaffErrors()` on the console, `message.error`…). Without `onError` the
 * error goes to the caller, as a `try/finally` without `catch` did.
 *
 * A newer request that replaces a running one (a search typed again, a tab switched) is not an action: those
 * pages keep `useLatestLoad`.
 */
import { useState } from 'react';

/** Shows a failed action's error; when it returns a promise (reloading what failed) the action is busy until it ends. */
export type OnError = (e: unknown) => void | Promise<void>;

export type RunAction = <R>(action: () => Promise<R>, onError?: OnError) => Promise<R | undefined>;

/**
 * The part without React, tested on its own: one action at a time, `setBusy` told when it starts and ends.
 * `run` resolves to the action's result, or undefined when it was refused (one already running) or failed
 * and `onError` took the error.
 */
export function actionRunner(setBusy: (busy: boolean) => void): RunAction {
  let running = false;
  return async (action, onError) => {
    if (running) return undefined;
    running = true;
    setBusy(true);
    try {
      return await action();
    } catch (e) {
      if (!onError) throw e;
      await onError(e);
      return undefined;
    } finally {
      running = false;
      setBusy(false);
    }
  };
}

/** `run(action, onError?)` and `busy` for one busy flag; `run` keeps its identity across renders. */
export function useAction(): { run: RunAction; busy: boolean } {
  const [busy, setBusy] = useState(false);
  const [run] = useState(() => actionRunner(setBusy));
  return { run, busy };
}
