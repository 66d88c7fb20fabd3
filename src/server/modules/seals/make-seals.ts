/**
 * 制作电子签章 (制证): one GM/T 0031 seal per confirmed impression (company seal, legal-person seal,
 * handwritten signature, 入赣负责人 seal), bound to the order's main-key certificate and valid as long as it, signed by the
 * CA's seal maker (src/ca/seal, behind the Signer port).
 *
 * The pictures are what 制证 confirmed in the seal-image step (modules/seal-images/confirmed.ts). Making
 * again is safe: a kind whose picture is unchanged keeps its seal; a changed picture supersedes the old
 * seal. Seals are signed outside any transaction (the signer is the outside world when it is an HSM); the
 * transaction then locks the order, re-checks that the certificate is still the order's issued one, and
 * writes the rows, the order event and the audit row together.
 */
import { makeSeals as buildSeals, type ImpressionKind } from '../../../ca/seal/make.js';
import { parseSeal, pictureDigest } from '../../../ca/seal/seal.js';
import { AppError } from '../../../core/errors.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { reportingSigner } from '../../outages.js';
import { logFailure, type FailureLog } from '../../logging.js';
import { organizationRepository } from '../accounts/repository.js';
import { auditRepository } from '../audit/repository.js';
import { caRuntime } from '../certificates/ca-runtime.js';
import { certificateRepository } from '../certificates/repository.js';
import type { RequestMeta } from '../deps.js';
import { orderRepository, type OrderRow } from '../orders/repository.js';
import { confirmedSealImages } from '../seal-images/confirmed.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { sealRepository, type SealRow } from './repository.js';
import { SEAL_KIND_LABEL } from './status.js';

/** What 制证 reads when the seal maker's key cannot sign (the certificate and the impressions are unaffected). */
export const SEAL_SIGNER_DOWN = '制章签名服务暂时不可用，请稍后重新制作电子签章；如多次出现请联系系统管理员';

/** The statuses in which 制证 makes the seal: after the certificate is issued, before the key is shipped. */
export const SEAL_MAKING_STATUSES = ['produced'] as const;

export interface MakeSealsResult {
  made: SealRow[];
  kept: SealRow[];
  superseded: SealRow[];
}

/** A person's name from the order form (`legalPerson`, `inGanManager`), trimmed, or the fallback. */
function formName(order: OrderRow, section: 'legalPerson' | 'inGanManager', fallback: string): string {
  const s = (order.form as Record<string, { name?: unknown } | undefined>)[section];
  return typeof s?.name === 'string' && s.name.trim() ? s.name.trim() : fallback;
}

/** Why this order cannot have its seal made now (Chinese), or null. */
export function sealMakingRefusal(order: OrderRow): string | null {
  if (order.keyType !== 'main') return '副锁不含电子签章，无需制作';
  if (!(SEAL_MAKING_STATUSES as readonly string[]).includes(order.status))
    return order.status === 'in_production'
      ? '请先完成制证（签发证书）后再制作电子签章'
      : '订单当前状态不能制作电子签章（应在制证完成后、发放前制作）';
  return null;
}

