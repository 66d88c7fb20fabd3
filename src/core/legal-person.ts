/**
 * Is the person at the phone the legal representative the order names? Names and ID numbers are compared
 * after the normalisation people's typing needs: full-width characters, spaces, lower-case x, and the
 * several "middle dot" characters used in transcribed names (e.g. 阿卜杜·热合曼).
 */
import { normalizeIdNumber } from './id-number.js';

export function normalizePersonName(input: string): string {
  return input
    .normalize('NFKC')
    .replace(/[\s\u3000]+/g, '')
    .replace(/[·•‧・.．]/g, '·')
    .toUpperCase();
}

export interface Identity {
  name: string;
  idNumber: string;
}

export function sameIdentity(a: Identity, b: Identity): boolean {
  const na = normalizePersonName(a.name);
  const ia = normalizeIdNumber(a.idNumber);
  return na !== '' && ia !== '' && na === normalizePersonName(b.name) && ia === normalizeIdNumber(b.idNumber);
}

/** The legal representative as the order form names them, or null while the form lacks either field. */
export function legalPersonOf(form: unknown): Identity | null {
  const lp = (form as { legalPerson?: { name?: unknown; idNumber?: unknown } } | null)?.legalPerson;
  const name = typeof lp?.name === 'string' ? lp.name.trim() : '';
  const idNumber = typeof lp?.idNumber === 'string' ? normalizeIdNumber(lp.idNumber) : '';
  return name && idNumber ? { name, idNumber } : null;
}
