#!/usr/bin/env node
/**
 * `node scripts/pg-test-db.mjs create|drop NAME`: a fresh PostgreSQL database for one CI run, made from the
 * server CI provides (127.0.0.1:5432, trust auth, database `test`), so every run starts from the
 * committed migrations on an empty schema.
 */
import pg from 'pg';

const [cmd, name] = process.argv.slice(2);
if (!/^[a-z_][a-z0-9_]*$/.test(name ?? '') || !['create', 'drop'].includes(cmd)) {
  console.error('usage: pg-test-db.mjs create|drop <name>');
  process.exit(2);
}
const admin = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const client = new pg.Client({ connectionString: admin });
await client.connect();
try {
  await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  if (cmd === 'create') await client.query(`CREATE DATABASE ${name}`);
  console.log(`${cmd === 'create' ? 'created' : 'dropped'} database ${name}`);
} finally {
  await client.end();
}
