/**
 * The workflow engine over both tables, row by row: every transition moves the record, writes exactly one
 * event row and one audit row (in its transaction, naming the actor, the step and from → to); a caller holding
 * a stale status — someone else moved the record meanwhile — changes nothing and writes nothing; a refused
 * actor and a refusing guard write nothing either.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { COUNTER_TRANSITIONS, type CounterTransition } from '../../../core/counter.js';
import type { StaffRole } from '../../../core/schemas.js';
import { TRANSITIONS, type Transition } from '../../../core/workflow.js';
import type { Db } from '../../db/client.js';
import { auditEvents, counterEvents, counterOrders, orderEvents, orders, organizations } from '../../db/schema.js';
import { newMobile, newUscc, testDb } from '../../testing/harness.js';
import { COUNTER_WORKFLOW } from '../counter/counter-workflow.js';
import { seedOffices } from '../counter/offices.js';
import { OFFICES } from '../../../core/content/offices.js';
import { ORDER_WORKFLOW } from '../orders/order-workflow.js';
import type { OrderRow } from '../orders/repository.js';
import type { CounterOrderRow } from '../counter/repository.js';
import { applyTransition, type ActingParty, type Workflow } from './engine.js';

let db: Db;
let orgId: string;
const AT = new Date('2026-12-07T10:00:00+08:00');
const ALL_ROLES: StaffRole[] = ['预审', '受理', '制证', '发放', '财务', '管理员'];

beforeAll(async () => {
  db = (await testDb()).db;
  await seedOffices(db, AT);
  orgId = randomUUID();
  await db.insert(organizations).values({
    id: orgId,
    uscc: newUscc(),
    name: `江西引擎测试${randomUUID().slice(0, 6)}有限公司`,
    mobile: newMobile(),
    passwordHash: 'not-a-login',
    agreementAcceptedAt: AT,
    createdAt: AT,
    updatedAt: AT,
  });
  // Opening (and migrating) the worker's database is slow on a busy machine.
}, 180_000);

const orderNo = () => String(randomInt(1e14, 2 ** 48 - 1));

async function orderAt(status: string): Promise<OrderRow> {
  const [o] = await db
    .insert(orders)
    .values({
      orderNo: orderNo(),
      organizationId: orgId,
      projectCode: 'gov-procurement',
      keyType: 'main',
      status,
      form: {},
      legalCheckNonce: randomUUID(),
      legalCheckTokenHash: randomUUID(),
    })
    .returning();
  return o!;
}

async function counterOrderAt(status: string, keyType: 'main' | 'sub'): Promise<CounterOrderRow> {
  const [o] = await db
    .insert(counterOrders)
    .values({
      orderNo: orderNo(),
      officeCode: OFFICES[0]!.code,
      business: 'new',
      organizationId: orgId,
      uscc: newUscc(),
      unitName: '江西引擎测试有限公司',
      projectCode: 'gov-procurement',
      keyType,
      agentName: '欧阳晓梅',
      agentMobile: newMobile(),
      status,
      openedBy: randomUUID(),
      createdAt: AT,
      statusChangedAt: AT,
      updatedAt: AT,
    })
    .returning();
  return o!;
}

/** Someone who may take the row: the applicant, the system, or staff holding the row's first role. */
function takerOf(t: Transition | CounterTransition): ActingParty {
  if (t.by === 'applicant') return { kind: 'applicant', id: orgId };
  if (t.by === 'system') return { kind: 'system', id: null };
  return { kind: 'staff', roles: [t.by[0]!], id: randomUUID() };
}
/** Someone who may not: staff without the row's roles (or any staff member for the applicant's and the system's rows). */
function outsiderOf(t: Transition | CounterTransition): ActingParty {
  const roles = Array.isArray(t.by) ? ALL_ROLES.filter((r) => !(t.by as readonly StaffRole[]).includes(r)) : ALL_ROLES;
  return { kind: 'staff', roles, id: randomUUID() };
}

/** What a test needs of each table: its rows, a record in a row's `from` status, and what was written about it. */
interface Case {
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the two workflows' record and row types differ
  workflow: Workflow<any, any, any>;
  rows: readonly (Transition | CounterTransition)[];
  recordAt(t: Transition | CounterTransition): Promise<{ id: string; status: string; orderNo: string }>;
  /** The event's action for a step (online events are prefixed, counter events are not). */
  eventAction(action: string): string;
  trail(id: string): Promise<{ events: unknown[]; audit: unknown[] }>;
  status(id: string): Promise<string>;
}

