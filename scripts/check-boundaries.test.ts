import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { moduleViolations, TWO_WAY, violations } from './check-boundaries.mjs';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bounds-'));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

describe('role boundary check', () => {
  it('passes on the real source tree', () => {
    expect(violations()).toEqual([]);
  });
  it.each([
    ['ca/issue.ts', "import { db } from '../server/db/client.js';", /ca\/issue.ts imports/],
    ['ca/x/y.ts', "export { a } from '../../web/api.js';", /src\/ca must not import src\/web/],
    ['core/a.ts', "const m = await import('../ca/signer.js');", /src\/core must not import src\/ca/],
    ['web/p.tsx', "import '../server/app.js';", /src\/web must not import src\/server/],
    ['agent/t.ts', "import { x } from '../server/config.js';", /src\/agent must not import src\/server/],
    ['agent/u.ts', "import { y } from '../signer/service.js';", /src\/agent must not import src\/signer/],
  ])('catches %s', (file, text, msg) => {
    const v: string[] = violations(tree({ [file]: text }));
    expect(v.join('\n')).toMatch(msg);
  });
  it('allows the permitted directions', () => {
    expect(
      violations(
        tree({
          'server/a.ts': "import '../ca/x.js'; import '../core/y.js';",
          'web/b.ts': "import '../core/z.js';",
          'ca/c.ts': "import '../core/w.js';",
          'agent/d.ts': "import '../ca/cert/name.js'; import '../core/v.js';",
        }),
      ),
    ).toEqual([]);
  });
});

describe('module dependencies go one way', () => {
  it('passes on the real source tree: only the listed pairs go both ways, each with its reason', () => {
    expect(moduleViolations()).toEqual([]);
    for (const reason of Object.values(TWO_WAY)) expect(reason).toMatch(/\w{10}/);
  });
  it('catches two modules importing each other, through a type import or a re-export too', () => {
    const dir = tree({
      'server/modules/orders/view.ts': "import type { X } from '../review/reviews.js';",
      'server/modules/review/reviews.ts': "export { orderRepository } from '../orders/repository.js';",
      'server/modules/orders/repository.ts': 'export const orderRepository = {};',
    });
    expect(moduleViolations(dir, {}).join('\n')).toMatch(
      /modules orders <-> review depend on each other \(orders\/view.ts imports review\/reviews.js; review\/reviews.ts imports orders\/repository.js\)/,
    );
  });
  it('does not count tests and test helpers, nor one-way dependencies; flags a listed pair that is gone', () => {
    const dir = tree({
      'server/modules/orders/a.ts': "import '../review/b.js';",
      'server/modules/review/b.test.ts': "import '../orders/a.js';",
      'server/modules/review/testing.ts': "import '../orders/a.js';",
      'server/modules/review/testing/helper.ts': "import '../orders/a.js';",
    });
    expect(moduleViolations(dir, {})).toEqual([]);
    expect(moduleViolations(dir, { 'orders <-> review': 'because' })).toEqual([
      'modules orders <-> review no longer depend on each other both ways: remove it from TWO_WAY',
    ]);
  });
});
