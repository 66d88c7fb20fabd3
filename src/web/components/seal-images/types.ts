/** GET /api/orders/:id/seal-images and /api/staff/orders/:id/seal-images (server/modules/seal-images/seal-images.ts). */
export interface MmRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SealImage {
  kind: 'company-seal' | 'legal-person-seal' | 'legal-person-signature' | 'in-gan-manager-seal';
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
  metrics?: Record<string, number>;
}

export interface SealIssue {
  kind?: string;
  box?: number;
  code: string;
  message: string;
}

export interface SealRun {
  id: string;
  source: 'auto' | 'staff';
  verdict: 'ok' | 'flagged' | 'unreadable';
  issues: SealIssue[];
  sheet: { pxPerMm?: number; rotationDeg?: number; variant?: string };
  params: { threshold: number; crops: Record<string, MmRect> };
  createdAt: string;
  createdBy: string | null;
  images: SealImage[];
}

export interface SealConfirmation {
  extractionId: string;
  picks: Record<string, number>;
  confirmedAt: string;
  confirmedBy: string | null;
  version: number;
}

export interface SealImagesView {
  required: boolean;
  document: { id: string; uploadedAt: string; width: number; height: number } | null;
  auto: SealRun | null;
  latest?: SealRun | null;
  confirmation: SealConfirmation | null;
  canConfirm?: boolean;
}

export const BOX_SIDE = ['左格', '右格'];

/** Rows in the sheet's order, each with its two boxes. */
export function rowsOf(run: SealRun): { kind: SealImage['kind']; label: string; boxes: SealImage[] }[] {
  const rows: { kind: SealImage['kind']; label: string; boxes: SealImage[] }[] = [];
  for (const img of run.images) {
    let row = rows.find((r) => r.kind === img.kind);
    if (!row) rows.push((row = { kind: img.kind, label: img.label, boxes: [] }));
    row.boxes.push(img);
  }
  return rows;
}
