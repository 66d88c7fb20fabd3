/**
 * The CA's SM2 keys in an SDF device (issue 19): which of the online keys live there, how the signer and
 * `npm run ca:init` reach them, and the reference file that stands where a key file would be.
 *
 * Environment (read by ca:init and by the signer through the server's CA configuration):
 *
 *   CERTDESK_SDF_LIBRARY        the device's GM/T 0018 library (e.g. /opt/hsm/lib/libsdf.so)
 *   CERTDESK_SDF_DIR            the directory the library finds its key store in, when it looks in the
 *                               working directory (SoftSDF); entered only during device calls. Optional.
 *   CERTDESK_SDF_PASSWORD       the keys' access password (GetPrivateKeyAccessRight) — or
 *   CERTDESK_SDF_PASSWORD_FILE  … a file holding it (trailing newline ignored)
 *   CERTDESK_CA_SDF_KEYS        at creation (ca:init): which SM2 keys are device keys and their indexes, e.g.
 *                               issuing=1,ocsp=2,seal=3,audit=4 (the root stays a key file: it is offline)
 *   CERTDESK_KMC_KEK_INDEX      the device KEK that escrows the key management centre's encryption keys
 *                               (docs/kmc.md); without it the signer has no KMC
 *
 * At ca:init a device key's <role>.key is written as a reference (no secret in it):
 *
 *   CERTDESK-SDF-KEY v1
 *   algorithm: sm2
 *   key-index: 1
 *
 * so the signer needs only the library, the directory and the password to load the CA.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SdfKmc } from '../kmc/kmc.js';
import type { Kmc } from '../kmc/port.js';
import type { Signer } from '../signer/port.js';
import { SdfSession } from './sdf.js';
import { sdfSigner } from './signer.js';

/** The CA keys that may live in the device: the online ones the signer uses. */
export const SDF_ROLES = ['issuing', 'ocsp', 'seal', 'audit'] as const;
export type SdfRole = (typeof SDF_ROLES)[number];

const MAGIC = 'CERTDESK-SDF-KEY v1';

export class SdfConfigError extends Error {
  override name = 'SdfConfigError';
}

export function sdfKeyReference(keyIndex: number): string {
  return `${MAGIC}\nalgorithm: sm2\nkey-index: ${keyIndex}\n`;
}

/** The key index of a reference file, or undefined when the text is not one (an encrypted key file). */
export function parseSdfKeyReference(text: string): number | undefined {
  const lines = text.trim().split('\n');
  if (lines[0] !== MAGIC) return undefined;
  const m = /^key-index: (\d{1,10})$/.exec(lines[2] ?? '');
  if (lines[1] !== 'algorithm: sm2' || !m || lines.length !== 3) throw new SdfConfigError('SDF key reference: malformed');
  return Number(m[1]);
}

/**
 * One session on the device for the process, opened on first use; a Signer per key index, each unlocked
 * once. The password is held in a private field (not enumerable, not in JSON, not in errors).
 */
export class SdfKeyStore {
  readonly #password: string;
  #session: SdfSession | undefined;
  readonly #signers = new Map<number, Signer>();
  #kmc: Kmc | undefined;

  constructor(
    readonly library: string,
    readonly workingDirectory: string | undefined,
    password: string,
    /** ca:init's choice of device keys per role (empty for the signer: the reference files say). */
    readonly roles: Partial<Record<SdfRole, number>> = {},
    /** The KEK of the key management centre's escrow (CERTDESK_KMC_KEK_INDEX); absent: no KMC. */
    readonly kmcKekIndex?: number,
  ) {
    this.#password = password;
  }

