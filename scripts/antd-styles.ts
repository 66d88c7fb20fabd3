/**
 * antd's CSS, made at build time for each page (issue 14), so the browser does not make it on every load.
 *
 * antd makes its CSS in the browser (CSS-in-JS): each component, on its first render, builds its style object,
 * turns it into CSS and inserts a <style> tag. On an old PC that was much of a page's script time. @ant-design/cssinjs
 * skips that work for every style whose cache path the page lists (a `<style data-ant-cssinjs-cache-path>` rule
 * `.data-ant-cssinjs-cache-path{content:"path:hash;…"}`, read once before the first component draws) and whose
 * `<style data-css-hash=hash>` is in the page: it takes that element's CSS instead of making it — antd's own
 * server-side rendering, without rendering our pages on the server.
 *
 * So, after `vite build`, this renders on the server (react-dom/server) every antd component each page imports
 * — found by following the static imports of the page's module and of its area's (scripts/antd-specimens.tsx
 * draws each) — with the app's own theme (src/web/theme.ts), extracts the <style> elements with their cache
 * paths (`extractStyle`), and writes one fragment per page: dist/web/.vite/antd-styles/<page>-<hash>.html, named in
 * dist/web/.vite/antd-styles.json by the manifest keys the server uses (`pageModules` of
 * src/server/plugins/web-preload.ts: the area, or the area and the page). The server puts the page's fragment at
 * the end of the HTML's body, where it does not hold up the first paint (正在加载…); cssinjs moves those elements
 * to the head when it starts, where antd would have inserted them (before the app's own CSS, in its order).
 * A component a page shows that is not in its fragment (another page's, after navigating there) has its CSS made
 * in the browser as before.
 *
 * Must run with NODE_ENV=production, as the browser's build does: antd names its CSS scope `css-…` in
 * production and `css-dev-only-do-not-override-…` otherwise, and a path that does not match is never reused.
 * The reduced-motion theme (appTheme(true)) changes only token values (CSS variables, still made in the browser),
 * not the component CSS: checked here on every build, so one fragment serves both.
 *
 *   node --import tsx scripts/antd-styles.ts dist/web     (vite.config.ts runs it after every build)
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createElement, type ComponentType, type ReactNode } from 'react';
import { renderToString } from 'react-dom/server';
import ts from 'typescript';
import { createCache, extractStyle, StyleProvider } from '@ant-design/cssinjs';
import * as antdModule from 'antd';
import type { ThemeConfig } from 'antd';
import { appTheme } from '../src/web/theme.js';
import { specimensFor } from './antd-specimens.js';

const WEB_SRC = path.resolve(import.meta.dirname, '..', 'src', 'web');
/** Where the index of the fragments is written, beside Vite's manifest (not served: the server reads it). */
export const STYLES_INDEX = path.join('.vite', 'antd-styles.json');
/** Where the fragments are written (the server reads them into the pages it sends). */
const FRAGMENTS = path.join('.vite', 'antd-styles');
/** The rule cssinjs reads its list of ready styles from (@ant-design/cssinjs util/cacheMapUtil). */
const CACHE_MAP_RULE = /\.data-ant-cssinjs-cache-path\{content:"([^"]*)";?\}/;

const antd = antdModule as unknown as Record<string, unknown> & { default?: Record<string, unknown> };
const ConfigProvider = (antd.ConfigProvider ?? antd.default?.ConfigProvider) as ComponentType<{ theme: ThemeConfig; children: ReactNode }>;

/** The module a relative import names: `./x.js` is the TypeScript file ./x.ts or ./x.tsx (NodeNext style). */
function resolveImport(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec).replace(/\.js$/, '');
  for (const candidate of [`${base}.tsx`, `${base}.ts`, path.join(base, 'index.tsx'), path.join(base, 'index.ts')])
    if (existsSync(candidate)) return candidate;
  return null;
}

/**
 * The antd components a module uses, in the order first met: its own `import { … } from 'antd'` and those of
 * every module it imports statically (relative imports, followed). Dynamic `import()`s are other pages, loaded on
 * demand, and are not followed; type-only imports draw nothing.
 */
export function antdImportsOf(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TSX);
  const names: string[] = [];
  const add = (name: string) => {
    if (!names.includes(name)) names.push(name);
  };
  for (const stmt of source.statements) {
    const isImport = ts.isImportDeclaration(stmt);
    if (!isImport && !ts.isExportDeclaration(stmt)) continue;
    if (!stmt.moduleSpecifier || !ts.isStringLiteral(stmt.moduleSpecifier)) continue;
    const spec = stmt.moduleSpecifier.text;
    if (isImport ? stmt.importClause?.isTypeOnly : stmt.isTypeOnly) continue;
    if (spec === 'antd') {
      const bindings = isImport ? stmt.importClause?.namedBindings : stmt.exportClause;
      if (!bindings || !(ts.isNamedImports(bindings) || ts.isNamedExports(bindings)) || (isImport && stmt.importClause?.name))
        throw new Error(`${path.relative(WEB_SRC, file)}: import antd's components by name (import { Button } from 'antd')`);
      for (const el of bindings.elements) if (!el.isTypeOnly) add((el.propertyName ?? el.name).text);
    } else if (spec.startsWith('.')) {
      const target = resolveImport(file, spec);
      if (target) for (const name of antdImportsOf(target, seen)) add(name);
    }
  }
  return names;
}

type StyleCache = ReturnType<typeof createCache>;
/** What rendering one component's specimen put in antd's style cache, by theme and name (made once per build). */
const drawn = new Map<string, StyleCache>();

