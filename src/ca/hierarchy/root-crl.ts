/**
 * The root's CRL (RFC 5280 5): the list of CA certificates the root has revoked — normally empty, or the
 * issuing CA after a compromise. The root key is used for nothing else online, so this is signed by an
 * operator with `npm run ca:root-crl` on the machine that holds root.key, into <CA dir>/crl/<family>/root.crl;
 * copied into a server's CA directory, that server checks it and stores it in the database, from where every
 * instance serves it at the URL in the issuing CA's CRL distribution point (server: Publisher.importRootCrls).
 *
 * State per family, next to the keys: <dir>/<family>/root-crl.json holds the last CRL number and the
 * revoked CA certificates, so numbers only grow (5.2.3) and a revocation is never dropped by a later run.
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { buildCrl, type CrlEntry } from '../crl/build.js';
import { parseCertificate, pemToDer } from '../cert/parse.js';
import { decryptKeyFile, type Kek } from '../signer/key-file.js';
import type { KeyAlgorithm } from '../signer/port.js';
import { softwareSigner } from '../signer/software.js';
import { CaHierarchyError } from './hierarchy.js';

/** RFC 5280 5.3.1 reasons that apply to a CA certificate. */
export const CA_REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
} as const;
export type CaRevocationReason = keyof typeof CA_REVOCATION_REASONS;

/** A root CRL's validity: long, because it is signed by hand on the offline machine; at most a year. */
export const ROOT_CRL_DAYS = { default: 180, max: 365 } as const;

interface RootCrlState {
  crlNumber: string;
  revoked: { serialHex: string; revokedAt: string; reason: CaRevocationReason }[];
}

export interface RootCrlResult {
  file: string;
  der: Uint8Array;
  crlNumber: bigint;
  nextUpdate: Date;
  revoked: RootCrlState['revoked'];
}

async function writeAtomic(file: string, data: string | Uint8Array, mode: number): Promise<void> {
  const temp = `${file}.tmp-${process.pid}-${Date.now()}`;
  const fh = await open(temp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(temp, file);
}

async function readState(file: string): Promise<RootCrlState> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as RootCrlState;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { crlNumber: '0', revoked: [] };
    throw new CaHierarchyError(`${file}: unreadable (${(e as Error).message}); fix or restore it — it holds the root's revocations`);
  }
}

/**
 * Signs the next root CRL of one family. `revoke` adds a CA certificate the root issued (by serial, hex)
 * before signing; it must be a certificate this root signed — the issuing CA's is checked against its file.
 */
export async function signRootCrl(options: {
  dir: string;
  kek: Kek;
  family: KeyAlgorithm;
  now?: Date;
  days?: number;
  revoke?: { serialHex: string; reason: CaRevocationReason };
}): Promise<RootCrlResult> {
  const dir = path.resolve(options.dir);
  const fdir = path.join(dir, options.family);
  const now = new Date(Math.floor((options.now ?? new Date()).getTime() / 1000) * 1000);
  const days = options.days ?? ROOT_CRL_DAYS.default;
  if (!Number.isInteger(days) || days < 1 || days > ROOT_CRL_DAYS.max)
    throw new CaHierarchyError(`days must be a whole number from 1 to ${ROOT_CRL_DAYS.max}`);

  let rootPem: string;
  let keyText: string;
  try {
    rootPem = await readFile(path.join(fdir, 'root.pem'), 'latin1');
    keyText = await readFile(path.join(fdir, 'root.key'), 'utf8');
  } catch {
    throw new CaHierarchyError(
      `no ${options.family} root in ${dir} (root.pem and root.key are needed: run this where the root key is kept)`,
    );
  }
  const root = parseCertificate(pemToDer(rootPem));
  const key = decryptKeyFile(keyText, options.kek);
  if (Buffer.compare(Buffer.from(root.spki), Buffer.from(key.publicKeySpki)) !== 0)
    throw new CaHierarchyError(`${fdir}/root.key does not match root.pem`);
  const ski = root.extensions.find((e) => e.oid === '2.5.29.14');
  if (!ski) throw new CaHierarchyError('the root certificate has no subjectKeyIdentifier');

  const stateFile = path.join(fdir, 'root-crl.json');
  const state = await readState(stateFile);
  if (options.revoke) {
    const serialHex = options.revoke.serialHex.toLowerCase().replace(/^0x/, '').replace(/:/g, '');
    if (!/^[0-9a-f]{1,40}$/.test(serialHex)) throw new CaHierarchyError('serial: hexadecimal, at most 20 octets');
    const issuing = parseCertificate(pemToDer(await readFile(path.join(fdir, 'issuing.pem'), 'latin1')));
    const issuingHex = issuing.serialHex.toLowerCase().replace(/^0+/, '');
    if (serialHex.replace(/^0+/, '') !== issuingHex)
      throw new CaHierarchyError(`serial ${serialHex} is not a certificate this root issued (the issuing CA is ${issuingHex})`);
    if (!state.revoked.some((r) => r.serialHex === issuingHex))
      state.revoked.push({ serialHex: issuingHex, revokedAt: now.toISOString(), reason: options.revoke.reason });
  }

  const crlNumber = BigInt(state.crlNumber) + 1n;
  const nextUpdate = new Date(now.getTime() + days * 86400_000);
  const entries: CrlEntry[] = state.revoked.map((r) => ({
    serial: Buffer.from(r.serialHex.length % 2 ? `0${r.serialHex}` : r.serialHex, 'hex'),
    revokedAt: new Date(r.revokedAt),
    reason: r.reason === 'unspecified' ? undefined : CA_REVOCATION_REASONS[r.reason],
  }));
  const der = await buildCrl({
    issuerNameDer: root.subject,
    authorityKeyId: ski.value.subarray(2),
    signer: softwareSigner(key),
    thisUpdate: now,
    nextUpdate,
    crlNumber,
    entries,
  });

  // The state first, then the CRL: a crash between the two skips a number (allowed), where the other order
  // would sign a second, different CRL under a number already published.
  await writeAtomic(stateFile, JSON.stringify({ ...state, crlNumber: crlNumber.toString() }, null, 2) + '\n', 0o600);
  const crlDir = path.join(dir, 'crl', options.family);
  await mkdir(crlDir, { recursive: true, mode: 0o755 });
  const file = path.join(crlDir, 'root.crl');
  await writeAtomic(file, der, 0o644);
  return { file, der, crlNumber, nextUpdate, revoked: state.revoked };
}
