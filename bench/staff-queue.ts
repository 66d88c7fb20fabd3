/**
 * The staff queues and order search over one million orders on PostgreSQL (issue 4: "keyset pagination
 * that stays fast with a million orders"). Seeds organizations and orders with a few set-based
 * INSERT … SELECT generate_series statements, checks with EXPLAIN (ANALYZE) that the repository's own
 * queries use their indexes, then times the real endpoints over HTTP (the app listening on 127.0.0.1):
 * the queue counts, a queue's first page, pages deep inside a queue (keyset cursors), and searches by
 * order number, USCC, unit name and agent mobile — N sequential requests each, median and p99, next to
 * GET /api/password-rule (no database) of the same server in the same run as the baseline.
 *
 *   npx tsx bench/staff-queue.ts                                      # makes (and drops) its own database
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch npx tsx bench/staff-queue.ts   # an EMPTY scratch database
 *
 * Environment: BENCH_ORDERS (default 1000000), BENCH_ORGS (default 300000), BENCH_N (requests per case,
 * default 300), BENCH_KEEP=1 keeps a database this script made; PG_ADMIN_URL (default
 * postgres://postgres@127.0.0.1:5432/test) is where it makes one.
 */
import { scratchDir } from './scratch-dir.js';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { scratchDatabase } from './scratch-db.js';
import { STAFF_ROLES } from '../src/core/schemas.js';
import { formatOrderNumber } from '../src/core/order-number.js';
import { buildApp } from '../src/server/app.js';
import { systemClock } from '../src/server/clock.js';
import { loadConfig } from '../src/server/config.js';
import { openDb, type Db } from '../src/server/db/client.js';
import { calendarRepository } from '../src/server/modules/calendar/repository.js';
import { seedCalendar } from '../src/server/modules/calendar/seed-calendar.js';
import { catalogRepository } from '../src/server/modules/catalog/repository.js';
import { seedCatalog } from '../src/server/modules/catalog/seed-catalog.js';
import { createStaff } from '../src/server/modules/staff/staff-accounts.js';
import { encodeCursor } from '../src/server/modules/staff-orders/cursor.js';
import { overdueIfStartedBefore, PRE_REVIEW_WORKING_DAYS } from '../src/server/modules/staff-orders/deadlines.js';
import { staffOrderRepository } from '../src/server/modules/staff-orders/repository.js';

type Query = <T = Record<string, unknown>>(q: string, params?: unknown[]) => Promise<T[]>;
const CAPTCHA = 'k7m3';

/** One query on a small pool of its own (plain SQL: seeding and EXPLAIN). */
export function plainQuery(databaseUrl: string): { one: Query; end: () => Promise<void> } {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  pool.on('error', () => undefined); // an idle client ended by the scratch database's drop
  return { one: async (q, params = []) => (await pool.query(q, params)).rows, end: () => pool.end() };
}

/**
 * `orgs` organizations and `orders` orders by set-based INSERT … SELECT generate_series (the catalog and the
 * calendar must be seeded), then VACUUM ANALYZE.
 */
