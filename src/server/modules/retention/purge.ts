/**
 * The retention purge (rule.ts says what may go): removes every dossier past retention — its orders, counter
 * orders, certificates, uploads and their encrypted files, events, payments, seals — each in a transaction of
 * its own that locks the dossier's rows, reads their facts again and leaves a `retention.purge` audit row;
 * then cuts the head of the audit chain up to the last row that is past retention, under a 'cut' checkpoint
 * signed by the CA's audit key, so `npm run audit:verify` verifies from there.
 *
 * Audit rows are cut only as a prefix of the chain (a hole in the middle would break it), and only rows
 * written before both (a) five years ago and (b) the day before anything still kept began — the first kept
 * order, counter order or certificate, or the first audit row naming one of them or its uploads. The whole
 * chain is verified first: a chain that does not verify is evidence, and nothing is deleted at all.
 */
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { caRuntime } from '../certificates/ca-runtime.js';
import { auditRepository } from '../audit/repository.js';
import { auditCertificateOf, signCheckpoint, verifyAuditTrail } from '../audit/checkpoints.js';
import { retentionRepository, type Facts, type Ids } from './repository.js';
import { addYears, groupDossiers, RETENTION_YEARS, retentionVerdict, type DossierFacts } from './rule.js';

const DAY_MS = 86_400_000;

export interface DossierPlan {
  nodes: string[];
  ids: Ids;
  orderNos: string[];
  counterOrderNos: string[];
  serials: string[];
  retainUntil: Date;
}

export interface AuditCutPlan {
  /** Rows with seq ≤ throughSeq go. */
  throughSeq: number;
  fromSeq: number;
  rows: number;
  /** Rows written before this are past retention. */
  horizon: Date;
}

export interface RetentionResult {
  dryRun: boolean;
  /** Dossiers past retention (purged, or that would be on a dry run). */
  dossiers: (DossierPlan & { rows?: Record<string, number>; files?: number; fileBytes?: number })[];
  /** Dossiers kept. */
  kept: number;
  /** Dossiers skipped because they changed between planning and purging. */
  skipped: number;
  audit: AuditCutPlan | null;
  /** Why nothing was deleted (the audit chain does not verify), or null. */
  refused: string | null;
}

function dossierOf(f: Facts, nodes: string[]): DossierFacts {
  return {
    orders: nodes.flatMap((n) => f.orders.get(n) ?? []),
    certificates: nodes.flatMap((n) => f.certificates.get(n) ?? []),
    pending: nodes.flatMap((n) => f.pending.get(n) ?? []),
  };
}

function idsOf(d: DossierFacts): Ids {
  return {
    orders: d.orders.filter((o) => o.kind === 'online').map((o) => o.id),
    counterOrders: d.orders.filter((o) => o.kind === 'counter').map((o) => o.id),
    certificates: d.certificates.map((c) => c.id),
  };
}

function dossiersOf(f: Facts): string[][] {
  return groupDossiers([...f.orders.keys(), ...f.certificates.keys()], f.links);
}

/** The dossiers past retention now, and how many are kept. */
export async function planDossiers(db: Db, now: Date): Promise<{ purge: DossierPlan[]; kept: number }> {
  const f = await retentionRepository.facts(db);
  const purge: DossierPlan[] = [];
  let kept = 0;
  for (const nodes of dossiersOf(f)) {
    const d = dossierOf(f, nodes);
    const v = retentionVerdict(d, now);
    if (!v.purge) {
      kept++;
      continue;
    }
    purge.push({
      nodes: [...nodes].sort(),
      ids: idsOf(d),
      orderNos: d.orders.filter((o) => o.kind === 'online').map((o) => o.orderNo),
      counterOrderNos: d.orders.filter((o) => o.kind === 'counter').map((o) => o.orderNo),
      serials: d.certificates.map((c) => c.serial),
      retainUntil: v.retainUntil,
    });
  }
  return { purge, kept };
}

/** Where the audit chain's head may be cut now (null: nothing new past retention). */
export async function planAuditCut(db: Db, now: Date, verifiedThrough: number): Promise<AuditCutPlan | null> {
  const keptSince = await retentionRepository.keptSince(db);
  const fiveYearsAgo = addYears(now, -RETENTION_YEARS);
  const horizon =
    keptSince && keptSince.getTime() - DAY_MS < fiveYearsAgo.getTime() ? new Date(keptSince.getTime() - DAY_MS) : fiveYearsAgo;
  const head = await auditRepository.head(db);
  if (!head) return null;
  const first = await retentionRepository.firstAuditSeqFrom(db, horizon);
  // Only rows the verification just covered.
  const through = Math.min(first === null ? head.seq : first - 1, verifiedThrough);
  const lastCut = (await auditRepository.checkpoints(db)).filter((c) => c.kind === 'cut').at(-1)?.seq ?? 0;
  if (through <= lastCut) return null;
  return { throughSeq: through, fromSeq: lastCut, rows: await retentionRepository.auditRowsBetween(db, lastCut, through), horizon };
}

