/**
 * A registry of N revoked certificates of one issuing CA on PostgreSQL, for the CRL benches (bench/crl.ts,
 * bench/crl-serving.ts): its own scratch database and CA directory (both removed by close()), the real
 * publisher, and the same entries as an OpenSSL index.txt for `openssl ca -gencrl`.
 *
 * The rows are made by INSERT … SELECT over generate_series (seedCertificates; a million registry rows through
 * the issuance path would take an hour and measure issuance, not CRLs); bench/scale.ts seeds its registry so too.
 */
import { scratchDir } from './scratch-dir.js';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { KeyAlgorithm } from '../src/ca/signer/port.js';
import { systemClock } from '../src/server/clock.js';
import { loadConfig, type Config } from '../src/server/config.js';
import { openDb, type Db } from '../src/server/db/client.js';
import { publisherFor, type Publisher } from '../src/server/modules/revocation/publication.js';
import { scratchDatabase } from './scratch-db.js';

export interface CrlRegistry {
  db: Db;
  config: Config;
  publisher: Publisher;
  dir: string;
  /** Writes the revoked rows as an OpenSSL CA database (index.txt) at `file`. */
  writeIndexTxt(file: string): Promise<void>;
  close(): Promise<void>;
}

const REASON_NAMES: Record<number, string> = { 1: 'keyCompromise', 3: 'affiliationChanged', 4: 'superseded', 5: 'cessationOfOperation' };

/**
 * `n` registry rows of one issuing CA by INSERT … SELECT over generate_series, `revokedShare` of them revoked
 * (every k-th row, k = 1 / share), the others issued: random 16-byte positive serials as the registry stores
 * them, revocation dates over a month, 4 in 5 revocations with a reason. No TBS, no DER, no OCSP due time:
 * what the CRL, OCSP and registry queries read, not what issuance writes.
 */
export async function seedCertificates(
  db: Db,
  o: { family: KeyAlgorithm; issuerKeyId: string; n: number; revokedShare: number },
): Promise<void> {
  const every = Math.max(1, Math.round(1 / o.revokedShare));
  for (let from = 1; from <= o.n; from += 250_000) {
    const to = Math.min(o.n, from + 249_999);
    await db.execute(sql`
      insert into certificates (serial, family, issuer, issuer_key_id, uscc, unit_name, project_code, key_type, status,
                                key_source, not_before, not_after, revoked_at, revocation_reason, source)
      select ltrim(lpad(to_hex(1 + (random() * 126)::int), 2, '0') || substr(md5(random()::text || i), 1, 30), '0'),
             ${o.family}, 'bench', ${o.issuerKeyId}, '91360100MA00000000', 'bench', 'gov-procurement', 'main',
             case when i % ${every}::int = 0 then 'revoked' else 'issued' end,
             'generated', now() - interval '30 days', now() + interval '1 year',
             case when i % ${every}::int = 0 then timestamp with time zone '2026-10-20' + (random() * 30 * 86400)::int * interval '1 second' end,
             case when i % ${every}::int = 0 then (array[null, 1, 4, 5, 3])[1 + (i / ${every}::int) % 5] end, 'online'
      from generate_series(${from}::int, ${to}::int) as i
      on conflict do nothing`);
  }
  await db.execute(sql`analyze certificates`);
}

/** The revoked rows of `family` as an OpenSSL CA database (index.txt) at `file`, for `openssl ca -gencrl`. */
export async function writeIndexTxt(db: Db, family: KeyAlgorithm, file: string): Promise<void> {
  const r = (await db.execute(
    sql`select serial, to_char(revoked_at at time zone 'UTC', 'YYMMDDHH24MISS') || 'Z' as revoked_at, revocation_reason as reason
        from certificates where status = 'revoked' and family = ${family}`,
  )) as unknown as { rows: { serial: string; revoked_at: string; reason: number | null }[] };
  const lines = r.rows.map((x) => {
    const when = x.reason ? `${x.revoked_at},${REASON_NAMES[x.reason]}` : x.revoked_at;
    const hex = x.serial.length % 2 ? `0${x.serial}` : x.serial;
    return `R\t361231000000Z\t${when}\t${hex.toUpperCase()}\tunknown\t/CN=x\n`;
  });
  await writeFile(file, lines.join(''));
}

export async function crlRegistry(n: number, family: KeyAlgorithm, log: (m: string) => void): Promise<CrlRegistry> {
  const scratch = await scratchDatabase(`certdesk_bench_crl_${process.pid}`);
  const dir = scratchDir('certdesk-bench-crl-');
  try {
    const handle = await openDb({ databaseUrl: scratch.url, poolSize: 10 });
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      CERTDESK_DATA_DIR: dir,
      DATABASE_URL: scratch.url,
      CERTDESK_CA_DIR: path.join(dir, 'ca'),
      CERTDESK_CA_FAMILIES: family,
      CERTDESK_CA_AUTO_INIT: '1',
      CERTDESK_PUBLIC_URL: 'http://ca.certdesk.test',
    });
    const db = handle.db;
    const publisher = await publisherFor({ db, clock: systemClock, config });
    const keyId = publisher.issuerOfFamily(family)!.keyIdHex;
    const t0 = Date.now();
    await seedCertificates(db, { family, issuerKeyId: keyId, n, revokedShare: 1 });
    log(`${n} revoked rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return {
      db,
      config,
      publisher,
      dir,
      writeIndexTxt: (file) => writeIndexTxt(db, family, file),
      async close() {
        await handle.close();
        await scratch.drop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await scratch.drop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
