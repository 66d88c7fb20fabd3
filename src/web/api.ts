/**
 * The web's API client. State-changing requests carry the realm's CSRF token, from the session answer (the
 * one the page's HTML carried, else the session endpoint) on first use and replaced whenever the server rotates the session (login, register).
 * Errors arrive in the server's one vocabulary: a Chinese message and, for forms, one message per field.
 */
import type { ErrorBody, FieldErrors } from '../core/errors.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldErrors = {},
  ) {
    super(message);
  }
}

type Realm = 'org' | 'staff';
const csrf: Record<Realm, string | undefined> = { org: undefined, staff: undefined };
const realmOf = (url: string): Realm => (url.startsWith('/api/staff') ? 'staff' : 'org');

export function rememberCsrf(realm: Realm, token: string | undefined): void {
  if (token) csrf[realm] = token;
}

async function parse<T>(res: Response): Promise<T> {
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: handled below */
  }
  if (!res.ok) {
    const e = (body as ErrorBody | undefined)?.error;
    throw new ApiError(res.status, e?.code ?? 'NETWORK', e?.message ?? `网络异常（${res.status}），请刷新页面后重试`, e?.fields);
  }
  return body as T;
}

export async function apiGet<T>(url: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  } catch {
    throw new ApiError(0, 'NETWORK', '网络连接失败，请检查网络后重试');
  }
  return parse<T>(res);
}

/**
 * The session answer the page's HTML carried (the server puts it there for a visitor who has a live session:
 * server/plugins/web-preload.ts sessionScript), taken once: later calls ask the server, as after a login the
 * carried answer is stale.
 */
function takeSessionFromPage<T>(realm: Realm): T | undefined {
  const el = typeof document === 'undefined' ? null : document.getElementById(`cd-session-${realm}`);
  if (!el) return undefined;
  el.remove();
  try {
    return JSON.parse(el.textContent ?? '') as T;
  } catch {
    return undefined;
  }
}

/** The session request of a realm while it is out: every caller meanwhile shares it. */
const asking: Partial<Record<Realm, Promise<{ csrfToken: string }>>> = {};

/**
 * The realm's session answer (and so its CSRF token): the one the page carried, else one request however many
 * ask at once. Two requests without a cookie would each make a session, and the later answer's cookie would
 * replace the earlier — after a quick login, the logged-in one (a console sent back to its login page).
 */
export async function ensureSession<T = { csrfToken: string }>(realm: Realm): Promise<T> {
  const carried = takeSessionFromPage<T & { csrfToken: string }>(realm);
  if (carried) {
    csrf[realm] = carried.csrfToken;
    return carried;
  }
  const request = (asking[realm] ??= apiGet<{ csrfToken: string }>(realm === 'org' ? '/api/session' : '/api/staff/session').finally(() => {
    asking[realm] = undefined;
  }));
  const s = (await request) as T & { csrfToken: string };
  csrf[realm] = s.csrfToken;
  return s;
}

/** Upload progress: the share of the request body sent, 0–1. */
export type OnProgress = (sent: number) => void;

/**
 * fetch() cannot report how much of a request body has gone out; XMLHttpRequest can. The answer is handed back
 * as a Response, so everything after it (CSRF retry, errors) is the same for both.
 */
function xhrFetch(url: string, init: { method: string; headers: Record<string, string>; body: BodyInit }, onProgress: OnProgress) {
  return new Promise<Response>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(init.method, url);
    xhr.withCredentials = true;
    for (const [k, v] of Object.entries(init.headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => resolve(new Response(xhr.responseText, { status: xhr.status, headers: { 'content-type': 'application/json' } }));
    xhr.onerror = () => reject(new Error('network'));
    xhr.ontimeout = () => reject(new Error('timeout'));
    xhr.send(init.body as XMLHttpRequestBodyInit);
  });
}

/** Sends a state-changing request with the realm's CSRF token; on an expired token, fetches a fresh one and tries once more. */
async function send<T>(
  method: 'POST' | 'PUT',
  url: string,
  body: BodyInit,
  headers: Record<string, string>,
  onProgress?: OnProgress,
): Promise<T> {
  const realm = realmOf(url);
  if (!csrf[realm]) await ensureSession(realm);
  const go = () => {
    const init = { method, headers: { accept: 'application/json', ...headers, 'x-csrf-token': csrf[realm] ?? '' }, body };
    return onProgress ? xhrFetch(url, init, onProgress) : fetch(url, { ...init, credentials: 'same-origin' });
  };
  let res: Response;
  try {
    res = await go();
    // The session may have expired since the page loaded: get a fresh token and try once more.
    if (res.status === 403) {
      const peek = (await res
        .clone()
        .json()
        .catch(() => null)) as ErrorBody | null;
      if (peek?.error.code === 'CSRF_INVALID') {
        await ensureSession(realm);
        res = await go();
      }
    }
  } catch {
    throw new ApiError(0, 'NETWORK', '网络连接失败，您填写的内容仍在页面上，请检查网络后重试');
  }
  const out = await parse<T & { csrfToken?: string }>(res);
  rememberCsrf(realm, out?.csrfToken);
  return out;
}

export function apiPost<T>(url: string, body?: unknown): Promise<T> {
  return send<T>('POST', url, JSON.stringify(body ?? {}), { 'content-type': 'application/json' });
}

export function apiPut<T>(url: string, body: unknown): Promise<T> {
  return send<T>('PUT', url, JSON.stringify(body), { 'content-type': 'application/json' });
}

/** A multipart upload (the browser sets the content type with its boundary), reporting progress when asked. */
export function apiUpload<T>(url: string, form: FormData, onProgress?: OnProgress): Promise<T> {
  return send<T>('POST', url, form, {}, onProgress);
}
