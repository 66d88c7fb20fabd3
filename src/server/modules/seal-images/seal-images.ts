/**
 * 印模 use cases: the automatic extraction of an uploaded 电子签章采集表 (run once per uploaded file, the
 * first time anyone asks — the applicant's page asks right after the upload, so the applicant learns of a
 * bad impression before submitting and before mailing the paper), what the applicant, 预审 and 制证 see,
 * 制证's re-extraction with their own crop and threshold, and the confirmation the electronic seal is made
 * from (compare-and-set on the confirmation's version, with an audit row and a staff-only order event in
 * the same transaction).
 *
 * A flagged sheet is not refused: the applicant sees the reasons and can upload a better scan (the documents
 * module's rules: the earlier file stays until a new one is stored), and 预审 sees the same list. A false
 * alarm must never stop an application; the person reviewing it decides.
 */
import { AppError } from '../../../core/errors.js';
import { OUT_OF_PROVINCE, uploadSlots } from '../../../core/requirements.js';
import type { OrderDraft } from '../../../core/order-form.js';
import type { UnitType } from '../../../core/unit-types.js';
import type { FileStore } from '../../adapters/storage/port.js';
import type { Clock } from '../../clock.js';
import type { Db, DbOrTx } from '../../db/client.js';
import { auditRepository } from '../audit/repository.js';
import type { RequestMeta } from '../deps.js';
import { orderRepository, type OrderDocumentRow, type OrderRow } from '../orders/repository.js';
import { staffRepository } from '../staff/repository.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { SEAL_SHEET_GEOMETRY, type MmRect, type SealBoxKind, type SealSheetVariant } from '../templates/seal-sheet.js';
import { defaultParams, extractSealSheet, type Extraction, type ExtractionParams, type SheetIssue } from './extract.js';
import { EITHER_OF, KIND_LABEL } from './quality.js';
import { sealImageRepository, type SealConfirmationRow, type SealExtractionImageRow, type SealExtractionRow } from './repository.js';

export interface SealImageDeps {
  db: Db;
  clock: Clock;
  store: FileStore;
}

export const SEAL_SHEET_SLOT = 'seal-sheet';
/**
 * 制证 adjusts and confirms from 正在制证 until the key is shipped, so the order in which 制证 issues the
 * certificate and confirms the impressions does not matter: a confirmation after 制证完成 is followed by
 * 制作电子签章, and 发放 refuses a main key whose seals do not match the confirmation (seals/readiness.ts).
 */
export const SEAL_IMAGE_STATUSES: readonly string[] = ['in_production', 'produced'];

export const variantOf = (order: OrderRow): SealSheetVariant => (order.projectCode === OUT_OF_PROVINCE ? 'out-of-province' : 'standard');

function needsSheet(order: OrderRow): boolean {
  const unitType = (order.form as OrderDraft).unit?.unitType as UnitType | undefined;
  return uploadSlots({ projectCode: order.projectCode, keyType: order.keyType, unitType }).some((s) => s.code === SEAL_SHEET_SLOT);
}

async function currentSheet(db: Db, orderId: string): Promise<OrderDocumentRow | undefined> {
  return (await orderRepository.currentDocuments(db, orderId)).find((d) => d.slot === SEAL_SHEET_SLOT);
}

async function run(deps: SealImageDeps, order: OrderRow, doc: OrderDocumentRow, params: ExtractionParams): Promise<Extraction> {
  const bytes = await deps.store.get(doc.storageKey);
  try {
    return await extractSealSheet(bytes, variantOf(order), params);
  } catch {
    // The stored file was decoded once at upload; a failure here is a scan libvips cannot map, not a fault.
    return {
      verdict: 'unreadable',
      issues: [{ code: 'no-marks', message: '无法识别这份扫描件，请按采集表模板完整扫描整页后重新上传' }],
      sheet: { variant: variantOf(order), pxPerMm: 0, rotationDeg: 0, width: doc.width, height: doc.height },
      boxes: [],
    };
  }
}

function toRows(e: Extraction) {
  return e.boxes.map((b) => ({
    kind: b.kind,
    box: b.box,
    png: b.png,
    widthPx: b.widthPx,
    heightPx: b.heightPx,
    widthMm: b.widthMm,
    heightMm: b.heightMm,
    metrics: { ...b.metrics, crop: b.crop, reasons: b.reasons } as Record<string, unknown>,
    issues: b.codes,
  }));
}

