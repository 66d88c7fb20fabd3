/**
 * Tencent Cloud API 3.0 request signing, "signature method v3" (TC3-HMAC-SHA256), as Tencent publishes it:
 *
 *   CanonicalRequest = Method \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n
 *                      lowercase(hex(SHA256(payload)))
 *     CanonicalURI is "/" for API 3.0; the query string is empty for POST;
 *     CanonicalHeaders = for each signed header, sorted by name: lowercase(name) ":" lowercase(trim(value)) "\n"
 *     SignedHeaders    = the same lower-case names joined by ";" (content-type and host at least)
 *   CredentialScope  = Date "/" Service "/tc3_request"   (Date = the UTC day of the timestamp, YYYY-MM-DD)
 *   StringToSign     = "TC3-HMAC-SHA256" \n Timestamp \n CredentialScope \n lowercase(hex(SHA256(CanonicalRequest)))
 *   SecretDate = HMAC("TC3" + SecretKey, Date); SecretService = HMAC(SecretDate, Service);
 *   SecretSigning = HMAC(SecretService, "tc3_request"); Signature = hex(HMAC(SecretSigning, StringToSign))
 *   Authorization = "TC3-HMAC-SHA256 Credential=" SecretId "/" CredentialScope ", SignedHeaders=" SignedHeaders
 *                   ", Signature=" Signature
 *
 * The sandbox gateway verifies requests with this same code, so a wrong signer fails every test.
 */
import { createHash, createHmac } from 'node:crypto';

export const TC3_ALGORITHM = 'TC3-HMAC-SHA256';

export interface Tc3Request {
  secretId: string;
  secretKey: string;
  service: string;
  /** Unix time in seconds (the X-TC-Timestamp header). */
  timestamp: number;
  method?: string;
  canonicalUri?: string;
  canonicalQuery?: string;
  /** The headers to sign, any case; must include content-type and host. */
  headers: Record<string, string>;
  payload: string;
}

export interface Tc3Signature {
  canonicalRequest: string;
  credentialScope: string;
  stringToSign: string;
  signedHeaders: string;
  signature: string;
  authorization: string;
}

const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: string | Buffer, msg: string) => createHmac('sha256', key).update(msg, 'utf8').digest();

/** The UTC calendar day of a Unix timestamp — never the local day (Tencent: a UTC+8 date fails after midnight). */
export function tc3Date(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

export function tc3Sign(r: Tc3Request): Tc3Signature {
  const entries = Object.entries(r.headers)
    .map(([k, v]) => [k.toLowerCase(), v.trim().toLowerCase()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonicalHeaders = entries.map(([k, v]) => `${k}:${v}\n`).join('');
  const signedHeaders = entries.map(([k]) => k).join(';');
  const canonicalRequest = [
    r.method ?? 'POST',
    r.canonicalUri ?? '/',
    r.canonicalQuery ?? '',
    canonicalHeaders,
    signedHeaders,
    sha256Hex(r.payload),
  ].join('\n');
  const date = tc3Date(r.timestamp);
  const credentialScope = `${date}/${r.service}/tc3_request`;
  const stringToSign = [TC3_ALGORITHM, String(r.timestamp), credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const secretSigning = hmac(hmac(hmac(`TC3${r.secretKey}`, date), r.service), 'tc3_request');
  const signature = createHmac('sha256', secretSigning).update(stringToSign, 'utf8').digest('hex');
  const authorization = `${TC3_ALGORITHM} Credential=${r.secretId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { canonicalRequest, credentialScope, stringToSign, signedHeaders, signature, authorization };
}

export interface ParsedTc3Authorization {
  secretId: string;
  date: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** Reads an Authorization header back into its parts; null when it is not a TC3 header at all. */
export function parseTc3Authorization(header: string | undefined): ParsedTc3Authorization | null {
  const m =
    /^TC3-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{4}-\d{2}-\d{2})\/([a-z0-9-]+)\/tc3_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
      header?.trim() ?? '',
    );
  if (!m) return null;
  return { secretId: m[1]!, date: m[2]!, service: m[3]!, signedHeaders: m[4]!.split(';'), signature: m[5]! };
}
