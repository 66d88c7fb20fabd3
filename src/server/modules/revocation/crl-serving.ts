/**
 * The CRLs an instance serves over HTTP. Every instance serves the bytes stored in the database (crl_documents,
 * issue 17): it keeps the CRLs it serves in memory, one per scope, and asks for the stored numbers at most once
 * a second while CRLs are asked for, so it never serves an older CRL than the database holds for more than
 * CRL_MEMORY_TTL_MS.
 */
import { webcrypto } from 'node:crypto';
import { parseCrl, type ParsedCrl } from '../../../ca/crl/parse.js';
import type { Db } from '../../db/client.js';
import type { Clock } from '../../clock.js';
import { CRL_SCOPES, ROOT_CRL, crlIssuerKey, crlKey } from './crl-scopes.js';
import type { IssuerEntry } from './ocsp-issuers.js';
import { revocationRepository } from './repository.js';

/** While CRLs are asked for, an instance asks for the stored CRL numbers (crlHeads) at most this often… */
export const CRL_CHECK_INTERVAL_MS = 1_000;
/**
 * …and serves from memory without waiting only while its last check started less than this ago; older, a
 * request waits for a check. So no instance serves an older CRL than the database holds for longer than this.
 */
export const CRL_MEMORY_TTL_MS = 2_000;
/** A stored CRL is read in slices of this size (ServedCrls.load). */
export const CRL_READ_SLICE_BYTES = 1024 * 1024;
/** HTTP caches keep a CRL at most this long (never past its nextUpdate), so a republished CRL spreads. */
export const CRL_MAX_AGE_S = 3_600;

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

/** What serving needs from publication: a scope published now if still due (under its lease), and the root CRL file taken in. */
export interface CrlSources {
  publish(family: string, scope: number): Promise<{ stored: boolean } | null>;
  importRoot(family: string): Promise<unknown>;
}

export class ServedCrls {
  /**
   * family:scope → the CRL this process serves. One per scope: a newer one replaces it (the old one is freed
   * once the responses sending it finish), so memory is what the current CRLs weigh, once — ~40 MB for a
   * million-entry complete CRL and as much again for its shards — however many requests ask at once.
   */
  private readonly crls = new Map<string, ServedCrl>();
  /** Loads under way (single flight): many requests after a republication read the new bytes once. */
  private readonly crlLoads = new Map<string, Promise<ServedCrl | null>>();
  /** Publications on request under way (single flight): requests for a scope with nothing to serve wait for one. */
  private readonly crlPublishing = new Map<string, Promise<{ stored: boolean } | null>>();
  /** family:scope → the greatest CRL number this process knows to be stored (from its checks and its own stores). */
  private readonly crlStored = new Map<string, bigint>();
  /** When the last completed check of the stored numbers started (monotonic ms); the one under way. */
  private crlCheckedAt = -Infinity;
  private crlCheck: Promise<void> | undefined;
  /** The slice size load reads a stored CRL in (CRL_READ_SLICE_BYTES; tests make it small). */
  crlReadSliceBytes = CRL_READ_SLICE_BYTES;
  /** Completed checks and loads of CRL bytes (tests count them). */
  crlChecks = 0;
  crlLoadCount = 0;

  constructor(
    private readonly deps: { db: Db; clock: Clock },
    private readonly issuers: readonly IssuerEntry[],
    private readonly sources: CrlSources,
  ) {}

  private issuerOfFamily(family: string): IssuerEntry | undefined {
    return this.issuers.find((e) => e.family === family);
  }

