import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { measure, violations } from './check-function-length.mjs';

type Measured = { name: string; line: number; lines: number; excused: boolean };
const own = (text: string, file = 'a.tsx'): Record<string, number> =>
  Object.fromEntries((measure(text, file) as Measured[]).map((m) => [m.name, m.lines]));
const body = (n: number, prefix = 'x') => Array.from({ length: n }, (_, i) => `  ${prefix}${i}();`).join('\n');

describe('own lines of a function', () => {
  it.each([
    ['a plain function counts its first and last line and each statement', `function f() {\n${body(3)}\n}`, { f: 5 }],
    [
      'blank lines and comments do not count, code with a trailing comment does',
      `function f() {\n\n  // why\n  /* more\n     why */\n  a(); // note\n\n}`,
      { f: 3 },
    ],
    [
      'a nested multi-line arrow takes its lines; its first line stays with the parent',
      `function routes(app) {\n  app.get('/x', async () => {\n${body(4)}\n  });\n  app.post('/y', () => {\n${body(2)}\n  });\n}`,
      { routes: 4, "app.get('/x') callback": 5, "app.post('/y') callback": 3 },
    ],
    [
      'a one-line nested arrow stays with its parent',
      `function f(xs) {\n  return xs.map((x) => x + 1);\n}`,
      { f: 3, 'xs.map() callback': 0 },
    ],
    [
      'methods and constructors count on their own, the class is no function',
      `class A {\n  constructor() {\n${body(2)}\n  }\n  m() {\n${body(3)}\n  }\n}`,
      { constructor: 4, m: 5 },
    ],
    [
      'JSX callbacks count on their own; whitespace JSX text and {/* comments */} do not count',
      `function Page() {\n  return (\n    <div>\n      {/* a note */}\n\n      <button\n        onClick={() => {\n${body(3)}\n        }}\n      />\n    </div>\n  );\n}`,
      { Page: 9, 'onClick callback': 4 },
    ],
    ['a multi-line template string counts each of its lines', 'const f = () => `\na\n\nb`;', { f: 4 }],
    [
      'a factory returning a plugin: the plugin counts its own lines',
      `export const routes = (ctx) => async (app) => {\n${body(3)}\n};`,
      { routes: 1, 'routes returned function': 4 },
    ],
  ])('%s', (_why, text, expected) => {
    expect(own(text)).toEqual(expected);
  });
});

describe('the long: escape', () => {
  const long = `function big() {\n${body(90)}\n}`;
  it.each([
    ['no comment', false, long],
    ['an unrelated comment', false, `// builds the table\n${long}`],
    ['a bare long: with no reason', false, `// long:\n${long}`],
    ['a line comment with a reason', true, `// long: the protocol's steps in order, one per line\n${long}`],
    ['a reason in a JSDoc block', true, `/**\n * Builds it.\n * long: a table written out row by row\n */\n${long}`],
    ['a reason further up, past code, does not count', false, `// long: the steps in order, one by one\nconst x = 1;\n${long}`],
  ])('%s → excused %s', (_why, excused, text) => {
    const m = (measure(text, 'a.ts') as Measured[]).find((f) => f.name === 'big')!;
    expect(m.lines).toBe(92);
    expect(m.excused).toBe(excused);
  });
});

describe('the check over a tree', () => {
  function tree(files: Record<string, string>): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'fnlen-'));
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, 'src', f)), { recursive: true });
      writeFileSync(path.join(dir, 'src', f), text);
    }
    return path.join(dir, 'src');
  }
  const long = `export function big() {\n${body(85)}\n}\n`;
  it('reports a long function by path, line, name and count; skips tests and what only tests import', () => {
    const dir = tree({
      'server/a.ts': `const y = 1;\n${long}`,
      'server/a.test.ts': long,
      'server/modules/x/testing.ts': long,
      'web/pages/b.tsx': long,
      'server/routes/c.route-cases.ts': long,
    });
    expect(violations(dir, 80, [])).toEqual(['src/server/a.ts:2 big (87 lines)', 'src/web/pages/b.tsx:1 big (87 lines)']);
  });
  it('passes a function on the not-yet-split list, and fails a listed one that is no longer over', () => {
    const dir = tree({ 'a.ts': long, 'b.ts': 'export function small() {}\n' });
    expect(violations(dir, 80, ['src/a.ts big'])).toEqual([]);
    expect(violations(dir, 80, ['src/a.ts big', 'src/b.ts small'])).toEqual([
      'src/b.ts small is in NOT_YET_SPLIT but no longer over 80 lines: take it off the list',
    ]);
  });
  it('accepts functions at the limit', () => {
    expect(violations(tree({ 'a.ts': `function f() {\n${body(78)}\n}\n` }), 80, [])).toEqual([]);
  });
});