  #open(): SdfSession {
    this.#session ??= SdfSession.open({ library: this.library, workingDirectory: this.workingDirectory });
    return this.#session;
  }

  /** The key management centre on this device's session (docs/kmc.md), or undefined when no KEK is configured for it. */
  kmc(): Kmc | undefined {
    if (this.kmcKekIndex === undefined) return undefined;
    this.#kmc ??= new SdfKmc(this.#open(), this.kmcKekIndex);
    return this.#kmc;
  }

  /** The Signer over device signing key `keyIndex` (GetPrivateKeyAccessRight on first use). */
  signer(keyIndex: number): Signer {
    let s = this.#signers.get(keyIndex);
    if (!s) {
      s = sdfSigner(this.#open(), keyIndex, this.#password);
      this.#signers.set(keyIndex, s);
    }
    return s;
  }

  close(): void {
    this.#session?.close();
    this.#session = undefined;
    this.#signers.clear();
    this.#kmc = undefined;
  }

  toJSON() {
    return { library: this.library, workingDirectory: this.workingDirectory, roles: this.roles, kmcKekIndex: this.kmcKekIndex };
  }
}

/** CERTDESK_CA_SDF_KEYS: role=index pairs, each role and index at most once. */
export function parseSdfRoles(text: string): Partial<Record<SdfRole, number>> {
  const out: Partial<Record<SdfRole, number>> = {};
  const used = new Set<number>();
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([a-z]+)\s*=\s*(\d{1,10})$/.exec(part);
    const role = m?.[1] as SdfRole | undefined;
    if (!m || !SDF_ROLES.includes(role!))
      throw new SdfConfigError(
        `CERTDESK_CA_SDF_KEYS: "${part}" is not role=index with role one of ${SDF_ROLES.join(', ')} (e.g. issuing=1,ocsp=2)`,
      );
    const index = Number(m[2]);
    if (out[role!] !== undefined) throw new SdfConfigError(`CERTDESK_CA_SDF_KEYS: ${role} given twice`);
    if (used.has(index)) throw new SdfConfigError(`CERTDESK_CA_SDF_KEYS: key index ${index} given to two roles`);
    used.add(index);
    out[role!] = index;
  }
  return out;
}

/** The device from the environment, or undefined when CERTDESK_SDF_LIBRARY is not set. Opens nothing yet. */
export function sdfKeyStoreFromEnv(env: NodeJS.ProcessEnv): SdfKeyStore | undefined {
  const library = env.CERTDESK_SDF_LIBRARY?.trim();
  const rolesText = env.CERTDESK_CA_SDF_KEYS?.trim();
  if (!library) {
    if (
      rolesText ||
      env.CERTDESK_SDF_PASSWORD ||
      env.CERTDESK_SDF_PASSWORD_FILE ||
      env.CERTDESK_SDF_DIR ||
      env.CERTDESK_KMC_KEK_INDEX?.trim()
    )
      throw new SdfConfigError('CERTDESK_SDF_LIBRARY must name the SDF device library when the other CERTDESK_SDF_* settings are given');
    return undefined;
  }
  if (!path.isAbsolute(library)) throw new SdfConfigError('CERTDESK_SDF_LIBRARY must be an absolute path to the GM/T 0018 library');
  const dir = env.CERTDESK_SDF_DIR?.trim() ? path.resolve(env.CERTDESK_SDF_DIR.trim()) : undefined;
  let password = env.CERTDESK_SDF_PASSWORD;
  if (!password && env.CERTDESK_SDF_PASSWORD_FILE) {
    try {
      password = readFileSync(env.CERTDESK_SDF_PASSWORD_FILE, 'utf8').replace(/\r?\n$/, '');
    } catch {
      throw new SdfConfigError(`CERTDESK_SDF_PASSWORD_FILE: cannot read ${env.CERTDESK_SDF_PASSWORD_FILE}`);
    }
  }
  if (!password) throw new SdfConfigError('CERTDESK_SDF_PASSWORD or CERTDESK_SDF_PASSWORD_FILE must give the device keys’ access password');
  const roles = rolesText ? parseSdfRoles(rolesText) : {};
  const kek = env.CERTDESK_KMC_KEK_INDEX?.trim();
  if (kek && !/^\d{1,10}$/.test(kek))
    throw new SdfConfigError('CERTDESK_KMC_KEK_INDEX must be the index of a KEK in the device (a number)');
  return new SdfKeyStore(library, dir, password, roles, kek ? Number(kek) : undefined);
}
