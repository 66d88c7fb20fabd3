/**
 * One seal per impression (company seal, legal-person seal, handwritten signature, and for 江西省住建厅外省企业
 * the 入赣负责人's personal seal), each bound to the main key's certificate and valid exactly as long as it. The images come from the seal-image extraction
 * (transparent PNGs with their size on paper); the maker is the CA's seal-maker key behind the Signer port.
 */
import { randomBytes } from 'node:crypto';
import { parseCertificate } from '../cert/parse.js';
import type { Signer } from '../signer/port.js';
import { makeSeal, type SealType } from './seal.js';

export type ImpressionKind = 'company' | 'legal-person' | 'signature' | 'in-gan-manager';
export const IMPRESSION_KINDS: readonly ImpressionKind[] = ['company', 'legal-person', 'signature', 'in-gan-manager'];

/** The people the seals name; the 入赣负责人 only on the out-of-province sheet (seed 003). */
export interface SealNames {
  unit: string;
  legalPerson: string;
  inGanManager?: string;
}

export interface SealImage {
  kind: ImpressionKind;
  png: Uint8Array;
  widthMm: number;
  heightMm: number;
}

export interface SealMaker {
  certDer: Uint8Array;
  signer: Signer;
}

export interface MadeSeal {
  kind: ImpressionKind;
  esId: string;
  name: string;
  type: SealType;
  der: Uint8Array;
  validStart: Date;
  validEnd: Date;
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The seal's name (SES_ESPropertyInfo.name) and type per impression. */
export function sealNameOf(kind: ImpressionKind, names: SealNames): { name: string; type: SealType } {
  if (kind === 'company') return { name: `${names.unit}电子公章`, type: 1 };
  if (kind === 'legal-person') return { name: `${names.legalPerson}（${names.unit}法定代表人）电子私章`, type: 2 };
  if (kind === 'in-gan-manager') return { name: `${names.inGanManager || '入赣负责人'}（${names.unit}入赣负责人）电子私章`, type: 2 };
  return { name: `${names.legalPerson}（${names.unit}法定代表人）电子签名`, type: 2 };
}

/** esID: "CD" + the creation time (UTC, to the second) + 64 random bits, hex: unique without a counter. */
export function newEsId(at: Date): string {
  const t = at.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `CD${t}${randomBytes(8).toString('hex').toUpperCase()}`;
}

export async function makeSeals(opts: {
  certificate: Uint8Array;
  images: readonly SealImage[];
  maker: SealMaker;
  names: SealNames;
  now: Date;
}): Promise<MadeSeal[]> {
  const cert = parseCertificate(opts.certificate);
  const seen = new Set<ImpressionKind>();
  for (const img of opts.images) {
    if (!IMPRESSION_KINDS.includes(img.kind)) throw new RangeError(`unknown impression kind ${String(img.kind)}`);
    if (seen.has(img.kind)) throw new RangeError(`two images of kind ${img.kind}`);
    seen.add(img.kind);
    if (!Buffer.from(img.png.subarray(0, 8)).equals(PNG_MAGIC)) throw new RangeError(`${img.kind}: not a PNG`);
  }
  const out: MadeSeal[] = [];
  for (const img of opts.images) {
    const { name, type } = sealNameOf(img.kind, opts.names);
    const esId = newEsId(opts.now);
    const der = await makeSeal(
      {
        esId,
        type,
        name,
        certs: [opts.certificate],
        createDate: opts.now,
        validStart: cert.notBefore,
        validEnd: cert.notAfter,
        picture: {
          type: 'png',
          data: img.png,
          widthMm: Math.max(1, Math.round(img.widthMm)),
          heightMm: Math.max(1, Math.round(img.heightMm)),
        },
      },
      opts.maker,
    );
    out.push({ kind: img.kind, esId, name, type, der, validStart: cert.notBefore, validEnd: cert.notAfter });
  }
  return out;
}
