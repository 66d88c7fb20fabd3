/**
 * Who may renew online, and when (issue 20). Checked on the server at every step that changes something; the
 * page shows the same answer before the organization starts.
 *
 * Online, with no staff step: the organization's own issued certificate, within the 90 days before it
 * expires, with the unit name and USCC unchanged, a certificate file the CA issued (so the old key can be
 * checked against it), a key family the 证书助手 drives (ECDSA P-256, SM2), no revocation request or counter
 * business open on it, not renewed yet, and a price in the catalog.
 *
 * What needs a person goes to the counter, with the materials the counter asks for (core/counter.ts): an
 * expired certificate (the seeds: 过期证书 续费 at 办证大厅), a changed unit name (变更). We chose a clear
 * refusal naming that path over an online staff-review branch: the counter already reviews those documents
 * (modules/counter/), and a second review queue would be a second way to do the same thing.
 */
import { counterMaterials, type KeyType } from '../../../core/counter.js';
import { AppError } from '../../../core/errors.js';
import type { DbOrTx } from '../../db/client.js';
import type { RenewalStatus } from '../../db/schema-renewals.js';
import type { OrganizationRow } from '../accounts/repository.js';
import type { CertificateRow } from '../certificates/repository.js';
import { myCertificatesRepository } from '../my-certificates/repository.js';
import { renewalRepository, type RenewalRow } from './repository.js';

const DAY_MS = 24 * 3600_000;
const HOUR_MS = 3600_000;
/** Renewal opens this many days before expiry (the first reminder's stage, seed 004). */
export const RENEWAL_WINDOW_DAYS = 90;
/** Key families the 证书助手 can make and use on a UKEY. */
export const AGENT_FAMILIES = ['ecdsa-p256', 'sm2'] as const;

const cnDate = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
const cnMinute = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

export const RENEWAL_STATUS_LABEL: Record<RenewalStatus, string> = {
  started: '已验证短信，待生成新密钥',
  proven: '已核验 UKEY，待付款',
  paid: '已付款，待签发',
  issued: '新证书已签发，待写入 UKEY',
  completed: '续费完成',
  cancelled: '已取消',
};

/** The materials of a counter business, as one sentence. */
export const materialsText = (business: 'renew' | 'change', keyType: KeyType) =>
  counterMaterials(business, keyType)
    .map((m) => m.label)
    .join('；');

export interface Refusal {
  reason: string;
  /** The organization should go to the counter (and what to bring), rather than wait or retry. */
  counter: { business: 'renew' | 'change'; materials: string } | null;
}

export function renewalWindow(cert: Pick<CertificateRow, 'notAfter'>) {
  return { opensAt: new Date(cert.notAfter.getTime() - RENEWAL_WINDOW_DAYS * DAY_MS), closesAt: cert.notAfter };
}

