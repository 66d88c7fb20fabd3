/**
 * A CA hierarchy for tests: created once per test process in a temp directory (SM2 and ECDSA P-256
 * families), with the environment overrides that point an app at it. Creating it here, before any app
 * starts, keeps key generation out of the first request's time budget.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { caRuntime } from '../modules/certificates/ca-runtime.js';
import { testConfig } from './harness.js';

export const TEST_CA_BASE_URL = 'http://ca.certdesk.test';

let shared: Promise<Record<string, string>> | undefined;

export function testCaEnv(): Promise<Record<string, string>> {
  shared ??= (async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'certdesk-test-ca-'));
    const env = {
      CERTDESK_CA_DIR: path.join(dir, 'ca'),
      CERTDESK_CA_FAMILIES: 'sm2,ecdsa-p256',
      CERTDESK_CA_AUTO_INIT: '1',
      CERTDESK_PUBLIC_URL: TEST_CA_BASE_URL,
    };
    await caRuntime(testConfig(env).ca);
    return env;
  })();
  return shared;
}

/** The test CA's runtime (issuing CA certificates, roots) for checking what it issued. */
export async function testCa() {
  return caRuntime(testConfig(await testCaEnv()).ca);
}
