/**
 * What a staff member typed into the order search, read as the keys it can be: an order number in either
 * form (261120-5830-29174 or 261120583029174, full-width too: parseOrderNumber) matched exactly; an agent's mobile (11 digits, as
 * normalizeMobile reads it) matched exactly; the start of a USCC (normalized as at registration: upper
 * case, O→0, I→1) matched as a prefix; the tracking number of the applicant's paper shipment (as
 * normalizeTrackingNo stores it: upper case, no spaces or dashes; 6–30 letters and digits) matched exactly;
 * a fragment of the unit name, case-insensitively. A text that can be
 * several keys (13800138000 is a mobile and could start a USCC) is searched as each; a text of only USCC
 * characters is not also searched as a name fragment, which would mean reading every organization for
 * nothing.
 */
import { normalizeTrackingNo } from '../../../core/fulfilment.js';
import { mobileProblem, normalizeMobile } from '../../../core/mobile.js';
import { parseOrderNumber } from '../../../core/order-number.js';
import { normalizeUscc, USCC_ALPHABET } from '../../../core/uscc.js';

export interface SearchTerms {
  orderNo?: string;
  mobile?: string;
  usccPrefix?: string;
  /** The inbound (paper originals) courier number. */
  trackingNo?: string;
  /** Already escaped for LIKE (\ % _). */
  nameLike?: string;
}

const USCC_PREFIX = new RegExp(`^[${USCC_ALPHABET}]{2,18}$`);

export function searchTerms(q: string): SearchTerms {
  const text = q.replace(/[\s\u3000]+/g, ' ').trim();
  if (!text) return {};
  const compact = text.replace(/[\s-]+/g, '');
  const terms: SearchTerms = {};
  const orderNo = parseOrderNumber(text);
  if (orderNo) terms.orderNo = orderNo;
  const mobile = normalizeMobile(text);
  if (mobileProblem(mobile) === null) terms.mobile = mobile;
  const uscc = normalizeUscc(text);
  if (USCC_PREFIX.test(uscc)) terms.usccPrefix = uscc;
  // Every courier's number has digits (core/fulfilment.ts trackingNoProblem: 6–30 letters and digits).
  const tracking = normalizeTrackingNo(text);
  if (/^[A-Z0-9]{6,30}$/.test(tracking) && /\d/.test(tracking)) terms.trackingNo = tracking;
  // A name fragment: anything with a character a USCC, an order number or a mobile never has (Chinese,
  // brackets, the letters S V Z…); plain digits, USCC characters and courier numbers are not names.
  if (!terms.usccPrefix && !terms.orderNo && !terms.mobile && !terms.trackingNo && !/^\+?\d+$/.test(compact))
    terms.nameLike = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return terms;
}
