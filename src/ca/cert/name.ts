/**
 * X.501 Names (RFC 5280 4.1.2.4), encoded directly. Country is a PrintableString (X.520 fixes it so);
 * every other attribute is a UTF8String (RFC 5280: "MUST use UTF8String" for new certificates), so the
 * Chinese unit name survives every parser.
 *
 * The USCC (统一社会信用代码, GB 32100-2015) goes in the subject as X.520 serialNumber (2.5.4.5),
 * PrintableString — its 18 characters (digits and capitals without I, O, S, V, Z) are all printable.
 * Why serialNumber: X.520 defines it as "an identifier of the object named", it is part of the
 * distinguished name (so two units with the same name stay distinct), every tool shows it (`openssl x509
 * -text` prints `serialNumber=…`), and it is what several Chinese CAs put there for organisation
 * certificates. GM/T 0015-2023 adds a USCC item of its own (its 5.2 changes list); when we adopt the 2023
 * edition's extension, the subject attribute stays as well. OU is left free for the department.
 */
import { oid, printableString, sequence, set, utf8String } from '../der/der.js';

export const NAME_OID = {
  C: '2.5.4.6',
  ST: '2.5.4.8',
  L: '2.5.4.7',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
  serialNumber: '2.5.4.5',
} as const;

export interface NameFields {
  /** Country, two letters (default CN when omitted in subscriber names is the caller's choice). */
  C?: string;
  ST?: string;
  L?: string;
  O?: string;
  OU?: string;
  CN?: string;
  /** The USCC (统一社会信用代码), as X.520 serialNumber. */
  uscc?: string;
}

const ORDER: readonly (keyof NameFields)[] = ['C', 'ST', 'L', 'O', 'OU', 'CN', 'uscc'];
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

function attribute(field: keyof NameFields, value: string): Uint8Array {
  if (field === 'C') {
    if (!/^[A-Z]{2}$/.test(value)) throw new RangeError(`country must be two capital letters: ${value}`);
    return sequence(oid(NAME_OID.C), printableString(value));
  }
  if (field === 'uscc') {
    if (!PRINTABLE.test(value)) throw new RangeError('USCC must be printable');
    return sequence(oid(NAME_OID.serialNumber), printableString(value));
  }
  return sequence(oid(NAME_OID[field]), utf8String(value));
}

/** Encodes a Name: one attribute per RDN, in the order C, ST, L, O, OU, CN, serialNumber (most general first). */
export function encodeName(fields: NameFields): Uint8Array {
  const rdns: Uint8Array[] = [];
  for (const f of ORDER) {
    const v = fields[f];
    if (v === undefined || v === '') continue;
    rdns.push(set(attribute(f, v)));
  }
  return sequence(...rdns);
}

const FIELD_OF_OID = new Map<string, keyof NameFields>(
  Object.entries(NAME_OID).map(([k, v]) => [v, (k === 'serialNumber' ? 'uscc' : k) as keyof NameFields]),
);

/** The field name of an attribute type OID (undefined: not one we encode). */
export function nameFieldOfOid(dotted: string): keyof NameFields | undefined {
  return FIELD_OF_OID.get(dotted);
}
