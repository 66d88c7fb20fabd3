/**
 * What an order needs, by project and key type (seeds 000–003):
 *  - the upload slots (one per document, two sides for the agent's ID card);
 *  - the key types an organization may choose (the main/sub rule).
 */
import { APPLICATION_DOCUMENTS, type DocumentCode } from './content/documents.js';
import type { KeyKind, ProjectInfo } from './content/projects.js';
import { UNIT_TYPES, type UnitType } from './unit-types.js';

export type SlotCode =
  'application-form' | 'business-license' | 'agent-id-front' | 'agent-id-back' | 'power-of-attorney' | 'seal-sheet' | 'appointment-letter';

export interface UploadSlot {
  code: SlotCode;
  document: DocumentCode;
  label: string;
  /** Generated template to download, print and stamp first. */
  template?: 'application-form' | 'power-of-attorney' | 'seal-sheet' | 'appointment-letter';
}

export interface RequirementInput {
  projectCode: string;
  keyType: KeyKind;
  unitType?: UnitType;
}

export const OUT_OF_PROVINCE = 'housing-out-of-province';

/** A key type as the applicant's pages, the staff console and the printed forms name it. */
export const KEY_LABEL = { main: '主锁（含电子签章）', sub: '副锁（无电子签章）' } as const satisfies Record<KeyKind, string>;

/** The upload slots of an order, in the order the seeds list the documents. */
export function uploadSlots({ projectCode, keyType, unitType }: RequirementInput): UploadSlot[] {
  const credential = UNIT_TYPES[unitType ?? 'enterprise'].credential;
  const withSeal = keyType === 'main';
  const outOfProvince = projectCode === OUT_OF_PROVINCE;
  const slots: UploadSlot[] = [
    { code: 'application-form', document: 'application-form', label: '数字证书用户申请表', template: 'application-form' },
    { code: 'business-license', document: 'business-license', label: `${credential}复印件` },
    { code: 'agent-id-front', document: 'agent-id', label: '经办人身份证（人像面）' },
    { code: 'agent-id-back', document: 'agent-id', label: '经办人身份证（国徽面）' },
    { code: 'power-of-attorney', document: 'power-of-attorney', label: '法人授权委托书', template: 'power-of-attorney' },
  ];
  if (withSeal)
    slots.push({
      code: 'seal-sheet',
      document: 'seal-sheet',
      label: outOfProvince ? '电子签章采集表（外省企业）' : '电子签章采集表',
      template: 'seal-sheet',
    });
  if (outOfProvince)
    slots.push({ code: 'appointment-letter', document: 'appointment-letter', label: '入赣负责人任命书', template: 'appointment-letter' });
  // Keep the set in step with the documents the help manual describes.
  for (const s of slots) if (!APPLICATION_DOCUMENTS.some((d) => d.code === s.document)) throw new Error(`unknown document ${s.document}`);
  return slots;
}

/** What the organization already has for a project: issued main keys (online or at an office) and orders in progress. */
export interface KeyHoldings {
  mainKeyHeld: boolean;
  mainKeyInProgress: boolean;
}

export type KeyChoice = { allowed: KeyKind[]; reason: string };

/**
 * The main/sub rule (seeds 000, 001): one main key (with seal) per organization per project; a first-time
 * applicant must take the main key; one that holds a main key — or has one in progress — only a sub key.
 * The seeds enforce this by rejecting at review; we prevent the wrong choice up front and say why.
 */
export function allowedKeyTypes(project: Pick<ProjectInfo, 'name'> & { keys: { kind: KeyKind }[] }, h: KeyHoldings): KeyChoice {
  const offersSub = project.keys.some((k) => k.kind === 'sub');
  if (!h.mainKeyHeld && !h.mainKeyInProgress)
    return { allowed: ['main'], reason: `贵单位尚未办理过“${project.name}”的主锁，第一次申请必须选择含电子签章的主锁。` };
  const why = h.mainKeyHeld ? `贵单位已办理过“${project.name}”的主锁（含现场办理）` : `贵单位已有一份“${project.name}”主锁的申请正在办理`;
  if (offersSub) return { allowed: ['sub'], reason: `${why}，每个单位只能有一个主锁，本次只能申请不含电子签章的副锁。` };
  return {
    allowed: [],
    reason: `${why}。该项目在线只提供含电子签章的主锁，每个单位只能办理一个；如需更多证书请到现场办理或致电客服热线 400-800-1040。`,
  };
}
