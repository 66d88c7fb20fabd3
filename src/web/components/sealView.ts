/**
 * One 电子签章 as the server shows it to the applicant (GET /api/orders/:id/seals) and to staff
 * (GET /api/staff/orders/:id/seals): both answers are built by the same sealView
 * (server/modules/seals/status.ts), so the pages read one type.
 */
export interface SealView {
  id: string;
  kind: string;
  kindLabel: string;
  esId: string;
  name: string;
  widthMm: number;
  heightMm: number;
  validStart: string;
  validEnd: string;
  status: string;
  statusLabel: string;
  /** A data URL of the seal's picture, taken from its DER. */
  picture?: string;
  /** The DER's size. */
  bytes: number;
}
