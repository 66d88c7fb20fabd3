/**
 * What the electronic seal (GM/T 0031, src/ca/seal, modules/seals) is made from: the impressions 制证 staff
 * confirmed for an order, as transparent PNGs (red ink on nothing) with their size in pixels and in
 * millimetres on the paper (so the seal's picture can state its real size). Empty until confirmed.
 *
 * One picture per kind: 'company' (企业公章), 'legal-person' (法人私章), 'signature' (法人手写签名), and on
 * the out-of-province sheet (seed 003) 'in-gan-manager' (入赣负责人私章, a personal seal bound to the main key
 * like the legal representative's). Kinds the sheet did not carry (a legal person who signs rather than
 * stamps) are absent.
 */
import type { DbOrTx } from '../../db/client.js';
import { sealImageRepository } from './repository.js';

export type ConfirmedSealKind = 'company' | 'legal-person' | 'signature' | 'in-gan-manager';

export interface ConfirmedSealImage {
  kind: ConfirmedSealKind;
  png: Buffer;
  widthPx: number;
  heightPx: number;
  widthMm: number;
  heightMm: number;
}

const KIND_OF: Record<string, ConfirmedSealKind> = {
  'company-seal': 'company',
  'legal-person-seal': 'legal-person',
  'legal-person-signature': 'signature',
  'in-gan-manager-seal': 'in-gan-manager',
};
const ORDER: ConfirmedSealKind[] = ['company', 'legal-person', 'signature', 'in-gan-manager'];

export async function confirmedSealImages(db: DbOrTx, orderId: string): Promise<ConfirmedSealImage[]> {
  const rows = await sealImageRepository.confirmedImages(db, orderId);
  const out: ConfirmedSealImage[] = [];
  for (const r of rows) {
    const kind = KIND_OF[r.kind];
    if (!kind || !r.png) continue;
    out.push({ kind, png: r.png, widthPx: r.widthPx, heightPx: r.heightPx, widthMm: r.widthMm, heightMm: r.heightMm });
  }
  return out.sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
}