async function purgeDossier(db: Db, plan: DossierPlan, now: Date) {
  return db.transaction(async (tx) => {
    await retentionRepository.lock(tx, plan.ids);
    // Read again under the locks: the dossier must be the same rows and still past retention.
    const f = await retentionRepository.facts(tx, plan.ids);
    const groups = dossiersOf(f);
    const same = groups.length === 1 && [...groups[0]!].sort().join() === plan.nodes.join();
    const d = dossierOf(f, plan.nodes);
    if (!same || !retentionVerdict(d, now).purge) return null;
    const keys = await retentionRepository.fileKeys(tx, plan.ids);
    const rows = await retentionRepository.deleteDossier(tx, plan.ids);
    const free = await retentionRepository.unreferencedFiles(tx, keys);
    const files = await retentionRepository.deleteFiles(
      tx,
      free.map((x) => x.name),
    );
    const fileBytes = free.reduce((s, x) => s + x.size, 0);
    const [target] = [
      ...plan.ids.orders.map((id) => ({ type: 'order', id })),
      ...plan.ids.counterOrders.map((id) => ({ type: 'counter_order', id })),
      ...plan.ids.certificates.map((id) => ({ type: 'certificate', id })),
    ];
    await auditRepository.record(tx, {
      actorType: 'system',
      action: 'retention.purge',
      targetType: target?.type ?? null,
      targetId: target?.id ?? null,
      detail: {
        orderNos: plan.orderNos,
        counterOrderNos: plan.counterOrderNos,
        serials: plan.serials,
        ids: plan.ids,
        retainUntil: plan.retainUntil.toISOString(),
        rows,
        files,
        fileBytes,
      },
      at: now,
    });
    return { rows, files, fileBytes };
  });
}

/**
 * One purge run (the job and `npm run retention:purge`). `dryRun` deletes nothing and says what would go
 * (the audit cut as it stands before the dossiers go; after them it may reach further).
 */
export async function runRetention(deps: { db: Db; clock: Clock; config: Config }, opts: { dryRun: boolean }): Promise<RetentionResult> {
  const now = deps.clock.now();
  const { db } = deps;
  const result: RetentionResult = { dryRun: opts.dryRun, dossiers: [], kept: 0, skipped: 0, audit: null, refused: null };
  // Without the audit certificate the chain cannot be verified (nor a cut signed): nothing is deleted.
  const cert = await auditCertificateOf(deps.config.ca).catch(() => null);
  if (!cert) {
    result.refused = `CA 中没有审计签名证书（${deps.config.ca.dir}/sm2/audit.pem），无法校验操作记录，未清除任何数据：请运行 npm run ca:init -- --add-audit-signer`;
    return result;
  }
  const verified = await verifyAuditTrail(db, [cert]);
  if (!verified.ok) {
    result.refused = `操作记录校验未通过，未清除任何数据：${verified.broken?.reason ?? ''}`;
    return result;
  }
  const plan = await planDossiers(db, now);
  result.kept = plan.kept;
  if (opts.dryRun) {
    result.dossiers = plan.purge;
    result.audit = await planAuditCut(db, now, verified.lastSeq);
    return result;
  }
  for (const p of plan.purge) {
    const done = await purgeDossier(db, p, now);
    if (done) result.dossiers.push({ ...p, ...done });
    else result.skipped++;
  }
  const cut = await planAuditCut(db, now, verified.lastSeq);
  if (cut) {
    const signer = (await caRuntime(deps.config.ca)).auditSigner();
    await db.transaction(async (tx) => {
      const hash = await retentionRepository.auditHashAt(tx, cut.throughSeq);
      if (!hash) throw new Error(`audit chain: row seq ${cut.throughSeq} missing; not cut`);
      await signCheckpoint(tx, signer, now, 'cut', { seq: cut.throughSeq, hash });
      const gone = await auditRepository.deleteThrough(tx, cut.throughSeq);
      cut.rows = gone;
      await auditRepository.record(tx, {
        actorType: 'system',
        action: 'retention.audit_cut',
        detail: { fromSeq: cut.fromSeq, throughSeq: cut.throughSeq, rows: gone, horizon: cut.horizon.toISOString() },
        at: now,
      });
    });
    result.audit = cut;
  }
  return result;
}

/** The run in words (the command prints it; the job logs it). */
export function describeRetention(r: RetentionResult): string {
  if (r.refused) return r.refused;
  const lines = [
    `${r.dryRun ? '将清除' : '已清除'}超过保存期限的档案 ${r.dossiers.length} 份；保留 ${r.kept} 份${r.skipped ? `；${r.skipped} 份在清除前有变化，本次跳过` : ''}`,
  ];
  for (const d of r.dossiers) {
    const what = [
      d.orderNos.length ? `订单 ${d.orderNos.join('、')}` : '',
      d.counterOrderNos.length ? `柜台业务 ${d.counterOrderNos.join('、')}` : '',
      d.serials.length ? `证书 ${d.serials.join('、')}` : '',
    ].filter(Boolean);
    const files = d.files === undefined ? '' : `；文件 ${d.files} 个（${d.fileBytes} 字节）`;
    lines.push(`  ${what.join('；')}（保存至 ${d.retainUntil.toISOString()}${files}）`);
  }
  lines.push(
    r.audit
      ? `操作记录：${r.dryRun ? '将清除' : '已清除'}第 ${r.audit.fromSeq + 1}–${r.audit.throughSeq} 条（${r.audit.rows} 条，${r.audit.horizon.toISOString()} 以前），清除处有签名检查点`
      : '操作记录：没有超过保存期限的记录',
  );
  return lines.join('\n');
}