export async function seedOrders(one: Query, orgs: number, orders: number, log: (m: string) => void): Promise<void> {
  const ORGS = orgs;
  const ORDERS = orders;
  // ------------------------------------------------------------------------------------------------- seed
  log(`seeding ${ORGS.toLocaleString()} organizations and ${ORDERS.toLocaleString()} orders`);
  await one(
    `insert into organizations (id, uscc, name, mobile, password_hash, agreement_accepted_at, created_at, updated_at)
     select md5('org' || i)::uuid,
            -- 18 characters of the USCC alphabet, unique by i
            '913601' || upper(lpad(to_hex(i), 6, '0')) || upper(substr(md5('u' || i), 1, 5)) || (i % 10)::text,
            (array['南昌','赣州','九江','上饶','吉安','宜春','抚州','萍乡','景德镇','新余','鹰潭'])[1 + i % 11]
              || (array['华','鑫','恒','泰','安','盛','瑞','达','通','信','德','丰','嘉','宏','源','鸿','博','辰','冠','峰','洪','赣','昌','洋','锦','隆','兴','和','正','远'])[1 + (i / 11) % 30]
              || (array['华','鑫','恒','泰','安','盛','瑞','达','通','信','德','丰','嘉','宏','源','鸿','博','辰','冠','峰','洪','赣','昌','洋','锦','隆','兴','和','正','远'])[1 + (i / 330) % 30]
              || (array['华','鑫','恒','泰','安','盛','瑞','达','通','信','德','丰','嘉','宏','源','鸿','博','辰','冠','峰','洪','赣','昌','洋','锦','隆','兴','和','正','远'])[1 + (i / 9900) % 30]
              || (array['建设工程','科技','医药','商贸','物流','环保','建筑劳务','信息技术'])[1 + (i * 7) % 8] || '有限公司',
            '13' || lpad(((i::bigint * 7919) % 1000000000)::text, 9, '0'),
            'bench: no login', now(), now() - (i % 1800) * interval '1 day', now()
     from generate_series(1, $1::int) i`,
    [ORGS],
  );
  log('organizations done');

  // Status mix per mille: most orders are long shipped; the queues hold tens of thousands.
  const STATUS_MIX: [string, number][] = [
    ['draft', 30],
    ['submitted', 20],
    ['review_passed', 10],
    ['review_failed', 10],
    ['paper_awaiting', 30],
    ['paper_received', 10],
    ['paper_failed', 5],
    ['in_production', 10],
    ['produced', 10],
    ['shipped', 835],
    ['deleted', 25],
    ['cancelled', 5],
  ];
  let acc = 0;
  const statusCase = `case ${STATUS_MIX.map(([s, w]) => `when h < ${(acc += w)} then '${s}'`).join(' ')} end`;
  const ACTIVE = `('submitted','review_passed','review_failed','paper_awaiting','paper_received','paper_failed','in_production','produced')`;
  const CHUNK = 250_000;
  for (let from = 1; from <= ORDERS; from += CHUNK) {
    const to = Math.min(ORDERS, from + CHUNK - 1);
    await one(
      `with src as (
         select i, abs(hashtext('h' || i)) % 1000 as h, abs(hashtext('t' || i)) as r,
                1 + abs(hashtext('o' || i)) % $3::int as org
         from generate_series($1::int, $2::int) i
       ), s as (
         select *, ${statusCase} as status from src
       ), t as (
         select *,
                -- Orders still in the workflow came in within the last 60 days; the others over five years.
                -- Microseconds as PostgreSQL writes them.
                case when status in ${ACTIVE} then now() - (r % (60 * 86400)) * interval '1 second'
                     else now() - interval '60 days' - (r % (5 * 365 * 86400)) * interval '1 second' end
                  - (r % 1000000) * interval '1 microsecond' as created
         from s
       )
       insert into orders (id, order_no, organization_id, project_code, key_type, status, form, form_version,
                           legal_check_nonce, legal_check_token_hash, submitted_at, status_changed_at,
                           production_started_at, created_at, updated_at)
       select md5('order' || i)::uuid,
              to_char(created at time zone 'Asia/Shanghai', 'YYMMDD') || lpad(i::text, 8, '0') || (i % 10)::text,
              md5('org' || org)::uuid,
              (array['gov-procurement','public-resource','construction-approval','housing-in-province','housing-out-of-province'])[1 + r % 5],
              case when r % 5 < 3 then 'main' else 'sub' end,
              status,
              jsonb_build_object(
                'unit', jsonb_build_object('address', '江西省南昌市红谷滩新区卧龙路' || (i % 1000) || '号', 'unitType', 'enterprise'),
                'legalPerson', jsonb_build_object('name', '王' || (array['伟','芳','娜','敏','静','丽','强','磊'])[1 + i % 8], 'idNumber', '36010219800101' || lpad((i % 10000)::text, 4, '0'), 'mobile', '135' || lpad((i % 100000000)::text, 8, '0')),
                -- The agent's mobile, one in ten typed with dashes (the search reads digits only).
                'agent', jsonb_build_object('name', '李' || (array['明','华','军','红','平','英','杰','勇'])[1 + r % 8], 'idNumber', '36010219900307' || lpad((r % 10000)::text, 4, '0'),
                                            'mobile', case when i % 10 = 0 then '139-' || lpad((r % 10000)::text, 4, '0') || '-' || lpad(((r / 10000) % 10000)::text, 4, '0')
                                                           else '139' || lpad((r % 10000)::text, 4, '0') || lpad(((r / 10000) % 10000)::text, 4, '0') end,
                                            'email', 'agent' || i || '@example.com'),
                'invoice', jsonb_build_object('title', '发票抬头' || org, 'taxNumber', '91360100MA35XQ7T6B', 'email', 'invoice' || org || '@example.com'),
                'recipient', jsonb_build_object('name', '张三', 'mobile', '13800138000', 'address', '江西省南昌市东湖区八一大道' || (i % 500) || '号')),
              3,
              'n' || i, md5('token' || i),
              case when status <> 'draft' then created + interval '1 hour' end,
              -- Entered its status some time after creation, never in the future.
              least(now(), created + (r % (5 * 86400)) * interval '1 second' + interval '1 hour'),
              case when status = 'in_production' then least(now(), created + (r % (5 * 86400)) * interval '1 second' + interval '1 hour') end,
              created, created
       from t`,
      [from, to, ORGS],
    );
    log(`orders ${to.toLocaleString()}`);
  }
  log('vacuum analyze');
  await one('vacuum analyze organizations');
  await one('vacuum analyze orders');
  const counts = await one<{ status: string; n: number }>('select status, count(*)::int as n from orders group by status order by n desc');
  log(`statuses: ${counts.map((c) => `${c.status} ${c.n.toLocaleString()}`).join(', ')}`);
}

