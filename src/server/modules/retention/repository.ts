/**
 * The retention purge's SQL: what the rule needs to know about orders, counter orders and certificates (and
 * the links between them), deleting one dossier's rows and the files only it used, and where the head of the
 * audit chain may be cut.
 */
import { and, eq, gte, inArray, isNotNull, ne, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client.js';
import {
  auditEvents,
  certificateReminders,
  certificates,
  counterEvents,
  counterOrders,
  counterPayments,
  counterScans,
  documentReviews,
  invoices,
  legalChecks,
  ocspResponses,
  orderCalls,
  orderCancellations,
  orderDocuments,
  orderEvents,
  orders,
  paymentAttempts,
  paymentRefunds,
  renewalEvents,
  renewalPayments,
  renewals,
  revocationCodes,
  revocationRequests,
  sealExtractionImages,
  sealExtractions,
  sealImageConfirmations,
  seals,
  shipments,
  storedBlobs,
} from '../../db/schema.js';
import type { CertificateFacts, Link, OrderFacts } from './rule.js';

export interface Ids {
  orders: string[];
  counterOrders: string[];
  certificates: string[];
}

export interface Facts {
  orders: Map<string, OrderFacts>;
  certificates: Map<string, CertificateFacts>;
  /** Pending work per node id ('o:…', 'c:…', 'x:…'). */
  pending: Map<string, string[]>;
  links: Link[];
}

const latest = (...ds: (Date | null | undefined)[]) => new Date(Math.max(...ds.filter((d): d is Date => !!d).map((d) => d.getTime())));
const push = (m: Map<string, string[]>, k: string, v: string) => m.set(k, [...(m.get(k) ?? []), v]);
/** `col IN ids`, or everything when ids is undefined (an empty list matches nothing). */
const within = (col: Parameters<typeof inArray>[0], ids: string[] | undefined): SQL | undefined =>
  ids === undefined ? undefined : ids.length ? inArray(col, ids) : sql`false`;

export const retentionRepository = {
  /**
   * The facts of every order, counter order and certificate (or only those in `only`), with every link
   * that touches them — including links from rows outside `only`, so a dossier that grew is noticed.
   */
  async facts(db: DbOrTx, only?: Ids): Promise<Facts> {
    const o = only?.orders;
    const co = only?.counterOrders;
    const x = only?.certificates;
    const lastOrderEvent = db
      .select({ orderId: orderEvents.orderId, at: sql<Date>`max(${orderEvents.at})`.as('last_at') })
      .from(orderEvents)
      .where(within(orderEvents.orderId, o))
      .groupBy(orderEvents.orderId)
      .as('last_event');
    const orderRows = await db
      .select({
        id: orders.id,
        orderNo: orders.orderNo,
        status: orders.status,
        createdAt: orders.createdAt,
        updatedAt: orders.updatedAt,
        statusChangedAt: orders.statusChangedAt,
        lastEvent: lastOrderEvent.at,
      })
      .from(orders)
      .leftJoin(lastOrderEvent, eq(lastOrderEvent.orderId, orders.id))
      .where(within(orders.id, o));
    const lastCounterEvent = db
      .select({ id: counterEvents.counterOrderId, at: sql<Date>`max(${counterEvents.at})`.as('last_at') })
      .from(counterEvents)
      .where(within(counterEvents.counterOrderId, co))
      .groupBy(counterEvents.counterOrderId)
      .as('last_counter_event');
    const counterRows = await db
      .select({
        id: counterOrders.id,
        orderNo: counterOrders.orderNo,
        status: counterOrders.status,
        createdAt: counterOrders.createdAt,
        updatedAt: counterOrders.updatedAt,
        statusChangedAt: counterOrders.statusChangedAt,
        replacesCertificateId: counterOrders.replacesCertificateId,
        certificateId: counterOrders.certificateId,
        lastEvent: lastCounterEvent.at,
      })
      .from(counterOrders)
      .leftJoin(lastCounterEvent, eq(lastCounterEvent.id, counterOrders.id))
      .where(
        only
          ? or(within(counterOrders.id, co), within(counterOrders.replacesCertificateId, x), within(counterOrders.certificateId, x))
          : undefined,
      );
    const certRows = await db
      .select({
        id: certificates.id,
        serial: certificates.serial,
        status: certificates.status,
        notAfter: certificates.notAfter,
        createdAt: certificates.createdAt,
        updatedAt: certificates.updatedAt,
        issuedAt: certificates.issuedAt,
        revokedAt: certificates.revokedAt,
        orderId: certificates.orderId,
        counterOrderId: certificates.counterOrderId,
        replacesId: certificates.replacesId,
      })
      .from(certificates)
      .where(
        only
          ? or(
              within(certificates.id, x),
              within(certificates.replacesId, x),
              within(certificates.orderId, o),
              within(certificates.counterOrderId, co),
            )
          : undefined,
      );

    const f: Facts = { orders: new Map(), certificates: new Map(), pending: new Map(), links: [] };
    // Dates come back as strings from the max() subqueries on some drivers.
    const d = (v: Date | string | null) => (v === null ? null : new Date(v));
    for (const r of orderRows)
      f.orders.set(`o:${r.id}`, {
        id: r.id,
        kind: 'online',
        orderNo: r.orderNo,
        status: r.status,
        lastActivity: latest(r.createdAt, r.updatedAt, r.statusChangedAt, d(r.lastEvent)),
      });
    for (const r of counterRows) {
      f.orders.set(`c:${r.id}`, {
        id: r.id,
        kind: 'counter',
        orderNo: r.orderNo,
        status: r.status,
        lastActivity: latest(r.createdAt, r.updatedAt, r.statusChangedAt, d(r.lastEvent)),
      });
      if (r.replacesCertificateId) f.links.push({ a: `c:${r.id}`, b: `x:${r.replacesCertificateId}` });
      if (r.certificateId) f.links.push({ a: `c:${r.id}`, b: `x:${r.certificateId}` });
    }
    for (const r of certRows) {
      f.certificates.set(`x:${r.id}`, {
        id: r.id,
        serial: r.serial,
        status: r.status,
        notAfter: r.notAfter,
        lastActivity: latest(r.createdAt, r.updatedAt, r.issuedAt, r.revokedAt),
      });
      if (r.orderId) f.links.push({ a: `x:${r.id}`, b: `o:${r.orderId}` });
      if (r.counterOrderId) f.links.push({ a: `x:${r.id}`, b: `c:${r.counterOrderId}` });
      if (r.replacesId) f.links.push({ a: `x:${r.id}`, b: `x:${r.replacesId}` });
    }

    // What is still pending.
    for (const r of await db
      .select({ certificateId: revocationRequests.certificateId, serial: revocationRequests.serial })
      .from(revocationRequests)
      .where(and(eq(revocationRequests.status, 'pending'), within(revocationRequests.certificateId, x))))
      push(f.pending, `x:${r.certificateId}`, `证书 ${r.serial} 有待处理的吊销申请`);
    for (const r of await db
      .select({ orderId: orderCancellations.orderId })
      .from(orderCancellations)
      .where(and(eq(orderCancellations.status, 'pending'), within(orderCancellations.orderId, o))))
      push(f.pending, `o:${r.orderId}`, '有待处理的取消申请');
    for (const r of await db
      .select({ orderId: paymentRefunds.orderId, status: paymentRefunds.status })
      .from(paymentRefunds)
      .where(and(ne(paymentRefunds.status, 'success'), within(paymentRefunds.orderId, o))))
      push(f.pending, `o:${r.orderId}`, `有未完成的退款（${r.status}）`);
    return f;
  },

  /** Locks a dossier's rows until the transaction ends (a purge re-reads its facts after this). */
  async lock(tx: Tx, ids: Ids): Promise<void> {
    if (ids.orders.length) await tx.select({ id: orders.id }).from(orders).where(inArray(orders.id, ids.orders)).for('update');
    if (ids.counterOrders.length)
      await tx.select({ id: counterOrders.id }).from(counterOrders).where(inArray(counterOrders.id, ids.counterOrders)).for('update');
    if (ids.certificates.length)
      await tx.select({ id: certificates.id }).from(certificates).where(inArray(certificates.id, ids.certificates)).for('update');
  },

  /** The files (stored_blobs names) a dossier's rows refer to. */
  async fileKeys(db: DbOrTx, ids: Ids): Promise<string[]> {
    const keys = new Set<string>();
    if (ids.orders.length) {
      for (const r of await db
        .select({ a: orderDocuments.storageKey, b: orderDocuments.thumbnailKey })
        .from(orderDocuments)
        .where(inArray(orderDocuments.orderId, ids.orders))) {
        keys.add(r.a);
        keys.add(r.b);
      }
      for (const r of await db
        .select({ a: invoices.storageKey })
        .from(invoices)
        .where(and(inArray(invoices.orderId, ids.orders), isNotNull(invoices.storageKey))))
        keys.add(r.a!);
    }
    if (ids.counterOrders.length)
      for (const r of await db
        .select({ a: counterScans.storageKey, b: counterScans.thumbnailKey })
        .from(counterScans)
        .where(inArray(counterScans.counterOrderId, ids.counterOrders))) {
        keys.add(r.a);
        keys.add(r.b);
      }
    return [...keys];
  },

  /** Of these files, the ones that exist and that no row still refers to (a reused upload shares its file). */
  async unreferencedFiles(tx: Tx, keys: string[]): Promise<{ name: string; size: number }[]> {
    if (!keys.length) return [];
    const used = new Set<string>();
    for (const r of await tx
      .select({ a: orderDocuments.storageKey, b: orderDocuments.thumbnailKey })
      .from(orderDocuments)
      .where(or(inArray(orderDocuments.storageKey, keys), inArray(orderDocuments.thumbnailKey, keys)))) {
      used.add(r.a);
      used.add(r.b);
    }
    for (const r of await tx.select({ a: invoices.storageKey }).from(invoices).where(inArray(invoices.storageKey, keys))) used.add(r.a!);
    for (const r of await tx
      .select({ a: counterScans.storageKey, b: counterScans.thumbnailKey })
      .from(counterScans)
      .where(or(inArray(counterScans.storageKey, keys), inArray(counterScans.thumbnailKey, keys)))) {
      used.add(r.a);
      used.add(r.b);
    }
    const free = keys.filter((k) => !used.has(k));
    if (!free.length) return [];
    return tx.select({ name: storedBlobs.name, size: storedBlobs.size }).from(storedBlobs).where(inArray(storedBlobs.name, free));
  },

  /**
   * Deletes every row of a dossier (children first); returns the rows deleted per table.
   * long: one delete per table, written out in the order the foreign keys require, so the order can be read
   */
  async deleteDossier(tx: Tx, ids: Ids): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    const del = async (name: string, q: Promise<unknown[]>) => {
      const n = (await q).length;
      if (n) counts[name] = (counts[name] ?? 0) + n;
    };
    const O = ids.orders;
    const C = ids.counterOrders;
    const X = ids.certificates;
    if (O.length) {
      const extractions = tx.select({ id: sealExtractions.id }).from(sealExtractions).where(inArray(sealExtractions.orderId, O));
      await del(
        'seal_image_confirmations',
        tx
          .delete(sealImageConfirmations)
          .where(inArray(sealImageConfirmations.orderId, O))
          .returning({ id: sealImageConfirmations.orderId }),
      );
      await del(
        'seal_extraction_images',
        tx
          .delete(sealExtractionImages)
          .where(inArray(sealExtractionImages.extractionId, extractions))
          .returning({ id: sealExtractionImages.extractionId }),
      );
      await del(
        'seal_extractions',
        tx.delete(sealExtractions).where(inArray(sealExtractions.orderId, O)).returning({ id: sealExtractions.id }),
      );
      await del(
        'document_reviews',
        tx.delete(documentReviews).where(inArray(documentReviews.orderId, O)).returning({ id: documentReviews.id }),
      );
    }
    await del(
      'seals',
      tx
        .delete(seals)
        .where(or(within(seals.orderId, O), within(seals.certificateId, X)))
        .returning({ id: seals.id }),
    );
    if (X.length) {
      const serials = tx.select({ s: certificates.serial }).from(certificates).where(inArray(certificates.id, X));
      await del(
        'ocsp_responses',
        tx.delete(ocspResponses).where(inArray(ocspResponses.serial, serials)).returning({ id: ocspResponses.serial }),
      );
      await del(
        'certificate_reminders',
        tx
          .delete(certificateReminders)
          .where(inArray(certificateReminders.certificateId, X))
          .returning({ id: certificateReminders.certificateId }),
      );
      await del(
        'revocation_codes',
        tx.delete(revocationCodes).where(inArray(revocationCodes.certificateId, X)).returning({ id: revocationCodes.id }),
      );
      await del(
        'revocation_requests',
        tx.delete(revocationRequests).where(inArray(revocationRequests.certificateId, X)).returning({ id: revocationRequests.id }),
      );
      // 在线续费 of these certificates: its payments and events, then the renewal (modules/renewal).
      const R = tx.select({ id: renewals.id }).from(renewals).where(inArray(renewals.certificateId, X));
      await del(
        'renewal_payments',
        tx.delete(renewalPayments).where(inArray(renewalPayments.renewalId, R)).returning({ id: renewalPayments.id }),
      );
      await del('renewal_events', tx.delete(renewalEvents).where(inArray(renewalEvents.renewalId, R)).returning({ id: renewalEvents.id }));
      await del('renewals', tx.delete(renewals).where(inArray(renewals.certificateId, X)).returning({ id: renewals.id }));
    }
    if (O.length) {
      await del(
        'payment_refunds',
        tx.delete(paymentRefunds).where(inArray(paymentRefunds.orderId, O)).returning({ id: paymentRefunds.id }),
      );
      await del(
        'payment_attempts',
        tx.delete(paymentAttempts).where(inArray(paymentAttempts.orderId, O)).returning({ id: paymentAttempts.id }),
      );
      await del(
        'order_cancellations',
        tx.delete(orderCancellations).where(inArray(orderCancellations.orderId, O)).returning({ id: orderCancellations.id }),
      );
      await del('legal_checks', tx.delete(legalChecks).where(inArray(legalChecks.orderId, O)).returning({ id: legalChecks.id }));
      await del('shipments', tx.delete(shipments).where(inArray(shipments.orderId, O)).returning({ id: shipments.id }));
      await del('order_calls', tx.delete(orderCalls).where(inArray(orderCalls.orderId, O)).returning({ id: orderCalls.id }));
      await del('invoices', tx.delete(invoices).where(inArray(invoices.orderId, O)).returning({ id: invoices.orderId }));
      await del(
        'order_documents',
        tx.delete(orderDocuments).where(inArray(orderDocuments.orderId, O)).returning({ id: orderDocuments.id }),
      );
      await del('order_events', tx.delete(orderEvents).where(inArray(orderEvents.orderId, O)).returning({ id: orderEvents.id }));
    }
    if (C.length) {
      await del(
        'counter_events',
        tx.delete(counterEvents).where(inArray(counterEvents.counterOrderId, C)).returning({ id: counterEvents.id }),
      );
      await del(
        'counter_payments',
        tx.delete(counterPayments).where(inArray(counterPayments.counterOrderId, C)).returning({ id: counterPayments.id }),
      );
      await del('counter_scans', tx.delete(counterScans).where(inArray(counterScans.counterOrderId, C)).returning({ id: counterScans.id }));
    }
    if (X.length) await del('certificates', tx.delete(certificates).where(inArray(certificates.id, X)).returning({ id: certificates.id }));
    if (C.length)
      await del('counter_orders', tx.delete(counterOrders).where(inArray(counterOrders.id, C)).returning({ id: counterOrders.id }));
    if (O.length) await del('orders', tx.delete(orders).where(inArray(orders.id, O)).returning({ id: orders.id }));
    return counts;
  },

  async deleteFiles(tx: Tx, names: string[]): Promise<number> {
    if (!names.length) return 0;
    return (await tx.delete(storedBlobs).where(inArray(storedBlobs.name, names)).returning({ n: storedBlobs.name })).length;
  },

  /**
   * The earliest time any kept order, counter order or certificate began (created), and the earliest audit
   * row naming one of them or one of its uploads as its target: no audit row from then on is cut.
   */
  async keptSince(db: DbOrTx): Promise<Date | null> {
    const r = (await db.execute(sql`
      SELECT least(
        (SELECT min(${orders.createdAt}) FROM ${orders}),
        (SELECT min(${counterOrders.createdAt}) FROM ${counterOrders}),
        (SELECT min(${certificates.createdAt}) FROM ${certificates}),
        (SELECT min(a.at) FROM ${auditEvents} a WHERE
           (a.target_type = 'order' AND a.target_id IN (SELECT id::text FROM ${orders}))
        OR (a.target_type = 'counter_order' AND a.target_id IN (SELECT id::text FROM ${counterOrders}))
        OR (a.target_type = 'certificate' AND a.target_id IN (SELECT id::text FROM ${certificates}))
        OR (a.target_type = 'order_document' AND a.target_id IN (SELECT id::text FROM ${orderDocuments})))
      ) AS t`)) as unknown as { rows: { t: Date | string | null }[] };
    const t = r.rows[0]?.t;
    return t === null || t === undefined ? null : new Date(t);
  },

  /** The first chained audit row at or after `t` (its seq), or null when every row is older. */
  async firstAuditSeqFrom(db: DbOrTx, t: Date): Promise<number | null> {
    const [r] = await db
      .select({ seq: sql<number | string | null>`min(${auditEvents.seq})` })
      .from(auditEvents)
      .where(and(gte(auditEvents.at, t), isNotNull(auditEvents.seq)));
    return r?.seq === null || r?.seq === undefined ? null : Number(r.seq);
  },

  /** Counts audit rows with seq in (from, through]. */
  async auditRowsBetween(db: DbOrTx, from: number, through: number): Promise<number> {
    const [r] = await db
      .select({ n: sql<number | string>`count(*)` })
      .from(auditEvents)
      .where(sql`${auditEvents.seq} > ${from} AND ${auditEvents.seq} <= ${through}`);
    return Number(r?.n ?? 0);
  },

  /** The chain hash of the row with this seq. */
  async auditHashAt(db: DbOrTx, seq: number): Promise<string | null> {
    const [r] = await db.select({ h: auditEvents.chainHash }).from(auditEvents).where(eq(auditEvents.seq, seq));
    return r?.h ?? null;
  },
};
