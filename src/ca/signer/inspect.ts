/**
 * What the CA signer re-checks before it signs (issue 17: "re-checking what it signs"). The signer service
 * is handed bytes by the web/RA tier, which it does not trust: a code execution bug there must not turn
 * into a certificate nobody approved, a CRL that drops a revocation's issuer, or an OCSP `good` for a
 * revoked certificate. So each key signs one kind of structure only, recognised by parsing it, and each
 * kind is checked against the profile and — when the signer can read the registry — against the registry:
 *
 *   issuing CA key  a TBSCertificate (subscriber profile lint; the registry must hold it as a pending row,
 *                   byte for byte) or a TBSCertList (v2, this issuer, this algorithm, thisUpdate about now,
 *                   nextUpdate at most CRL_MAX_LIFE_MS later)
 *   OCSP key        a ResponseData: byName this responder, producedAt about now, every CertID about this
 *                   issuing CA, each status the registry's (good only for an issued certificate), at most
 *                   OCSP_MAX_LIFE_MS between thisUpdate and nextUpdate
 *   seal key        an SES_SealInfo-shaped SEQUENCE (GM/T 0031 seals are built from the registry's seal rows)
 *   audit key       an audit checkpoint message (certdesk-audit-checkpoint-v1), nothing else
 *
 * A refusal names what is wrong (English, for the signer's log and the RA's error log; people see a Chinese
 * message from the RA).
 */
import { readTlv } from '../der/der.js';
import { EXT } from '../cert/build.js';
import { decodeKeyUsage, LintProblem, lintParsedTbs } from '../cert/lint.js';
import { children, decodeTime, parseTbs } from '../cert/parse.js';
import { encryptionSubscriberProfile, subscriberProfile } from '../cert/profiles.js';
import { certIdMatches, type OcspIssuer } from '../ocsp/response.js';
import { oidText } from '../ocsp/request.js';
import type { KeyAlgorithm } from './port.js';

/** Which of the CA's keys a request asks for. */
export type KeyRole = 'issuing' | 'ocsp' | 'seal' | 'audit';
export const KEY_ROLES: readonly KeyRole[] = ['issuing', 'ocsp', 'seal', 'audit'];

/** What a signature was for, as the signer logs it. */
export type SignedKind = 'certificate' | 'crl' | 'ocsp' | 'seal' | 'checkpoint';

export class SigningRefused extends Error {
  override name = 'SigningRefused';
}

/** The registry as the signer reads it (its own database connection, never the caller's word). */
export interface SignerRegistry {
  /** The certificate row with this serial (lowercase hex, no leading zeros), or undefined. */
  certificate(serialHex: string): Promise<{ status: string; tbs: Uint8Array | null; notAfter: Date } | undefined>;
  /** The OCSP status the registry gives this serial (issued → good, revoked → revoked, else unknown). */
  ocspStatus(serialHex: string): Promise<'good' | 'revoked' | 'unknown'>;
  /**
   * Whether a key recovery of the escrowed key with this public key, for this recipient, is approved by a second
   * key administrator and not yet delivered (docs/kmc.md): the KMC re-envelopes nothing else.
   */
  recoveryApproved(publicKey: Uint8Array, recipient: Uint8Array): Promise<boolean>;
}

export interface InspectContext {
  family: KeyAlgorithm;
  /** The AlgorithmIdentifier DER this key signs with (must be the one inside a TBS). */
  signatureAlgorithm: Uint8Array;
  /** The issuing CA's subject Name DER and key bits (issuer of certificates and CRLs, subject of CertIDs). */
  issuing: OcspIssuer;
  /** The OCSP responder's subject Name DER (ResponderID byName). */
  responderNameDer: Uint8Array;
  policyOids: string[];
  now: Date;
  /** Absent: the signer cannot read the registry (the embedded database belongs to one process). */
  registry?: SignerRegistry;
}

/** How far a CRL's or OCSP answer's thisUpdate/producedAt may be from the signer's clock. */
export const CLOCK_SLACK_MS = 10 * 60_000;
/** A CRL's longest life (nextUpdate − thisUpdate): the 7 days of revocation/crl-publisher.ts plus an hour. */
export const CRL_MAX_LIFE_MS = 7 * 86_400_000 + 3_600_000;
/** An OCSP answer's longest life: the 4 days of revocation/ocsp-signing.ts plus an hour. */
export const OCSP_MAX_LIFE_MS = 4 * 86_400_000 + 3_600_000;
/**
 * Without the registry the signer cannot know a renewal's own end, so it caps every subscriber
 * certificate at this (a 续费 runs a year past the old end: never three years from issue).
 */