/** Why this certificate cannot be renewed online now, or null when it can. */
export async function refusalOf(db: DbOrTx, org: OrganizationRow, cert: CertificateRow, now: Date): Promise<Refusal | null> {
  const plain = (reason: string): Refusal => ({ reason, counter: null });
  const atCounter = (reason: string, business: 'renew' | 'change'): Refusal => ({
    reason,
    counter: { business, materials: materialsText(business, cert.keyType) },
  });
  if (cert.status === 'revoked') return plain('该证书已吊销，不能续费；如需继续使用数字证书，请重新申请');
  if (cert.status !== 'issued') return plain('该证书尚未签发，不能续费');
  const successor = await renewalRepository.successorOf(db, cert.id);
  if (successor) return plain('该证书已续费（或已补办、变更），新证书见“我的证书”');
  if (now.getTime() > cert.notAfter.getTime())
    return atCounter(
      `该证书已于 ${cnDate(cert.notAfter)} 过期，过期证书不能在线续费：需由工作人员审核资料，请携带资料到办证大厅或受理点办理续费`,
      'renew',
    );
  const { opensAt } = renewalWindow(cert);
  if (now.getTime() < opensAt.getTime())
    return plain(`证书到期前 ${RENEWAL_WINDOW_DAYS} 天内才能在线续费：该证书 ${cnDate(cert.notAfter)} 到期，${cnDate(opensAt)} 起可以续费`);
  if (org.name !== cert.unitName || org.uscc !== cert.uscc)
    return atCounter(
      `单位名称已由“${cert.unitName}”变更为“${org.name}”，证书内容需要变更，不能在线续费：请携带资料到受理点办理变更（变更后的新证书同样按续费规则计算有效期）`,
      'change',
    );
  if (!cert.der)
    return atCounter('该证书是现场办理时登记的记录，系统中没有证书文件，无法在线核验 UKEY：请携带 UKEY 到受理点办理续费', 'renew');
  if (!(AGENT_FAMILIES as readonly string[]).includes(cert.family))
    return atCounter('该证书的密钥类型不能由证书助手在线续费：请携带 UKEY 到受理点办理续费', 'renew');
  if (await myCertificatesRepository.hasOpenRequest(db, cert.id)) return plain('该证书有待处理的吊销申请，不能续费');
  const counter = await renewalRepository.openCounterOrder(db, cert.id);
  if (counter) return plain(`该证书已有正在办理的柜台业务（受理单号 ${counter.orderNo}），请在受理点继续办理`);
  return null;
}

/** Throws the refusal as a CONFLICT (the state of things, not the input, stands in the way). */
export async function assertRenewable(db: DbOrTx, org: OrganizationRow, cert: CertificateRow, now: Date): Promise<void> {
  const r = await refusalOf(db, org, cert, now);
  if (r) throw new AppError('CONFLICT', r.counter ? `${r.reason}。需携带：${r.counter.materials}` : r.reason);
}

/**
 * An unpaid online renewal nobody has touched for this long is taken as given up: a counter 续费/补办/变更 of
 * the certificate closes it (counter-handover.ts) instead of being refused. A day, because a renewal has no
 * deadline of its own — the SMS code lasts 10 minutes, the challenge 5, a payment code
 * (renewal/payment.ts) less than a day — so a renewal idle for a day is not one a person is in the middle of.
 */
export const RENEWAL_IDLE_HOURS = 24;

export type CounterStance = { kind: 'free' } | { kind: 'refuse'; reason: string } | { kind: 'close' };

/**
 * May the counter open a 续费/补办/变更 of a certificate while it has this online renewal (issue 20: one successor
 * per certificate)? `lastActivity`: the renewal's last change or its last payment code, whichever is later.
 *   - none, or ended (completed, cancelled): free;
 *   - paid or issued: refused — the money is in and the CA issues (or has issued) online; the organization finishes
 *     it in 我的证书;
 *   - unpaid (started, proven) and touched within RENEWAL_IDLE_HOURS: refused, saying when the counter may take over;
 *   - unpaid and idle longer: the counter closes it (a payment arriving later is kept for 财务 to refund, as a
 *     second payment is: renewal/payment.ts).
 */
export function counterStance(renewal: Pick<RenewalRow, 'status'> | undefined, lastActivity: Date | undefined, now: Date): CounterStance {
  if (!renewal || renewal.status === 'completed' || renewal.status === 'cancelled') return { kind: 'free' };
  const what = `该证书正在网上办理在线续费（${RENEWAL_STATUS_LABEL[renewal.status]}），不能同时在受理点办理续费、补办或变更`;
  if (renewal.status === 'paid' || renewal.status === 'issued')
    return { kind: 'refuse', reason: `${what}：已付款，请单位登录系统在“我的证书”中继续完成在线续费` };
  const freeAt = new Date((lastActivity ?? now).getTime() + RENEWAL_IDLE_HOURS * HOUR_MS);
  if (freeAt.getTime() > now.getTime())
    return {
      kind: 'refuse',
      reason: `${what}：请单位在网上完成；如单位已放弃在线续费（尚未付款），${cnMinute(freeAt)} 后可在受理点办理`,
    };
  return { kind: 'close' };
}
