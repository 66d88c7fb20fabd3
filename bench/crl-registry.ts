/**
 * A registry of N revoked certificates of one issuing CA on PostgreSQL, for the CRL benches (bench/crl.ts,
 * bench/crl-serving.ts): its own scratch database and CA directory (both removed by close()), the real
 * publisher, and the same entries as an OpenSSL index.txt for `openssl ca -gencrl`.
 *
 * The rows are made by one INSERT … SELECT over generate_series (a million registry rows through the
 * issuance path would take an hour and measure issuance, not CRLs): random 16-byte positive serials as the
 * registry stores them (lower-case hex, no leading zeros), revocation dates over a month, 4 in 5 with a reason.
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
    for (let from = 1; from <= n; from += 250_000) {
      const to = Math.min(n, from + 249_999);
      await db.execute(sql`
        insert into certificates (serial, family, issuer, issuer_key_id, uscc, unit_name, project_code, key_type, status,
                                  key_source, not_before, not_after, revoked_at, revocation_reason, source)
        select ltrim(lpad(to_hex(1 + (random() * 126)::int), 2, '0') || substr(md5(random()::text || i), 1, 30), '0'),
               ${family}, 'bench', ${keyId}, '91360100MA00000000', 'bench', 'gov-procurement', 'main', 'revoked',
               'generated', now() - interval '30 days', now() + interval '1 year',
               timestamp with time zone '2026-10-20' + (random() * 30 * 86400)::int * interval '1 second',
               (array[null, 1, 4, 5, 3])[1 + i % 5], 'online'
        from generate_series(${from}::int, ${to}::int) as i
        on conflict do nothing`);
    }
    await db.execute(sql`analyze certificates`);
    log(`${n} revoked rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return {
      db,
      config,
      publisher,
      dir,
      async writeIndexTxt(file) {
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
      },
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
