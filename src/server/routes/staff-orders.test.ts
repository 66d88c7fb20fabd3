/**
 * Staff queues, order search, the staff order page and the working-day calendar, through the real app.
 *
 * Orders are made the way applicants make them (register, POST /api/orders); to put one in a later status
 * the test moves it directly with orderRepository.setStatus / update — the transitions themselves (roles,
 * guards, compare-and-set) are tested with the workflow and the review and fulfilment routes.
 *
 * On PostgreSQL every test file shares one database, so nothing here asserts a global count: results are
 * scoped to this file's own organizations and orders (unique USCCs and names), and queue counts are
 * checked as bounds — exactly only on PGlite, where this worker's database is its own.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskMobile } from '../../core/mobile.js';
import { formatOrderNumber } from '../../core/order-number.js';
import type { StaffRole } from '../../core/schemas.js';
import type { OrderStatus } from '../../core/workflow.js';
import { systemClock } from '../clock.js';
import { auditEvents, calendarDays, orders } from '../db/schema.js';
import { auditRepository } from '../modules/audit/repository.js';
import { multipart, png } from '../modules/documents/test-images.js';
import { orderRepository } from '../modules/orders/repository.js';
import { createStaff } from '../modules/staff/staff-accounts.js';
import type { StaffRow } from '../modules/staff/repository.js';
import { ManualClock, newMobile, testApp, type TestApp, type TestClient } from '../testing/harness.js';

let t: TestApp;
/** A second app on the same database whose clock the tests move (deadlines, working days waited). */
let tm: TestApp;
let clock: ManualClock;
const PW = 'Staff2026pass';
/** PGlite: this worker's own database, files run one after another — counts can be compared exactly. */
const ownDatabase = !process.env.DATABASE_URL;

beforeAll(async () => {
  t = await testApp();
  clock = new ManualClock();
  tm = await testApp({ clock });
});
afterAll(async () => {
  await t.close();
  await tm.close();
});

const uniq = () => randomBytes(5).toString('hex');
const cn = (s: string) => new Date(`${s}+08:00`);

async function seedStaff(roles: StaffRole[], displayName = `测试${roles.join('')}${uniq()}`): Promise<StaffRow> {
  return createStaff({ db: t.db, clock: systemClock }, { username: `so${uniq()}`, displayName, roles, password: PW }, null, { ip: 'test' });
}
async function staffClient(roles: StaffRole[], app: TestApp = t): Promise<{ c: TestClient; s: StaffRow }> {
  const s = await seedStaff(roles);
  const c = app.client();
  expect((await c.staffLogin(s.username, PW)).statusCode).toBe(200);
  return { c, s };
}
/** Logs a staff member in on the manual-clock app at the clock's current time (sessions follow the clock). */
async function staffAt(s: StaffRow, at: Date): Promise<TestClient> {
  clock.set(at);
  const c = tm.client();
  expect((await c.staffLogin(s.username, PW)).statusCode).toBe(200);
  return c;
}

interface Applicant {
  c: TestClient;
  uscc: string;
  name: string;
}
async function applicant(name = `江西测试${uniq()}有限公司`): Promise<Applicant> {
  const c = t.client();
  const { body, res } = await c.register({ name });
  expect(res.statusCode).toBe(201);
  return { c, uscc: body.uscc as string, name };
}
async function newOrder(a: Applicant, keyType: 'main' | 'sub' = 'main', agent?: { name: string; mobile: string }) {
  const res = await a.c.post('/api/orders', { projectCode: 'gov-procurement', keyType, agree: true });
  expect(res.statusCode, res.body).toBe(201);
  const order = res.json().order as { id: string; orderNo: string };
  if (agent) {
    const saved = await a.c.request({
      method: 'PUT',
      url: `/api/orders/${order.id}/form`,
      payload: { formVersion: 1, form: { agent } },
      headers: { 'x-csrf-token': a.c.csrf.org! },
    });
    expect(saved.statusCode, saved.body).toBe(200);
  }
  return order;
}
/** Puts a draft straight into `status` (see the file comment: transitions are tested elsewhere). */
async function moveTo(id: string, status: OrderStatus, at: Date, extra: Parameters<typeof orderRepository.setStatus>[5] = {}) {
  expect(await orderRepository.setStatus(t.db, id, 'draft', status, at, extra)).toBeTruthy();
}

