/**
 * CRL publication and the OCSP responder's pre-signed responses, per issuing CA (family).
 *
 * CRLs (RFC 5280 section 5), per issuing CA: the complete CRL and one per shard (caPublicUrls in
 * ca/public-urls.ts: `<base>/crl/<family>/complete.crl` and `<shard>.crl`, shard = shardOf(serial,
 * CRL_SHARD_COUNT)). Each shard CRL lists only its own serials and carries a critical issuingDistributionPoint
 * naming exactly the URL its certificates' CRL DP names (RFC 5280 5.2.5). A new CRL takes the next CRL number
 * (committed before signing, so never reused: 5.2.3) and its signed bytes are stored in the database
 * (crl_documents), replacing the stored one only if its number is greater (compare-and-set): the database is
 * the one source every instance serves, so all instances answer the same bytes, whatever disk they run on
 * (issue 17). One instance at a time builds a scope (a lease in crl_shards); an instance keeps the CRLs it
 * serves in memory, one per scope, and asks for the stored numbers at most once a second while CRLs are
 * asked for, so it never serves an older CRL than the database holds for more than CRL_MEMORY_TTL_MS.
 *
 * OCSP (RFC 6960, RFC 5019 profile): one response per certificate is signed ahead of time by the
 * family's delegated responder and stored; serving a request without a nonce reads it back (one indexed
 * lookup) and costs no signature. Responses live OCSP_VALIDITY_MS and are refreshed when less than
 * OCSP_REFRESH_MS is left, and at once after a revocation (the row is deleted in the revocation's
 * transaction, so a stored `good` never outlives it).
 *
 * Each serving process keeps the responses it has read in memory. What can make a kept response wrong is a
 * revocation approved by another process, so instead of re-reading every entry on a timer (a burst of
 * queries whenever many entries age together), a process asks the database once per OCSP_FEED_INTERVAL_MS
 * which certificates were revoked lately (the revocation feed, one indexed query) and drops those entries.
 * Memory is trusted only while the last such poll is younger than OCSP_MEMORY_TTL_MS; past that a request
 * waits for a poll, so a revocation is never answered `good` by any instance for longer than that.
 */
import { createHash, hash, randomBytes, webcrypto } from 'node:crypto';
import { hostname } from 'node:os';
import { CRL_ENTRY_OVERHEAD_MAX, CRL_REASON_EXTENSION_SIZE, CrlEncoder, crlShardUrl, type CrlEntry } from '../../../ca/crl/build.js';
import { parseCrl, type ParsedCrl } from '../../../ca/crl/parse.js';
import { parseCertificate } from '../../../ca/cert/parse.js';
import { NULL, algorithmIdentifier, octetString, sequence, unsignedInteger } from '../../../ca/der/der.js';
import { decodeOcspGetPath, parseOcspRequest, type OcspCertId, type OcspRequest } from '../../../ca/ocsp/request.js';
import { buildOcspResponse, certIdMatches, type OcspIssuer, type OcspStatus } from '../../../ca/ocsp/response.js';
import type { KeyAlgorithm, Signer } from '../../../ca/signer/port.js';
import { verifySignature } from '../../../ca/signer/software.js';
import { spkiPublicKeyBits } from '../../../ca/spki.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Db, DbOrTx } from '../../db/client.js';
import type { CertificateStatus } from '../../db/schema-certificates.js';
import { caRuntime, type CaRuntime } from '../certificates/ca-runtime.js';
import { ByteBudgetLru } from './byte-budget-lru.js';
import { COMPLETE_CRL, CRL_SCOPES, ROOT_CRL, shardOfSerialHex } from './crl-scopes.js';
import { recordOperationalCertificates } from './operational.js';
import { revocationRepository } from './repository.js';

/** Rows per page when a CRL streams its entries from the database: small enough that one page is a few ms of work. */
export const CRL_PAGE_ROWS = 2_000;
/** RFC 5280 5.1.2.5 nextUpdate; the rule: at most 7 days ahead. */
export const CRL_VALIDITY_MS = 7 * 86_400_000;
/** Republish on schedule when the published CRL has less than this left (half its life). */
export const CRL_REFRESH_MS = 3.5 * 86_400_000;
/** While CRLs are asked for, an instance asks for the stored CRL numbers (crlHeads) at most this often… */
export const CRL_CHECK_INTERVAL_MS = 1_000;
/**
 * …and serves from memory without waiting only while its last check started less than this ago; older, a
 * request waits for a check. So no instance serves an older CRL than the database holds for longer than this.
 */
export const CRL_MEMORY_TTL_MS = 2_000;
/**
 * A publisher's claim on a scope (crl_shards.lease_until). Renewed while the build runs (every third of it),
 * so only a holder that died or hangs loses it; then another instance builds the scope after at most this.
 */
export const CRL_LEASE_MS = 60_000;
/** How often an instance waiting for another's lease looks again, and how long at most it waits. */
const CRL_LEASE_POLL_MS = 100;
const CRL_LEASE_WAIT_MS = 2 * CRL_LEASE_MS;
/** A stored CRL is read in slices of this size (Publisher.loadCrl). */
export const CRL_READ_SLICE_BYTES = 1024 * 1024;
/** HTTP caches keep a CRL at most this long (never past its nextUpdate), so a republished CRL spreads. */
export const CRL_MAX_AGE_S = 3_600;
/** RFC 5019 2.2: responses are cached until nextUpdate; 4 days as Let's Encrypt does, refreshed at half-life. */
export const OCSP_VALIDITY_MS = 4 * 86_400_000;
export const OCSP_REFRESH_MS = 2 * 86_400_000;

/**
 * When the CA job next signs the OCSP response of a certificate whose response was just signed at
 * `thisUpdate` (certificates.ocsp_due_at): at the response's half-life, while the certificate is valid then;
 * null — no more scheduled signing — once this response already reaches OCSP_REFRESH_MS or more past the
 * certificate's notAfter (it is valid until thisUpdate + OCSP_VALIDITY_MS). An expired certificate asked about
 * later is signed on demand, one signature per OCSP_VALIDITY_MS, stored for everyone (Publisher.answerSingle).
 * The rule and why: docs/revocation.md, "Expired certificates in OCSP and CRLs".
 */
export function nextOcspDue(thisUpdate: Date, notAfter: Date): Date | null {
  const due = thisUpdate.getTime() + OCSP_VALIDITY_MS - OCSP_REFRESH_MS;
  return due > notAfter.getTime() ? null : new Date(due);
}

/**
 * Which revoked certificates a CRL still lists, given the thisUpdate of the previous CRL of the same scope:
 * those whose notAfter is no earlier than the returned time (all of them when there was none). RFC 5280 3.3:
 * an entry stays until it has appeared on a regularly scheduled CRL issued after the certificate's validity
 * period; keeping it one CRL validity (CRL_VALIDITY_MS) past the previous CRL's thisUpdate means every CRL
 * published within 7 days after notAfter lists it, and at least one published after notAfter does whatever
 * the gaps between publications. X.509's ExpiredCertsOnCRL is therefore not claimed (docs/revocation.md).
 */
export function crlExpiredBefore(previousThisUpdate: Date | null | undefined): Date | undefined {
  return previousThisUpdate ? new Date(previousThisUpdate.getTime() - CRL_VALIDITY_MS) : undefined;
}
/**
 * The revocation feed (see the header): polled at most this often, and only while requests come in. The
 * process that approves a revocation replaces its own entry at once (presign); every other instance drops
 * its entry at its next poll.
 */
