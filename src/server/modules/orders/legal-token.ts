/**
 * The 法人核验 QR token. It is derived, not stored: HMAC(secret, order id + nonce), so the power-of-attorney
 * PDF can be printed again with the same code, while the database keeps only the token's SHA-256 for
 * lookup. The token grants one thing — the legal representative's verification page of that order — and
 * dies with the order (a deleted order's token finds nothing usable).
 */
import { hmac, sha256 } from '../../crypto.js';

export function legalToken(secret: string, orderId: string, nonce: string): string {
  return hmac(secret, `legal-check:${orderId}:${nonce}`);
}
export const legalTokenHash = (token: string): string => sha256(`legal-check:${token}`);
