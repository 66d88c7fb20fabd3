/**
 * index.html's inline old-browser check (issue 14). It must parse as ES3 (IE and 360 兼容模式 run it, and
 * stop at the first thing they cannot read), and, run in a fake browser of each kind, show the Chinese notice
 * to those below the build target and leave a supported browser's page alone. Its words are the ones of
 * src/core/content/browsers.ts, which the help pages and the build target use.
 */
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { parse } from 'acorn';
import { describe, expect, it } from 'vitest';
import { OLD_BROWSER_NOTICE, SUPPORTED_BROWSERS } from '../core/content/browsers.js';

const html = readFileSync(new URL('./index.html', import.meta.url), 'utf8');
const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');

interface FakeBrowser {
  noModule: boolean;
  promise: 'none' | 'old' | 'any';
  /** What CSS.supports('selector(:where(a))') answers; undefined: no window.CSS at all. */
  where?: boolean;
}

/** Runs the check in a fresh realm shaped like the given browser; returns what #root became. */
function run(b: FakeBrowser): { id: string; html: string } {
  const root = { id: 'root', innerHTML: '<div class="boot">正在加载…</div>' };
  const document = {
    createElement: () => (b.noModule ? { noModule: false } : {}),
    getElementById: (id: string) => (id === root.id ? root : null),
  };
  const sandbox: Record<string, unknown> = { document };
  // The realm's own Promise has `any`; an old browser's has not, an ES3 one has none.
  sandbox.Promise = b.promise === 'none' ? undefined : b.promise === 'old' ? function OldPromise() {} : Promise;
  if (b.where !== undefined) sandbox.CSS = { supports: (q: string) => (q === 'selector(:where(a))' ? b.where : true) };
  sandbox.window = sandbox;
  vm.runInNewContext(inline[0] ?? '', sandbox);
  return { id: root.id, html: root.innerHTML };
}

describe('the inline old-browser check', () => {
  it("is index.html's only inline script, and parses as ES3", () => {
    expect(inline).toHaveLength(1);
    expect(() => parse(inline[0] ?? '', { ecmaVersion: 3 })).not.toThrow();
  });

  it.each([
    { name: 'IE 8 / 360 兼容模式 (IE7 mode)', b: { noModule: false, promise: 'none' }, notice: true },
    { name: 'IE 11', b: { noModule: false, promise: 'none' }, notice: true },
    { name: 'Chromium 69 (old 360 极速模式)', b: { noModule: true, promise: 'old', where: false }, notice: true },
    { name: 'Chromium 86 (360 极速模式 13)', b: { noModule: true, promise: 'any', where: false }, notice: true },
    { name: 'Safari 14.0 (no selector() in CSS.supports)', b: { noModule: true, promise: 'any', where: false }, notice: true },
    { name: 'Chrome / Edge 88+', b: { noModule: true, promise: 'any', where: true }, notice: false },
    { name: 'Firefox 79+', b: { noModule: true, promise: 'any', where: true }, notice: false },
    { name: 'a supported browser without window.CSS', b: { noModule: true, promise: 'any' }, notice: false },
  ] satisfies { name: string; b: FakeBrowser; notice: boolean }[])('$name: notice $notice', ({ b, notice }) => {
    const after = run(b);
    if (!notice) {
      expect(after).toEqual({ id: 'root', html: '<div class="boot">正在加载…</div>' });
      return;
    }
    // The app's module finds no #root, so it cannot draw over the notice.
    expect(after.id).toBe('old-browser');
    expect(after.html).toContain(OLD_BROWSER_NOTICE.title);
    for (const step of OLD_BROWSER_NOTICE.steps) expect(after.html).toContain(step);
    expect(after.html).toContain('极速模式');
    expect(after.html).toContain('Chrome');
    expect(after.html).toContain('Edge');
  });

  it('index.html names the same supported browsers as the help pages, and paints the site name and 正在加载… without JavaScript', () => {
    expect(html.match(/<noscript>([\s\S]*?)<\/noscript>/)?.[1]).toContain(SUPPORTED_BROWSERS);
    const root = html.match(/<div id="root">([\s\S]*?)<\/div>\s*<\/div>/)?.[1] ?? '';
    expect(root).toContain('江西CA数字证书在线受理系统');
    expect(root).toContain('正在加载…');
    expect(html).not.toMatch(/IE\s*10|IE10/);
  });
});
