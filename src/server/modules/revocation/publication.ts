/**
 * The CA's publication per issuing CA (family): CRLs (crl-publisher.ts builds and stores them, crl-serving.ts
 * serves the stored ones, crl-root-import.ts takes in the offline root CRL) and the OCSP responder
 * (ocsp-requests.ts parses what is asked, ocsp-answers.ts answers it from ocsp-cache.ts, ocsp-unknown.ts or a
 * signature by ocsp-signing.ts, ocsp-presign.ts keeps the stored answers signed). The Publisher builds these
 * once per database and CA, from the hierarchy, and holds them together: a revocation's after-commit step
 * needs both sides, and each side's parts share one memory. docs/revocation.md says how it all behaves.
 */
import type { OcspCertId } from '../../../ca/ocsp/request.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { caRuntime, type CaRuntime } from '../certificates/ca-runtime.js';
import { CrlPublisher, type PublishedCrl } from './crl-publisher.js';
import { RootCrlImport } from './crl-root-import.js';
import { COMPLETE_CRL, shardOfSerialHex } from './crl-scopes.js';
import { ServedCrls, type ServedCrl } from './crl-serving.js';
import { OcspAnswers, type SingleAnswer } from './ocsp-answers.js';
import { OcspCache, type CachedOcsp } from './ocsp-cache.js';
import { issuerEntries, type IssuerEntry } from './ocsp-issuers.js';
import { OcspPresigner } from './ocsp-presign.js';
import { OcspRequests, type Asked } from './ocsp-requests.js';
import { OcspSigning } from './ocsp-signing.js';
import { UnknownAnswers } from './ocsp-unknown.js';
import { recordOperationalCertificates } from './operational.js';

export interface PublicationDeps {
  db: Db;
  clock: Clock;
  config: Config;
}

export class Publisher {
  private readonly signing: OcspSigning;
  private readonly cache: OcspCache;
  private readonly unknownAnswers: UnknownAnswers;
  private readonly requests: OcspRequests;
  private readonly presigner: OcspPresigner;
  private readonly answers: OcspAnswers;
  private readonly served: ServedCrls;
  private readonly crls: CrlPublisher;
  private readonly roots: RootCrlImport;

  private constructor(
    readonly deps: PublicationDeps,
    readonly runtime: CaRuntime,
    readonly issuers: IssuerEntry[],
  ) {
    this.signing = new OcspSigning(deps);
    this.cache = new OcspCache(deps, deps.config.ca.ocspMemoryBytes);
    this.unknownAnswers = new UnknownAnswers(this.signing);
    this.requests = new OcspRequests(issuers);
    this.presigner = new OcspPresigner(deps, issuers, this.signing, this.cache, this.unknownAnswers);
    this.answers = new OcspAnswers(deps, this.cache, this.unknownAnswers, this.presigner, this.signing);
    this.served = new ServedCrls(deps, issuers, {
      publish: (family, scope) => this.crls.publishScope(family, scope, { wait: true, onlyIfDue: true }),
      importRoot: (family) => this.roots.importRootCrls([family]),
    });
    this.crls = new CrlPublisher(deps, runtime, issuers, this.served);
    this.roots = new RootCrlImport(deps.db, runtime, issuers, this.crls);
  }

  static async create(deps: PublicationDeps): Promise<Publisher> {
    const rt = await caRuntime(deps.config.ca);
    // The seal maker's and audit signer's certificates (current and renewed-away) join the status service.
    await recordOperationalCertificates(deps.db, await rt.operationalCertificates());
    return new Publisher(deps, rt, issuerEntries(rt));
  }

  issuerOfFamily(family: string): IssuerEntry | undefined {
    return this.issuers.find((e) => e.family === family);
  }

  // --- OCSP (what tests and benches read: the memories and the counters) ---------------------------------
  /** Signatures made for OCSP (tests check the pre-signed path makes none). */
  get ocspSignatures(): number {
    return this.signing.signatures;
  }
  get memory() {
    return this.cache.memory;
  }
  get feedPolls(): number {
    return this.cache.feedPolls;
  }
  get unknown() {
    return this.unknownAnswers.kept;
  }
  get asked() {
    return this.requests.asked;
  }

  resolveRequest(der: Uint8Array): Asked {
    return this.requests.resolveRequest(der);
  }
  resolveGetPath(encoded: string): Asked {
    return this.requests.resolveGetPath(encoded);
  }
  memoryHit(serial: string, now: number): CachedOcsp | undefined {
    return this.cache.memoryHit(serial, now);
  }
  storedResponse(serial: string, now: number): Promise<CachedOcsp | null> {
    return this.cache.storedResponse(serial, now);
  }
  answerSingle(asked: Asked & { kind: 'single' }, mayTakeSignature: () => boolean): Promise<SingleAnswer> {
    return this.answers.answerSingle(asked, mayTakeSignature);
  }
  storedWithoutNonce(asked: Asked & { kind: 'live' }): Promise<CachedOcsp | null> {
    return this.answers.storedWithoutNonce(asked);
  }
  statusOf(...args: Parameters<OcspSigning['statusOf']>) {
    return this.signing.statusOf(...args);
  }
  signLive(e: IssuerEntry, certIds: readonly OcspCertId[], nonce?: Uint8Array): Promise<Uint8Array> {
    return this.signing.signLive(e, certIds, nonce);
  }
  presign(serialHex: string): Promise<CachedOcsp | null> {
    return this.presigner.presign(serialHex);
  }
  refreshOcsp(limit?: number): Promise<number> {
    return this.presigner.refreshOcsp(limit);
  }

  // --- CRL ------------------------------------------------------------------------------------------------
  get leaseHolder(): string {
    return this.crls.leaseHolder;
  }
  get crlChecks(): number {
    return this.served.crlChecks;
  }
  get crlLoadCount(): number {
    return this.served.crlLoadCount;
  }
  /** The slice size a stored CRL is read in (CRL_READ_SLICE_BYTES; tests make it small). */
  get crlReadSliceBytes(): number {
    return this.served.crlReadSliceBytes;
  }
  set crlReadSliceBytes(bytes: number) {
    this.served.crlReadSliceBytes = bytes;
  }

  ensureShards(): Promise<void> {
    return this.crls.ensureShards();
  }
  publishCrl(family: string, scope: number): Promise<PublishedCrl> {
    return this.crls.publishCrl(family, scope);
  }
  publishDue(): Promise<number> {
    return this.crls.publishDue();
  }
  importRootCrls(families?: readonly string[]): Promise<string[]> {
    return this.roots.importRootCrls(families);
  }
  crlForHttp(family: string, scope: number): Promise<ServedCrl | null> {
    return this.served.crlForHttp(family, scope);
  }

  /**
   * After a revocation has committed: the certificate's OCSP answer, then the two CRLs that list it (the
   * complete CRL and its shard) — waiting for another instance's build of either to end, because that build
   * may have read the registry before this commit (the marker tells: still set, still due) — then whatever
   * else is due.
   */
  async afterChange(serialHex: string): Promise<void> {
    const c = await this.presigner.presign(serialHex);
    if (c && this.issuerOfFamily(c.family))
      for (const scope of [COMPLETE_CRL, shardOfSerialHex(serialHex)])
        await this.crls.publishScope(c.family, scope, { wait: true, onlyIfDue: true });
    await this.crls.publishDue();
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