/** The automatic run for the sheet, made now if this is the first time it is asked for. */
async function ensureAuto(deps: SealImageDeps, order: OrderRow, doc: OrderDocumentRow): Promise<SealExtractionRow> {
  const existing = await sealImageRepository.findAuto(deps.db, doc.id);
  if (existing) return existing;
  const params = defaultParams();
  const e = await run(deps, order, doc, params);
  const inserted = await sealImageRepository.insertRun(
    deps.db,
    {
      orderId: order.id,
      documentId: doc.id,
      source: 'auto',
      params: params as unknown as Record<string, unknown>,
      verdict: e.verdict,
      issues: e.issues,
      sheet: e.sheet,
      createdAt: deps.clock.now(),
    },
    toRows(e),
  );
  // Another request made it meanwhile: theirs is the one.
  return inserted ?? (await sealImageRepository.findAuto(deps.db, doc.id))!;
}

export interface ImageView {
  kind: SealBoxKind;
  label: string;
  box: number;
  hasImage: boolean;
  widthPx: number;
  heightPx: number;
  widthMm: number;
  heightMm: number;
  codes: string[];
  reasons: string[];
  crop: MmRect | null;
  metrics?: Record<string, unknown>;
}

export interface RunView {
  id: string;
  source: 'auto' | 'staff';
  verdict: 'ok' | 'flagged' | 'unreadable';
  issues: SheetIssue[];
  sheet: Record<string, unknown>;
  params: ExtractionParams;
  createdAt: Date;
  createdBy: string | null;
  images: ImageView[];
}

async function runView(db: Db, r: SealExtractionRow, staff: boolean): Promise<RunView> {
  const images = await sealImageRepository.images(db, r.id);
  const order = SEAL_SHEET_GEOMETRY[(r.sheet.variant as SealSheetVariant) ?? 'standard'].rows.map((x) => x.kind);
  images.sort((a, b) => order.indexOf(a.kind as SealBoxKind) - order.indexOf(b.kind as SealBoxKind) || a.box - b.box);
  const createdBy = r.createdBy ? ((await staffRepository.findById(db, r.createdBy))?.displayName ?? null) : null;
  return {
    id: r.id,
    source: r.source,
    verdict: r.verdict,
    issues: r.issues as SheetIssue[],
    sheet: r.sheet,
    params: r.params as unknown as ExtractionParams,
    createdAt: r.createdAt,
    createdBy,
    images: images.map((i: SealExtractionImageRow) => {
      const { crop, reasons, ...metrics } = i.metrics as { crop?: MmRect; reasons?: string[] } & Record<string, unknown>;
      return {
        kind: i.kind as SealBoxKind,
        label: KIND_LABEL[i.kind as SealBoxKind] ?? i.kind,
        box: i.box,
        hasImage: i.png !== null,
        widthPx: i.widthPx,
        heightPx: i.heightPx,
        widthMm: i.widthMm,
        heightMm: i.heightMm,
        codes: i.issues,
        reasons: reasons ?? [],
        crop: crop ?? null,
        ...(staff ? { metrics } : {}),
      };
    }),
  };
}

async function confirmationView(db: DbOrTx, c: SealConfirmationRow | undefined) {
  if (!c) return null;
  const who = await staffRepository.findById(db, c.confirmedBy);
  return {
    extractionId: c.extractionId,
    picks: c.picks,
    confirmedAt: c.confirmedAt,
    confirmedBy: who?.displayName ?? null,
    version: c.version,
  };
}

export interface SealImagesView {
  /** False for orders without a 电子签章采集表 (sub keys). */
  required: boolean;
  document: { id: string; uploadedAt: Date; width: number; height: number } | null;
  /** The automatic run: what the applicant and 预审 see. */
  auto: RunView | null;
  /** Staff: the newest run for the current sheet (an adjustment, or the automatic one). */
  latest?: RunView | null;
  confirmation: Awaited<ReturnType<typeof confirmationView>>;
  /** Staff: whether this order is at the step where the seals may be adjusted and confirmed. */
  canConfirm?: boolean;
}

