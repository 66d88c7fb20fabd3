/**
 * The audit chain's rules, without SQL: how a row is encoded, how it is linked to the one before, what a
 * checkpoint signs, and how a stored chain is checked.
 *
 * Every audit row carries seq (1, 2, 3, … without gaps) and chain_hash = SM3(previous chain_hash ‖ the row's
 * canonical encoding); the first row links to GENESIS. A plain hash chain proves order and completeness, but
 * anyone with SQL can recompute it after an edit — so the CA's audit signer (an SM2 key under the SM2 issuing
 * CA, <ca dir>/sm2/audit.pem) signs checkpoints (seq, chain_hash), and verification recomputes every link and
 * compares it with every signed checkpoint: an edit before the last checkpoint is always found; one after it
 * only if the editor did not also recompute the tail (verify reports how many rows are not yet pinned).
 */
import { createHash } from 'node:crypto';

export const GENESIS = '0'.repeat(64);

/** What a row is linked by: every column, exactly as the database gives it back. */
export interface ChainedFields {
  seq: number;
  id: number;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  detail: unknown;
  ip: string | null;
  at: Date;
}

/** JSON with object keys sorted (jsonb keeps no key order), so the encoding is the same however it was read. */
function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

/** The row's canonical encoding: a JSON array in a fixed column order, version-tagged. */
export function encodeRow(r: ChainedFields): string {
  // detail goes through JSON as jsonb stores it (Dates become strings, undefined members vanish).
  const detail: unknown = JSON.parse(JSON.stringify(r.detail ?? {}));
  return canonicalJson([
    'certdesk-audit-v1',
    r.seq,
    r.id,
    r.actorType,
    r.actorId ?? null,
    r.action,
    r.targetType ?? null,
    r.targetId ?? null,
    detail,
    r.ip ?? null,
    r.at.toISOString(),
  ]);
}

export function linkHash(prev: string, r: ChainedFields): string {
  return createHash('sm3').update(Buffer.from(prev, 'hex')).update(encodeRow(r), 'utf8').digest('hex');
}

/** The bytes a checkpoint signature covers. */
export function checkpointMessage(c: { seq: number; hash: string; kind: string; signedAt: Date }): Uint8Array {
  return Buffer.from(`certdesk-audit-checkpoint-v1\n${c.kind}\n${c.seq}\n${c.hash}\n${c.signedAt.toISOString()}\n`, 'utf8');
}

export interface CheckpointRow {
  id: number;
  seq: number;
  hash: string;
  kind: 'periodic' | 'cut';
  signedAt: Date;
  signature: string;
  certSha256: string;
}

export interface StoredRow extends ChainedFields {
  chainHash: string | null;
}

export interface ChainBreak {
  /** The row named: the first one whose content, place or link is wrong (null when the row itself is gone). */
  id: number | null;
  seq: number | null;
  reason: string;
}

export interface ChainReport {
  ok: boolean;
  /** Rows checked (from the start or the last retention cut). */
  rows: number;
  /** The cut verification started after (0: from the first row ever written). */
  fromSeq: number;
  lastSeq: number;
  checkpoints: number;
  lastCheckpoint: { seq: number; signedAt: string } | null;
  /** Rows after the last checkpoint: linked, not yet signed. */
  unpinned: number;
  broken: ChainBreak | null;
}

export interface ChainSource {
  checkpoints: CheckpointRow[];
  /** Rows with seq > fromSeq in seq order, in batches. */
  rows(fromSeq: number): AsyncIterable<StoredRow[]>;
  /** The first row with no seq (written around the chain), if any. */
  unchained: { id: number } | null;
  head: { seq: number; hash: string } | null;
  /** Checks a checkpoint's signature against the audit certificate it names. */
  signatureValid(c: CheckpointRow): boolean;
}