export const OCSP_FEED_INTERVAL_MS = 1_000;
/**
 * Memory is answered from without waiting only while the last completed feed poll started less than this
 * ago; older (a quiet spell, a database outage), a request first waits for a poll. So no instance answers a
 * revoked certificate `good` for longer than this after the revocation's commit. RFC 5019 lets caches keep
 * a response until its nextUpdate anyway; this bound is far tighter.
 */
export const OCSP_MEMORY_TTL_MS = 2_000; // issue 17: revocation visible on every instance within 2 s
/**
 * A poll asks for revocations stamped up to this long before the previous poll started: a revocation's
 * revoked_at is taken inside its transaction, which may commit after a poll has looked (and clocks of
 * instances differ a little). Seeing one twice is harmless.
 */
export const OCSP_FEED_OVERLAP_MS = 60_000;
/** A backstop under the feed: an entry is read from the database again at least this often. */
export const OCSP_MEMORY_RECHECK_MS = 5 * 60_000;
/**
 * A serial this CA never issued costs one lookup (answerSingle) and is answered `unknown`, signed live within
 * the live-signing cap. That it was not found, and the signed answer, are kept this long per process, so a
 * client (or an attacker) asking about it again and again costs no database lookups and no signature. A certificate issued in this process drops its entry at once (presign); another instance may
 * still say `unknown` for this long — never `good` for something not issued.
 */
export const OCSP_UNKNOWN_TTL_MS = 60_000;
/**
 * Anyone can ask about any serial, so the kept `unknown` answers are bounded in bytes (least recently used
 * dropped first), not by count: a serial may be up to the request's 16 KB. 16 MiB holds some 10,000 answers.
 */
export const OCSP_UNKNOWN_BUDGET_BYTES = 16 * 1024 * 1024;
/** At most this many CertID variants (hash algorithms) kept per unknown serial; a client uses one. */
const OCSP_UNKNOWN_VARIANTS = 4;
/**
 * GET requests resolved before (resolveGetPath): only single-CertID requests about our issuers, keyed by
 * the SHA-256 of the path, bounded in bytes. 16 MiB holds some 12,000 requests, more than the
 * distinct certificates a busy relying-party population asks about within a few minutes.
 */
export const OCSP_ASKED_BUDGET_BYTES = 16 * 1024 * 1024;
/**
 * What a remembered entry costs on the V8 heap beyond its variable-length bytes (Map slot, key string, the
 * objects and typed arrays of a parsed CertID); measured with bench/ocsp-memory.ts, rounded up.
 */
const ENTRY_OVERHEAD_BYTES = 1024;

/** What a kept response costs against CERTDESK_OCSP_MEMORY_MB: its bytes, its key and strings, the bookkeeping. */
const cachedOcspBytes = (serial: string, e: CachedOcsp) =>
  ENTRY_OVERHEAD_BYTES + e.der.byteLength + (serial.length + e.family.length + e.lastModified.length + e.expires.length) * 2;

/** What an OCSP request asks, once parsed and matched to an issuing CA; a pure function of its bytes. */
export type Asked =
  | { kind: 'error'; status: 'malformedRequest' | 'unauthorized' }
  // RFC 5019's common case: one CertID, no nonce. `canonical`: it is byte for byte the SHA-1 CertID the
  // pre-signed response names, so that response answers it.
  | { kind: 'single'; issuer: IssuerEntry; certId: OcspCertId; serial: string; canonical: boolean }
  | { kind: 'live'; issuer: IssuerEntry; request: OcspRequest };

interface KeptUnknown {
  /**
   * Until when (clock ms) this serial is taken as never issued by this issuer without asking the database
   * again (OCSP_UNKNOWN_TTL_MS after the lookup that found nothing): a serial asked again costs no query,
   * whether or not a signature could be spent on it then.
   */
  notIssuedUntil: number;
  /** SHA-256 of the CertID DER (base64) → the signed answer and until when it is kept (clock ms). */
  variants: Map<string, { der: Uint8Array; until: number }>;
}

/** The answer to a single CertID without a nonce (Publisher.answerSingle), for the route to send. */
export type SingleAnswer =
  /** The pre-signed response (HTTP-cacheable, RFC 5019). */
  | { kind: 'stored'; stored: CachedOcsp }
  /** Signed for this request (a CertID hashed otherwise) or a kept `unknown`: not for HTTP caches. */
  | { kind: 'signed'; der: Uint8Array }
  /** A signature was needed and the live-signing cap said no (RFC 6960 2.3). */
  | { kind: 'tryLater' };

/** The registry's status of a row for OCSP (never good for a certificate not issued). */
/** What an OCSP answer is made from: the registry's (or the CA's own certificates') row. */
type OcspRow = { status: CertificateStatus; revokedAt: Date | null; revocationReason: number | null; notAfter: Date };

/** Signatures in flight at once while the CA job re-signs a batch (through the signer: requests in flight). */
const OCSP_SIGN_CONCURRENCY = 16;

function statusOfRow(c: { status: CertificateStatus; revokedAt: Date | null; revocationReason: number | null }): {
  status: OcspStatus;
  revokedAt?: Date;
  reason?: number;
} {
  if (c.status === 'issued') return { status: 'good' };
  if (c.status === 'revoked' && c.revokedAt) return { status: 'revoked', revokedAt: c.revokedAt, reason: c.revocationReason ?? undefined };
  return { status: 'unknown' }; // pending / failed: not a certificate anyone holds
}

export interface CachedOcsp {
  der: Buffer;
  family: string;
  status: 'good' | 'revoked';
  thisUpdate: Date;
  nextUpdate: Date;
  lastModified: string;
  expires: string;
  /** When this process reads it from the database again (the backstop, OCSP_MEMORY_RECHECK_MS; monotonic ms). */
  until: number;
  refreshing?: boolean;
}

export interface PublicationDeps {
  db: Db;
  clock: Clock;
  config: Config;
}

/** What the responder needs per family, derived from the hierarchy once (not state: cached in memory). */
export interface IssuerEntry {
  family: KeyAlgorithm;
  issuer: OcspIssuer;
  keyIdHex: string;
  issuingSigner: Signer;
  authorityKeyId: Uint8Array;
  responderCertDer: Uint8Array;
  /** The responder certificate's subject (ResponderID byName). */
  responderNameDer: Uint8Array;
  responderSigner: Signer;
  /** SHA-1 CertID prefix (hashAlgorithm, issuerNameHash, issuerKeyHash) for the responses we pre-sign. */
  certIdPrefix: Uint8Array;
  /** The root's subject, key identifier (hex) and public key: what its offline-signed CRL is checked against. */
  rootNameDer: Uint8Array;
  rootKeyIdHex: string;
  rootSpki: Uint8Array;
}

/** A CRL as this instance serves it: the stored bytes and the HTTP fields read from those bytes. */
export interface ServedCrl {
  der: Buffer;
  crlNumber: bigint;
  thisUpdate: Date;
  nextUpdate: Date;
  /** The CRL number and the bytes' SHA-256: the same on every instance for the same bytes. */
  etag: string;
  lastModified: string;
  expires: string;
}

/** What a publication did: the CRL it built, and whether it is the one stored (false: a newer one was). */
export interface PublishedCrl {
  crlNumber: bigint;
  entries: number;
  der: Uint8Array;
  stored: boolean;
}

/** Thrown inside a build when another instance has taken the scope's lapsed lease over: it builds instead. */
class CrlLeaseLost extends Error {}