/** The applicant's view (the route has checked ownership). */
export async function sealImagesForApplicant(deps: SealImageDeps, order: OrderRow): Promise<SealImagesView> {
  if (!needsSheet(order)) return { required: false, document: null, auto: null, confirmation: null };
  const doc = await currentSheet(deps.db, order.id);
  if (!doc) return { required: true, document: null, auto: null, confirmation: null };
  const auto = await ensureAuto(deps, order, doc);
  return {
    required: true,
    document: { id: doc.id, uploadedAt: doc.uploadedAt, width: doc.width, height: doc.height },
    auto: await runView(deps.db, auto, false),
    confirmation: await confirmationView(deps.db, await sealImageRepository.confirmation(deps.db, order.id)),
  };
}

async function loadOrder(db: Db, orderId: string): Promise<OrderRow> {
  const order = await orderRepository.findById(db, orderId);
  if (!order) throw new AppError('NOT_FOUND', '找不到该订单');
  return order;
}

/** 预审, 制证 and the others: the same, plus the newest adjustment and the measurements; each view audited. */
export async function sealImagesForStaff(
  deps: SealImageDeps,
  actor: StaffActor,
  orderId: string,
  meta: RequestMeta,
): Promise<SealImagesView> {
  const order = await loadOrder(deps.db, orderId);
  const canConfirm = SEAL_IMAGE_STATUSES.includes(order.status) && actor.roles.includes('制证');
  await auditRepository.record(deps.db, {
    actorType: 'staff',
    actorId: actor.id,
    action: 'sealimages.view',
    targetType: 'order',
    targetId: order.id,
    detail: { orderNo: order.orderNo },
    ip: meta.ip,
    at: deps.clock.now(),
  });
  if (!needsSheet(order)) return { required: false, document: null, auto: null, latest: null, confirmation: null, canConfirm: false };
  const doc = await currentSheet(deps.db, order.id);
  const confirmation = await confirmationView(deps.db, await sealImageRepository.confirmation(deps.db, order.id));
  if (!doc) return { required: true, document: null, auto: null, latest: null, confirmation, canConfirm: false };
  const auto = await ensureAuto(deps, order, doc);
  const latest = (await sealImageRepository.latestForDocument(deps.db, doc.id)) ?? auto;
  return {
    required: true,
    document: { id: doc.id, uploadedAt: doc.uploadedAt, width: doc.width, height: doc.height },
    auto: await runView(deps.db, auto, true),
    latest: latest.id === auto.id ? await runView(deps.db, auto, true) : await runView(deps.db, latest, true),
    confirmation,
    canConfirm,
  };
}

function requireProduction(order: OrderRow): void {
  if (!SEAL_IMAGE_STATUSES.includes(order.status))
    throw new AppError('CONFLICT', '订单不在制证环节（正在制证，或制证完成尚未发放），不能调整或确认电子签章印模');
}

/** 制证: extract again with another threshold and crops; a new run, kept beside the automatic one. */
export async function reExtract(
  deps: SealImageDeps,
  actor: StaffActor,
  orderId: string,
  input: { documentId: string; params: ExtractionParams },
  meta: RequestMeta,
): Promise<RunView> {
  const order = await loadOrder(deps.db, orderId);
  requireProduction(order);
  const doc = await currentSheet(deps.db, order.id);
  if (!doc || doc.id !== input.documentId) throw new AppError('CONFLICT', '电子签章采集表已更换，请刷新页面后再调整');
  const kinds = new Set(SEAL_SHEET_GEOMETRY[variantOf(order)].rows.map((r) => r.kind));
  for (const key of Object.keys(input.params.crops)) {
    const [kind, box] = key.split(':');
    if (!kinds.has(kind as SealBoxKind) || !['0', '1'].includes(box ?? ''))
      throw new AppError('VALIDATION_FAILED', '裁剪区域所指的采集格不存在', { fields: { crops: `没有“${key}”这个采集格` } });
  }
  const e = await run(deps, order, doc, input.params);
  const now = deps.clock.now();
  const r = await deps.db.transaction(async (tx) => {
    const inserted = (await sealImageRepository.insertRun(
      tx,
      {
        orderId: order.id,
        documentId: doc.id,
        source: 'staff',
        params: input.params as unknown as Record<string, unknown>,
        verdict: e.verdict,
        issues: e.issues,
        sheet: e.sheet,
        createdBy: actor.id,
        createdAt: now,
      },
      toRows(e),
    ))!;
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: 'sealimages.extract',
      targetType: 'order',
      targetId: order.id,
      detail: {
        orderNo: order.orderNo,
        extractionId: inserted.id,
        threshold: input.params.threshold,
        crops: Object.keys(input.params.crops).length,
      },
      ip: meta.ip,
      at: now,
    });
    return inserted;
  });
  return runView(deps.db, r, true);
}