type Item = {
  id: string;
  orderNo: string;
  uscc: string;
  status: string;
  statusLabel: string;
  statusChangedAt: string;
  waitingWorkingDays: number;
  dueAt: string | null;
  overdue: boolean;
  agentName: string | null;
  agentMobileMasked: string | null;
};
type Page = { items: Item[]; next: string | null };
const list = async (c: TestClient, query: Record<string, string | number>): Promise<Page> => {
  const res = await c.get(`/api/staff/orders?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]))}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const queues = async (c: TestClient) => {
  const res = await c.get('/api/staff/queues');
  expect(res.statusCode, res.body).toBe(200);
  return res.json().queues as {
    status: string;
    label: string;
    step: string | null;
    roles: string[];
    count: number;
    overdueCount: number;
  }[];
};

describe('工作队列 (queues per role)', () => {
  it.each([
    [['预审'], ['submitted']],
    [['受理'], ['paper_awaiting', 'paper_received', 'paper_failed']],
    [['制证'], ['in_production']],
    [['发放'], ['produced']],
    [['财务'], []],
    [['管理员'], []],
    [
      ['受理', '预审'],
      ['submitted', 'paper_awaiting', 'paper_received', 'paper_failed'],
    ],
  ] as [StaffRole[], string[]][])('%j sees %j, in workflow order', async (roles, statuses) => {
    const { c } = await staffClient(roles);
    const qs = await queues(c);
    expect(qs.map((q) => q.status)).toEqual(statuses);
    for (const q of qs) {
      expect(q.roles.length).toBeGreaterThan(0);
      expect(q.roles.every((r) => roles.includes(r as StaffRole))).toBe(true);
      expect(q.overdueCount).toBeLessThanOrEqual(q.count);
    }
  });

  it('labels the steps inside 正在受理', async () => {
    const { c } = await staffClient(['受理']);
    const qs = await queues(c);
    expect(qs.map((q) => [q.label, q.step])).toEqual([
      ['正在受理', '等待邮寄纸质资料'],
      ['正在受理', '已收到纸质资料，正在审核'],
      ['正在受理', '纸质资料需补寄'],
    ]);
    expect(qs.every((q) => q.roles.join() === '受理')).toBe(true);
  });

  it('counts waiting and overdue orders: a 预审 queue grows by what was submitted', async () => {
    const { c } = await staffClient(['预审']);
    const before = (await queues(c))[0]!;
    const a = await applicant();
    const main = await newOrder(a);
    const sub1 = await newOrder(a, 'sub');
    const sub2 = await newOrder(a, 'sub');
    const now = new Date();
    await moveTo(main.id, 'submitted', now);
    await moveTo(sub1.id, 'submitted', now);
    // Submitted a month ago: far past the 2 working days of 预审.
    await moveTo(sub2.id, 'submitted', new Date(now.getTime() - 30 * 86_400_000));
    const after = (await queues(c))[0]!;
    expect(after).toMatchObject({ status: 'submitted', label: '正在审核', step: null, roles: ['预审'] });
    expect(after.count).toBeGreaterThanOrEqual(3);
    expect(after.overdueCount).toBeGreaterThanOrEqual(1);
    if (ownDatabase) {
      expect(after.count - before.count).toBe(3);
      expect(after.overdueCount - before.overdueCount).toBe(1);
    }
  });

  it('lists a queue oldest first, keyset pages with no gaps or repeats when rows share a timestamp', async () => {
    const { c } = await staffClient(['预审']);
    const a = await applicant();
    const ids: string[] = [];
    ids.push((await newOrder(a)).id);
    for (let i = 0; i < 6; i++) ids.push((await newOrder(a, 'sub')).id);
    for (const id of ids) await moveTo(id, 'submitted', new Date());
    // Long ago, so they lead the queue; five share a timestamp to the microsecond, two are 1 µs later
    // (the same millisecond: a cursor rounded to JavaScript's milliseconds would repeat or skip them).
    const base = `2000-${String(randomInt(1, 13)).padStart(2, '0')}-${String(randomInt(1, 28)).padStart(2, '0')} 0${randomInt(0, 10)}:${randomInt(10, 60)}:${randomInt(10, 60)}.1234`;
    const tied = ids.slice(0, 5);
    const later = ids.slice(5);
    await t.db
      .update(orders)
      .set({ statusChangedAt: sql`${`${base}56+00`}::timestamptz` })
      .where(inArray(orders.id, tied));
    await t.db
      .update(orders)
      .set({ statusChangedAt: sql`${`${base}57+00`}::timestamptz` })
      .where(inArray(orders.id, later));

    const seen: Item[] = [];
    let after: string | null = null;
    let pages = 0;
    // Page until past our rows (others' orders may be older still, on a shared database).
    while (pages++ < 500) {
      const page: Page = await list(c, { status: 'submitted', limit: 2, ...(after ? { after } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      after = page.next;
      if (!after || ids.every((id) => seen.some((s) => s.id === id))) break;
    }
    expect(new Set(seen.map((s) => s.id)).size).toBe(seen.length);
    const mine = seen.filter((s) => ids.includes(s.id)).map((s) => s.id);
    expect(mine).toEqual([...[...tied].sort(), ...[...later].sort()]);
    for (let i = 1; i < seen.length; i++)
      expect(Date.parse(seen[i]!.statusChangedAt)).toBeGreaterThanOrEqual(Date.parse(seen[i - 1]!.statusChangedAt));
    expect(seen.every((s) => s.status === 'submitted')).toBe(true);
  });

  it('keeps drafts, deleted and cancelled orders out of queues, and needs a queue or a search', async () => {
    const { c } = await staffClient(['受理']);
    for (const status of ['draft', 'deleted', 'cancelled']) {
      const res = await c.get(`/api/staff/orders?status=${status}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.fields.status).toMatch(/不在工作队列中/);
    }
    const none = await c.get('/api/staff/orders');
    expect(none.statusCode).toBe(400);
    expect(none.json().error.message).toMatch(/请选择工作队列/);
    expect((await c.get('/api/staff/orders?status=nonsense')).statusCode).toBe(400);
    expect((await c.get('/api/staff/orders?status=submitted&limit=101')).statusCode).toBe(400);
    expect((await c.get('/api/staff/orders?status=submitted&limit=0')).statusCode).toBe(400);
    const badCursor = await c.get('/api/staff/orders?status=submitted&after=bm90LWEtY3Vyc29y');
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().error.fields.after).toMatch(/翻页参数不正确/);
  });
});

