/**
 * The build step that writes antd's CSS per page (scripts/antd-styles.ts): which antd components a page uses
 * (followed through its static imports, not its lazy ones), which pages get a fragment, and — run as the build
 * runs it, in its own process with NODE_ENV=production — the fragments it writes: the page's and its area's
 * <style> elements with the cache paths antd looks up in the browser, named in the index the server reads.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { antdImportsOf, cachePaths, pagesOf, STYLES_INDEX, stylesFor } from './antd-styles.js';

const SCRIPT = path.resolve(import.meta.dirname, 'antd-styles.ts');

/** A directory of source files (name → text). */
function sources(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'antd-styles-src-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('antdImportsOf: the antd components a page module uses', () => {
  it.each<{ case: string; files: Record<string, string>; names: string[] }>([
    {
      case: 'named imports, an alias by its exported name',
      files: { 'a.tsx': "import { Button, App as AntApp } from 'antd';" },
      names: ['Button', 'App'],
    },
    {
      case: 'type-only imports draw nothing',
      files: { 'a.tsx': "import type { ThemeConfig } from 'antd';\nimport { type TableProps, Table } from 'antd';" },
      names: ['Table'],
    },
    {
      case: 'static imports are followed (./x.js is x.tsx or x.ts), once each, first met first',
      files: {
        'a.tsx': "import { Form } from 'antd';\nimport { F } from './parts/form.js';\nimport './b.js';",
        'parts/form.tsx': "import { Input, Form } from 'antd';\nimport '../a.js';",
        'b.ts': "import { Alert } from 'antd';",
      },
      names: ['Form', 'Input', 'Alert'],
    },
    {
      case: 're-exports are followed',
      files: { 'a.tsx': "export { Tag } from './tags.js';", 'tags.tsx': "import { Tag } from 'antd';\nexport { Tag };" },
      names: ['Tag'],
    },
    {
      case: 'lazy pages (dynamic import) are other pages: not followed',
      files: {
        'a.tsx': "import { Spin } from 'antd';\nconst P = lazy(() => import('./page.js'));",
        'page.tsx': "import { Table } from 'antd';",
      },
      names: ['Spin'],
    },
    {
      case: 'other antd modules (the locale) are not components',
      files: { 'a.tsx': "import zh from 'antd/es/locale/zh_CN.js';" },
      names: [],
    },
  ])('$case', ({ files, names }) => {
    expect(antdImportsOf(path.join(sources(files), 'a.tsx'))).toEqual(names);
  });

  it.each(["import * as antd from 'antd';", "import antd from 'antd';", "import antd, { Button } from 'antd';"])(
    'refuses %s: the components it uses cannot be told',
    (line) => {
      expect(() => antdImportsOf(path.join(sources({ 'a.tsx': line }), 'a.tsx'))).toThrow(/import antd's components by name/);
    },
  );

  it('follows the real login page into its form parts', () => {
    const names = antdImportsOf(path.resolve(import.meta.dirname, '../src/web/pages/applicant/Login.tsx'));
    expect(names).toEqual(expect.arrayContaining(['Form', 'Input', 'Button']));
  });
});

describe('pagesOf: a fragment for each area alone and with each of its lazy pages', () => {
  it('reads the areas from index.html and their pages from each area', () => {
    expect(
      pagesOf({
        'index.html': { isDynamicEntry: false, dynamicImports: ['PublicSite.tsx', 'pages/mobile/LegalCheck.tsx'] },
        'PublicSite.tsx': { isDynamicEntry: true, dynamicImports: ['pages/applicant/Login.tsx', 'pages/public/Home.tsx'] },
        'pages/mobile/LegalCheck.tsx': { isDynamicEntry: true },
        'pages/applicant/Login.tsx': { isDynamicEntry: true, dynamicImports: ['pages/applicant/order/OrderLoadFailed.tsx'] },
      }),
    ).toEqual([
      ['PublicSite.tsx'],
      ['PublicSite.tsx', 'pages/applicant/Login.tsx'],
      ['PublicSite.tsx', 'pages/public/Home.tsx'],
      ['pages/mobile/LegalCheck.tsx'],
    ]);
  });
});

