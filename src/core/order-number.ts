/**
 * Order numbers (订单编号): 15 digits = issue date (YYMMDD) + 8 random digits + a Luhn check digit.
 * Digits only, so they can be read over the phone and written on paper (the seeds ask applicants to write
 * the order number top-left on the mailed form); random, so they reveal nothing about other orders (and
 * every route checks ownership anyway); the check digit catches a mistyped digit at once.
 */
export function luhnDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** `random8` must be 8 digits from a CSPRNG (the server passes crypto.randomInt output). */
export function makeOrderNumber(date: Date, random8: string): string {
  if (!/^\d{8}$/.test(random8)) throw new Error('random8 must be 8 digits');
  // The date is the China-time calendar day the applicant sees.
  const cn = new Date(date.getTime() + 8 * 3600_000);
  const ymd = `${String(cn.getUTCFullYear()).slice(2)}${String(cn.getUTCMonth() + 1).padStart(2, '0')}${String(cn.getUTCDate()).padStart(2, '0')}`;
  const body = ymd + random8;
  return body + luhnDigit(body);
}

/**
 * What someone typed or pasted, reduced to its digits: full-width digits and dashes (a Chinese input method's
 * ２６１２０７－…) read as ASCII (NFKC), and the spaces and dashes of any kind that group it dropped.
 */
export function normalizeOrderNumber(input: string): string {
  return input.normalize('NFKC').replace(/[\s\u2010-\u2015\u2212-]+/g, '');
}

/**
 * An order number in either form people meet it — 261207-7864-78599 (how it is shown) or 261207786478599 (how
 * it is stored) — as its 15 digits; null when the text is not 15 digits once grouping is removed. The check
 * digit is not required here: a search for a mistyped number simply finds nothing.
 */
export function parseOrderNumber(input: string): string | null {
  const digits = normalizeOrderNumber(input);
  return /^\d{15}$/.test(digits) ? digits : null;
}

export function isValidOrderNumber(s: string): boolean {
  return /^\d{15}$/.test(s) && luhnDigit(s.slice(0, 14)) === s[14];
}

/**
 * The one way an order number is shown to people — on every page, PDF, SMS, e-mail and receipt:
 * 261120-5830-29174, grouped for reading aloud and copying by hand (date, 4 + 5 digits). It is stored, put in
 * URLs and QR codes as the 15 digits; every search accepts both (parseOrderNumber).
 */
export function formatOrderNumber(s: string): string {
  return s.length === 15 ? `${s.slice(0, 6)}-${s.slice(6, 10)}-${s.slice(10)}` : s;
}
