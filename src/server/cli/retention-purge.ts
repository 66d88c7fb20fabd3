/**
 * `npm run retention:purge`: removes what is past retention now (modules/retention: every order, counter
 * order and certificate five years after the last certificate's expiry or the orders' closing, with their
 * uploads, encrypted files and events; then the head of the audit chain under a signed cut checkpoint).
 * The server's daily job does the same; this is for running it by hand.
 *
 *   npm run retention:purge -- --dry-run     prints what would go, deletes nothing
 *   npm run retention:purge                  purges
 *   npm run retention:purge -- --json        the result as JSON
 *
 * The database is the server's (DATABASE_URL, or PGlite under CERTDESK_DATA_DIR). Exit codes: 0 done;
 * 1 refused (the audit chain does not verify: nothing was deleted); 2 bad arguments or configuration.
 */
import { systemClock } from '../clock.js';
import { parseCommandArgs } from './args.js';
import { withConfiguredDb } from './with-database.js';
import { describeRetention, runRetention } from '../modules/retention/purge.js';

const USAGE = '用法：npm run retention:purge [-- --dry-run] [--json]';

async function main(): Promise<number> {
  const args = parseCommandArgs({ 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } }, USAGE);
  if ('exit' in args) return args.exit;
  const { values } = args;
  return withConfiguredDb(async ({ config, db }) => {
    const r = await runRetention({ db, clock: systemClock, config }, { dryRun: !!values['dry-run'] });
    if (values.json) console.log(JSON.stringify(r, null, 2));
    else (r.refused ? console.error : console.log)(describeRetention(r));
    return r.refused ? 1 : 0;
  });
}

process.exitCode = await main();