const auditOf = (targetType: string, id: string) =>
  db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.targetType, targetType), eq(auditEvents.targetId, id)));

// The guard (seals ready before 发放) is modules/orders/guards.ts's, tested with the seals; here the engine is
// run without it for the step itself, and with it for the refusal below.
const CASES: Case[] = [
  {
    name: 'order',
    workflow: { ...ORDER_WORKFLOW, guard: undefined },
    rows: TRANSITIONS,
    recordAt: (t) => orderAt(t.from),
    eventAction: (a) => `order.${a}`,
    trail: async (id) => ({
      events: await db.select().from(orderEvents).where(eq(orderEvents.orderId, id)),
      audit: await auditOf('order', id),
    }),
    status: async (id) => (await db.select({ s: orders.status }).from(orders).where(eq(orders.id, id)))[0]!.s,
  },
  {
    name: 'counter',
    workflow: COUNTER_WORKFLOW,
    rows: COUNTER_TRANSITIONS,
    recordAt: (t) => counterOrderAt(t.from, (t as CounterTransition).keyTypes?.[0] ?? 'main'),
    eventAction: (a) => a,
    trail: async (id) => ({
      events: await db.select().from(counterEvents).where(eq(counterEvents.counterOrderId, id)),
      audit: await auditOf('counter_order', id),
    }),
    status: async (id) => (await db.select({ s: counterOrders.status }).from(counterOrders).where(eq(counterOrders.id, id)))[0]!.s,
  },
];

describe.each(CASES)('the $name table through the engine', (c) => {
  const rows = c.rows.map((t) => [t.from, t.action, t.to, t] as const);

  it.each(rows)(
    '%s --%s--> %s: the status, one event, one audit row; the same step again on the stale status writes nothing',
    async (_f, _a, _to, t) => {
      const record = await c.recordAt(t);
      const actor = takerOf(t);
      const moved = await db.transaction((tx) =>
        applyTransition(c.workflow, tx, record, t.action, actor, AT, { reason: '原因', detail: { k: 1 }, ip: '203.0.113.9' }),
      );
      expect(moved.status).toBe(t.to);
      const { events, audit } = await c.trail(record.id);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        action: c.eventAction(t.action),
        fromStatus: t.from,
        toStatus: t.to,
        reason: '原因',
        actorId: actor.id,
      });
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        action: `${c.name}.${t.action}`,
        actorType: actor.kind === 'applicant' ? 'org' : actor.kind,
        actorId: actor.id,
        ip: '203.0.113.9',
        detail: { orderNo: record.orderNo, from: t.from, to: t.to, reason: '原因', k: 1 },
      });

      // The same step again on the status read before it: compare-and-set loses, nothing is written.
      await expect(db.transaction((tx) => applyTransition(c.workflow, tx, record, t.action, actor, AT))).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      expect(await c.status(record.id)).toBe(t.to);
      expect(await c.trail(record.id)).toEqual({ events, audit });
    },
  );

  it.each(rows)('%s --%s--> %s is refused to an outsider, nothing written', async (_f, _a, _to, t) => {
    const record = await c.recordAt(t);
    await expect(db.transaction((tx) => applyTransition(c.workflow, tx, record, t.action, outsiderOf(t), AT))).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await c.status(record.id)).toBe(t.from);
    expect(await c.trail(record.id)).toEqual({ events: [], audit: [] });
  });
});

describe('refusals that write nothing', () => {
  it('a refusing guard (发放 before the seals are made)', async () => {
    const t = TRANSITIONS.find((x) => x.guard)!;
    const order = await orderAt(t.from);
    await expect(db.transaction((tx) => applyTransition(ORDER_WORKFLOW, tx, order, t.action, takerOf(t), AT))).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await CASES[0]!.status(order.id)).toBe(t.from);
    expect(await CASES[0]!.trail(order.id)).toEqual({ events: [], audit: [] });
  });

  it('a row for the other key type is no row: 制作电子签章 on a sub key is a conflict', async () => {
    const order = await counterOrderAt('handed_over', 'sub');
    await expect(
      db.transaction((tx) =>
        applyTransition(COUNTER_WORKFLOW, tx, order, 'seal', { kind: 'staff', roles: ['制证'], id: randomUUID() }, AT),
      ),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await CASES[1]!.trail(order.id)).toEqual({ events: [], audit: [] });
  });
});
