/**
 * What the QR codes on the templates say.
 *
 * 数字证书用户申请表 — `CERTDESK|<orderNo>|v<formVersion>|<mac>`, e.g.
 * `CERTDESK|261120583029174|v7|Jx3kQ0aZr5b_Tn2W`:
 *  - orderNo: the 15-digit order number (core/order-number.ts);
 *  - formVersion: the order's form version when the form was printed (every saved change bumps it);
 *  - mac: the first 16 characters (96 bits) of base64url(HMAC-SHA256(server secret,
 *    `application-form|<orderNo>|<formVersion>|<identity>`)), where identity is applicationFormIdentity —
 *    the unit name, USCC, project and key type the form was printed with.
 * A scanner at the counter reads the order and the version; the mac proves CertDesk printed it (nobody
 * without the server secret can make one) and ties it to the identity data printed on it, so a form
 * printed before a rename, or edited afterwards, does not verify against the order as it is now. Every
 * print is also recorded as an `order.print_application_form` event carrying the same payload.
 *
 * 法人授权委托书 — the 法人核验 page, `${baseUrl}/v/<legalToken>` (see orders/legal-token.ts): the legal
 * representative's phone opens it directly; the token is bound to the order and dies with it.
 */
import { hmac, safeEqual } from '../../crypto.js';

export const APPLICATION_FORM_QR_PREFIX = 'CERTDESK';
const MAC_LENGTH = 16;

export interface PrintedFormData {
  orderNo: string;
  formVersion: number;
  /** applicationFormIdentity(org, order) at print time. */
  identity: string;
}

const mac = (secret: string, d: PrintedFormData) =>
  hmac(secret, `application-form|${d.orderNo}|${d.formVersion}|${d.identity}`).slice(0, MAC_LENGTH);

export function applicationFormQrPayload(secret: string, d: PrintedFormData): string {
  return [APPLICATION_FORM_QR_PREFIX, d.orderNo, `v${d.formVersion}`, mac(secret, d)].join('|');
}

export interface ParsedFormQr {
  orderNo: string;
  formVersion: number;
  mac: string;
}

/** Reads a scanned payload; null when it is not an application-form code of this system. */
export function parseApplicationFormQr(payload: string): ParsedFormQr | null {
  const m = /^CERTDESK\|(\d{15})\|v(\d{1,9})\|([A-Za-z0-9_-]{16})$/.exec(payload.trim());
  if (!m) return null;
  return { orderNo: m[1]!, formVersion: Number(m[2]), mac: m[3]! };
}

/**
 * True when the payload is the one CertDesk printed for exactly this data. Staff check it against the
 * order as it is now (current: the paper matches the order) or against a recorded print event (the paper
 * is an older print).
 */
export function verifyApplicationFormQr(secret: string, payload: string, d: PrintedFormData): boolean {
  const p = parseApplicationFormQr(payload);
  if (!p || p.orderNo !== d.orderNo || p.formVersion !== d.formVersion) return false;
  return safeEqual(p.mac, mac(secret, d));
}
