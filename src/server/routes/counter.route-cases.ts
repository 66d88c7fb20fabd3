/**
 * The counter routes' rows for staff.test.ts's role table (every staff route × every kind of caller). Kept
 * here, beside the routes, so that shared test file only pushes them. Every staff member in the table works
 * at 南昌办证大厅 (counter work needs an office); each row makes fresh targets there.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { StaffRole } from '../../core/schemas.js';
import type { Db } from '../db/client.js';
import { organizationRepository } from '../modules/accounts/repository.js';
import { staff } from '../db/schema.js';
import { staffRepository } from '../modules/staff/repository.js';
import { counterRepository, officeRepository } from '../modules/counter/repository.js';
import { makeOrderNumber } from '../../core/order-number.js';
import { newMobile, newUscc, testConfig } from '../testing/harness.js';
import { fileStoreFor } from '../adapters/storage/configured.js';
import { png } from '../modules/documents/test-images.js';

export interface CounterRouteCase {
  method: 'GET' | 'POST';
  path: string;
  access: StaffRole[];
  ok: number;
  make(): Promise<{ url: string; body?: unknown; effect?: () => Promise<boolean> }>;
}

const OFFICE = 'nanchang-hall';

/**
 * Puts the role table's callers (staff.test's accounts: usernames 't…') without an office at 南昌办证大厅 —
 * only those, so staff other test files made without an office (PostgreSQL: one shared database) keep none.
 */
async function everyoneAtTheCounter(db: Db) {
  await db.execute(
    sql`insert into staff_offices (staff_id, office_code, updated_at) select id, ${OFFICE}, now() from staff where username like 't%' on conflict do nothing`,
  );
}

async function counterOrg(db: Db) {
  const now = new Date();
  return (await organizationRepository.insert(db, {
    uscc: newUscc(),
    name: `江西柜台权限测试${randomBytes(3).toString('hex')}有限公司`,
    mobile: newMobile(),
    passwordHash: 'counter:unclaimed',
    agreementAcceptedAt: now,
    createdAt: now,
    updatedAt: now,
  }))!;
}

/** A counter order at 南昌办证大厅 in the given status (a sub key, all materials ticked). */
async function counterOrderIn(db: Db, status: string) {
  await everyoneAtTheCounter(db);
  const org = await counterOrg(db);
  const now = new Date();
  const [any] = await db.select({ id: staff.id }).from(staff).limit(1);
  const tick = { at: now.toISOString(), by: any!.id };
  return counterRepository.insert(db, {
    orderNo: makeOrderNumber(now, String(randomInt(0, 100_000_000)).padStart(8, '0')),
    officeCode: OFFICE,
    business: 'new',
    organizationId: org.id,
    uscc: org.uscc,
    unitName: org.name,
    projectCode: 'gov-procurement',
    keyType: 'sub',
    agentName: '权限测试',
    agentMobile: newMobile(),
    status,
    materials: { 'application-form': tick, 'business-license': tick, 'agent-id': tick },
    openedBy: tick.by,
    createdAt: now,
    statusChangedAt: now,
    updatedAt: now,
  });
}

const statusOf = async (db: Db, id: string) => (await counterRepository.findById(db, id))!.status;