export const MAX_SUBSCRIBER_LIFE_MS = 3 * 366 * 86_400_000;

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
const serialHexOf = (magnitude: Uint8Array) => hex(magnitude).replace(/^0+/, '') || '0';

function refuse(why: string): never {
  throw new SigningRefused(why);
}

function near(t: Date, now: Date, what: string) {
  if (Math.abs(t.getTime() - now.getTime()) > CLOCK_SLACK_MS) refuse(`${what} ${t.toISOString()} is not within 10 minutes of now`);
}

/** Checks `data` for the key `role` and says what it is; throws SigningRefused otherwise. */
export async function inspectToBeSigned(
  role: KeyRole,
  data: Uint8Array,
  ctx: InspectContext,
): Promise<{ kind: SignedKind; detail: Record<string, unknown> }> {
  if (role === 'audit') return inspectCheckpoint(data);
  const outer = safeTlv(data, 0);
  if (outer.tag !== 0x30 || outer.end !== data.length) refuse('not one DER SEQUENCE');
  if (role === 'seal') return { kind: 'seal', detail: {} };
  if (role === 'ocsp') return inspectOcsp(data, outer, ctx);
  const first = safeTlv(data, outer.start);
  return first.tag === 0xa0 ? inspectCertificate(data, ctx) : inspectCrl(data, outer, ctx);
}

function safeTlv(data: Uint8Array, at: number) {
  try {
    return readTlv(data, at);
  } catch {
    return refuse('malformed DER');
  }
}

function kids(data: Uint8Array, t: { start: number; end: number }) {
  try {
    return children(data, t.start, t.end);
  } catch {
    return refuse('malformed DER');
  }
}

function isEncryptionTbs(parsed: ReturnType<typeof parseTbs>): boolean {
  const ku = parsed.extensions.find((e) => e.oid === EXT.keyUsage);
  return Boolean(ku && decodeKeyUsage(ku.value).has('keyEncipherment'));
}

async function inspectCertificate(tbs: Uint8Array, ctx: InspectContext) {
  let parsed;
  try {
    parsed = parseTbs(tbs);
  } catch (e) {
    return refuse(`not a TBSCertificate: ${(e as Error).message}`);
  }
  const serial = parsed.serialHex.toLowerCase().replace(/^0+/, '') || '0';
  let latestNotAfter = new Date(parsed.notBefore.getTime() + MAX_SUBSCRIBER_LIFE_MS);
  if (ctx.registry) {
    const row = await ctx.registry.certificate(serial);
    if (!row) refuse(`certificate ${serial} is not in the registry`);
    if (row.status !== 'pending') refuse(`certificate ${serial} is ${row.status} in the registry, not pending`);
    if (!row.tbs || !same(row.tbs, tbs)) refuse(`certificate ${serial} differs from the registry's pending record`);
    latestNotAfter = row.notAfter;
  }
  // A subscriber certificate is a signing certificate or, beside it, an encryption certificate (docs/kmc.md): the key
  // usage says which profile it must pass in full.
  const profile = isEncryptionTbs(parsed) ? encryptionSubscriberProfile : subscriberProfile;
  const problems = lintParsedTbs(parsed, profile(ctx.family, { policyOids: ctx.policyOids, latestNotAfter }));
  if (!same(parsed.issuer, ctx.issuing.nameDer)) problems.push(new LintProblem('issuer', 'issuer is not this issuing CA'));
  if (problems.length) refuse(`certificate ${serial} fails the profile: ${problems.map((p) => p.code).join(', ')}`);
  return { kind: 'certificate' as const, detail: { serial, registry: Boolean(ctx.registry) } };
}

function inspectCrl(data: Uint8Array, outer: { start: number; end: number }, ctx: InspectContext) {
  const items = kids(data, outer);
  const [version, alg, issuer, thisUpdate, nextUpdate] = items;
  if (!version || version.tag !== 0x02 || data[version.start] !== 1 || version.end - version.start !== 1) refuse('not a v2 TBSCertList');
  if (!alg || !same(data.subarray(alg.at, alg.end), ctx.signatureAlgorithm)) refuse('CRL signature algorithm is not this key’s');
  if (!issuer || !same(data.subarray(issuer.at, issuer.end), ctx.issuing.nameDer)) refuse('CRL issuer is not this issuing CA');
  if (!thisUpdate || !nextUpdate || ![0x17, 0x18].includes(thisUpdate.tag) || ![0x17, 0x18].includes(nextUpdate.tag))
    refuse('CRL has no thisUpdate/nextUpdate');
  const tu = decodeTime(thisUpdate.tag, data.subarray(thisUpdate.start, thisUpdate.end));
  const nu = decodeTime(nextUpdate.tag, data.subarray(nextUpdate.start, nextUpdate.end));
  near(tu, ctx.now, 'CRL thisUpdate');
  if (nu.getTime() <= tu.getTime() || nu.getTime() - tu.getTime() > CRL_MAX_LIFE_MS) refuse('CRL nextUpdate is not within 7 days');
  const ext = items.find((i) => i.tag === 0xa0);
  if (!ext) refuse('CRL has no extensions (CRL number, authority key identifier)');
  return { kind: 'crl' as const, detail: { thisUpdate: tu.toISOString(), bytes: data.length } };
}

