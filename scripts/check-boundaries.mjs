#!/usr/bin/env node
/**
 * Role boundaries (ARCHITECTURE.md): the CA core imports nothing from the server or the web; the shared
 * core imports nothing from the server, the web or the CA; the web imports nothing from the server or the
 * CA; the server (web/RA) imports nothing from the CA signer service, whose keys it reaches only over the
 * signer's protocol; the customer-side agent imports nothing from the server, the web or the signer. Checked on every `npm test`, so a wrong import fails the build instead of eroding the design.
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const v = violations();
  if (v.length) {
    console.error(`Boundary violations:\n  ${v.join('\n  ')}`);
    process.exit(1);
  }
  console.log('boundaries: ok (ca ↛ server/web, core ↛ server/web/ca, web ↛ server/ca/signer, server ↛ signer, agent ↛ server/web/signer)');
}
