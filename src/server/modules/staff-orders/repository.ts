/**
 * SQL for the staff console's order lists and order view. Lists are keyset-paginated (never OFFSET): a
 * queue on orders_queue_idx (status, status_changed_at, id), oldest first; a search newest first by
 * (created_at, id), each key on its own index (order number: orders_order_no_uq; agent mobile:
 * orders_agent_mobile_idx; USCC prefix: organizations_uscc_prefix_idx; paper courier number:
 * shipments_inbound_tracking_idx; created_at: orders_created_idx).
 * bench/staff-queue.ts runs EXPLAIN on these very queries over a million orders.
 */
import { and, asc, desc, eq, ilike, inArray, like, ne, or, sql, type SQL } from 'drizzle-orm';
import type { OrderStatus } from '../../../core/workflow.js';
import type { DbOrTx } from '../../db/client.js';
import {
  agentMobileSql,
  invoices,
  orderCalls,
  orderDocuments,
  orderStatusCounts,
  organizations,
  orders,
  projects,
  shipments,
  staff,
} from '../../db/schema.js';
import type { Cursor } from './cursor.js';

/** The sort timestamp to the microsecond, in UTC, for the cursor (see cursor.ts). */
const exactTs = (col: SQL | typeof orders.statusChangedAt) =>
  sql<string>`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export interface AgentJson {
  name?: unknown;
  mobile?: unknown;
}

function listSelect(db: DbOrTx, sortColumn: typeof orders.statusChangedAt | typeof orders.createdAt) {
  return db
    .select({
      id: orders.id,
      orderNo: orders.orderNo,
      status: orders.status,
      statusChangedAt: orders.statusChangedAt,
      productionStartedAt: orders.productionStartedAt,
      createdAt: orders.createdAt,
      projectCode: orders.projectCode,
      keyType: orders.keyType,
      // Only the agent's part of the form: the list shows the name and the masked mobile.
      agent: sql<AgentJson | null>`${orders.form} -> 'agent'`,
      organizationName: organizations.name,
      uscc: organizations.uscc,
      projectName: projects.name,
      productionWorkingDays: projects.productionWorkingDays,
      sortTs: exactTs(sortColumn),
    })
    .from(orders)
    .innerJoin(organizations, eq(organizations.id, orders.organizationId))
    .innerJoin(projects, eq(projects.code, orders.projectCode));
}

export type StaffListRow = Awaited<ReturnType<typeof listSelect>>[number];

export type SearchKey = 'orderNo' | 'mobile' | 'usccPrefix' | 'trackingNo' | 'nameLike';

function searchCondition(db: DbOrTx, key: SearchKey, value: string): SQL {
  switch (key) {
    case 'orderNo':
      return eq(orders.orderNo, value);
    case 'mobile':
      // The same expression as the index, so PostgreSQL can use it.
      return sql`${agentMobileSql(orders.form)} = ${value}`;
    case 'usccPrefix':
      return like(organizations.uscc, `${value}%`);
    case 'trackingNo':
      // The applicant's paper shipments (inbound), on shipments_inbound_tracking_idx: a few orders at most.
      return inArray(
        orders.id,
        db
          .select({ id: shipments.orderId })
          .from(shipments)
          .where(and(eq(shipments.direction, 'inbound'), eq(shipments.trackingNo, value))),
      );
    case 'nameLike': {
      // The name-grams index finds the few organizations whose names hold every pair of the fragment's
      // characters (migration staff_search_grams); LIKE then checks they stand together, in order. ILIKE
      // folds the case of every name it reads, which costs several times LIKE's byte comparison; a
      // fragment without cased letters (Chinese, digits) matches the same either way, so it uses LIKE.
      const fragment = value.slice(1, -1).replace(/\\(.)/gs, '$1'); // `%…%`, escaped for LIKE (search-terms.ts)
      const grams = sql`certdesk_name_grams(${organizations.name}) @> certdesk_name_query_grams(${fragment})`;
      // Up to two characters the grams are the whole question (a name holds the pair, or the character):
      // asking LIKE as well would make PostgreSQL count the same condition twice, misjudge a broad
      // fragment (医药) as rare and pick a slow plan for it.
      if ([...fragment].length <= 2) return grams;
      return and(grams, value.toLowerCase() === value.toUpperCase() ? like(organizations.name, value) : ilike(organizations.name, value))!;
    }
  }
}

/** A cut-off for counting overdue orders: in `status` (and project), a clock started before `before`. */
export interface OverdueCut {
  status: OrderStatus;
  from: 'status_changed' | 'production_started';
  projectCode?: string;
  before: Date;
}

export const staffOrderRepository = {
  /** One page of a queue, oldest first: the rows after `after` in (status_changed_at, id) order, limit + 1 of them. */
  queuePageQuery(db: DbOrTx, status: OrderStatus, after: Cursor | null, limit: number) {
    return listSelect(db, orders.statusChangedAt)
      .where(
        and(
          eq(orders.status, status),
          after ? sql`(${orders.statusChangedAt}, ${orders.id}) > (${after.ts}::timestamptz, ${after.id}::uuid)` : undefined,
        ),
      )
      .orderBy(asc(orders.statusChangedAt), asc(orders.id))
      .limit(limit + 1);
  },
  /** One page of the orders one search key matches, newest first by (created_at, id), limit + 1 of them. */
  searchPageQuery(db: DbOrTx, key: SearchKey, value: string, status: OrderStatus | undefined, after: Cursor | null, limit: number) {
    return listSelect(db, orders.createdAt)
      .where(
        and(
          searchCondition(db, key, value),
          status ? eq(orders.status, status) : undefined,
          after ? sql`(${orders.createdAt}, ${orders.id}) < (${after.ts}::timestamptz, ${after.id}::uuid)` : undefined,
        ),
      )
      .orderBy(desc(orders.createdAt), desc(orders.id))
      .limit(limit + 1);
  },
  /** How many orders wait in each status: the sums of order_status_counts, a few rows per status. */
  queueCountsQuery(db: DbOrTx, statuses: OrderStatus[]) {
    return db
      .select({ status: orderStatusCounts.status, count: sql<number>`sum(${orderStatusCounts.n})::int` })
      .from(orderStatusCounts)
      .where(inArray(orderStatusCounts.status, statuses))
      .groupBy(orderStatusCounts.status);
  },
  /**
   * Folds order_status_counts into one row per status. One statement: rows appended meanwhile by other
   * transactions are outside its snapshot and stay; a second fold running at once skips the rows this
   * one deleted, so the sums never change.
   */
  async foldStatusCounts(db: DbOrTx): Promise<void> {
    await db.execute(sql`
      WITH gone AS (DELETE FROM ${orderStatusCounts} RETURNING status, n)
      INSERT INTO ${orderStatusCounts} (status, n) SELECT status, sum(n) FROM gone GROUP BY status HAVING sum(n) <> 0`);
  },
  /**
   * How many orders of one status are past their deadline, given its cut-offs (one per project when the
   * deadline depends on the project). A clock that starts on entering the status is a range of
   * orders_queue_idx (only the overdue rows are read); the production clock is read from the partial
   * index orders_production_idx. Either way an index-only scan: no table rows.
   */
  overdueCountQuery(db: DbOrTx, status: OrderStatus, cuts: OverdueCut[]) {
    const before = (c: OverdueCut) =>
      c.from === 'production_started'
        ? sql`coalesce(${orders.productionStartedAt}, ${orders.statusChangedAt}) < ${c.before.toISOString()}::timestamptz`
        : sql`${orders.statusChangedAt} < ${c.before.toISOString()}::timestamptz`;
    return db
      .select({ count: sql<number>`count(*)::int` })
      .from(orders)
      .where(
        and(
          eq(orders.status, status),
          or(...cuts.map((c) => and(c.projectCode ? eq(orders.projectCode, c.projectCode) : undefined, before(c)))),
        ),
      );
  },
  async queueCounts(db: DbOrTx, statuses: OrderStatus[], cuts: OverdueCut[]): Promise<Map<string, { count: number; overdue: number }>> {
    if (!statuses.length) return new Map();
    const withDeadline = statuses.filter((s) => cuts.some((c) => c.status === s));
    const [counts, ...overdue] = await Promise.all([
      this.queueCountsQuery(db, statuses),
      ...withDeadline.map((s) =>
        this.overdueCountQuery(
          db,
          s,
          cuts.filter((c) => c.status === s),
        ),
      ),
    ]);
    const overdueOf = new Map<string, number>(withDeadline.map((s, i) => [s, Number(overdue[i]?.[0]?.count ?? 0)]));
    return new Map(counts.map((r) => [r.status, { count: Number(r.count), overdue: overdueOf.get(r.status) ?? 0 }]));
  },
  /** Every uploaded file of the order, replaced ones too: by slot, newest first. */
  async documents(db: DbOrTx, orderId: string) {
    return db
      .select()
      .from(orderDocuments)
      .where(eq(orderDocuments.orderId, orderId))
      .orderBy(asc(orderDocuments.slot), desc(orderDocuments.uploadedAt), desc(orderDocuments.id));
  },
  /** The organization's other orders (the main/sub history), newest first. */
  async otherOrders(db: DbOrTx, organizationId: string, exceptOrderId: string, limit = 200) {
    return db
      .select({
        id: orders.id,
        orderNo: orders.orderNo,
        projectCode: orders.projectCode,
        projectName: projects.name,
        keyType: orders.keyType,
        status: orders.status,
        createdAt: orders.createdAt,
      })
      .from(orders)
      .innerJoin(projects, eq(projects.code, orders.projectCode))
      .where(and(eq(orders.organizationId, organizationId), ne(orders.id, exceptOrderId)))
      .orderBy(desc(orders.createdAt), desc(orders.id))
      .limit(limit);
  },
  async staffNames(db: DbOrTx, ids: string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows = await db.select({ id: staff.id, name: staff.displayName }).from(staff).where(inArray(staff.id, ids));
    return new Map(rows.map((r) => [r.id, r.name]));
  },
  async organizationNames(db: DbOrTx, ids: string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows = await db
      .select({ id: organizations.id, name: organizations.name })
      .from(organizations)
      .where(inArray(organizations.id, ids));
    return new Map(rows.map((r) => [r.id, r.name]));
  },
  async shipments(db: DbOrTx, orderId: string) {
    return db.select().from(shipments).where(eq(shipments.orderId, orderId)).orderBy(asc(shipments.at), asc(shipments.id));
  },
  async calls(db: DbOrTx, orderId: string) {
    return db
      .select({ call: orderCalls, staffName: staff.displayName })
      .from(orderCalls)
      .leftJoin(staff, eq(staff.id, orderCalls.staffId))
      .where(eq(orderCalls.orderId, orderId))
      .orderBy(asc(orderCalls.calledAt), asc(orderCalls.id));
  },
  async invoice(db: DbOrTx, orderId: string) {
    const [r] = await db.select().from(invoices).where(eq(invoices.orderId, orderId));
    return r;
  },
};