describe('stylesFor: the CSS of a set of components', () => {
  it('a <style> per style, each listed with its hash in the rule antd reads: the shared reset and each sub-style', () => {
    const { html, unknown } = stylesFor(['Form', 'Tag']);
    expect(unknown).toEqual([]);
    const paths = cachePaths(html).map((p) => p.split('|').slice(1).join('|'));
    expect(paths).toEqual(
      expect.arrayContaining([
        'Shared|ant',
        'Form-Form|ant-form|anticon',
        'Form-item-item|ant-form|anticon',
        'Grid-Grid|ant-col|anticon',
        'Tag-preset|ant-tag|anticon',
        'Tag-status|ant-tag|anticon',
      ]),
    );
    expect(html).toMatch(
      /<style data-ant-cssinjs-cache-path="data-ant-cssinjs-cache-path">\.data-ant-cssinjs-cache-path\{content:"[^"]+";\}<\/style>$/,
    );
    // Every listed style is in the fragment under its hash, where antd's browser side looks it up.
    for (const entry of html.match(/\.data-ant-cssinjs-cache-path\{content:"([^"]+)"/)![1]!.split(';'))
      expect(html).toContain(`data-css-hash="${entry.slice(entry.lastIndexOf(':') + 1)}"`);
  });

  it('a component without a specimen is drawn with no props and named; hooks and functions are not drawn', () => {
    const { html, unknown } = stylesFor(['Rate', 'message', 'Grid', 'theme']);
    expect(unknown).toEqual(['Rate']);
    expect(cachePaths(html).some((p) => p.includes('|Rate-Rate|ant-rate|'))).toBe(true);
  });

  it('the reduced-motion theme makes the same component CSS (what lets one fragment serve both)', () => {
    const names = ['Button', 'Modal', 'Drawer', 'Tooltip', 'Select', 'Table', 'Tabs', 'Upload'];
    expect(stylesFor(names, true).html).toBe(stylesFor(names, false).html);
  });
});

/** Runs the step as vite.config.ts does: node --import tsx, its own process. */
function runStep(dist: string, env: Record<string, string | undefined>) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, dist], { env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('the build step, run as the build runs it', () => {
  it('writes the area and each page, hashed, production-named, and the index the server reads', { timeout: 180_000 }, async () => {
    const dist = mkdtempSync(path.join(tmpdir(), 'antd-styles-dist-'));
    mkdirSync(path.join(dist, '.vite'));
    writeFileSync(
      path.join(dist, '.vite', 'manifest.json'),
      JSON.stringify({
        'index.html': { file: 'assets/index-x.js', isEntry: true, dynamicImports: ['PublicSite.tsx'] },
        'PublicSite.tsx': {
          file: 'assets/PublicSite-x.js',
          src: 'PublicSite.tsx',
          isDynamicEntry: true,
          dynamicImports: ['pages/applicant/Login.tsx'],
        },
        'pages/applicant/Login.tsx': { file: 'assets/Login-x.js', src: 'pages/applicant/Login.tsx', isDynamicEntry: true },
      }),
    );
    const run = await runStep(dist, { NODE_ENV: 'production' });
    expect(run.code, run.out).toBe(0);

    const index = JSON.parse(readFileSync(path.join(dist, STYLES_INDEX), 'utf8')) as Record<string, string>;
    expect(Object.keys(index)).toEqual(['PublicSite.tsx', 'PublicSite.tsx\npages/applicant/Login.tsx']);
    expect(index['PublicSite.tsx']).toMatch(/^\.vite\/antd-styles\/PublicSite-[\w-]{8}\.html$/);
    expect(index['PublicSite.tsx\npages/applicant/Login.tsx']).toMatch(/^\.vite\/antd-styles\/Login-[\w-]{8}\.html$/);

    const read = (file: string) => readFileSync(path.join(dist, file), 'utf8');
    const area = cachePaths(read(index['PublicSite.tsx']!));
    const login = read(index['PublicSite.tsx\npages/applicant/Login.tsx']!);
    const paths = cachePaths(login);
    // Named as in the browser's production build (css-<hash>, never css-dev-only-…): else nothing is reused.
    expect(paths.filter((p) => p.startsWith('css-')).length).toBeGreaterThan(10);
    expect(paths.filter((p) => p.includes('css-dev-only'))).toEqual([]);
    // The page's fragment holds its area's styles too (one per page load) and its own form.
    expect(area.filter((p) => !paths.includes(p))).toEqual([]);
    expect(paths.some((p) => p.includes('|Form-item-item|'))).toBe(true);
    expect(area.some((p) => p.includes('|Form-item-item|'))).toBe(false);
    expect(login.match(/<style /g)!.length).toBeGreaterThan(paths.length);
  });

  it('refuses to run outside production: the names would not match the browser', { timeout: 60_000 }, async () => {
    const dist = mkdtempSync(path.join(tmpdir(), 'antd-styles-dist-'));
    const run = await runStep(dist, { NODE_ENV: 'development' });
    expect(run.code).not.toBe(0);
    expect(run.out).toContain('NODE_ENV=production');
    expect(existsSync(path.join(dist, STYLES_INDEX))).toBe(false);
  });
});
