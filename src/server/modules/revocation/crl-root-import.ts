/**
 * The root CRLs an operator signs offline (npm run ca:root-crl, where the root key is kept) and places in an
 * instance's CA directory: taken into the database, checked, so every instance serves them.
 */
import { hash } from 'node:crypto';
import { parseCrl, type ParsedCrl } from '../../../ca/crl/parse.js';
import type { KeyAlgorithm } from '../../../ca/signer/port.js';
import { verifySignature } from '../../../ca/signer/software.js';
import type { Db } from '../../db/client.js';
import type { CaRuntime } from '../certificates/ca-runtime.js';
import type { CrlPublisher } from './crl-publisher.js';
import { ROOT_CRL } from './crl-scopes.js';
import type { IssuerEntry } from './ocsp-issuers.js';
import { revocationRepository } from './repository.js';

export class RootCrlImport {
  /** family → the root CRL file's state last taken in or refused (mtime and size), so a file is read once per change. */
  private readonly rootFilesSeen = new Map<string, string>();

  constructor(
    private readonly db: Db,
    private readonly runtime: CaRuntime,
    private readonly issuers: readonly IssuerEntry[],
    private readonly publisher: CrlPublisher,
  ) {}

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
      const e = this.issuers.find((x) => x.family === family);
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
        await this.takeIn(e, der);
      } catch (err) {
        problems.push(`${file}: ${(err as Error).message}`);
      }
      this.rootFilesSeen.set(family, state); // reported once per file state, not every run
    }
    return problems;
  }

  /** Checks one root CRL file's bytes and stores them; throws saying why they are refused. */
  private async takeIn(e: IssuerEntry, der: Buffer): Promise<void> {
    const family = e.family;
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
    if (!(await this.publisher.storeCrl(e, ROOT_CRL, der, parsed))) {
      const held = await revocationRepository.crlDocumentHead(this.db, family, e.rootKeyIdHex, ROOT_CRL);
      // The same CRL as stored (every instance's copy at start): nothing to say. Another one: the operator
      // placed an older file here, or signed two CRLs under one number.
      if (held && held.crlNumber >= parsed.crlNumber && held.sha256 !== hash('sha256', der, 'hex'))
        throw new Error(
          `CRL #${parsed.crlNumber} is not newer than the root CRL #${held.crlNumber} the database holds, which stays served`,
        );
    }
  }
}
