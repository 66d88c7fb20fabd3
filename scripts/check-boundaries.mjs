#!/usr/bin/env node
/**
 * Role boundaries (docs/ARCHITECTURE.md): the CA core imports nothing from the server or the web; the shared
 * core imports nothing from the server, the web or the CA; the web imports nothing from the server or the
 * CA; the server (web/RA) imports nothing from the CA signer service, whose keys it reaches only over the
 * signer's protocol; the customer-side agent imports nothing from the server, the web or the signer. Checked on every `npm test`, so a wrong import fails the build instead of eroding the design.
 *
 * Inside the server, the modules (src/server/modules/<module>) depend on each other one way (issue 18 item
 * 5): a module that imports another is not imported by it, so each can be read and changed with what it
 * depends on below it. Read views over several modules live in query modules that only routes import
 * (order-views); key holdings live with the certificate registry. The pairs that still go both ways are
 * listed in TWO_WAY with the reason; a new pair fails, and so does a listed pair that has gone (the list
 * stays true). Tests and test helpers (`*.test.ts`, `testing.ts`, `testing/`) are not counted.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const src = path.join(root, 'src');
const RULES = {
  ca: ['server', 'web'],
  core: ['server', 'web', 'ca'],
  web: ['server', 'ca', 'signer'],
  // The web/RA tier reaches the keys only through the signer service's protocol, never by importing it.
  server: ['signer'],
  // The 证书助手 runs on the customer's PC: it may use the shared core and the CA's encoding helpers, never
  // the server, the web or the signer service.
  agent: ['server', 'web', 'signer'],
};
/** Module pairs that still depend on each other both ways, and why. */
export const TWO_WAY = {
  'audit <-> certificates':
    "audit checkpoints are signed with the CA's audit-log key, which only certificates/ca-runtime holds; " +
    'certificates, like every module, writes audit rows',
  'orders <-> seals':
    "the workflow row 'ship' is guarded by seals_ready (orders/guards.ts asks seals/readiness.ts); " +
    'seals are made for an order and read it',
};

const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;

function files(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx|mts)$/.test(n) ? [p] : [];
  });
}

export function violations(srcDir = src) {
  const out = [];
  for (const [area, forbidden] of Object.entries(RULES)) {
    let list;
    try {
      list = files(path.join(srcDir, area));
    } catch {
      continue;
    }
    for (const f of list) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(IMPORT)) {
        const spec = m[1] ?? m[2] ?? m[3];
        if (!spec?.startsWith('.')) continue;
        const target = path.relative(srcDir, path.resolve(path.dirname(f), spec)).split(path.sep)[0];
        if (forbidden.includes(target)) out.push(`${path.relative(srcDir, f)} imports ${spec} (src/${area} must not import src/${target})`);
      }
    }
  }
  return out;
}

/** Every `a <-> b` pair of server modules that import each other (a < b), with one import each way. */
export function twoWayModules(srcDir = src) {
  const modules = path.join(srcDir, 'server', 'modules');
  const edges = new Map();
  let list;
  try {
    list = files(modules);
  } catch {
    return [];
  }
  for (const f of list) {
    const rel = path.relative(modules, f);
    if (/\.test\.tsx?$/.test(rel) || /(^|\/)testing(\.ts$|\/)/.test(rel)) continue;
    const from = rel.split(path.sep)[0];
    for (const m of readFileSync(f, 'utf8').matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (!spec?.startsWith('.')) continue;
      const target = path.relative(modules, path.resolve(path.dirname(f), spec));
      const to = target.split(path.sep)[0];
      if (target.startsWith('..') || to === from) continue;
      const key = `${from} ${to}`;
      if (!edges.has(key)) edges.set(key, `${rel} imports ${target}`);
    }
  }
  const pairs = [];
  for (const [key, why] of edges) {
    const [a, b] = key.split(' ');
    if (a < b && edges.has(`${b} ${a}`)) pairs.push({ pair: `${a} <-> ${b}`, because: [why, edges.get(`${b} ${a}`)] });
  }
  return pairs.sort((x, y) => x.pair.localeCompare(y.pair));
}

/** New two-way pairs, and listed ones that are gone. */
export function moduleViolations(srcDir = src, allowed = TWO_WAY) {
  const found = twoWayModules(srcDir);
  const out = found
    .filter((p) => !(p.pair in allowed))
    .map((p) => `modules ${p.pair} depend on each other (${p.because.join('; ')}): make it one way, or list it in TWO_WAY with the reason`);
  for (const pair of Object.keys(allowed))
    if (!found.some((p) => p.pair === pair)) out.push(`modules ${pair} no longer depend on each other both ways: remove it from TWO_WAY`);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const v = [...violations(), ...moduleViolations()];
  if (v.length) {
    console.error(`Boundary violations:\n  ${v.join('\n  ')}`);
    process.exit(1);
  }
  console.log('boundaries: ok (ca ↛ server/web, core ↛ server/web/ca, web ↛ server/ca/signer, server ↛ signer, agent ↛ server/web/signer)');
  console.log(`modules: one way, except ${Object.keys(TWO_WAY).join(', ')} (see TWO_WAY in scripts/check-boundaries.mjs)`);
}
