/**
 * The retention rule (电子签名法 §24: certification records are kept five years after the certificate
 * expires), without SQL. What is kept or purged together is a dossier: online orders, counter orders and
 * certificates joined by any link between them (a certificate's order or counter order, the certificate a
 * renewal, reissue or change replaces, the certificate a counter order made or acts on). A dossier goes
 * whole or not at all, so a renewed certificate keeps its predecessor's order, uploads and audit with it.
 *
 * A dossier may be purged only when all of these hold:
 *  - every order in it is closed (online: 制证完成, 已发放, 已删除 or 已取消; counter: 已完成 or 已取消) — an
 *    order still being worked on is never purged, however old;
 *  - nothing in it is still pending (a certificate being issued, a revocation request, a cancellation
 *    request, a refund not yet successful — a failed refund waits for a person);
 *  - five years have passed since the latest of: every certificate's notAfter (revoked ones too: the
 *    revocation does not shorten what the law asks), and every recorded activity of its orders and
 *    certificates (created, changed, status changed, each order event, issued, revoked).
 * A dossier without certificates thus goes five years after its orders were closed; one with certificates
 * five years after the last of them (the renewed one included) expires.
 */

export const RETENTION_YEARS = 5;

export interface OrderFacts {
  id: string;
  kind: 'online' | 'counter';
  orderNo: string;
  status: string;
  /** The latest time anything happened to it (created, changed, status changed, events). */
  lastActivity: Date;
}

export interface CertificateFacts {
  id: string;
  serial: string;
  status: string;
  notAfter: Date;
  /** The latest of created, changed, issued, revoked. */
  lastActivity: Date;
}

export interface DossierFacts {
  orders: OrderFacts[];
  certificates: CertificateFacts[];
  /** What is still pending in it, in words (pending revocation requests, cancellations, refunds). */
  pending: string[];
}

export type Verdict =
  | { purge: true; retainUntil: Date }
  /** retainUntil null: kept until something changes (an open order, something pending). */
  | { purge: false; retainUntil: Date | null; reason: string };

export const CLOSED_ONLINE = new Set(['produced', 'shipped', 'deleted', 'cancelled']);
export const CLOSED_COUNTER = new Set(['completed', 'cancelled']);

/** `d` plus whole calendar years in UTC; 29 February goes to 1 March (later, never earlier). */
export function addYears(d: Date, years: number): Date {
  return new Date(
    Date.UTC(
      d.getUTCFullYear() + years,
      d.getUTCMonth(),
      d.getUTCDate(),
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds(),
      d.getUTCMilliseconds(),
    ),
  );
}

export function retentionVerdict(d: DossierFacts, now: Date): Verdict {
  if (!d.orders.length && !d.certificates.length) return { purge: false, retainUntil: null, reason: '空的档案' };
  for (const o of d.orders) {
    const closed = o.kind === 'online' ? CLOSED_ONLINE : CLOSED_COUNTER;
    if (!closed.has(o.status))
      return {
        purge: false,
        retainUntil: null,
        reason: `${o.kind === 'online' ? '订单' : '柜台业务'} ${o.orderNo} 尚未结束（${o.status}）`,
      };
  }
  for (const c of d.certificates)
    if (c.status === 'pending') return { purge: false, retainUntil: null, reason: `证书 ${c.serial} 正在签发` };
  if (d.pending.length) return { purge: false, retainUntil: null, reason: d.pending.join('；') };
  const times = [...d.orders.map((o) => o.lastActivity), ...d.certificates.flatMap((c) => [c.notAfter, c.lastActivity])].map((t) =>
    t.getTime(),
  );
  if (times.some((t) => !Number.isFinite(t))) return { purge: false, retainUntil: null, reason: '时间无效' };
  const retainUntil = addYears(new Date(Math.max(...times)), RETENTION_YEARS);
  if (now.getTime() > retainUntil.getTime()) return { purge: true, retainUntil };
  return { purge: false, retainUntil, reason: `保存至 ${retainUntil.toISOString()}` };
}

/** Node ids for grouping: 'o:' online order, 'c:' counter order, 'x:' certificate. */
export interface Link {
  a: string;
  b: string;
}

/** Groups nodes into dossiers (connected components); every node appears in exactly one. */
export function groupDossiers(nodes: string[], links: Link[]): string[][] {
  const parent = new Map<string, string>(nodes.map((n) => [n, n]));
  const find = (n: string): string => {
    let r = n;
    while (parent.get(r) !== r) r = parent.get(r)!;
    let x = n;
    while (parent.get(x) !== r) {
      const next = parent.get(x)!;
      parent.set(x, r);
      x = next;
    }
    return r;
  };
  for (const { a, b } of links) {
    // A link to something not loaded (a row deleted by hand) still joins what is there.
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  }
  const groups = new Map<string, string[]>();
  for (const n of parent.keys()) {
    const r = find(n);
    groups.set(r, [...(groups.get(r) ?? []), n]);
  }
  return [...groups.values()];
}