describe('查找订单 (search)', () => {
  it('finds an order by its number with dashes, a lower-case USCC prefix, a name fragment and the agent’s mobile', async () => {
    const { c, s } = await staffClient(['制证']);
    const u = uniq();
    const a = await applicant(`江西检索${u}科技有限公司`);
    const mobile = newMobile();
    const order = await newOrder(a, 'main', { name: '张经办', mobile: `${mobile.slice(0, 3)}-${mobile.slice(3, 7)}-${mobile.slice(7)}` });

    const byNo = await list(c, { q: formatOrderNumber(order.orderNo) });
    expect(byNo.items.map((i) => i.id)).toEqual([order.id]);
    // Either form, as typed with a Chinese input method too (full-width digits and dash).
    for (const q of [
      order.orderNo,
      formatOrderNumber(order.orderNo).replace(/[0-9-]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)),
    ])
      expect(
        (await list(c, { q })).items.map((i) => i.id),
        q,
      ).toEqual([order.id]);
    // A draft is found by search, and says so.
    expect(byNo.items[0]).toMatchObject({ status: 'draft', statusLabel: '草稿', orderNo: order.orderNo, uscc: a.uscc });

    const prefix = a.uscc.slice(0, 12);
    const byUscc = await list(c, { q: prefix.toLowerCase() });
    expect(byUscc.items.map((i) => i.id)).toContain(order.id);
    expect(byUscc.items.every((i) => i.uscc.startsWith(prefix))).toBe(true);

    const byName = await list(c, { q: `检索${u.toUpperCase()}` });
    expect(byName.items.map((i) => i.id)).toEqual([order.id]);
    // A fragment of Chinese characters only (compared without case folding); newest first, so ours leads.
    expect((await list(c, { q: '江西检索' })).items[0]!.id).toBe(order.id);

    const byMobile = await list(c, { q: `+86 ${mobile.slice(0, 3)} ${mobile.slice(3, 7)} ${mobile.slice(7)}` });
    expect(byMobile.items.map((i) => i.id)).toEqual([order.id]);
    expect(byMobile.items[0]).toMatchObject({ agentName: '张经办', agentMobileMasked: maskMobile(mobile) });
    expect(JSON.stringify(byMobile)).not.toContain(mobile);

    // Every search is recorded with what was asked.
    const recorded = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.actorId, s.id), eq(auditEvents.action, 'order.search')));
    expect(recorded.map((r) => (r.detail as { q: string }).q)).toContain(`检索${u.toUpperCase()}`);
  });

  it('finds deleted orders too, and narrows by status', async () => {
    const { c } = await staffClient(['预审']);
    const a = await applicant();
    const kept = await newOrder(a);
    const gone = await newOrder(a, 'sub');
    expect((await a.c.post(`/api/orders/${gone.id}/delete`)).statusCode).toBe(200);
    await moveTo(kept.id, 'submitted', new Date());
    const all = await list(c, { q: a.uscc });
    expect(new Map(all.items.map((i) => [i.id, i.status]))).toEqual(
      new Map([
        [kept.id, 'submitted'],
        [gone.id, 'deleted'],
      ]),
    );
    const deleted = all.items.find((i) => i.id === gone.id)!;
    expect(deleted.statusLabel).toBe('已删除');
    expect((await list(c, { q: a.uscc, status: 'submitted' })).items.map((i) => i.id)).toEqual([kept.id]);
    expect((await list(c, { q: a.uscc, status: 'deleted' })).items.map((i) => i.id)).toEqual([gone.id]);
  });

  it('pages a search newest first without gaps or repeats when orders were created at the same instant', async () => {
    const { c } = await staffClient(['发放']);
    const a = await applicant();
    const ids = [(await newOrder(a)).id];
    for (let i = 0; i < 4; i++) ids.push((await newOrder(a, 'sub')).id);
    await t.db
      .update(orders)
      .set({ createdAt: sql`'2026-11-01 02:03:04.567891+00'::timestamptz` })
      .where(inArray(orders.id, ids));
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: Page = await list(c, { q: a.uscc.toLowerCase(), limit: 2, ...(after ? { after } : {}) });
      seen.push(...page.items.map((i) => i.id));
      after = page.next;
    } while (after && seen.length < 20);
    expect(seen).toEqual([...ids].sort().reverse());
  });
});

