/**
 * A CA of its own for an OCSP bench: the server's configuration over a scratch data folder (CA keys made on
 * first use) and the bench's scratch database, and certificates issued by it to ask about. The OCSP benches
 * differ in what they measure, not in how they set this up.
 */
import path from 'node:path';
import type { KeyAlgorithm } from '../src/ca/signer/port.js';
import { loadConfig, type Config } from '../src/server/config.js';
import type { Db } from '../src/server/db/client.js';
import { issueTestCertificate } from '../src/server/modules/revocation/testing.js';
import { scratchDir } from './scratch-dir.js';

/** `extra` adds or overrides server settings (e.g. CERTDESK_OCSP_MEMORY_MB). */
export function scratchCaConfig(
  databaseUrl: string,
  dirPrefix: string,
  family: KeyAlgorithm,
  extra: Record<string, string> = {},
): { config: Config; dataDir: string } {
  const dataDir = scratchDir(dirPrefix);
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    CERTDESK_DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    CERTDESK_CA_DIR: path.join(dataDir, 'ca'),
    CERTDESK_CA_FAMILIES: family,
    CERTDESK_CA_AUTO_INIT: '1',
    CERTDESK_PUBLIC_URL: 'http://ca.certdesk.test',
    ...extra,
  });
  return { config, dataDir };
}

/** `count` certificates of `family`, one after another (as the registry grows); their serials. */
export async function issueCertificates(deps: { db: Db; config: Config }, family: KeyAlgorithm, count: number): Promise<string[]> {
  const serials: string[] = [];
  for (let i = 0; i < count; i++) serials.push((await issueTestCertificate(deps, family)).serial);
  return serials;
}