function draw(name: string, reducedMotion: boolean): { cache: StyleCache; unknown: boolean } {
  const { elements, unknown } = specimensFor([name]);
  const id = `${reducedMotion}\n${name}`;
  let cache = drawn.get(id);
  if (!cache) {
    cache = createCache();
    const theme = appTheme(reducedMotion);
    for (const [, element] of elements) {
      try {
        renderToString(createElement(StyleProvider, { cache }, createElement(ConfigProvider, { theme, children: element })));
      } catch (err) {
        throw new Error(`antd-styles: the specimen of ${name} failed to render: ${(err as Error).message}`, { cause: err });
      }
    }
    drawn.set(id, cache);
  }
  return { cache, unknown: unknown.length > 0 };
}

/**
 * The <style> elements antd makes for these components under the app's theme, as its server-side rendering
 * writes them (each with its hash and priority), ending with the one that lists their cache paths. Each component
 * is drawn on its own (so an error names it, and a component shared by many pages is drawn once); their caches
 * are merged in the order given, which is the order antd would have inserted them in (extractStyle sorts by
 * antd's priority, then by this order).
 */
export function stylesFor(names: readonly string[], reducedMotion = false): { html: string; unknown: string[] } {
  const merged = createCache();
  const unknown: string[] = [];
  let order = 0;
  for (const name of names) {
    const one = draw(name, reducedMotion);
    if (one.unknown) unknown.push(name);
    const keys = [...one.cache.cache.keys()].sort((a, b) => (one.cache.updateTimes.get(a) ?? 0) - (one.cache.updateTimes.get(b) ?? 0));
    for (const key of keys) {
      if (merged.cache.has(key)) continue;
      merged.cache.set(key, one.cache.cache.get(key)!);
      merged.updateTimes.set(key, (order += 1));
    }
  }
  const html = extractStyle(merged, { types: 'style' });
  // Written into a page as it is: no CSS text may end its element early.
  if (html.match(/<\/style/gi)?.length !== html.match(/<style[\s>]/gi)?.length) throw new Error('antd-styles: CSS holding "</style"');
  return { html, unknown };
}

/** The cache paths a fragment from stylesFor lists (the styles cssinjs will not make again). */
export function cachePaths(html: string): string[] {
  const m = html.match(CACHE_MAP_RULE);
  return m?.[1] ? m[1].split(';').map((entry) => entry.slice(0, entry.lastIndexOf(':'))) : [];
}

interface ManifestChunk {
  src?: string;
  isDynamicEntry?: boolean;
  dynamicImports?: string[];
}

/**
 * The pages to write a stylesheet for, as the server looks them up (web-preload.ts pageModules): each area
 * (a lazy import of index.html's entry: the public site, the staff console, the phone pages) alone, and with
 * each page it loads on demand.
 */
export function pagesOf(manifest: Record<string, ManifestChunk>): string[][] {
  const areas = manifest['index.html']?.dynamicImports ?? [];
  return areas.flatMap((area) => [[area], ...(manifest[area]?.dynamicImports ?? []).map((page) => [area, page])]);
}

export interface Written {
  /** Manifest keys joined by "\n" → the fragment's path under the build directory (.vite/antd-styles/….html). */
  index: Record<string, string>;
  /** antd exports met that have no specimen (drawn with no props). */
  unknown: string[];
}

/** Writes a fragment per page of the build in `dist` and the index the server reads; returns the index. */
export function writeAntdStyles(dist: string): Written {
  const manifest = JSON.parse(readFileSync(path.join(dist, '.vite', 'manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
  const namesOf = new Map<string, string[]>();
  const names = (key: string) => {
    let n = namesOf.get(key);
    if (!n) namesOf.set(key, (n = antdImportsOf(path.join(WEB_SRC, manifest[key]?.src ?? key))));
    return n;
  };
  const pages = pagesOf(manifest);
  const all = [...new Set(pages.flatMap((keys) => keys.flatMap(names)))];
  // One fragment for both themes only while antd's component CSS ignores the motion token (see the header).
  if (stylesFor(all, false).html !== stylesFor(all, true).html)
    throw new Error('antd-styles: the reduced-motion theme changes the component CSS; one fragment can no longer serve both');

  const index: Record<string, string> = {};
  const unknown = new Set<string>();
  mkdirSync(path.join(dist, FRAGMENTS), { recursive: true });
  for (const keys of pages) {
    const styles = stylesFor([...new Set(keys.flatMap(names))]);
    for (const u of styles.unknown) unknown.add(u);
    const hash = createHash('sha256').update(styles.html).digest('base64url').slice(0, 8);
    const file = path.join(FRAGMENTS, `${path.basename(keys[keys.length - 1]!).replace(/\.[jt]sx?$/, '')}-${hash}.html`);
    index[keys.join('\n')] = file.split(path.sep).join('/');
    writeFileSync(path.join(dist, file), styles.html);
  }
  writeFileSync(path.join(dist, STYLES_INDEX), `${JSON.stringify(index, null, 2)}\n`);
  return { index, unknown: [...unknown] };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  if (process.env.NODE_ENV !== 'production') throw new Error('antd-styles: run with NODE_ENV=production (see the header)');
  const dist = path.resolve(process.argv[2] ?? 'dist/web');
  const { index, unknown } = writeAntdStyles(dist);
  console.log(`antd-styles: ${Object.keys(index).length} pages, ${new Set(Object.values(index)).size} fragments in ${dist}/${FRAGMENTS}`);
  if (unknown.length)
    console.log(`antd-styles: no specimen for ${unknown.join(', ')} (drawn with no props; add one in scripts/antd-specimens.tsx)`);
}