export async function makeOrderSeals(
  deps: { db: Db; clock: Clock; config: Config },
  actor: StaffActor,
  orderId: string,
  meta: RequestMeta,
): Promise<MakeSealsResult> {
  const { db } = deps;
  const order = await orderRepository.findById(db, orderId);
  if (!order) throw new AppError('NOT_FOUND', '找不到该订单');
  const refusal = sealMakingRefusal(order);
  if (refusal) throw new AppError('CONFLICT', refusal);
  const cert = await certificateRepository.liveForOrder(db, order.id);
  if (!cert || cert.status !== 'issued' || !cert.der) throw new AppError('CONFLICT', '本订单的证书尚未签发或已吊销，不能制作电子签章');
  const images = await confirmedSealImages(db, order.id);
  if (images.length === 0) throw new AppError('CONFLICT', '印模尚未确认：请先在“电子签章印模”中核对并确认印模，再制作电子签章');
  const org = await organizationRepository.findById(db, order.organizationId);
  if (!org) throw new AppError('NOT_FOUND', '找不到订单的申请单位');

  // Kinds whose picture is unchanged keep their seal: only the others are signed.
  const active = new Map<ImpressionKind, SealRow>();
  for (const s of await sealRepository.activeForCertificate(db, cert.id)) active.set(s.kind, s);
  const toMake = images.filter((i) => active.get(i.kind)?.pictureSha256 !== pictureDigest(i.png));
  const now = deps.clock.now();
  const { certDer, signer } = (await caRuntime(deps.config.ca)).sealMaker();
  let built;
  try {
    built = await buildSeals({
      certificate: cert.der,
      images: toMake.map((i) => ({ kind: i.kind, png: i.png, widthMm: i.widthMm, heightMm: i.heightMm })),
      // A failed signature is the signer's outage (503), not something wrong with the impressions.
      maker: { certDer, signer: reportingSigner(signer, SEAL_SIGNER_DOWN) },
      names: {
        unit: org.name,
        legalPerson: formName(order, 'legalPerson', '法定代表人'),
        inGanManager: formName(order, 'inGanManager', '入赣负责人'),
      },
      now,
    });
  } catch (e) {
    if (e instanceof AppError) throw e;
    // What the seal structure refuses (a picture that is not a PNG, too large a seal): the impressions must
    // be confirmed again. The reason is English and technical: it goes to the log, not to 制证.
    throw new AppError('CONFLICT', '印模图片不能用于制作电子签章，请重新确认印模后再制作', { cause: e });
  }

  return db.transaction(async (tx) => {
    const locked = await orderRepository.lockById(tx, order.id);
    if (!locked) throw new AppError('NOT_FOUND', '找不到该订单');
    const again = sealMakingRefusal(locked);
    if (again) throw new AppError('CONFLICT', `${again}（订单状态刚刚改变，请刷新页面）`);
    const live = await certificateRepository.liveForOrder(tx, order.id);
    if (!live || live.id !== cert.id || live.status !== 'issued')
      throw new AppError('CONFLICT', '本订单的证书刚刚发生变化（已吊销或重新签发），请刷新页面后重试');
    const result: MakeSealsResult = { made: [], kept: [], superseded: [] };
    for (const m of built) {
      const old = await sealRepository.activeOfKind(tx, cert.id, m.kind);
      if (old) {
        if (!(await sealRepository.supersede(tx, old.id, now))) throw new AppError('CONFLICT', '电子签章刚刚被他人重新制作，请刷新页面');
        result.superseded.push(old);
      }
      const parsed = parseSeal(m.der);
      result.made.push(
        await sealRepository.insert(tx, {
          orderId: order.id,
          certificateId: cert.id,
          organizationId: order.organizationId,
          kind: m.kind,
          esId: m.esId,
          name: m.name,
          sealType: m.type,
          der: Buffer.from(m.der),
          pictureSha256: pictureDigest(parsed.picture.data),
          widthMm: parsed.picture.widthMm,
          heightMm: parsed.picture.heightMm,
          validStart: m.validStart,
          validEnd: m.validEnd,
          status: 'active',
          createdBy: actor.id,
          createdAt: now,
        }),
      );
    }
    for (const [kind, s] of active) if (!built.some((b) => b.kind === kind)) result.kept.push(s);
    if (result.made.length) {
      await orderRepository.addEvent(tx, {
        orderId: order.id,
        actorType: 'staff',
        actorId: actor.id,
        action: 'order.seals_made',
        detail: {
          kinds: result.made.map((s) => s.kind),
          labels: result.made.map((s) => SEAL_KIND_LABEL[s.kind]),
          replaced: result.superseded.length,
        },
        public: true,
        at: now,
      });
    }
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: 'seal.make',
      targetType: 'order',
      targetId: order.id,
      detail: {
        certificateId: cert.id,
        made: result.made.map((s) => ({ kind: s.kind, esId: s.esId })),
        superseded: result.superseded.map((s) => s.esId),
        kept: result.kept.map((s) => s.esId),
      },
      ip: meta.ip,
      at: now,
    });
    return result;
  });
}

/** What became of a main key's seals when its certificate was issued (shown in 制证's dialog). */
export type SealsAfterIssue = { status: 'made' | 'waiting' | 'failed'; message: string };

/**
 * Right after 签发证书 of a main key: if the impressions were confirmed first, the seals are made at once, so
 * the order in which 制证 clicks does not matter. When they are not confirmed yet, or making fails (the
 * certificate stays issued), the answer says what to do; 发放 refuses the key until the seals exist.
 */
export async function makeSealsAfterIssue(
  deps: { db: Db; clock: Clock; config: Config },
  actor: StaffActor,
  order: OrderRow,
  meta: RequestMeta,
  log: FailureLog,
): Promise<SealsAfterIssue | undefined> {
  if (order.keyType !== 'main') return undefined;
  if (!(await confirmedSealImages(deps.db, order.id)).length)
    return { status: 'waiting', message: '印模尚未确认：请在“电子签章印模”中确认印模，再点击“制作电子签章”；电子签章制作前不能发放' };
  try {
    const r = await makeOrderSeals(deps, actor, order.id, meta);
    return { status: 'made', message: `已按确认的印模制作 ${r.made.length + r.kept.length} 枚电子签章` };
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    // Answered, not thrown (the certificate is issued): logged here as the error handler would have.
    logFailure(log, e);
    return { status: 'failed', message: `证书已签发，但电子签章未能制作：${e.message}。请处理后点击“制作电子签章”` };
  }
}
