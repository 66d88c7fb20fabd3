/**
 * The PKCS#11 signer (issue 6): CA keys inside an HSM, generated there as non-extractable (CKA_EXTRACTABLE
 * false, CKA_SENSITIVE true), used through graphene-pk11. ECDSA P-256 and RSA-2048; SoftHSM2, the test
 * token, has no SM2 (and vendor SM2 mechanisms differ per HSM, so SM2 keys stay with the software signer
 * until a real SM2 HSM is chosen).
 *
 * ECDSA: the token signs a SHA-256 digest with CKM_ECDSA (supported everywhere, unlike CKM_ECDSA_SHA256)
 * and returns r || s (PKCS#11 v2.40 2.3.1); X.509 wants the DER Ecdsa-Sig-Value (RFC 5758 3.2), so it is
 * re-encoded here. RSA: CKM_SHA256_RSA_PKCS.
 */
import { createHash } from 'node:crypto';
import * as graphene from 'graphene-pk11';
import { SIGNATURE_ALGORITHM, SPKI_ALGORITHM } from '../algorithms.js';
import { bitString, rawEcdsaToDer, readTlv, sequence, unsignedInteger } from '../der/der.js';
import type { KeyAlgorithm, Signer } from './port.js';

export interface Pkcs11Options {
  /** Path of the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so. */
  library: string;
  /** The token's label (CKA_LABEL of the token). */
  tokenLabel: string;
  /** The user PIN. Never logged. */
  pin: string;
}

export type HsmAlgorithm = Exclude<KeyAlgorithm, 'sm2'>;

export class Pkcs11Error extends Error {
  override name = 'Pkcs11Error';
}

/** OID of P-256 as CKA_EC_PARAMS wants it (DER namedCurve). */
const P256_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');

// The conversion lives with the DER helpers (the agent uses it without loading graphene-pk11); re-exported for this module's callers.
export { rawEcdsaToDer };

export class Pkcs11Token {
  private constructor(
    private readonly module: graphene.Module,
    private readonly session: graphene.Session,
  ) {}

  static open(options: Pkcs11Options): Pkcs11Token {
    let mod: graphene.Module;
    try {
      mod = graphene.Module.load(options.library);
      mod.initialize();
    } catch (e) {
      throw new Pkcs11Error(`cannot load the PKCS#11 module ${options.library}: ${(e as Error).message}`);
    }
    const slots = mod.getSlots(true);
    let slot: graphene.Slot | undefined;
    for (let i = 0; i < slots.length; i++) {
      const s = slots.items(i);
      if (s.getToken().label.trim() === options.tokenLabel) slot = s;
    }
    if (!slot) {
      mod.finalize();
      throw new Pkcs11Error(`no token labelled ${options.tokenLabel}`);
    }
    const session = slot.open(graphene.SessionFlag.SERIAL_SESSION | graphene.SessionFlag.RW_SESSION);
    try {
      session.login(options.pin, graphene.UserType.USER);
    } catch {
      session.close();
      mod.finalize();
      throw new Pkcs11Error(`login to token ${options.tokenLabel} failed (wrong PIN?)`);
    }
    return new Pkcs11Token(mod, session);
  }

  close(): void {
    try {
      this.session.logout();
    } catch {
      // already logged out
    }
    this.session.close();
    this.module.finalize();
  }

  private findOne(objectClass: graphene.ObjectClass, label: string): graphene.SessionObject {
    const found = this.session.find({ class: objectClass, label });
    if (found.length !== 1)
      throw new Pkcs11Error(`expected one ${graphene.ObjectClass[objectClass]} labelled ${label}, found ${found.length}`);
    return found.items(0);
  }

  /** Generates a key pair on the token: private key sensitive and non-extractable. Returns its SPKI. */
  generateKeyPair(label: string, algorithm: HsmAlgorithm): Uint8Array {
    const common = { token: true, label, id: Buffer.from(label, 'utf8') };
    if (algorithm === 'ecdsa-p256') {
      this.session.generateKeyPair(
        graphene.KeyGenMechanism.EC,
        { ...common, keyType: graphene.KeyType.EC, verify: true, paramsEC: P256_PARAMS },
        { ...common, keyType: graphene.KeyType.EC, sign: true, private: true, sensitive: true, extractable: false },
      );
    } else {
      this.session.generateKeyPair(
        graphene.KeyGenMechanism.RSA,
        { ...common, keyType: graphene.KeyType.RSA, verify: true, modulusBits: 2048, publicExponent: Buffer.from([1, 0, 1]) },
        { ...common, keyType: graphene.KeyType.RSA, sign: true, private: true, sensitive: true, extractable: false },
      );
    }
    return this.publicKeySpki(label, algorithm);
  }

  /** The public key of `label` as SubjectPublicKeyInfo DER. */
  publicKeySpki(label: string, algorithm: HsmAlgorithm): Uint8Array {
    const pub = this.findOne(graphene.ObjectClass.PUBLIC_KEY, label);
    if (algorithm === 'ecdsa-p256') {
      // CKA_EC_POINT is the DER OCTET STRING holding the point (PKCS#11 v2.40 2.3.3); some tokens give it bare.
      let point: Uint8Array = pub.getAttribute({ pointEC: null }).pointEC as Buffer;
      if (point[0] === 0x04 && point.length !== 65) {
        const t = readTlv(point, 0);
        point = point.subarray(t.start, t.end);
      }
      return sequence(SPKI_ALGORITHM['ecdsa-p256'], bitString(point));
    }
    const attrs = pub.getAttribute({ modulus: null, publicExponent: null });
    const rsaKey = sequence(unsignedInteger(attrs.modulus as Buffer), unsignedInteger(attrs.publicExponent as Buffer));
    return sequence(SPKI_ALGORITHM['rsa-2048'], bitString(rsaKey));
  }

  /** CKA_EXTRACTABLE and CKA_SENSITIVE of the private key (tests check the key cannot leave the token). */
  privateKeyFlags(label: string): { extractable: boolean; sensitive: boolean } {
    const attrs = this.findOne(graphene.ObjectClass.PRIVATE_KEY, label).getAttribute({ extractable: null, sensitive: null });
    return { extractable: Boolean(attrs.extractable), sensitive: Boolean(attrs.sensitive) };
  }

  /** A Signer over the private key `label`. */
  signer(label: string, algorithm: HsmAlgorithm): Signer {
    const key = this.findOne(graphene.ObjectClass.PRIVATE_KEY, label).toType<graphene.PrivateKey>();
    const publicKeySpki = this.publicKeySpki(label, algorithm);
    const session = this.session;
    return {
      algorithm,
      publicKeySpki,
      signatureAlgorithm: SIGNATURE_ALGORITHM[algorithm],
      async sign(data) {
        if (algorithm === 'ecdsa-p256') {
          const digest = createHash('sha256').update(data).digest();
          return rawEcdsaToDer(session.createSign('ECDSA', key).once(digest));
        }
        return new Uint8Array(session.createSign('SHA256_RSA_PKCS', key).once(Buffer.from(data)));
      },
    };
  }
}
