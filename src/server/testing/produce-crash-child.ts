/**
 * Child process for the kill -9 test (routes/certificates-crash.test.ts): runs 制证 for one order against
 * the shared PostgreSQL database and stops right after tx1 committed the pending certificate, printing
 * RECORDED and waiting to be killed. argv: orderId staffId csrFile. The CA env comes from the parent.
 */
import { readFileSync } from 'node:fs';
import { systemClock } from '../clock.js';
import { openDb } from '../db/client.js';
import { produceOrder } from '../modules/fulfilment/produce-order.js';
import { testConfig } from './harness.js';

const [orderId, staffId, csrFile] = process.argv.slice(2);
const config = testConfig({
  CERTDESK_CA_DIR: process.env.CERTDESK_CA_DIR!,
  CERTDESK_CA_FAMILIES: process.env.CERTDESK_CA_FAMILIES!,
  CERTDESK_PUBLIC_URL: process.env.CERTDESK_PUBLIC_URL!,
});
const { db } = await openDb({ databaseUrl: process.env.DATABASE_URL!, poolSize: 2, migrate: false });
await produceOrder(
  {
    db,
    clock: systemClock,
    config,
    faults: {
      afterRecord: async () => {
        process.stdout.write('RECORDED\n');
        await new Promise(() => {});
      },
    },
  },
  { id: staffId!, roles: ['制证'] },
  orderId!,
  { kind: 'csr', csr: readFileSync(csrFile!, 'utf8') },
  { ip: '127.0.0.1' },
);