  /** Keeps CRL bytes as this process's served copy of the scope, unless it already serves a newer one. */
  remember(family: string, scope: number, der: Buffer, sha256: string, parsed: ParsedCrl = parseCrl(der)): ServedCrl {
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
  private load(e: IssuerEntry, scope: number): Promise<ServedCrl | null> {
    const key = crlKey(e.family, scope);
    let load = this.crlLoads.get(key);
    if (!load) {
      load = (async () => {
        for (let attempt = 0; attempt < 3; attempt++) {
          const served = await this.readStored(e, scope);
          if (served !== 'replaced') return served;
        }
        throw new Error(`CRL ${e.family}/${scope} kept being replaced while it was read`);
      })().finally(() => this.crlLoads.delete(key));
      this.crlLoads.set(key, load);
    }
    return load;
  }

  /** One attempt of load: the stored CRL, null if none is, 'replaced' if a newer one was stored while it was read. */
  private async readStored(e: IssuerEntry, scope: number): Promise<ServedCrl | null | 'replaced'> {
    const { db } = this.deps;
    const issuerKeyId = crlIssuerKey(e, scope);
    const head = await revocationRepository.crlDocumentHead(db, e.family, issuerKeyId, scope);
    if (!head) return null;
    const der = Buffer.allocUnsafeSlow(head.size);
    for (let at = 0; at < head.size; at += this.crlReadSliceBytes) {
      const want = Math.min(this.crlReadSliceBytes, head.size - at);
      const part = await revocationRepository.crlDocumentSlice(
        db,
        { family: e.family, issuerKeyId, scope, crlNumber: head.crlNumber },
        at,
        want,
      );
      if (!part || part.length !== want) return 'replaced';
      part.copy(der, at);
      if (at + want < head.size) await new Promise((r) => setImmediate(r));
    }
    const sha256 = Buffer.from(await webcrypto.subtle.digest('SHA-256', der)).toString('hex');
    if (sha256 !== head.sha256) throw new Error(`stored CRL ${e.family}/${scope} #${head.crlNumber} does not match its SHA-256`);
    this.crlLoadCount++;
    return this.remember(e.family, scope, der, sha256);
  }

  /**
   * Learns the stored CRL numbers (one small query for every scope of every family, single flight): at most
   * once per CRL_CHECK_INTERVAL_MS, in the background while the last check is younger than CRL_MEMORY_TTL_MS,
   * waited for past that. A failed check (database unreachable) leaves memory as it is: no newer CRL can be
   * stored meanwhile either, and the kept one stays valid until its nextUpdate.
   */
  private async checkStored(): Promise<void> {
    const age = performance.now() - this.crlCheckedAt;
    if (age < CRL_CHECK_INTERVAL_MS) return;
    const check = (this.crlCheck ??= (async () => {
      const started = performance.now();
      try {
        const keys = this.issuers.flatMap((e) => [e.keyIdHex, e.rootKeyIdHex]);
        for (const h of await revocationRepository.crlHeads(this.deps.db, keys)) {
          const e = this.issuerOfFamily(h.family);
          if (!e || crlIssuerKey(e, h.scope) !== h.issuerKeyId) continue; // another key's CRLs
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
   * newer one is known to be stored (checkStored), else read once from the database. A scope with no
   * stored CRL yet, or whose CRL has passed its nextUpdate, is published first (under its lease; another
   * instance publishing it is waited for). The root CRL is never published here: it is taken in from the
   * operator's file (RootCrlImport) when none is stored.
   */
  async crlForHttp(family: string, scope: number): Promise<ServedCrl | null> {
    const e = this.issuerOfFamily(family);
    if (!e || !(scope === ROOT_CRL || CRL_SCOPES.includes(scope))) return null;
    const key = crlKey(family, scope);
    await this.checkStored();
    let doc = this.crls.get(key);
    const known = this.crlStored.get(key);
    // Only a number learnt from the database (or stored by this process) is read: asking for a CRL that is
    // not stored costs no query per request.
    if (known !== undefined && (!doc || doc.crlNumber < known)) doc = (await this.load(e, scope)) ?? doc;
    if (scope === ROOT_CRL) {
      if (!doc) {
        await this.sources.importRoot(family); // the file may have been placed here since the CA job last looked
        doc = this.crls.get(key);
      }
      return doc ?? null;
    }
    if (!doc || doc.nextUpdate.getTime() <= this.deps.clock.now().getTime()) doc = await this.publishForRequest(e, scope, doc);
    return doc ?? null;
  }

  /** A scope with nothing valid to serve, published on request (single flight); the stored one if signing fails. */
  private async publishForRequest(e: IssuerEntry, scope: number, doc: ServedCrl | undefined): Promise<ServedCrl | undefined> {
    const key = crlKey(e.family, scope);
    try {
      let publishing = this.crlPublishing.get(key);
      if (!publishing) {
        publishing = this.sources.publish(e.family, scope).finally(() => this.crlPublishing.delete(key));
        this.crlPublishing.set(key, publishing);
      }
      const r = await publishing;
      return r?.stored ? this.crls.get(key) : ((await this.load(e, scope)) ?? doc);
    } catch (err) {
      if (!doc) throw err; // nothing stored to fall back on
      // Signing failed (the signer unreachable): the stored CRL is still the newest there is.
      return doc;
    }
  }
}
