/**
 * The koffi binding loads a PKCS#11 module more than once in one process (a test run loads SoftHSM2 for each file;
 * e2e/ukey.test.ts then e2e/renewal.test.ts failed with "Duplicate type name 'C_Initialize'").
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCryptoki } from './cryptoki.js';

const LIBRARY = process.env.CERTDESK_TEST_PKCS11_LIB || '/usr/lib/softhsm/libsofthsm2.so';
const dir = mkdtempSync(path.join(tmpdir(), 'cryptoki-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadCryptoki', () => {
  it('loads the same module twice in one process, and each load initializes and finalizes', () => {
    expect(existsSync(LIBRARY), `SoftHSM2 is not installed (${LIBRARY} missing)`).toBe(true);
    writeFileSync(path.join(dir, 'softhsm2.conf'), `directories.tokendir = ${dir}\nobjectstore.backend = file\n`);
    process.env.SOFTHSM2_CONF = path.join(dir, 'softhsm2.conf');
    for (let i = 0; i < 2; i += 1) {
      const { functions, unload } = loadCryptoki(LIBRARY);
      expect(functions.C_Initialize(null)).toBe(0);
      expect(functions.C_Finalize(null)).toBe(0);
      unload();
    }
  });
});