const crlKey = (family: string, scope: number) => `${family}:${scope}`;

const SHA1_ALG = algorithmIdentifier('1.3.14.3.2.26', NULL);

function issuerEntries(rt: CaRuntime): IssuerEntry[] {
  const out: IssuerEntry[] = [];
  for (const family of rt.config.families) {
    const f = rt.hierarchy.families[family];
    if (!f) continue;
    const spkiKeyBytes = spkiPublicKeyBits(f.issuing.signer.publicKeySpki);
    const issuer: OcspIssuer = { nameDer: f.issuing.nameDer, spkiKeyBytes };
    out.push({
      family,
      issuer,
      keyIdHex: Buffer.from(f.issuing.keyId).toString('hex'),
      issuingSigner: f.issuing.signer,
      authorityKeyId: f.issuing.keyId,
      responderCertDer: f.ocsp.certDer,
      responderNameDer: f.ocsp.nameDer,
      responderSigner: f.ocsp.signer,
      certIdPrefix: Buffer.concat([
        SHA1_ALG,
        octetString(createHash('sha1').update(f.issuing.nameDer).digest()),
        octetString(createHash('sha1').update(spkiKeyBytes).digest()),
      ]),
      rootNameDer: f.root.nameDer,
      rootKeyIdHex: Buffer.from(f.root.keyId).toString('hex'),
      rootSpki: parseCertificate(f.root.certDer).spki,
    });
  }
  return out;
}

/** Registry rows as CRL entries (RFC 5280 5.3.1: the reason code SHOULD be absent rather than unspecified, 0). */
function* crlEntries(rows: readonly { serial: string; revokedAt: Date | null; reason: number | null }[]): Generator<CrlEntry> {
  for (const r of rows)
    if (r.revokedAt)
      yield {
        serial: Buffer.from(r.serial.length % 2 ? `0${r.serial}` : r.serial, 'hex'),
        revokedAt: r.revokedAt,
        reason: r.reason || undefined,
      };
}

/** The CertID (SHA-1, as RFC 5019 2.1.1 clients send) of a serial, DER. */
export function certIdFor(entry: IssuerEntry, serialHex: string): Uint8Array {
  return sequence(entry.certIdPrefix, unsignedInteger(Buffer.from(serialHex.length % 2 ? `0${serialHex}` : serialHex, 'hex')));
}

export const serialHexOf = (magnitude: Uint8Array) => Buffer.from(magnitude).toString('hex').replace(/^0+/, '') || '0';

