/**
 * Whether a main key's electronic seals are ready to go out with it — the `seals_ready` guard of 发放
 * (core/workflow.ts): the impressions are confirmed, and the order's issued certificate has an active seal of
 * every confirmed kind, made from the confirmed picture (a confirmation changed after 制作电子签章 asks for the
 * seals to be made again). A 副锁 carries no seal. Staff learn the reason on the order page before they try.
 */
import { pictureDigest } from '../../../ca/seal/seal.js';
import type { DbOrTx } from '../../db/client.js';
import { certificateRepository } from '../certificates/repository.js';
import type { OrderRow } from '../orders/repository.js';
import { confirmedSealImages } from '../seal-images/confirmed.js';
import { sealRepository } from './repository.js';
import { SEAL_KIND_LABEL } from './status.js';

/** Why the order's key cannot go out yet for want of its seals (Chinese), or null. */
export async function sealsNotReady(db: DbOrTx, order: Pick<OrderRow, 'id' | 'keyType'>): Promise<string | null> {
  if (order.keyType !== 'main') return null;
  const images = await confirmedSealImages(db, order.id);
  if (!images.length) return '主锁须带电子签章发放：印模尚未确认。请制证人员在“电子签章印模”中确认印模，并制作电子签章后再发放';
  const cert = await certificateRepository.liveForOrder(db, order.id);
  if (!cert || cert.status !== 'issued') return '本订单的证书尚未签发或已吊销，不能发放';
  const active = new Map((await sealRepository.activeForCertificate(db, cert.id)).map((s) => [s.kind as string, s]));
  const missing = images.filter((i) => !active.has(i.kind)).map((i) => SEAL_KIND_LABEL[i.kind]);
  const stale = images
    .filter((i) => active.has(i.kind) && active.get(i.kind)!.pictureSha256 !== pictureDigest(i.png))
    .map((i) => SEAL_KIND_LABEL[i.kind]);
  if (missing.length) return `主锁须带电子签章发放：${missing.join('、')}的电子签章尚未制作。请制证人员点击“制作电子签章”后再发放`;
  if (stale.length) return `主锁须带电子签章发放：${stale.join('、')}的印模已重新确认，请制证人员重新制作电子签章后再发放`;
  return null;
}
