/**
 * CRL publication (RFC 5280 section 5), per issuing CA: the complete CRL and one per shard (caPublicUrls in
 * ca/public-urls.ts: `<base>/crl/<family>/complete.crl` and `<shard>.crl`, shard = shardOf(serial,
 * CRL_SHARD_COUNT)). Each shard CRL lists only its own serials and carries a critical issuingDistributionPoint
 * naming exactly the URL its certificates' CRL DP names (RFC 5280 5.2.5). A new CRL takes the next CRL number
 * (committed before signing, so never reused: 5.2.3) and its signed bytes are stored in the database
 * (crl_documents), replacing the stored one only if its number is greater (compare-and-set): the database is
 * the one source every instance serves, so all instances answer the same bytes, whatever disk they run on
 * (issue 17). One instance at a time builds a scope (a lease in crl_shards).
 */
import { randomBytes, webcrypto } from 'node:crypto';
import { hostname } from 'node:os';
import { CRL_ENTRY_OVERHEAD_MAX, CRL_REASON_EXTENSION_SIZE, CrlEncoder, crlShardUrl, type CrlEntry } from '../../../ca/crl/build.js';
import { parseCrl, type ParsedCrl } from '../../../ca/crl/parse.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import type { CaRuntime } from '../certificates/ca-runtime.js';
import { COMPLETE_CRL, CRL_SCOPES, crlIssuerKey, crlKey } from './crl-scopes.js';
import type { ServedCrls } from './crl-serving.js';
import type { IssuerEntry } from './ocsp-issuers.js';
import { revocationRepository } from './repository.js';

/** Rows per page when a CRL streams its entries from the database: small enough that one page is a few ms of work. */
export const CRL_PAGE_ROWS = 2_000;
/** RFC 5280 5.1.2.5 nextUpdate; the rule: at most 7 days ahead. */
export const CRL_VALIDITY_MS = 7 * 86_400_000;
/** Republish on schedule when the published CRL has less than this left (half its life). */
export const CRL_REFRESH_MS = 3.5 * 86_400_000;
/**
 * A publisher's claim on a scope (crl_shards.lease_until). Renewed while the build runs (every third of it),
 * so only a holder that died or hangs loses it; then another instance builds the scope after at most this.
 */
export const CRL_LEASE_MS = 60_000;
/** How often an instance waiting for another's lease looks again, and how long at most it waits. */
const CRL_LEASE_POLL_MS = 100;
const CRL_LEASE_WAIT_MS = 2 * CRL_LEASE_MS;

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

/** What a publication did: the CRL it built, and whether it is the one stored (false: a newer one was). */
export interface PublishedCrl {
  crlNumber: bigint;
  entries: number;
  der: Uint8Array;
  stored: boolean;
}

/** Thrown inside a build when another instance has taken the scope's lapsed lease over: it builds instead. */
class CrlLeaseLost extends Error {}

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

export class CrlPublisher {
  /** Who this process is in crl_shards.lease_holder (host and pid, for an operator reading the table). */
  readonly leaseHolder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

  constructor(
    private readonly deps: { db: Db; clock: Clock },
    private readonly runtime: CaRuntime,
    private readonly issuers: readonly IssuerEntry[],
    private readonly served: ServedCrls,
  ) {}

  private issuerOfFamily(family: string): IssuerEntry | undefined {
    return this.issuers.find((e) => e.family === family);
  }

  async ensureShards(): Promise<void> {
    const now = this.deps.clock.now();
    for (const e of this.issuers) for (const s of CRL_SCOPES) await revocationRepository.ensureShard(this.deps.db, e.family, s, now);
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
  async publishScope(family: string, scope: number, opts: { wait: boolean; onlyIfDue: boolean }): Promise<PublishedCrl | null> {
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
    const { db } = this.deps;
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
    const { encoder, thisUpdate, nextUpdate } = await this.encoderFor(e, scope, q, crlNumber);
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
      nextUpdate,
      entries: encoder.entries,
      markSeen: before?.dirtySince ?? null,
    });
    return { crlNumber, entries: encoder.entries, der, stored };
  }

  /**
   * A scope's encoder, its one buffer sized from the scope's totals, with the CA's own revoked end-entity
   * certificates (seal maker, audit signer: operational.ts, a handful) already added; thisUpdate is now.
   */
  private async encoderFor(e: IssuerEntry, scope: number, q: Parameters<typeof revocationRepository.revokedTotals>[1], crlNumber: bigint) {
    const { db, clock } = this.deps;
    const totals = await revocationRepository.revokedTotals(db, q);
    const own = await revocationRepository.revokedOperational(db, q);
    const ownOctets = own.reduce((n, r) => n + Math.ceil(r.serial.length / 2), 0);
    const thisUpdate = clock.now();
    const nextUpdate = new Date(thisUpdate.getTime() + CRL_VALIDITY_MS);
    const encoder = new CrlEncoder(
      {
        issuerNameDer: e.issuer.nameDer,
        authorityKeyId: e.authorityKeyId,
        signer: e.issuingSigner,
        thisUpdate,
        nextUpdate,
        crlNumber,
        // A shard's IDP is the same string as the CRL DP of its certificates (caPublicUrls), byte for byte
        // (RFC 5280 5.2.5). The complete CRL has none: it covers every certificate of the issuing CA, and
        // GmSSL and NSS refuse any CRL with a critical extension.
        distributionPoint: scope === COMPLETE_CRL ? undefined : crlShardUrl(this.runtime.config.baseUrl, e.family, scope),
      },
      (totals.count + own.length) * CRL_ENTRY_OVERHEAD_MAX +
        totals.serialOctets +
        ownOctets +
        (totals.withReason + own.length) * CRL_REASON_EXTENSION_SIZE,
    );
    encoder.add(crlEntries(own));
    return { encoder, thisUpdate, nextUpdate };
  }

  /**
   * Stores signed CRL bytes for every instance (compare-and-set: only over a smaller number) and, when they
   * are stored, serves them from this process at once. `state`: the scope's bookkeeping in crl_shards,
   * updated (and its marker cleared) in the same transaction, never for a CRL that lost.
   */
  async storeCrl(
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
      issuerKeyId: crlIssuerKey(e, scope),
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
    if (stored) this.served.remember(e.family, scope, der, sha256, parsed);
    return stored;
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
}
