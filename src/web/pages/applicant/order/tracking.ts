/**
 * Courier companies and tracking-number hints for the paper originals. The format rules are the
 * server's own (core/fulfilment.ts): the browser says what is wrong before sending, the server decides.
 */
import { COURIERS as COURIER_NAMES, trackingNoProblem, type Courier } from '../../../../core/fulfilment.js';

export { normalizeTrackingNo } from '../../../../core/fulfilment.js';
export type CourierCode = Courier;

export const COURIERS = (Object.keys(COURIER_NAMES) as Courier[]).map((code) => ({ code, name: COURIER_NAMES[code] }));

/** The courier as people say it; a free-text name (其他快递) is shown as entered. */
export function courierName(courier: string): string {
  return COURIER_NAMES[courier as Courier] ?? courier;
}

const HINTS: Record<Courier, string> = {
  SF: '快递底单上的顺丰运单号，如 SF1234567890123',
  EMS: '快递底单上的EMS邮件号，如 EA123456789CN 或13位数字',
  other: '快递底单上的单号，6到30位字母或数字',
};

export const trackingHint = (courier: Courier) => HINTS[courier];

export const trackingProblem = (courier: Courier, input: string) => trackingNoProblem(courier, input);