/** A kept `unknown` answer's key among its serial's variants: the CertID's SHA-256, whatever the CertID's length. */
const certIdKey = (certId: OcspCertId) => hash('sha256', certId.der, 'base64');
/** The kept `unknown` entries are per issuer (family) and serial: a serial is unknown to one issuer at a time. */
const unknownKey = (family: string, serialHex: string) => `${family}:${serialHex}`;

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class Publisher {
  /** Counts signatures made for OCSP (tests check the pre-signed path makes none). */
  ocspSignatures = 0;
  /**
   * serial → the response this process serves, least recently used dropped first within the configured bytes
   * (CERTDESK_OCSP_MEMORY_MB): a sweep over many certificates pushes out what it touched once, not the hot set
   * (issue 21: the old count bound emptied the whole map, hot set included, at 200,000 entries).
   */
  readonly memory: ByteBudgetLru<CachedOcsp>;
  /** family:serial → not issued (for a while) and its CertID variants' signed `unknown` answers: see OCSP_UNKNOWN_TTL_MS. */
  readonly unknown = new ByteBudgetLru<KeptUnknown>(OCSP_UNKNOWN_BUDGET_BYTES);
  /** GET requests resolved before: see resolveGetPath. */
  readonly asked = new ByteBudgetLru<Asked & { kind: 'single' }>(OCSP_ASKED_BUDGET_BYTES);
  /** The revocation feed: when the last completed poll started (monotonic ms, for freshness) and by the clock (the next poll's lower bound). */
  private feedFreshAt = -Infinity;
  private feedSince: Date;
  private feedPoll: Promise<void> | undefined;
  /** Completed feed polls (tests and the benchmark count them). */
  feedPolls = 0;
  /** Who this process is in crl_shards.lease_holder (host and pid, for an operator reading the table). */
  readonly leaseHolder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  /**
   * family:scope → the CRL this process serves. One per scope: a newer one replaces it (the old one is freed
   * once the responses sending it finish), so memory is what the current CRLs weigh, once — ~40 MB for a
   * million-entry complete CRL and as much again for its shards — however many requests ask at once.
   */
  private readonly crls = new Map<string, ServedCrl>();
  /** Loads under way (single flight): many requests after a republication read the new bytes once. */
  private readonly crlLoads = new Map<string, Promise<ServedCrl | null>>();
  /** Publications on request under way (single flight): requests for a scope with nothing to serve wait for one. */
  private readonly crlPublishing = new Map<string, Promise<PublishedCrl | null>>();
  /** family:scope → the greatest CRL number this process knows to be stored (from its checks and its own stores). */
  private readonly crlStored = new Map<string, bigint>();
  /** When the last completed check of the stored numbers started (monotonic ms); the one under way. */
  private crlCheckedAt = -Infinity;
  private crlCheck: Promise<void> | undefined;
  /** The slice size loadCrl reads a stored CRL in (CRL_READ_SLICE_BYTES; tests make it small). */
  crlReadSliceBytes = CRL_READ_SLICE_BYTES;
  /** Completed checks and loads of CRL bytes (tests count them). */
  crlChecks = 0;
  crlLoadCount = 0;
  /** family → the root CRL file's state last taken in or refused (mtime and size), so a file is read once per change. */
  private readonly rootFilesSeen = new Map<string, string>();
  private constructor(
    readonly deps: PublicationDeps,
    readonly runtime: CaRuntime,
    readonly issuers: IssuerEntry[],
  ) {
    // The first poll looks back to this publisher's birth: nothing it kept can predate that.
    this.feedSince = deps.clock.now();
    this.memory = new ByteBudgetLru<CachedOcsp>(deps.config.ca.ocspMemoryBytes);
  }

  static async create(deps: PublicationDeps): Promise<Publisher> {
    const rt = await caRuntime(deps.config.ca);
    // The seal maker's and audit signer's certificates (current and renewed-away) join the status service.
    await recordOperationalCertificates(deps.db, await rt.operationalCertificates());
    return new Publisher(deps, rt, issuerEntries(rt));
  }

  issuerForCertId(certId: Pick<OcspCertId, 'hashAlgorithm' | 'issuerNameHash' | 'issuerKeyHash'>): IssuerEntry | undefined {
    for (const e of this.issuers) if (certIdMatches(certId, e.issuer)) return e;
    return undefined;
  }
  issuerOfFamily(family: string): IssuerEntry | undefined {
    return this.issuers.find((e) => e.family === family);
  }

  /** Parses an OCSP request and matches it to one of our issuing CAs (RFC 6960 2.3: another issuer → unauthorized). */
  resolveRequest(der: Uint8Array): Asked {
    let request: OcspRequest;
    try {
      request = parseOcspRequest(der);
    } catch {
      return { kind: 'error', status: 'malformedRequest' };
    }
    const first = request.certIds[0];
    if (!first) return { kind: 'error', status: 'malformedRequest' };
    // Only the delegated responder of the issuer the CertID names answers (RFC 6960 2.3 unauthorized otherwise).
    const issuer = this.issuerForCertId(first);
    if (!issuer || request.certIds.some((id) => id !== first && !certIdMatches(id, issuer.issuer)))
      return { kind: 'error', status: 'unauthorized' };
    if (request.nonce || request.certIds.length !== 1) return { kind: 'live', issuer, request };
    const serial = serialHexOf(first.serial);
    return { kind: 'single', issuer, certId: first, serial, canonical: bytesEqual(first.der, certIdFor(issuer, serial)) };
  }

  /**
   * A GET request (the URL-encoded base64 after /ocsp/, RFC 6960 A.1) resolved, and remembered when worth
   * it: a relying party asks about the same certificate again and again with the same bytes (RFC 5019 2.1.1),
   * and what they ask never changes, only the answer (read every time). Only a single CertID of ours without a
   * nonce is kept — garbage, other issuers' CertIDs and nonce requests (unique by design) are resolved each
   * time and never held — keyed by the SHA-256 of the path (a fixed 44 characters however long the path;
   * hashing the path, not the decoded DER, spares a hit the base64 decode: a third of its cost), within a
   * byte budget. Spellings of one request (%2F or /) are separate entries, each counted against the budget.
   */
  resolveGetPath(encoded: string): Asked {
    const key = hash('sha256', encoded, 'base64'); // one-shot: a third of createHash's cost on this hot path
    const kept = this.asked.get(key);
    if (kept) return kept;
    let der: Uint8Array;
    try {
      der = decodeOcspGetPath(encoded);
    } catch {
      return { kind: 'error', status: 'malformedRequest' };
    }
    const asked = this.resolveRequest(der);
    if (asked.kind === 'single')
      this.asked.set(key, asked, ENTRY_OVERHEAD_BYTES + key.length * 2 + asked.serial.length * 2 + asked.certId.der.length * 2);
    return asked;
  }

  /**
   * The kept response of a serial when it can be answered without waiting: memory is trusted (the feed is
   * fresh) and the entry is still valid. Synchronous: the hot path of every relying party's check.
   */
  memoryHit(serial: string, now: number): CachedOcsp | undefined {
    const mono = performance.now();
    const age = mono - this.feedFreshAt;
    if (age >= OCSP_MEMORY_TTL_MS) return undefined; // memory is not trusted until the feed has caught up
    if (age >= OCSP_FEED_INTERVAL_MS) void this.pollFeed().catch(() => undefined); // if it keeps failing, requests wait (above)
    const m = this.memory.get(serial);
    if (!m || m.nextUpdate.getTime() <= now) return undefined;
    // The backstop: past its recheck time the entry is still a valid signed answer (and the feed has not named
    // it); it is re-read in the background so the hot path never waits.
    if (m.until <= mono && !m.refreshing) {
      m.refreshing = true;
      void this.reload(serial).catch(() => (m.refreshing = false));
    }
    return m;
  }

  /** The stored response of a serial, from memory or (one indexed lookup) the database; null if none is stored. */
  async storedResponse(serial: string, now: number): Promise<CachedOcsp | null> {
    const hit = this.memoryHit(serial, now);
    if (hit) return hit;
    if (performance.now() - this.feedFreshAt >= OCSP_MEMORY_TTL_MS) {
      await this.pollFeed();
      const after = this.memoryHit(serial, now);
      if (after) return after;
    }
    return this.reload(serial);
  }

  /**
   * One poll of the revocation feed (single flight): drops the kept answers of certificates revoked since the
   * previous poll (less the overlap). After a long quiet spell memory is simply emptied instead of asking for
   * weeks of revocations: every entry would be due for its backstop re-read by then anyway.
   */
  private pollFeed(): Promise<void> {
    return (this.feedPoll ??= (async () => {
      const startedMono = performance.now();
      const started = this.deps.clock.now();
      try {
        if (startedMono - this.feedFreshAt > OCSP_MEMORY_RECHECK_MS && this.feedFreshAt > -Infinity) this.memory.clear();
        else {
          const since = new Date(this.feedSince.getTime() - OCSP_FEED_OVERLAP_MS);
          for (const serial of await revocationRepository.revokedSince(this.deps.db, since)) {
            const m = this.memory.peek(serial);
            if (m && m.status !== 'revoked') this.memory.delete(serial);
          }
        }
        this.feedFreshAt = startedMono;
        this.feedSince = started;
        this.feedPolls++;
      } finally {
        this.feedPoll = undefined;
      }
    })());
  }

  private async reload(serial: string): Promise<CachedOcsp | null> {
    const r = await revocationRepository.storedOcsp(this.deps.db, serial);
    if (!r) {
      this.memory.delete(serial);
      return null;
    }
    return this.remember(serial, r.family, r.status, r.der, r.thisUpdate, r.nextUpdate);
  }

  private remember(
    serial: string,
    family: string,
    status: CachedOcsp['status'],
    der: Uint8Array,
    thisUpdate: Date,
    nextUpdate: Date,
  ): CachedOcsp {
    // A copy of its own: the driver's bytes may be a view into a larger buffer (a pooled slab, a whole result)
    // that would stay alive as long as this entry, beyond what the budget counts.
    const own = Buffer.allocUnsafeSlow(der.byteLength);
    own.set(der);
    const e: CachedOcsp = {
      der: own,
      family,
      status,
      thisUpdate,
      nextUpdate,
      lastModified: thisUpdate.toUTCString(),
      expires: nextUpdate.toUTCString(),
      until: performance.now() + OCSP_MEMORY_RECHECK_MS,
    };
    this.memory.set(serial, e, cachedOcspBytes(serial, e));
    return e;
  }

  // --- CRL -----------------------------------------------------------------------------------------------
  async ensureShards(): Promise<void> {
    const now = this.deps.clock.now();
    for (const e of this.issuers) for (const s of CRL_SCOPES) await revocationRepository.ensureShard(this.deps.db, e.family, s, now);
  }

  /** The key a scope's CRLs are signed with: the root's for ROOT_CRL, the issuing CA's otherwise. */
  private crlIssuerKey(e: IssuerEntry, scope: number): string {
    return scope === ROOT_CRL ? e.rootKeyIdHex : e.keyIdHex;
  }

  /**
   * Builds, signs and stores one CRL — the issuing CA's complete CRL (scope COMPLETE_CRL) or one shard — now,
   * waiting for another instance's build of the same scope to end first. `stored` is false only when a CRL
   * with a greater number was stored meanwhile (this one then is never served).
   */
  async publishCrl(family: string, scope: number): Promise<PublishedCrl> {
    return (await this.publishScope(family, scope, { wait: true, onlyIfDue: false }))!;
  }

  /**
   * Publishes one scope under its lease (crl_shards.lease_holder: one instance builds a scope at a time). With
   * `wait`, waits while another instance holds it, else gives up at once (null): that instance is publishing.
   * With `onlyIfDue`, builds only if, once the lease is held, the scope is still due (isDue) — so instances
   * that start together, or answer the same revocation, do not build the same CRL again after one of them has.
   */
  private async publishScope(family: string, scope: number, opts: { wait: boolean; onlyIfDue: boolean }): Promise<PublishedCrl | null> {
    const e = this.issuerOfFamily(family);
    if (!e) throw new Error(`no issuing CA for ${family}`);
    if (!CRL_SCOPES.includes(scope)) throw new RangeError(`no CRL scope ${scope}`);
    const { db, clock } = this.deps;
    await revocationRepository.ensureShard(db, family, scope, clock.now());
    const deadline = performance.now() + CRL_LEASE_WAIT_MS;
    while (!(await revocationRepository.takeCrlLease(db, family, scope, this.leaseHolder, CRL_LEASE_MS))) {
      if (!opts.wait) return null;
      if (performance.now() > deadline) throw new Error(`CRL ${family}/${scope}: another instance has held the lease for too long`);
      await new Promise((r) => setTimeout(r, CRL_LEASE_POLL_MS));
    }
    try {
      if (opts.onlyIfDue && !(await this.isDue(e, scope))) return null;
      return await this.buildAndStore(e, scope);
    } catch (err) {
      if (err instanceof CrlLeaseLost) return null; // the instance that took the lapsed lease over publishes
      throw err;
    } finally {
      await revocationRepository.releaseCrlLease(db, family, scope, this.leaseHolder).catch(() => undefined);
    }
  }

  /** Marked by a revocation, never stored for the current key, or with less than CRL_REFRESH_MS left. */
  private async isDue(e: IssuerEntry, scope: number): Promise<boolean> {
    const { db, clock } = this.deps;
    const row = await revocationRepository.shard(db, e.family, scope);
    if (!row || row.dirtySince) return true;
    const head = (await revocationRepository.crlHeads(db, [e.keyIdHex])).find((h) => h.family === e.family && h.scope === scope);
    return !head || head.nextUpdate.getTime() < clock.now().getTime() + CRL_REFRESH_MS;
  }

  /**
   * The build itself, under the lease: the entries stream from the database in pages of CRL_PAGE_ROWS straight
   * into the encoder's one buffer, sized beforehand from the scope's totals (so memory is the CRL itself), and
   * the event loop gets a turn between pages and while the signature's hash runs (software.ts), so requests
   * keep being answered while a million-entry CRL is built (issue 21; bench/crl-serving.ts). The lease is
   * renewed as pages go by; the signed bytes are stored by compare-and-set on the CRL number.
   */
  private async buildAndStore(e: IssuerEntry, scope: number): Promise<PublishedCrl> {
    const { db, clock } = this.deps;
    const family = e.family;
    let renewedAt = performance.now();
    const keepLease = async () => {
      if (performance.now() - renewedAt < CRL_LEASE_MS / 3) return;
      if (!(await revocationRepository.renewCrlLease(db, family, scope, this.leaseHolder, CRL_LEASE_MS))) throw new CrlLeaseLost();
      renewedAt = performance.now();
    };
    // The marker is read before the entries, so a revocation committed after this read marks it again.
    const before = await revocationRepository.shard(db, family, scope);
    const crlNumber = await revocationRepository.nextCrlNumber(db, family, scope);
    const q = {
      family,
      issuerKeyId: e.keyIdHex,
      lastHexDigit: scope === COMPLETE_CRL ? undefined : scope.toString(16),
      expiredBefore: crlExpiredBefore(before?.thisUpdate),
    };
    const totals = await revocationRepository.revokedTotals(db, q);
    // The CA's own revoked end-entity certificates (seal maker, audit signer: operational.ts), a handful.
    const own = await revocationRepository.revokedOperational(db, q);
    const ownOctets = own.reduce((n, r) => n + Math.ceil(r.serial.length / 2), 0);
    const thisUpdate = clock.now();
    const encoder = new CrlEncoder(
      {
        issuerNameDer: e.issuer.nameDer,
        authorityKeyId: e.authorityKeyId,
        signer: e.issuingSigner,
        thisUpdate,
        nextUpdate: new Date(thisUpdate.getTime() + CRL_VALIDITY_MS),
        crlNumber,
        // A shard's IDP is the same string as the CRL DP of its certificates (caPublicUrls), byte for byte
        // (RFC 5280 5.2.5). The complete CRL has none: it covers every certificate of the issuing CA, and
        // GmSSL and NSS refuse any CRL with a critical extension.
        distributionPoint: scope === COMPLETE_CRL ? undefined : crlShardUrl(this.runtime.config.baseUrl, family, scope),
      },
      (totals.count + own.length) * CRL_ENTRY_OVERHEAD_MAX +
        totals.serialOctets +
        ownOctets +
        (totals.withReason + own.length) * CRL_REASON_EXTENSION_SIZE,
    );
    encoder.add(crlEntries(own));
    for (let after: string | null = null; ;) {
      const rows = await revocationRepository.revokedPage(db, { ...q, after, limit: CRL_PAGE_ROWS });
      encoder.add(crlEntries(rows));
      if (rows.length < CRL_PAGE_ROWS) break;
      after = rows[rows.length - 1]!.serial;
      await keepLease();
      await new Promise((r) => setImmediate(r)); // a turn for requests even when the driver answers at once (PGlite)
    }
    const der = Buffer.from(await encoder.finish()); // a view of the encoder's buffer, sized to fit: no copy
    await keepLease();
    const parsed = parseCrl(der);
    const stored = await this.storeCrl(e, scope, der, parsed, {
      family,
      shard: scope,
      crlNumber,
      thisUpdate,
      nextUpdate: new Date(thisUpdate.getTime() + CRL_VALIDITY_MS),
      entries: encoder.entries,
      markSeen: before?.dirtySince ?? null,
    });
    return { crlNumber, entries: encoder.entries, der, stored };
  }

  /**
   * Stores signed CRL bytes for every instance (compare-and-set: only over a smaller number) and, when they
   * are stored, serves them from this process at once. `state`: the scope's bookkeeping in crl_shards,
   * updated (and its marker cleared) in the same transaction, never for a CRL that lost.
   */
  private async storeCrl(
    e: IssuerEntry,
    scope: number,
    der: Buffer,
    parsed: ParsedCrl,
    state?: Parameters<typeof revocationRepository.published>[1],
  ): Promise<boolean> {
    if (parsed.crlNumber === null || !parsed.nextUpdate) throw new Error('a CRL without a number or nextUpdate is not served');
    // SHA-256 of up to tens of MB: WebCrypto hashes on the thread pool, not the serving thread.
    const sha256 = Buffer.from(await webcrypto.subtle.digest('SHA-256', der)).toString('hex');
    const row = {
      family: e.family,
      issuerKeyId: this.crlIssuerKey(e, scope),
      scope,
      crlNumber: parsed.crlNumber,
      thisUpdate: parsed.thisUpdate,
      nextUpdate: parsed.nextUpdate,
      sha256,
      size: der.length,
      der,
      storedAt: this.deps.clock.now(),
    };
    const stored = await this.deps.db.transaction(async (tx) => {
      if (!(await revocationRepository.storeCrl(tx, row))) return false;
      if (state) await revocationRepository.published(tx, state);
      return true;
    });
    if (stored) this.rememberCrl(e.family, scope, der, sha256, parsed);
    return stored;
  }

  /** Keeps CRL bytes as this process's served copy of the scope, unless it already serves a newer one. */
  private rememberCrl(family: string, scope: number, der: Buffer, sha256: string, parsed = parseCrl(der)): ServedCrl {
    const key = crlKey(family, scope);
    const crlNumber = parsed.crlNumber ?? 0n;
    const kept = this.crls.get(key);
    if (kept && kept.crlNumber >= crlNumber) return kept;
    const nextUpdate = parsed.nextUpdate ?? parsed.thisUpdate;
    const served: ServedCrl = {
      der,
      crlNumber,
      thisUpdate: parsed.thisUpdate,
      nextUpdate,
      etag: `"${crlNumber.toString(16)}-${sha256.slice(0, 16)}"`,
      lastModified: parsed.thisUpdate.toUTCString(),
      expires: nextUpdate.toUTCString(),
    };
    this.crls.set(key, served);
    if ((this.crlStored.get(key) ?? -1n) < crlNumber) this.crlStored.set(key, crlNumber);
    return served;
  }

  /**
   * Reads a scope's stored CRL (single flight per scope) and keeps it: in slices (CRL_READ_SLICE_BYTES) into
   * one buffer of the stored size, with a turn for requests between slices — read whole, a million-entry CRL
   * came through the driver as 80 MB of hex text and held the event loop for seconds. Each slice is read only
   * while the scope still holds the same CRL number (a newer one stored meanwhile: read that one instead), and
   * the whole is checked against the stored SHA-256.
   */
  private loadCrl(e: IssuerEntry, scope: number): Promise<ServedCrl | null> {
    const key = crlKey(e.family, scope);
    let load = this.crlLoads.get(key);
    if (!load) {
      load = (async () => {
        const { db } = this.deps;
        const issuerKeyId = this.crlIssuerKey(e, scope);
        for (let attempt = 0; attempt < 3; attempt++) {
          const head = await revocationRepository.crlDocumentHead(db, e.family, issuerKeyId, scope);
          if (!head) return null;
          const der = Buffer.allocUnsafeSlow(head.size);
          let complete = true;
          for (let at = 0; at < head.size; at += this.crlReadSliceBytes) {
            const want = Math.min(this.crlReadSliceBytes, head.size - at);
            const part = await revocationRepository.crlDocumentSlice(
              db,
              { family: e.family, issuerKeyId, scope, crlNumber: head.crlNumber },
              at,
              want,
            );
            if (!part || part.length !== want) {
              complete = false; // replaced by a newer CRL while being read
              break;
            }
            part.copy(der, at);
            if (at + want < head.size) await new Promise((r) => setImmediate(r));
          }
          if (!complete) continue;
          const sha256 = Buffer.from(await webcrypto.subtle.digest('SHA-256', der)).toString('hex');
          if (sha256 !== head.sha256) throw new Error(`stored CRL ${e.family}/${scope} #${head.crlNumber} does not match its SHA-256`);
          this.crlLoadCount++;
          return this.rememberCrl(e.family, scope, der, sha256);
        }
        throw new Error(`CRL ${e.family}/${scope} kept being replaced while it was read`);
      })().finally(() => this.crlLoads.delete(key));
      this.crlLoads.set(key, load);
    }
    return load;
  }

  /**
   * Learns the stored CRL numbers (one small query for every scope of every family, single flight): at most
   * once per CRL_CHECK_INTERVAL_MS, in the background while the last check is younger than CRL_MEMORY_TTL_MS,
   * waited for past that. A failed check (database unreachable) leaves memory as it is: no newer CRL can be
   * stored meanwhile either, and the kept one stays valid until its nextUpdate.
   */
  private async checkStoredCrls(): Promise<void> {
    const age = performance.now() - this.crlCheckedAt;
    if (age < CRL_CHECK_INTERVAL_MS) return;
    const check = (this.crlCheck ??= (async () => {
      const started = performance.now();
      try {
        const keys = this.issuers.flatMap((e) => [e.keyIdHex, e.rootKeyIdHex]);
        for (const h of await revocationRepository.crlHeads(this.deps.db, keys)) {
          const e = this.issuerOfFamily(h.family);
          if (!e || this.crlIssuerKey(e, h.scope) !== h.issuerKeyId) continue; // another key's CRLs
          const key = crlKey(h.family, h.scope);
          if ((this.crlStored.get(key) ?? -1n) < h.crlNumber) this.crlStored.set(key, h.crlNumber);
        }
        this.crlCheckedAt = started;
        this.crlChecks++;
      } finally {
        this.crlCheck = undefined;
      }
    })());
    if (age < CRL_MEMORY_TTL_MS) void check.catch(() => undefined);
    else await check.catch(() => undefined);
  }

  /**
   * The CRL of a scope as every instance serves it (null: no such CRL): the stored one, from memory while no
   * newer one is known to be stored (checkStoredCrls), else read once from the database. A scope with no
   * stored CRL yet, or whose CRL has passed its nextUpdate, is published first (under its lease; another
   * instance publishing it is waited for). The root CRL is never published here: it is taken in from the
   * operator's file (importRootCrls) when none is stored.
   */
  async crlForHttp(family: string, scope: number): Promise<ServedCrl | null> {
    const e = this.issuerOfFamily(family);
    if (!e || !(scope === ROOT_CRL || CRL_SCOPES.includes(scope))) return null;
    const key = crlKey(family, scope);
    await this.checkStoredCrls();
    let doc = this.crls.get(key);
    const known = this.crlStored.get(key);
    // Only a number learnt from the database (or stored by this process) is read: asking for a CRL that is
    // not stored costs no query per request.
    if (known !== undefined && (!doc || doc.crlNumber < known)) doc = (await this.loadCrl(e, scope)) ?? doc;
    if (scope === ROOT_CRL) {
      if (!doc) {
        await this.importRootCrls([family]); // the file may have been placed here since the CA job last looked
        doc = this.crls.get(key);
      }
      return doc ?? null;
    }
    if (!doc || doc.nextUpdate.getTime() <= this.deps.clock.now().getTime()) {
      try {
        let publishing = this.crlPublishing.get(key);
        if (!publishing) {
          publishing = this.publishScope(family, scope, { wait: true, onlyIfDue: true }).finally(() => this.crlPublishing.delete(key));
          this.crlPublishing.set(key, publishing);
        }
        const r = await publishing;
        doc = r?.stored ? this.crls.get(key) : ((await this.loadCrl(e, scope)) ?? doc);
      } catch (err) {
        if (!doc) throw err; // nothing stored to fall back on
        // Signing failed (the signer unreachable): the stored CRL is still the newest there is.
      }
    }
    return doc ?? null;
  }

  /**
   * Takes in the root CRLs an operator placed in this instance's CA directory (<CA dir>/crl/<family>/root.crl,
   * written by npm run ca:root-crl where the root key is kept; on a web instance, the signer's): checked — issuer, number, nextUpdate, the
   * root key's signature — and stored by compare-and-set on the CRL number, so the file placed on any one
   * machine is served by all of them and an older file never replaces a newer CRL. Each file state is read
   * once. Returns what was refused, for the CA job's log.
   */
  async importRootCrls(families: readonly string[] = this.issuers.map((e) => e.family)): Promise<string[]> {
    const problems: string[] = [];
    for (const family of families) {
      const e = this.issuerOfFamily(family);
      if (!e) continue;
      // The operator's file in this process's CA directory, or — on a web instance that signs through the
      // signer service — the one the signer read from its own (signer-client.ts).
      const found = await this.runtime.rootCrl(family as KeyAlgorithm);
      if (!found) continue;
      const der = Buffer.from(found);
      const file = this.runtime.keys === 'signer' ? `the signer's ${family}/root.crl` : `${this.runtime.config.dir}/crl/${family}/root.crl`;
      const state = hash('sha256', der, 'hex');
      if (this.rootFilesSeen.get(family) === state) continue;
      try {
        let parsed: ParsedCrl;
        try {
          parsed = parseCrl(der);
        } catch (err) {
          throw new Error(`not a DER CRL (${(err as Error).message})`, { cause: err });
        }
        if (!Buffer.from(parsed.issuerNameDer).equals(Buffer.from(e.rootNameDer))) throw new Error(`its issuer is not the ${family} root`);
        if (parsed.crlNumber === null || !parsed.nextUpdate) throw new Error('it has no CRL number or no nextUpdate');
        if (!verifySignature(e.rootSpki, e.family, parsed.tbs, parsed.signature))
          throw new Error(`its signature does not verify with the ${family} root's key`);
        this.rootFilesSeen.set(family, state);
        if (!(await this.storeCrl(e, ROOT_CRL, der, parsed))) {
          const held = await revocationRepository.crlDocumentHead(this.deps.db, family, e.rootKeyIdHex, ROOT_CRL);
          // The same CRL as stored (every instance's copy at start): nothing to say. Another one: the operator
          // placed an older file here, or signed two CRLs under one number.
          if (held && held.crlNumber >= parsed.crlNumber && held.sha256 !== hash('sha256', der, 'hex'))
            throw new Error(
              `CRL #${parsed.crlNumber} is not newer than the root CRL #${held.crlNumber} the database holds, which stays served`,
            );
        }
      } catch (err) {
        this.rootFilesSeen.set(family, state); // reported once per file state, not every run
        problems.push(`${file}: ${(err as Error).message}`);
      }
    }
    return problems;
  }

  /**
   * Publishes every CRL that is marked, never stored for the current key, or due (less than CRL_REFRESH_MS
   * left) and that no other instance is publishing right now (its lease is held: skipped, that instance
   * publishes it). Returns how many this process built.
   */
  async publishDue(): Promise<number> {
    const { db, clock } = this.deps;
    const now = clock.now();
    const due = new Set<string>();
    for (const s of await revocationRepository.dueShards(db, new Date(now.getTime() + CRL_REFRESH_MS)))
      if (this.issuerOfFamily(s.family) && CRL_SCOPES.includes(s.shard)) due.add(crlKey(s.family, s.shard));
    const heads = await revocationRepository.crlHeads(
      db,
      this.issuers.map((e) => e.keyIdHex),
    );
    for (const e of this.issuers)
      for (const scope of CRL_SCOPES)
        if (!heads.some((h) => h.family === e.family && h.scope === scope && h.issuerKeyId === e.keyIdHex))
          due.add(crlKey(e.family, scope));
    let n = 0;
    for (const key of due) {
      const [family, scope] = [key.slice(0, key.lastIndexOf(':')), Number(key.slice(key.lastIndexOf(':') + 1))];
      if (await this.publishScope(family, scope, { wait: false, onlyIfDue: true })) n++;
    }
    return n;
  }

  // --- OCSP ----------------------------------------------------------------------------------------------
  /** The status the registry gives a serial for this issuer: unknown unless this CA issued it (never good otherwise). */
  async statusOf(db: DbOrTx, e: IssuerEntry, serialHex: string): Promise<{ status: OcspStatus; revokedAt?: Date; reason?: number }> {
    const c = await revocationRepository.certificateForOcsp(db, serialHex);
    if (!c || c.family !== e.family || c.issuerKeyId !== e.keyIdHex) return { status: 'unknown' };
    return statusOfRow(c);
  }

  /** Signs a response for these CertIDs (live: with a nonce, several CertIDs, or a cache miss). */
  async signLive(e: IssuerEntry, certIds: readonly OcspCertId[], nonce?: Uint8Array): Promise<Uint8Array> {
    const statuses = [];
    for (const id of certIds) statuses.push({ certId: id, ...(await this.statusOf(this.deps.db, e, serialHexOf(id.serial))) });
    return this.sign(e, statuses, nonce);
  }

  private sign(
    e: IssuerEntry,
    statuses: readonly { certId: OcspCertId; status: OcspStatus; revokedAt?: Date; reason?: number }[],
    nonce?: Uint8Array,
  ): Promise<Uint8Array> {
    const now = this.deps.clock.now();
    const nextUpdate = new Date(now.getTime() + OCSP_VALIDITY_MS);
    this.ocspSignatures++;
    return buildOcspResponse({
      responderCertDer: e.responderCertDer,
      responderNameDer: e.responderNameDer,
      signer: e.responderSigner,
      producedAt: now,
      responses: statuses.map((s) => ({ ...s, thisUpdate: now, nextUpdate })),
      nonce,
    });
  }

  /**
   * The answer to one CertID without a nonce (RFC 5019's common case), costing as little as it can:
   * - the response kept in memory: no query, no signature;
   * - a serial looked up lately and found never issued here (OCSP_UNKNOWN_TTL_MS): no query; its signed
   *   `unknown` if one is kept for this CertID, else a signature if `mayTakeSignature` allows one;
   * - otherwise ONE lookup (revocationRepository.ocspLookup: the registry row with its stored response).
   *   Nothing found: remembered as never issued, then `unknown` as above. Found without a valid stored
   *   response (issued a moment ago, or expired and no longer refreshed): pre-signed now and stored.
   * `mayTakeSignature` is the route's per-client and total cap on live signing (live-signing-limit.ts): every
   * signature this answer makes for a serial never issued, or for a CertID hashed otherwise, takes from it;
   * over the cap the answer is `tryLater`, which costs nothing. Pre-signing one of our own certificates does
   * not (its answer is stored and serves everyone after).
   */
  async answerSingle(asked: Asked & { kind: 'single' }, mayTakeSignature: () => boolean): Promise<SingleAnswer> {
    const { issuer, certId, serial, canonical } = asked;
    const now = this.deps.clock.now().getTime();
    const ukey = unknownKey(issuer.family, serial);
    const kept = this.unknown.size === 0 ? undefined : this.unknown.get(ukey);
    if (kept && kept.notIssuedUntil > now) return this.answerUnknown(issuer, certId, ukey, kept, now, mayTakeSignature);
    let stored = this.memoryHit(serial, now);
    if (!stored && performance.now() - this.feedFreshAt >= OCSP_MEMORY_TTL_MS) {
      await this.pollFeed(); // memory is not trusted until the revocation feed has caught up (header)
      stored = this.memoryHit(serial, now);
    }
    if (stored && stored.family !== issuer.family)
      stored = undefined; // serials are unique: not this issuer's
    else if (!stored) {
      const row = await revocationRepository.ocspLookup(this.deps.db, serial);
      const ours = row && row.family === issuer.family && row.issuerKeyId === issuer.keyIdHex;
      const s = ours ? statusOfRow(row) : undefined;
      if (!row || !ours || s!.status === 'unknown') {
        if (ours && row.stored?.der) {
          // A stored answer for a row that is no certificate (pending / failed): never served.
          await revocationRepository.dropOcsp(this.deps.db, serial);
          this.memory.delete(serial);
        }
        const fresh: KeptUnknown = { notIssuedUntil: now + OCSP_UNKNOWN_TTL_MS, variants: new Map() };
        return this.answerUnknown(issuer, certId, ukey, fresh, now, mayTakeSignature);
      }
      const st = row.stored;
      stored =
        st?.der && st.family === issuer.family && st.nextUpdate.getTime() > now
          ? this.remember(serial, st.family, st.status, st.der, st.thisUpdate, st.nextUpdate)
          : ((await this.presignRow(serial, issuer, row)) ?? undefined);
    }
    if (stored && canonical) return { kind: 'stored', stored };
    if (!mayTakeSignature()) return { kind: 'tryLater' };
    // A CertID hashed otherwise than the pre-signed one (or, rarely, not this issuer's after all): signed live.
    return { kind: 'signed', der: await this.signLive(issuer, [certId]) };
  }

  /** `unknown` for a serial never issued by this issuer: the kept answer for this CertID, or one signed within the cap. */
  private async answerUnknown(
    e: IssuerEntry,
    certId: OcspCertId,
    ukey: string,
    kept: KeptUnknown,
    now: number,
    mayTakeSignature: () => boolean,
  ): Promise<SingleAnswer> {
    const key = certIdKey(certId);
    const hit = kept.variants.get(key);
    if (hit && hit.until > now) return { kind: 'signed', der: hit.der };
    const allowed = mayTakeSignature();
    if (allowed) {
      const der = await this.sign(e, [{ certId, status: 'unknown' }]);
      kept.variants.delete(key);
      if (kept.variants.size >= OCSP_UNKNOWN_VARIANTS) kept.variants.delete(kept.variants.keys().next().value!);
      kept.variants.set(key, { der, until: now + OCSP_UNKNOWN_TTL_MS });
    }
    let bytes = ENTRY_OVERHEAD_BYTES + ukey.length * 2;
    for (const [k, v] of kept.variants) bytes += ENTRY_OVERHEAD_BYTES + k.length * 2 + v.der.length;
    // Kept even without an answer: asked again within the TTL, it costs no lookup (tryLater or a signature).
    this.unknown.set(ukey, kept, bytes);
    return allowed ? { kind: 'signed', der: kept.variants.get(key)!.der } : { kind: 'tryLater' };
  }

  /** Signs and stores the pre-signed response of one serial (only for certificates this CA issued). */
  async presign(serialHex: string): Promise<CachedOcsp | null> {
    const c = await revocationRepository.certificateForOcsp(this.deps.db, serialHex);
    const e = c && this.issuers.find((x) => x.family === c.family && x.keyIdHex === c.issuerKeyId);
    if (!c || !e) return null;
    return this.presignRow(serialHex, e, c);
  }

  /** presign, with the registry row already read (c: the certificate, of issuer e). */
  private async presignRow(serialHex: string, e: IssuerEntry, c: OcspRow): Promise<CachedOcsp | null> {
    const { db } = this.deps;
    const a = await this.signAnswer(serialHex, e, c);
    if (!a) {
      await revocationRepository.dropOcsp(db, serialHex);
      await revocationRepository.setOcspDue(db, serialHex, null);
      this.memory.delete(serialHex);
      return null;
    }
    await revocationRepository.storeOcsp(db, a.stored);
    await revocationRepository.setOcspDue(db, serialHex, a.dueAt, c.status);
    return this.remember(serialHex, e.family, a.stored.status, a.stored.der, a.stored.thisUpdate, a.stored.nextUpdate);
  }

  /**
   * The answer to store for one certificate, signed, and when it is next due; null for a row no one holds
   * (pending, failed), which gets no answer.
   */
  private async signAnswer(serialHex: string, e: IssuerEntry, c: OcspRow) {
    const s = statusOfRow(c);
    if (s.status === 'unknown') return null;
    // Issued (or revoked) after all: an `unknown` this process kept for it is wrong from now on.
    this.unknown.delete(unknownKey(e.family, serialHex));
    const thisUpdate = this.deps.clock.now();
    const nextUpdate = new Date(thisUpdate.getTime() + OCSP_VALIDITY_MS);
    this.ocspSignatures++;
    const der = await buildOcspResponse({
      responderCertDer: e.responderCertDer,
      responderNameDer: e.responderNameDer,
      signer: e.responderSigner,
      producedAt: thisUpdate,
      responses: [{ certId: { der: certIdFor(e, serialHex) }, ...s, thisUpdate, nextUpdate }],
    });
    const stored = { serial: serialHex, family: e.family, status: s.status, der: Buffer.from(der), thisUpdate, nextUpdate };
    return { stored, dueAt: nextOcspDue(thisUpdate, c.notAfter) };
  }

  /**
   * Signs the responses that are due (certificates.ocsp_due_at: issued or revoked lately, or at half-life), a
   * batch per call, earliest first. One indexed range read; when nothing is due it reads no row. A batch is
   * read in one query, signed, and stored in one transaction — every answer in one INSERT, every next due
   * time in one UPDATE (each still only while the certificate has the status it was signed for) — instead of
   * four round trips and two commits per answer, which re-signed some 50 answers/s on this machine under
   * load (bench/scale.ts; issue 21 item 4).
   */
  async refreshOcsp(limit = 500): Promise<number> {
    const { db, clock } = this.deps;
    const due = await revocationRepository.ocspDue(
      db,
      this.issuers.map((e) => e.keyIdHex),
      clock.now(),
      limit,
      new Date(clock.now().getTime() + OCSP_REFRESH_MS),
    );
    if (due.length === 0) return 0;
    const serials = [...new Set(due.map((d) => d.serial))];
    const rows = new Map((await revocationRepository.certificatesForOcsp(db, serials)).map((r) => [r.serial, r]));
    const signed: { serial: string; family: string; c: OcspRow; answer: NonNullable<Awaited<ReturnType<Publisher['signAnswer']>>> }[] = [];
    for (let i = 0; i < serials.length; i += OCSP_SIGN_CONCURRENCY)
      await Promise.all(
        serials.slice(i, i + OCSP_SIGN_CONCURRENCY).map(async (serial) => {
          const c = rows.get(serial);
          const e = c && this.issuers.find((x) => x.family === c.family && x.keyIdHex === c.issuerKeyId);
          if (!c || !e) return revocationRepository.setOcspDue(db, serial, null); // not ours to sign: never due again
          const answer = await this.signAnswer(serial, e, c);
          if (!answer) return this.presignRow(serial, e, c); // no one holds it: its answer goes, one row at a time (rare)
          signed.push({ serial, family: e.family, c, answer });
        }),
      );
    if (signed.length === 0) return due.length;
    await db.transaction(async (tx) => {
      await revocationRepository.storeOcspMany(
        tx,
        signed.map((x) => x.answer.stored),
      );
      await revocationRepository.setOcspDueMany(
        tx,
        signed.map((x) => ({ serial: x.serial, dueAt: x.answer.dueAt, whileStatus: x.c.status })),
      );
    });
    for (const { serial, family, answer: a } of signed)
      this.remember(serial, family, a.stored.status, a.stored.der, a.stored.thisUpdate, a.stored.nextUpdate);
    return due.length;
  }

  /**
   * After a revocation has committed: the certificate's OCSP answer, then the two CRLs that list it (the
   * complete CRL and its shard) — waiting for another instance's build of either to end, because that build
   * may have read the registry before this commit (the marker tells: still set, still due) — then whatever
   * else is due.
   */
  async afterChange(serialHex: string): Promise<void> {
    const c = await this.presign(serialHex);
    if (c && this.issuerOfFamily(c.family))
      for (const scope of [COMPLETE_CRL, shardOfSerialHex(serialHex)])
        await this.publishScope(c.family, scope, { wait: true, onlyIfDue: true });
    await this.publishDue();
  }
}

const publishers = new WeakMap<object, Map<string, Promise<Publisher>>>();

/** The process's publisher for this database and CA (derived from the hierarchy once). */
export function publisherFor(deps: PublicationDeps): Promise<Publisher> {
  let byCa = publishers.get(deps.db);
  if (!byCa) publishers.set(deps.db, (byCa = new Map()));
  const key = `${deps.config.ca.dir}\0${deps.config.ca.families.join(',')}`;
  let p = byCa.get(key);
  if (!p) {
    p = Publisher.create(deps);
    byCa.set(key, p);
    p.catch(() => byCa.delete(key));
  }
  return p;
}