describe('订单详情 (the staff order page)', () => {
  it('shows everything, staff-only notes included (the applicant never sees them), and records the view', async () => {
    const { c: reviewer, s } = await staffClient(['预审']);
    const a = await applicant();
    const earlier = await newOrder(a);
    const order = await newOrder(a, 'sub', { name: '李经办', mobile: newMobile() });
    for (const seed of [3, 4]) {
      const { payload, headers } = multipart([{ filename: `身份证${seed}.png`, data: await png(120, 80, seed) }]);
      const up = await a.c.request({
        method: 'POST',
        url: `/api/orders/${order.id}/documents/agent-id-front`,
        payload,
        headers: { ...headers, 'x-csrf-token': a.c.csrf.org! },
      });
      expect(up.statusCode, up.body).toBe(201);
    }
    await moveTo(order.id, 'submitted', new Date(), { submittedAt: new Date(), reviewRound: 1 });
    const note = `内部备注${uniq()}：营业执照复印件请与原件核对`;
    await orderRepository.addEvent(t.db, {
      orderId: order.id,
      actorType: 'staff',
      actorId: s.id,
      action: 'order.note',
      reason: note,
      public: false,
    });

    const res = await reviewer.get(`/api/staff/orders/${order.id}`);
    expect(res.statusCode, res.body).toBe(200);
    const v = res.json();
    expect(v.order).toMatchObject({
      id: order.id,
      orderNo: order.orderNo,
      orderNoDisplay: formatOrderNumber(order.orderNo),
      status: 'submitted',
      statusLabel: '正在审核',
      statusStep: null,
      projectCode: 'gov-procurement',
      keyType: 'sub',
      keyLabel: '副锁（无电子签章）',
      priceFen: 19000,
      reviewRound: 1,
      overdue: false,
    });
    expect(v.order.dueAt).toBeTruthy();
    expect(v.order.form.agent.name).toBe('李经办');
    expect(v.organization).toMatchObject({ name: a.name, uscc: a.uscc });
    expect(v.project).toMatchObject({ code: 'gov-procurement', legalCheckRequired: true, productionWorkingDays: 2 });
    expect(v.legalCheck).toMatchObject({ required: true, status: 'none', at: null });
    // Both versions of the replaced scan, newest first; only the newest is current.
    const scans = v.documents.filter((d: { slot: string }) => d.slot === 'agent-id-front');
    expect(scans.map((d: { current: boolean; originalName: string }) => [d.current, d.originalName])).toEqual([
      [true, '身份证4.png'],
      [false, '身份证3.png'],
    ]);
    expect(scans[0].label).toBe('经办人身份证（人像面）');
    expect(scans[1].replacedAt).toBeTruthy();
    // The organization's other order: the main key before this sub key.
    expect(v.keyHistory).toEqual([
      expect.objectContaining({ id: earlier.id, orderNo: earlier.orderNo, keyType: 'main', status: 'draft', statusLabel: '草稿' }),
    ]);
    const staffNote = v.events.find((e: { action: string }) => e.action === 'order.note');
    expect(staffNote).toMatchObject({ reason: note, public: false, actorType: 'staff', actorName: s.displayName });
    expect(v.events.find((e: { action: string }) => e.action === 'order.create')).toMatchObject({ actorType: 'org', actorName: a.name });
    expect(v.shipments).toEqual([]);
    expect(v.calls).toEqual([]);
    expect(v.invoice).toBeNull();
    expect(v.actions.map((x: { action: string }) => x.action).sort()).toEqual(['approve', 'reject']);

    // The applicant's own view of the same order has no trace of the note.
    const mine = await a.c.get(`/api/orders/${order.id}`);
    expect(mine.statusCode).toBe(200);
    expect(mine.body).not.toContain(note);
    expect(mine.json().events.some((e: { action: string }) => e.action === 'order.note')).toBe(false);

    const views = await auditRepository.forTarget(t.db, 'order', order.id, 10, { action: 'order.view' });
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({ actorType: 'staff', actorId: s.id, detail: { orderNo: order.orderNo } });
  });

  it('offers only the buttons of the caller’s roles', async () => {
    const a = await applicant();
    const order = await newOrder(a);
    await moveTo(order.id, 'paper_received', new Date());
    const { c: clerk } = await staffClient(['受理']);
    const { c: reviewer } = await staffClient(['预审']);
    const acts = async (c: TestClient) =>
      ((await c.get(`/api/staff/orders/${order.id}`)).json().actions as { action: string; label: string }[]).map((x) => x.label);
    expect((await acts(clerk)).sort()).toEqual(['纸质资料不合格', '纸质资料合格'].sort());
    expect(await acts(reviewer)).toEqual([]);
  });

  it('is 404 for an order that does not exist', async () => {
    const { c } = await staffClient(['财务']);
    const res = await c.get('/api/staff/orders/00000000-0000-4000-8000-000000000000');
    expect(res.statusCode).toBe(404);
  });
});