export function counterRouteCases(db: () => Db): CounterRouteCase[] {
  const VIEW: StaffRole[] = ['受理', '制证', '财务', '管理员'];
  const CLERK: StaffRole[] = ['受理', '管理员'];
  return [
    {
      method: 'GET',
      path: '/api/staff/counter/meta',
      access: VIEW,
      ok: 200,
      make: async () => ({ url: '/api/staff/counter/meta' }),
    },
    {
      method: 'GET',
      path: '/api/staff/counter/daily',
      access: VIEW,
      ok: 200,
      make: async () => {
        await everyoneAtTheCounter(db());
        return { url: `/api/staff/counter/daily?office=${OFFICE}` };
      },
    },
    {
      method: 'GET',
      path: '/api/staff/counter/offices',
      access: ['管理员'],
      ok: 200,
      make: async () => ({ url: '/api/staff/counter/offices' }),
    },
    {
      method: 'POST',
      path: '/api/staff/counter/offices/:code',
      access: ['管理员'],
      ok: 200,
      make: async () => {
        const address = `萍乡市经济开发区武功山中大道13-7号财富公馆六楼 ${randomBytes(2).toString('hex')}`;
        return {
          url: '/api/staff/counter/offices/pingxiang',
          body: { name: '萍乡办证点', city: '萍乡', address, phones: ['0799-6328477'], active: true },
          effect: async () => (await officeRepository.get(db(), 'pingxiang'))!.address === address,
        };
      },
    },
    {
      method: 'POST',
      path: '/api/staff/counter/staff/:id/office',
      access: ['管理员'],
      ok: 200,
      make: async () => {
        // A staff member of its own, so no other test's account changes office.
        const made = await staffRepository.insert(db(), {
          username: `office${randomBytes(5).toString('hex')}`,
          displayName: '受理点测试',
          passwordHash: '-',
          roles: ['受理'],
        });
        const id = made!.id;
        await officeRepository.setStaffOffice(db(), id, OFFICE, id, new Date());
        return {
          url: `/api/staff/counter/staff/${id}/office`,
          body: { officeCode: 'ganzhou' },
          effect: async () => {
            const now = (await officeRepository.officeOfStaff(db(), id))?.code;
            await officeRepository.setStaffOffice(db(), id, OFFICE, id, new Date());
            return now === 'ganzhou';
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/api/staff/counter/organizations',
      access: CLERK,
      ok: 200,
      make: async () => ({ url: `/api/staff/counter/organizations?uscc=${(await counterOrg(db())).uscc}` }),
    },
    {
      method: 'POST',
      path: '/api/staff/counter/organizations',
      access: CLERK,
      ok: 200,
      make: async () => {
        await everyoneAtTheCounter(db());
        const uscc = newUscc();
        return {
          url: '/api/staff/counter/organizations',
          body: { uscc, name: '江西柜台登记测试有限公司', mobile: newMobile() },
          effect: async () => !!(await organizationRepository.findByUscc(db(), uscc)),
        };
      },
    },
    {
      method: 'POST',
      path: '/api/staff/counter/orders',
      access: CLERK,
      ok: 200,
      make: async () => {
        await everyoneAtTheCounter(db());
        const org = await counterOrg(db());
        return {
          url: '/api/staff/counter/orders',
          body: {
            organizationId: org.id,
            business: 'new',
            projectCode: 'gov-procurement',
            keyType: 'main',
            agentName: '权限测试',
            agentMobile: newMobile(),
          },
          effect: async () => (await counterRepository.recentOfOrganization(db(), org.id)).length === 1,
        };
      },
    },
    {
      method: 'GET',
      path: '/api/staff/counter/orders/:id',
      access: VIEW,
      ok: 200,
      make: async () => {
        const o = await counterOrderIn(db(), 'submitted');
        return { url: `/api/staff/counter/orders/${o.id}` };
      },
    },
    {
      method: 'POST',
      path: '/api/staff/counter/orders/:id/materials',
      access: ['受理', '制证', '管理员'],
      ok: 200,
      make: async () => {
        const o = await counterOrderIn(db(), 'submitted');
        return {
          url: `/api/staff/counter/orders/${o.id}/materials`,
          body: { ticked: ['application-form'] },
          effect: async () => Object.keys((await counterRepository.findById(db(), o.id))!.materials).length === 1,
        };
      },
    },
    {
      method: 'POST',
      path: '/api/staff/counter/orders/:id/actions/:action',
      access: ['受理', '制证', '管理员'],
      ok: 200,
      make: async () => {
        const o = await counterOrderIn(db(), 'accepted');
        return {
          url: `/api/staff/counter/orders/${o.id}/actions/approve`,
          effect: async () => (await statusOf(db(), o.id)) === 'approved',
        };
      },
    },
    {
      method: 'POST',
      path: '/api/staff/counter/orders/:id/produce',
      access: ['制证', '管理员'],
      ok: 200,
      make: async () => {
        const o = await counterOrderIn(db(), 'approved');
        return {
          url: `/api/staff/counter/orders/${o.id}/produce`,
          body: { key: { kind: 'generate', password: 'Zhengshu2026!' } },
          effect: async () => (await statusOf(db(), o.id)) === 'produced',
        };
      },
    },
    {
      method: 'POST',
      path: '/api/staff/counter/orders/:id/pay',
      access: ['受理', '财务', '管理员'],
      ok: 200,
      make: async () => {
        const o = await counterOrderIn(db(), 'produced');
        return {
          url: `/api/staff/counter/orders/${o.id}/pay`,
          body: { channel: 'cash', receiptNo: `RT${randomBytes(6).toString('hex')}`, amountFen: 19000 },
          effect: async () => (await statusOf(db(), o.id)) === 'handed_over',
        };
      },
    },
    {
      method: 'POST',
      path: '/api/staff/counter/orders/:id/materials/:material/scan',
      access: ['受理', '制证', '管理员'],
      // The table sends JSON: an allowed caller gets past the role and office checks to the body, which is not
      // multipart (400); the upload itself is tested in counter.test.ts.
      ok: 400,
      make: async () => {
        const o = await counterOrderIn(db(), 'submitted');
        return { url: `/api/staff/counter/orders/${o.id}/materials/application-form/scan`, body: {} };
      },
    },
    {
      method: 'GET',
      path: '/api/staff/counter/orders/:id/scans/:scanId/:variant',
      access: VIEW,
      ok: 200,
      make: async () => {
        const o = await counterOrderIn(db(), 'submitted');
        const store = fileStoreFor(testConfig(), db());
        const image = await png();
        const scan = await counterRepository.insertScan(db(), {
          counterOrderId: o.id,
          material: 'application-form',
          storageKey: await store.put(image),
          thumbnailKey: await store.put(image),
          sha256: '0'.repeat(64),
          mime: 'image/png',
          bytes: image.length,
          width: 120,
          height: 80,
          originalName: '申请表.png',
          uploadedBy: o.openedBy,
          uploadedAt: new Date(),
        });
        return { url: `/api/staff/counter/orders/${o.id}/scans/${scan.id}/file` };
      },
    },
  ];
}