async function inspectOcsp(data: Uint8Array, outer: { start: number; end: number }, ctx: InspectContext) {
  const items = kids(data, outer);
  let i = 0;
  if (items[i]?.tag === 0xa0) refuse('ResponseData carries a version (v1 is DEFAULT and must be absent)');
  const responder = items[i++];
  if (!responder || responder.tag !== 0xa1 || !same(data.subarray(responder.start, responder.end), ctx.responderNameDer))
    refuse('ResponderID is not this responder byName');
  const produced = items[i++];
  if (!produced || produced.tag !== 0x18) refuse('ResponseData has no producedAt');
  near(decodeTime(0x18, data.subarray(produced.start, produced.end)), ctx.now, 'producedAt');
  const responses = items[i];
  if (!responses || responses.tag !== 0x30) refuse('ResponseData has no responses');
  const serials: string[] = [];
  for (const single of kids(data, responses)) {
    const [certId, status, thisUpdate, nextUpdate] = kids(data, single);
    if (!certId || certId.tag !== 0x30 || !status || !thisUpdate || thisUpdate.tag !== 0x18) refuse('malformed SingleResponse');
    const [hashAlg, nameHash, keyHash, serial] = kids(data, certId);
    if (!hashAlg || !nameHash || !keyHash || !serial || serial.tag !== 0x02) refuse('malformed CertID');
    const algOid = kids(data, hashAlg)[0];
    if (!algOid || algOid.tag !== 0x06) refuse('malformed CertID hash algorithm');
    const certIdFields = {
      hashAlgorithm: oidText(data.subarray(algOid.start, algOid.end)),
      issuerNameHash: data.subarray(nameHash.start, nameHash.end),
      issuerKeyHash: data.subarray(keyHash.start, keyHash.end),
    };
    if (!certIdMatches(certIdFields, ctx.issuing)) refuse('CertID is not about this issuing CA');
    const said =
      status.tag === 0x80 ? 'good' : status.tag === 0xa1 ? 'revoked' : status.tag === 0x82 ? 'unknown' : refuse('bad CertStatus');
    const sn = serialHexOf(data.subarray(serial.start, serial.end));
    if (ctx.registry) {
      const actual = await ctx.registry.ocspStatus(sn);
      if (actual !== said) refuse(`OCSP says ${said} for ${sn}, the registry ${actual}`);
    }
    const tu = decodeTime(0x18, data.subarray(thisUpdate.start, thisUpdate.end));
    near(tu, ctx.now, 'SingleResponse thisUpdate');
    if (nextUpdate?.tag === 0xa0) {
      const inner = kids(data, nextUpdate)[0];
      if (!inner || inner.tag !== 0x18) refuse('malformed nextUpdate');
      const nu = decodeTime(0x18, data.subarray(inner.start, inner.end));
      if (nu.getTime() <= tu.getTime() || nu.getTime() - tu.getTime() > OCSP_MAX_LIFE_MS) refuse('OCSP nextUpdate is not within 4 days');
    }
    serials.push(`${sn}:${said}`);
  }
  if (!serials.length) refuse('ResponseData has no SingleResponse');
  return { kind: 'ocsp' as const, detail: { responses: serials, registry: Boolean(ctx.registry) } };
}

const CHECKPOINT = /^certdesk-audit-checkpoint-v1\n(periodic|cut)\n\d+\n[0-9a-f]{64}\n\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\n$/;

function inspectCheckpoint(data: Uint8Array) {
  const text = Buffer.from(data).toString('utf8');
  const m = CHECKPOINT.exec(text);
  if (!m) refuse('not an audit checkpoint message');
  return { kind: 'checkpoint' as const, detail: { checkpoint: text.split('\n').slice(1, 3).join(' ') } };
}