describe('谁可以查看 (who may call)', () => {
  it('refuses anonymous callers and applicant sessions on every order route, and non-administrators on the calendar', async () => {
    const a = await applicant();
    const order = await newOrder(a);
    const urls = [
      '/api/staff/queues',
      '/api/staff/orders?status=submitted',
      `/api/staff/orders?q=${a.uscc}`,
      `/api/staff/orders/${order.id}`,
    ];
    for (const url of urls) {
      expect((await t.client().get(url)).statusCode, url).toBe(401);
      expect((await a.c.get(url)).statusCode, url).toBe(401);
    }
    const { c } = await staffClient(['预审', '受理', '制证', '发放', '财务']);
    const cal = await c.get('/api/staff/calendar?year=2026');
    expect(cal.statusCode).toBe(403);
    expect(cal.json().error.message).toMatch(/管理员/);
    const put = await c.request({
      method: 'PUT',
      url: '/api/staff/calendar/2099-01-05',
      payload: { kind: 'holiday', name: 'x' },
      headers: { 'x-csrf-token': c.csrf.staff! },
    });
    expect(put.statusCode).toBe(403);
    // No record of a view that was refused.
    expect(await auditRepository.forTarget(t.db, 'order', order.id, 10, { action: 'order.view' })).toHaveLength(0);
  });
});

