/**
 * What several browser tests do from inside a page, as the web app itself does it: call the API with the
 * page's cookies and CSRF token, and register a new organization (the page's context is then logged in).
 */
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { idCheckChar } from '../src/core/id-number.js';
import { newMobile, newUscc } from '../src/server/testing/harness.js';
import { CAPTCHA } from './harness.js';

/** A valid 居民身份证号码: the 17 digits given plus their GB 11643 check character. */
export const id = (first17: string) => first17 + idCheckChar(first17);

export interface ApiAnswer {
  status: number;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Calls the API from inside the page, with the page's cookies and CSRF token, as the web app does. */
export async function api(page: Page, method: string, url: string, body?: unknown): Promise<ApiAnswer> {
  return page.evaluate(
    async ([method, url, body]) => {
      const s = (await (await fetch('/api/session')).json()) as { csrfToken: string };
      const r = await fetch(url as string, {
        method: method as string,
        headers: method === 'GET' ? {} : { 'content-type': 'application/json', 'x-csrf-token': s.csrfToken },
        body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
      });
      return { status: r.status, json: await r.json().catch(() => null) };
    },
    [method, url, body] as const,
  );
}

/** Registers a new organization from inside the page with a fresh USCC and mobile; the page is then logged in as it. */
export async function registerInBrowser(
  page: Page,
  name: string,
  password: string,
): Promise<{ uscc: string; mobile: string; name: string }> {
  await page.goto('/help');
  const uscc = newUscc();
  const mobile = newMobile();
  const captcha = await page.evaluate(async () => ((await (await fetch('/api/captcha')).json()) as { captchaId: string }).captchaId);
  const r = await api(page, 'POST', '/api/register', {
    name,
    uscc,
    mobile,
    password,
    passwordConfirm: password,
    agree: true,
    captchaId: captcha,
    captchaAnswer: CAPTCHA,
  });
  expect(r.status).toBe(201);
  return { uscc, mobile, name };
}
