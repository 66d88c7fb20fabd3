/**
 * Which CRL a row of crl_documents is (its scope), and which shard lists a serial. A module of its own so
 * that the publisher and what it calls (operational.ts, revocation.ts) import these without importing each other.
 */
import { shardOf } from '../../../ca/crl/build.js';
import { CRL_SHARD_COUNT } from '../certificates/ca-runtime.js';

/** The issuance side's shard count (ca-runtime.ts): the publisher must split by the count the certificates' URLs use. */
export const SHARD_COUNT = CRL_SHARD_COUNT;
/** The complete CRL's scope in crl_shards (its own CRL number and marker); shards are 0..SHARD_COUNT-1. */
export const COMPLETE_CRL = -1;
/**
 * The root's CRL in crl_documents: signed offline (npm run ca:root-crl), taken in from an operator's file
 * <CA dir>/crl/<family>/root.crl by whichever instance has it (importRootCrls), served by all.
 */
export const ROOT_CRL = -2;
/** Every CRL an issuing CA publishes: the complete one and the shards. */
export const CRL_SCOPES: readonly number[] = [COMPLETE_CRL, ...Array.from({ length: SHARD_COUNT }, (_, s) => s)];
/** The scope of a serial's shard (the last hex digit is serial mod 16: repository.revokedPage). */
export const shardOfSerialHex = (serialHex: string): number =>
  shardOf(Buffer.from(serialHex.length % 2 ? `0${serialHex}` : serialHex, 'hex'), SHARD_COUNT);
/** The key of a family's scope in the publisher's and the serving memory's maps. */
export const crlKey = (family: string, scope: number) => `${family}:${scope}`;
/** The key a scope's CRLs are signed with: the root's for ROOT_CRL, the issuing CA's otherwise. */
export const crlIssuerKey = (e: { keyIdHex: string; rootKeyIdHex: string }, scope: number): string =>
  scope === ROOT_CRL ? e.rootKeyIdHex : e.keyIdHex;