describe('超时 (overdue flags on the working-day calendar)', () => {
  /** The order as a search by its organization's USCC lists it, seen by `s` at `at`. */
  async function itemAt(s: StaffRow, uscc: string, id: string, at: string): Promise<Item> {
    const c = await staffAt(s, cn(at));
    const page = await list(c, { q: uscc });
    return page.items.find((i) => i.id === id)!;
  }

  it('预审 across a weekend: submitted on Friday, due at the end of Tuesday', async () => {
    const s = await seedStaff(['预审']);
    const a = await applicant();
    const order = await newOrder(a);
    await moveTo(order.id, 'submitted', cn('2026-11-20T10:00:00'));
    const tue = await itemAt(s, a.uscc, order.id, '2026-11-24T18:00:00');
    expect(tue).toMatchObject({ overdue: false, waitingWorkingDays: 2, dueAt: cn('2026-11-25T00:00:00').toISOString() });
    const wed = await itemAt(s, a.uscc, order.id, '2026-11-25T09:00:00');
    expect(wed).toMatchObject({ overdue: true, waitingWorkingDays: 3 });
    const c = await staffAt(s, cn('2026-11-25T09:00:00'));
    expect((await queues(c))[0]!.overdueCount).toBeGreaterThanOrEqual(1);
  });

  it('制证 across National Day: started 30 September, due at the end of 9 October; the make-up Saturday is a working day', async () => {
    const s = await seedStaff(['制证']);
    const a = await applicant();
    const order = await newOrder(a);
    await moveTo(order.id, 'in_production', cn('2026-09-30T10:00:00'), { productionStartedAt: cn('2026-09-30T10:00:00') });
    const fri = await itemAt(s, a.uscc, order.id, '2026-10-09T17:00:00');
    expect(fri).toMatchObject({ overdue: false, waitingWorkingDays: 2, dueAt: cn('2026-10-10T00:00:00').toISOString() });
    const sat = await itemAt(s, a.uscc, order.id, '2026-10-10T09:00:00');
    expect(sat).toMatchObject({ overdue: true, waitingWorkingDays: 3 });
    const c = await staffAt(s, cn('2026-10-10T09:00:00'));
    const view = (await c.get(`/api/staff/orders/${order.id}`)).json();
    expect(view.order).toMatchObject({ overdue: true, dueAt: cn('2026-10-10T00:00:00').toISOString() });
    expect((await queues(c))[0]).toMatchObject({ status: 'in_production' });
    expect((await queues(c))[0]!.overdueCount).toBeGreaterThanOrEqual(1);
  });

  it('预审 submitted on the Friday before the make-up Saturday is due at the end of Monday', async () => {
    const s = await seedStaff(['预审']);
    const a = await applicant();
    const order = await newOrder(a);
    await moveTo(order.id, 'submitted', cn('2026-10-09T10:00:00'));
    expect(await itemAt(s, a.uscc, order.id, '2026-10-12T20:00:00')).toMatchObject({
      overdue: false,
      dueAt: cn('2026-10-13T00:00:00').toISOString(),
    });
    expect(await itemAt(s, a.uscc, order.id, '2026-10-13T08:00:00')).toMatchObject({ overdue: true });
  });

  it('制证 takes the project’s own production time (公共资源: 3 working days)', async () => {
    const s = await seedStaff(['制证']);
    const a = await applicant();
    const order = await newOrder(a);
    await orderRepository.update(t.db, order.id, { projectCode: 'public-resource' });
    await moveTo(order.id, 'in_production', cn('2026-11-20T10:00:00'), { productionStartedAt: cn('2026-11-20T10:00:00') });
    expect(await itemAt(s, a.uscc, order.id, '2026-11-25T20:00:00')).toMatchObject({
      overdue: false,
      dueAt: cn('2026-11-26T00:00:00').toISOString(),
    });
    expect(await itemAt(s, a.uscc, order.id, '2026-11-26T08:00:00')).toMatchObject({ overdue: true });
  });

  it('an administrator’s holiday moves the deadline at once, and removing it moves it back', async () => {
    const admin = await seedStaff(['管理员']);
    const s = await seedStaff(['预审']);
    const a = await applicant();
    const order = await newOrder(a);
    // A Monday in 2097, a year no other test's calendar touches.
    const monday = new Date(Date.UTC(2097, 2, 4));
    while (monday.getUTCDay() !== 1) monday.setUTCDate(monday.getUTCDate() + 1);
    const day = (offset: number) => new Date(monday.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
    await moveTo(order.id, 'submitted', cn(`${day(0)}T10:00:00`));
    const thursday = `${day(3)}T09:00:00`;
    expect(await itemAt(s, a.uscc, order.id, thursday)).toMatchObject({ overdue: true, dueAt: cn(`${day(3)}T00:00:00`).toISOString() });

    const ac = await staffAt(admin, cn(thursday));
    const put = await ac.request({
      method: 'PUT',
      url: `/api/staff/calendar/${day(1)}`,
      payload: { kind: 'holiday', name: '测试假日' },
      headers: { 'x-csrf-token': ac.csrf.staff! },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(await itemAt(s, a.uscc, order.id, thursday)).toMatchObject({ overdue: false, dueAt: cn(`${day(4)}T00:00:00`).toISOString() });
    const ac2 = await staffAt(admin, cn(thursday));
    const del = await ac2.request({ method: 'DELETE', url: `/api/staff/calendar/${day(1)}`, headers: { 'x-csrf-token': ac2.csrf.staff! } });
    expect(del.statusCode, del.body).toBe(200);
    expect(await itemAt(s, a.uscc, order.id, thursday)).toMatchObject({ overdue: true });
  });
});

describe('工作日历 (the calendar an administrator keeps)', () => {
  const send = (c: TestClient, method: 'PUT' | 'DELETE', day: string, payload?: unknown) =>
    c.request({ method, url: `/api/staff/calendar/${day}`, payload: payload as never, headers: { 'x-csrf-token': c.csrf.staff! } });

  it('starts with the State Council’s 2026 schedule', async () => {
    const { c } = await staffClient(['管理员']);
    const res = await c.get('/api/staff/calendar?year=2026');
    expect(res.statusCode).toBe(200);
    const days = res.json().days as { day: string; kind: string; name: string }[];
    expect(days).toContainEqual({ day: '2026-10-01', kind: 'holiday', name: '国庆节' });
    expect(days).toContainEqual({ day: '2026-10-10', kind: 'workday', name: '国庆节调休上班' });
    expect(days).toContainEqual({ day: '2026-02-14', kind: 'workday', name: '春节调休上班' });
    expect(days.map((d) => d.day)).toEqual([...days.map((d) => d.day)].sort());
    expect(days.every((d) => d.day.startsWith('2026-'))).toBe(true);
  });

  it('sets, changes and removes a day, each change recorded; refuses dates that do not exist', async () => {
    const { c, s } = await staffClient(['管理员']);
    // Not January: another test here uses 2099-01-05.
    const day = `2099-0${randomInt(2, 10)}-${String(randomInt(10, 29))}`;
    await t.db.delete(calendarDays).where(eq(calendarDays.day, day));
    const set = await send(c, 'PUT', day, { kind: 'holiday', name: '  测试  假日 ' });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().day).toEqual({ day, kind: 'holiday', name: '测试 假日' });
    const changed = await send(c, 'PUT', day, { kind: 'workday', name: '测试调休' });
    expect(changed.json().day).toEqual({ day, kind: 'workday', name: '测试调休' });
    expect((await c.get('/api/staff/calendar?year=2099')).json().days).toContainEqual({ day, kind: 'workday', name: '测试调休' });
    expect((await send(c, 'DELETE', day)).statusCode).toBe(200);
    expect((await c.get('/api/staff/calendar?year=2099')).json().days.map((d: { day: string }) => d.day)).not.toContain(day);
    expect((await send(c, 'DELETE', day)).statusCode).toBe(404);

    const audit = await auditRepository.forTarget(t.db, 'calendar_day', day, 10);
    expect(audit.map((r) => [r.action, r.actorId])).toEqual([
      ['calendar.delete', s.id],
      ['calendar.set', s.id],
      ['calendar.set', s.id],
    ]);
    expect(audit[1]!.detail).toMatchObject({ kind: 'workday', name: '测试调休', before: { kind: 'holiday', name: '测试 假日' } });

    for (const bad of ['2026-02-30', '2026-2-3', '1999-12-31', 'today'])
      expect((await send(c, 'PUT', bad, { kind: 'holiday', name: 'x' })).statusCode, bad).toBe(400);
    expect((await send(c, 'PUT', day, { kind: 'weekend', name: 'x' })).statusCode).toBe(400);
    expect((await send(c, 'PUT', day, { kind: 'holiday', name: '   ' })).statusCode).toBe(400);
    expect((await c.get('/api/staff/calendar?year=20x6')).statusCode).toBe(400);
  });
});