/**
 * 制证 confirms: per kind, the box whose impression becomes the seal picture. The company seal is always
 * needed, and the legal representative's seal or signature (or both); the 入赣负责人 seal when the sheet has
 * that row. `expectedVersion` is the confirmation the staff member saw (null: none yet).
 */
export async function confirmSealImages(
  deps: SealImageDeps,
  actor: StaffActor,
  orderId: string,
  input: { extractionId: string; picks: Record<string, number>; expectedVersion: number | null },
  meta: RequestMeta,
): Promise<NonNullable<SealImagesView['confirmation']>> {
  const order = await loadOrder(deps.db, orderId);
  requireProduction(order);
  const r = await sealImageRepository.findInOrder(deps.db, order.id, input.extractionId);
  if (!r) throw new AppError('NOT_FOUND', '找不到这次印模提取结果');
  const doc = await currentSheet(deps.db, order.id);
  if (!doc || doc.id !== r.documentId) throw new AppError('CONFLICT', '电子签章采集表已更换，请刷新页面后再确认');
  const rows = SEAL_SHEET_GEOMETRY[variantOf(order)].rows.map((x) => x.kind);
  const fields: Record<string, string> = {};
  for (const [kind, box] of Object.entries(input.picks)) {
    if (!rows.includes(kind as SealBoxKind)) {
      fields[`picks.${kind}`] = '没有这一种印模';
      continue;
    }
    const img = await sealImageRepository.image(deps.db, r.id, kind, box);
    if (!img?.png) fields[`picks.${kind}`] = `${KIND_LABEL[kind as SealBoxKind]}所选的格内没有可用的印模`;
  }
  const picked = (k: SealBoxKind) => k in input.picks;
  if (!picked('company-seal')) fields['picks.company-seal'] = '请选择企业公章的印模';
  if (!EITHER_OF.some(picked)) fields['picks.legal-person-seal'] = '请选择法人私章或法人手写签名的印模（至少一种）';
  if (rows.includes('in-gan-manager-seal') && !picked('in-gan-manager-seal'))
    fields['picks.in-gan-manager-seal'] = '请选择入赣负责人私章的印模';
  if (Object.keys(fields).length) throw new AppError('VALIDATION_FAILED', Object.values(fields)[0]!, { fields });

  const now = deps.clock.now();
  const stale = () => new AppError('CONFLICT', '印模确认已被其他人修改，请刷新页面查看最新结果后再确认');
  return deps.db.transaction(async (tx) => {
    const set = { extractionId: r.id, picks: input.picks, confirmedBy: actor.id, confirmedAt: now };
    const c =
      input.expectedVersion === null
        ? await sealImageRepository.insertConfirmation(tx, { orderId: order.id, ...set, version: 1 })
        : await sealImageRepository.updateConfirmation(tx, order.id, input.expectedVersion, set);
    if (!c) throw stale();
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: 'sealimages.confirm',
      targetType: 'order',
      targetId: order.id,
      detail: { orderNo: order.orderNo, extractionId: r.id, picks: input.picks, version: c.version },
      ip: meta.ip,
      at: now,
    });
    await orderRepository.addEvent(tx, {
      orderId: order.id,
      actorType: 'staff',
      actorId: actor.id,
      action: 'order.seal_images_confirmed',
      detail: { extractionId: r.id, picks: input.picks, version: c.version },
      public: false,
      at: now,
    });
    return (await confirmationView(tx, c))!;
  });
}

/** One extracted PNG of one of the order's runs (the caller has checked who may see the order). */
export async function readSealImage(db: Db, orderId: string, extractionId: string, kind: string, box: number): Promise<Buffer> {
  const r = await sealImageRepository.findInOrder(db, orderId, extractionId);
  const img = r && (await sealImageRepository.image(db, r.id, kind, box));
  if (!img?.png) throw new AppError('NOT_FOUND', '找不到这个印模图片');
  return img.png;
}