export interface StaffTiming {
  label: string;
  median: number;
  p99: number;
  mean: number;
  items: number;
}

/**
 * EXPLAIN (ANALYZE) of the repository's queries, then `n` sequential requests per case over HTTP to the app at
 * `base` (a staff member made and logged in here), beside GET /api/password-rule as the baseline.
 */
export async function staffQueueTimings(opts: {
  db: Db;
  one: Query;
  base: string;
  n: number;
  log: (m: string) => void;
}): Promise<{ results: StaffTiming[]; explained: { label: string; ok: boolean; time: string | undefined }[] }> {
  const { db, one, base, n: N, log } = opts;
  // ---------------------------------------------------------------------------------------------- samples
  const sample = async <T>(q: string, params: unknown[] = []) => one<T>(q, params);
  const QUEUE = 'paper_awaiting';
  const queueSize = (await one<{ n: number }>('select count(*)::int as n from orders where status = $1', [QUEUE]))[0]!.n;
  // Cursors deep in the queue (picked here with OFFSET, which the endpoint never uses).
  const deepCursors: string[] = [];
  for (let k = 0; k < 20; k++) {
    const offset = Math.floor(queueSize * (0.5 + k / 45));
    const [row] = await sample<{ ts: string; id: string }>(
      `select to_char(status_changed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as ts, id
       from orders where status = $1 order by status_changed_at, id offset $2 limit 1`,
      [QUEUE, offset],
    );
    deepCursors.push(encodeCursor(row!));
  }
  const orderNos = (await sample<{ order_no: string }>('select order_no from orders tablesample system (1) limit $1', [N])).map((r) =>
    formatOrderNumber(r.order_no),
  );
  const usccs = (await sample<{ uscc: string }>('select uscc from organizations tablesample system (2) limit $1', [N])).map((r) => r.uscc);
  const mobiles = (
    await sample<{ m: string }>(`select form -> 'agent' ->> 'mobile' as m from orders tablesample system (1) limit $1`, [N])
  ).map((r) => r.m.replace(/-/g, ''));
  // A unit-name fragment that picks out a handful of organizations (the three-character 字号 and the trade),
  // and a broad one that matches a tenth of them.
  const rareNames = (await sample<{ name: string }>('select name from organizations tablesample system (2) limit $1', [N])).map((r) =>
    r.name.replace(/^(南昌|赣州|九江|上饶|吉安|宜春|抚州|萍乡|景德镇|新余|鹰潭)/, '').replace(/有限公司$/, ''),
  );

  // ----------------------------------------------------------------------------------------------- EXPLAIN
  log('EXPLAIN (ANALYZE) of the repository’s queries');
  // Each expected entry is an index name, or a list of names any one of which will do.
  const explain = async (label: string, q: { toSQL(): { sql: string; params: unknown[] } }, expectIndexes: (string | string[])[]) => {
    const { sql, params } = q.toSQL();
    const plan = (await one<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${sql}`, params)).map((r) => r['QUERY PLAN']);
    const text = plan.join('\n');
    const has = (i: string | string[]) => (Array.isArray(i) ? i : [i]).some((x) => text.includes(x));
    const used = [...text.matchAll(/using (\w+)/g)].map((m) => m[1]).filter((x, k, all) => all.indexOf(x) === k);
    const seq = [...text.matchAll(/Seq Scan on (\w+)/g)].map((m) => m[1]);
    const time = /Execution Time: ([\d.]+) ms/.exec(text)?.[1];
    console.log(`\n  ${label}: ${time} ms; indexes ${used.join(', ') || 'NONE'}${seq.length ? `; seq scans: ${seq.join(', ')}` : ''}`);
    for (const l of plan.filter((l) => /Scan|Join|Sort|Limit|Nested|Hash|Aggregate/.test(l)).slice(0, 12)) console.log(`    ${l.trim()}`);
    const missing = expectIndexes.filter((i) => !has(i)).map((i) => (Array.isArray(i) ? i.join(' or ') : i));
    if (missing.length) console.log(`  !! expected index not used: ${missing.join(', ')}`);
    return { label, ok: missing.length === 0 && !seq.includes('orders'), time };
  };
  const cal = await calendarRepository.exceptions(db);
  const projectsNow = await catalogRepository.list(db, { activeOnly: false });
  const decode = (c: string) => JSON.parse(Buffer.from(c, 'base64url').toString()) as [string, string];
  const [dts, did] = decode(deepCursors[5]!);
  const firstNo = orderNos[0]!.replace(/-/g, '');
  const rareName = rareNames[0]!;
  const explained = [
    await explain(
      'queue counts (6 queues)',
      staffOrderRepository.queueCountsQuery(db, [
        'submitted',
        'paper_awaiting',
        'paper_received',
        'paper_failed',
        'in_production',
        'produced',
      ]),
      // The counts the triggers keep: a few rows per status, never the orders.
      ['order_status_counts'],
    ),
    await explain(
      'overdue count: 预审 (2 working days)',
      staffOrderRepository.overdueCountQuery(db, 'submitted', [
        { status: 'submitted', from: 'status_changed', before: overdueIfStartedBefore(new Date(), PRE_REVIEW_WORKING_DAYS, cal) },
      ]),
      ['orders_queue_idx'],
    ),
    await explain(
      'overdue count: 制证 (per project)',
      staffOrderRepository.overdueCountQuery(
        db,
        'in_production',
        projectsNow.map((p) => ({
          status: 'in_production' as const,
          from: 'production_started' as const,
          projectCode: p.code,
          before: overdueIfStartedBefore(new Date(), p.productionWorkingDays, cal),
        })),
      ),
      // The partial index of the orders in production holds the clock: no table rows are read.
      ['Index Only Scan using orders_production_idx'],
    ),
    await explain('queue first page', staffOrderRepository.queuePageQuery(db, QUEUE, null, 50), ['orders_queue_idx']),
    await explain('queue deep page', staffOrderRepository.queuePageQuery(db, QUEUE, { ts: dts, id: did }, 50), ['orders_queue_idx']),
    await explain('search order no', staffOrderRepository.searchPageQuery(db, 'orderNo', firstNo, undefined, null, 50), [
      'orders_order_no_uq',
    ]),
    await explain('search USCC (whole)', staffOrderRepository.searchPageQuery(db, 'usccPrefix', usccs[0]!, undefined, null, 50), [
      'organizations_uscc_prefix_idx',
      'orders_org_idx',
    ]),
    await explain(
      'search USCC prefix (12)',
      staffOrderRepository.searchPageQuery(db, 'usccPrefix', usccs[0]!.slice(0, 12), undefined, null, 50),
      ['organizations_uscc_prefix_idx'],
    ),
    await explain('search agent mobile', staffOrderRepository.searchPageQuery(db, 'mobile', mobiles[0]!, undefined, null, 50), [
      'orders_agent_mobile_idx',
    ]),
    await explain(
      'search unit name (rare fragment)',
      staffOrderRepository.searchPageQuery(db, 'nameLike', `%${rareName}%`, undefined, null, 50),
      ['organizations_name_grams_idx', 'orders_org_idx'],
    ),
    await explain('search unit name (broad: 医药)', staffOrderRepository.searchPageQuery(db, 'nameLike', '%医药%', undefined, null, 50), [
      'orders_created_idx',
    ]),
  ];

  const staffMember = await createStaff(
    { db, clock: systemClock },
    {
      username: 'yace',
      displayName: '压测',
      roles: STAFF_ROLES.filter((r) => r !== '管理员' && r !== '审计员'),
      password: 'Bench2026staff',
    },
    null,
    { ip: 'bench' },
  );
  let cookie = '';
  const remember = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      if (pair!.startsWith('cd_staff=')) cookie = pair!;
    }
  };
  {
    const s = await fetch(`${base}/api/staff/session`);
    remember(s);
    const { csrfToken } = (await s.json()) as { csrfToken: string };
    const { captchaId } = (await (await fetch(`${base}/api/captcha`, { headers: { cookie } })).json()) as { captchaId: string };
    const login = await fetch(`${base}/api/staff/login`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': csrfToken },
      body: JSON.stringify({ username: staffMember.username, password: 'Bench2026staff', captchaId, captchaAnswer: CAPTCHA }),
    });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`);
    remember(login);
  }

  type Result = StaffTiming;
  const q = (v: string) => encodeURIComponent(v);
  async function measure(label: string, url: (i: number) => string, n = N): Promise<Result> {
    for (let i = 0; i < 10; i++) await (await fetch(base + url(i), { headers: { cookie } })).arrayBuffer();
    const times: number[] = [];
    let items = 0;
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const res = await fetch(base + url(i), { headers: { cookie } });
      const body = (await res.json()) as { items?: unknown[] };
      times.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`${label}: ${res.status} ${JSON.stringify(body)}`);
      items += body.items?.length ?? 0;
    }
    times.sort((a, b) => a - b);
    const at = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)]!;
    return { label, median: at(0.5), p99: at(0.99), mean: times.reduce((a, b) => a + b, 0) / n, items: items / n };
  }

  log(`timing ${N} sequential requests per case over HTTP`);
  const results: Result[] = [];
  const pick = <T>(xs: T[], i: number) => xs[i % xs.length]!;
  results.push(await measure('GET /api/password-rule (baseline)', () => '/api/password-rule'));
  results.push(await measure('queues (counts + overdue, 6 queues)', () => '/api/staff/queues'));
  results.push(await measure(`queue ${QUEUE}: first page (50)`, () => `/api/staff/orders?status=${QUEUE}&limit=50`));
  results.push(
    await measure(
      `queue ${QUEUE}: deep keyset page (50)`,
      (i) => `/api/staff/orders?status=${QUEUE}&limit=50&after=${pick(deepCursors, i)}`,
    ),
  );
  results.push(await measure('search: order no (with dashes)', (i) => `/api/staff/orders?q=${q(pick(orderNos, i))}`));
  results.push(await measure('search: USCC (whole, lower case)', (i) => `/api/staff/orders?q=${q(pick(usccs, i).toLowerCase())}`));
  results.push(await measure('search: USCC prefix (12)', (i) => `/api/staff/orders?q=${q(pick(usccs, i).slice(0, 12))}`));
  results.push(await measure('search: agent mobile', (i) => `/api/staff/orders?q=${q(pick(mobiles, i))}`));
  results.push(await measure('search: unit name, rare fragment', (i) => `/api/staff/orders?q=${q(pick(rareNames, i))}`));
  results.push(await measure('search: unit name, broad (医药)', () => `/api/staff/orders?q=${q('医药')}`));

  return { results, explained };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const ORDERS = Number(process.env.BENCH_ORDERS ?? 1_000_000);
  const ORGS = Number(process.env.BENCH_ORGS ?? 300_000);
  const N = Number(process.env.BENCH_N ?? 300);
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  const log = (s: string) => console.log(`[${elapsed()}] ${s}`);

  let databaseUrl = process.env.DATABASE_URL;
  let dropAtEnd: (() => Promise<void>) | undefined;
  if (!databaseUrl) {
    const name = `certdesk_bench_${process.pid}`;
    const scratch = await scratchDatabase(name);
    databaseUrl = scratch.url;
    if (!process.env.BENCH_KEEP) dropAtEnd = scratch.drop;
    log(`made database ${name}`);
  }
  try {
    const handle = await openDb({ databaseUrl, poolSize: 10 });
    const db = handle.db;
    const { one, end } = plainQuery(databaseUrl);
    const existing = (await one<{ n: number }>('select count(*)::int as n from organizations'))[0]!.n;
    if (existing > 0) {
      console.error(`Refusing to seed: the database already has ${existing} organizations. Give the bench an empty scratch database.`);
      process.exit(2);
    }
    await seedCatalog(db, new Date());
    await seedCalendar(db, new Date());
    await seedOrders(one, ORGS, ORDERS, log);

    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      CERTDESK_CAPTCHA_FIXED: CAPTCHA,
      CERTDESK_DATA_DIR: scratchDir('certdesk-bench-'),
      DATABASE_URL: databaseUrl,
    });
    const app = await buildApp({ config, db, clock: systemClock });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const { results, explained } = await staffQueueTimings({ db, one, base, n: N, log });
    const baseline = results[0]!;
    console.log(
      `\nCertDesk staff queue/search bench — ${ORDERS.toLocaleString()} orders, ${ORGS.toLocaleString()} organizations, PostgreSQL, ${N} sequential requests per case`,
    );
    console.log(`${'case'.padEnd(44)} ${'median ms'.padStart(10)} ${'p99 ms'.padStart(9)} ${'×base'.padStart(8)} ${'rows'.padStart(6)}`);
    for (const r of results)
      console.log(
        `${r.label.padEnd(44)} ${r.median.toFixed(2).padStart(10)} ${r.p99.toFixed(2).padStart(9)} ${(r.median / baseline.median).toFixed(1).padStart(8)} ${r.items.toFixed(1).padStart(6)}`,
      );
    console.log(`\nEXPLAIN: ${explained.map((e) => `${e.label} ${e.ok ? 'ok' : 'CHECK'}`).join('; ')}`);
    log('done');
    await app.close();
    await end();
    await handle.close();
  } finally {
    await dropAtEnd?.();
  }
}