/** Where one row breaks the chain (a gap before it, its own link, a signed checkpoint at it), and the last good row. */
function rowBreak(
  r: StoredRow,
  h: string,
  expected: number,
  cp: CheckpointRow | undefined,
  lastCheckedCp: number,
): { broken: ChainBreak; lastSeq: number } | null {
  if (r.seq !== expected)
    return {
      broken: {
        id: r.id,
        seq: r.seq,
        reason: `第 ${expected}${r.seq - 1 > expected ? `–${r.seq - 1}` : ''} 条记录缺失（被删除），链在记录 id ${r.id}（第 ${r.seq} 条）前断开`,
      },
      lastSeq: expected - 1,
    };
  if (h !== r.chainHash)
    return {
      broken: { id: r.id, seq: r.seq, reason: `第 ${r.seq} 条记录（id ${r.id}）的内容或链接值与链不符：该记录被修改过` },
      lastSeq: r.seq - 1,
    };
  if (cp && cp.hash !== h)
    // The links agree with each other but not with what was signed: someone rewrote rows and recomputed
    // the links; the edit lies between the previous checkpoint and this one.
    return {
      broken: {
        id: r.id,
        seq: r.seq,
        reason: `第 ${lastCheckedCp + 1}–${r.seq} 条之间的记录被改写后重算了链接值：与第 ${r.seq} 条处的签名检查点不符`,
      },
      lastSeq: lastCheckedCp,
    };
  return null;
}

/** Walks the chain; stops at the first break and names it. */
export async function verifyChain(src: ChainSource): Promise<ChainReport> {
  const cps = [...src.checkpoints].sort((a, b) => a.seq - b.seq || a.id - b.id);
  const report = (broken: ChainBreak | null, rows: number, fromSeq: number, lastSeq: number): ChainReport => {
    const signed = cps.filter((c) => c.seq <= lastSeq);
    const last = signed.at(-1) ?? null;
    return {
      ok: broken === null,
      rows,
      fromSeq,
      lastSeq,
      checkpoints: cps.length,
      lastCheckpoint: last ? { seq: last.seq, signedAt: last.signedAt.toISOString() } : null,
      unpinned: lastSeq - Math.max(fromSeq, last?.seq ?? 0),
      broken,
    };
  };
  for (const c of cps)
    if (!src.signatureValid(c))
      return report({ id: null, seq: c.seq, reason: `检查点 #${c.id}（第 ${c.seq} 条）的签名无效或不是本 CA 审计密钥所签` }, 0, 0, 0);
  // Verification starts at the last retention cut: the rows before it were purged, its signature pins where.
  const cut = cps.filter((c) => c.kind === 'cut').at(-1);
  const fromSeq = cut?.seq ?? 0;
  let prev = cut?.hash ?? GENESIS;
  let expected = fromSeq + 1;
  let rows = 0;
  const bySeq = new Map(cps.filter((c) => c.seq > fromSeq).map((c) => [c.seq, c]));
  let lastCheckedCp = fromSeq;
  for await (const batch of src.rows(fromSeq)) {
    for (const r of batch) {
      const cp = bySeq.get(r.seq);
      const h = linkHash(prev, r);
      const broken = rowBreak(r, h, expected, cp, lastCheckedCp);
      if (broken) return report(broken.broken, rows, fromSeq, broken.lastSeq);
      if (cp) lastCheckedCp = r.seq;
      prev = h;
      expected++;
      rows++;
    }
  }
  const lastSeq = expected - 1;
  const beyond = cps.find((c) => c.seq > lastSeq);
  if (beyond)
    return report(
      {
        id: null,
        seq: lastSeq + 1,
        reason: `第 ${lastSeq + 1}–${beyond.seq} 条记录缺失：签名检查点签到了第 ${beyond.seq} 条，链只到第 ${lastSeq} 条`,
      },
      rows,
      fromSeq,
      lastSeq,
    );
  if (src.head && (src.head.seq !== lastSeq || (lastSeq > fromSeq && src.head.hash !== prev)))
    return report(
      {
        id: null,
        seq: Math.min(src.head.seq, lastSeq + 1),
        reason:
          src.head.seq > lastSeq
            ? `第 ${lastSeq + 1}–${src.head.seq} 条记录缺失（链头记到第 ${src.head.seq} 条）`
            : `链头（第 ${src.head.seq} 条）与记录（到第 ${lastSeq} 条）不符`,
      },
      rows,
      fromSeq,
      lastSeq,
    );
  if (src.unchained)
    return report(
      { id: src.unchained.id, seq: null, reason: `记录 id ${src.unchained.id} 不在链中：它没有经过审计写入，是直接插入数据库的` },
      rows,
      fromSeq,
      lastSeq,
    );
  return report(null, rows, fromSeq, lastSeq);
}
