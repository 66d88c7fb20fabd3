import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { violations } from './check-boundaries.mjs';

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
