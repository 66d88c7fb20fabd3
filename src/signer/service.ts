/**
 * The CA signer service (issue 17): the one process that holds the CA's keys. The web/RA instances reach it
 * over mutual TLS (or a Unix socket on one machine) and ask it to sign; it re-checks every request
 * (ca/signer/inspect.ts), logs every signature, and answers the raw signature. The web tier holds no key and
 * no KEK, so a code execution bug there is not a CA key compromise.
 *
 *   GET  /v1/hierarchy                 the public certificates (and root CRLs) per family, for the RA
 *   POST /v1/sign/:family/:role        body: the bytes to sign (application/octet-stream); answer: the signature
 *   GET  /v1/health                    200 when the keys are loaded
 *   POST /v1/kmc/key-pairs             the key management centre (docs/kmc.md): body { recipient } (the UKEY's
 *                                      signing public key); answer: the encryption public key, its escrow
 *                                      (ciphertext under the device KEK) and the ENVELOPEDKEYBLOB — no clear key
 *
 * Refusals are 422 with the reason (logged at warn); anything else that fails is 500 (logged at error).
 */
import { createHash } from 'node:crypto';
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { SIGNATURE_ALGORITHM } from '../ca/algorithms.js';
import type { CaHierarchy } from '../ca/hierarchy/hierarchy.js';
import { inspectToBeSigned, KEY_ROLES, SigningRefused, type KeyRole, type SignerRegistry } from '../ca/signer/inspect.js';
import type { Kmc } from '../ca/kmc/port.js';
import { envelopeToWire, escrowFromWire, keyPairToWire, recipientFromWire } from '../ca/kmc/wire.js';
import type { KeyAlgorithm, Signer } from '../ca/signer/port.js';
import { spkiPublicKeyBits } from '../ca/spki.js';
import { parseCertificate } from '../ca/cert/parse.js';
import type { PublicHierarchy } from '../server/modules/certificates/signer-client.js';

export interface SignerServiceOptions {
  hierarchy: CaHierarchy;
  policyOids: string[];
  registry?: SignerRegistry;
  /** Root CRLs (signed offline) per family, DER, handed to the RA with the certificates. */
  rootCrls?: Partial<Record<KeyAlgorithm, Uint8Array>>;
  /** The seal maker's and audit signer's certificates, current and earlier (the RA records their status). */
  operational?: { kind: 'seal' | 'audit'; current: boolean; der: Uint8Array }[];
  now?: () => Date;
  /**
   * The largest body accepted: a complete CRL's TBS at a million entries is some 40 MB
   * (CERTDESK_SIGNER_MAX_BYTES; default 128 MiB).
   */
  maxBytes?: number;
  /** The key management centre (an SDF device with a KEK for escrow), when this signer runs one. */
  kmc?: Kmc;
  /** Fastify's options: the logger, and `https` (with requestCert) for mutual TLS. */
  fastify?: FastifyServerOptions & { https?: HttpsServerOptions };
}

export const SIGNER_DEFAULT_MAX_BYTES = 128 * 1024 * 1024;

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

export function publicHierarchy(
  h: CaHierarchy,
  rootCrls: SignerServiceOptions['rootCrls'] = {},
  operational: SignerServiceOptions['operational'] = [],
): PublicHierarchy {
  const families: PublicHierarchy['families'] = {};
  for (const [family, f] of Object.entries(h.families) as [KeyAlgorithm, NonNullable<CaHierarchy['families'][KeyAlgorithm]>][]) {
    const crl = rootCrls[family];
    families[family] = {
      root: b64(f.root.certDer),
      issuing: b64(f.issuing.certDer),
      ocsp: b64(f.ocsp.certDer),
      ...(f.seal ? { seal: b64(f.seal.certDer) } : {}),
      ...(f.audit ? { audit: b64(f.audit.certDer) } : {}),
      ...(crl ? { rootCrl: b64(crl) } : {}),
    };
  }
  return { organization: h.organization, families, operational: operational.map((o) => ({ ...o, der: b64(o.der) })) };
}

export async function buildSignerService(o: SignerServiceOptions): Promise<FastifyInstance> {
  const maxBytes = o.maxBytes ?? SIGNER_DEFAULT_MAX_BYTES;
  const app = Fastify({ bodyLimit: maxBytes, ...o.fastify } as FastifyServerOptions) as unknown as FastifyInstance;
  const now = o.now ?? (() => new Date());
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: maxBytes }, (_req, body, done) => done(null, body));

  const contexts = new Map<KeyAlgorithm, { issuing: { nameDer: Uint8Array; spkiKeyBytes: Uint8Array }; responderNameDer: Uint8Array }>();
  for (const [family, f] of Object.entries(o.hierarchy.families) as [KeyAlgorithm, NonNullable<CaHierarchy['families'][KeyAlgorithm]>][])
    contexts.set(family, {
      issuing: { nameDer: f.issuing.nameDer, spkiKeyBytes: spkiPublicKeyBits(parseCertificate(f.issuing.certDer).spki) },
      responderNameDer: f.ocsp.nameDer,
    });
  const view = publicHierarchy(o.hierarchy, o.rootCrls, o.operational);

  app.get('/v1/health', async () => ({
    ok: true,
    families: Object.keys(o.hierarchy.families),
    registry: Boolean(o.registry),
    kmc: Boolean(o.kmc),
  }));
  app.get('/v1/hierarchy', async () => view);

  app.post<{ Params: { family: string; role: string } }>('/v1/sign/:family/:role', async (req, reply) => {
    const family = req.params.family as KeyAlgorithm;
    const role = req.params.role as KeyRole;
    const f = o.hierarchy.families[family];
    const ctx = contexts.get(family);
    if (!f || !ctx || !KEY_ROLES.includes(role)) return reply.code(404).send({ error: `no key ${req.params.family}/${req.params.role}` });
    const signer: Signer | undefined = role === 'issuing' ? f.issuing.signer : role === 'ocsp' ? f.ocsp.signer : f[role]?.signer;
    if (!signer) return reply.code(404).send({ error: `no key ${family}/${role}` });
    const data = req.body;
    if (!Buffer.isBuffer(data) || data.length === 0)
      return reply.code(400).send({ error: 'send the bytes to sign as application/octet-stream' });
    const started = process.hrtime.bigint();
    let what;
    try {
      what = await inspectToBeSigned(role, data, {
        family,
        signatureAlgorithm: SIGNATURE_ALGORITHM[family],
        issuing: ctx.issuing,
        responderNameDer: ctx.responderNameDer,
        policyOids: o.policyOids,
        now: now(),
        registry: o.registry,
      });
    } catch (e) {
      if (!(e instanceof SigningRefused)) throw e;
      req.log.warn({ key: `${family}/${role}`, sha256: sha256(data), client: clientOf(req), refused: e.message }, 'signing refused');
      return reply.code(422).send({ error: e.message });
    }
    const inspected = process.hrtime.bigint();
    const signature = await signer.sign(data);
    // Every signature, one line: what, for whom, over which bytes (the signer's own record, beside the RA's audit).
    req.log.info(
      {
        signature: true,
        key: `${family}/${role}`,
        kind: what.kind,
        ...what.detail,
        sha256: sha256(data),
        client: clientOf(req),
        ms: Number(process.hrtime.bigint() - started) / 1e6,
        inspectMs: Number(inspected - started) / 1e6,
      },
      'signed',
    );
    return reply.type('application/octet-stream').send(Buffer.from(signature));
  });
  // The KMC: a new encryption key pair per request. What it answers is public or ciphertext (the escrow opens only in
  // the device, the envelope only with the recipient's private key), so a web instance that asks learns no key.
  app.post('/v1/kmc/key-pairs', async (req, reply) => {
    if (!o.kmc) return reply.code(404).send({ error: 'this signer runs no key management centre (CERTDESK_KMC_KEK_INDEX)' });
    let recipient;
    try {
      recipient = recipientFromWire(req.body);
    } catch (e) {
      return reply.code(400).send({ error: (e as Error).message });
    }
    const started = process.hrtime.bigint();
    const pair = await o.kmc.generate(recipient);
    req.log.info(
      {
        kmc: true,
        operation: 'generate',
        publicKeySha256: sha256(pair.publicKey),
        recipientSha256: sha256(recipient),
        kekIndex: pair.escrow.kekIndex,
        client: clientOf(req),
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      },
      'kmc key pair',
    );
    return keyPairToWire(pair);
  });

  // Key recovery: an escrowed key enveloped for another recipient. With the registry, only for a recovery a second
  // key administrator approved and nobody has taken yet (the RA cannot ask for a key on its own); the device then
  // checks that the escrow opens to the private key of its public key.
  app.post('/v1/kmc/envelopes', async (req, reply) => {
    if (!o.kmc) return reply.code(404).send({ error: 'this signer runs no key management centre (CERTDESK_KMC_KEK_INDEX)' });
    let recipient, escrow;
    try {
      recipient = recipientFromWire(req.body);
      escrow = escrowFromWire((req.body as { escrow?: unknown } | null)?.escrow);
    } catch (e) {
      return reply.code(400).send({ error: (e as Error).message });
    }
    const what = {
      kmc: true,
      operation: 'envelope',
      publicKeySha256: sha256(escrow.publicKey),
      recipientSha256: sha256(recipient),
      client: clientOf(req),
    };
    if (o.registry && !(await o.registry.recoveryApproved(escrow.publicKey, recipient))) {
      req.log.warn({ ...what, refused: 'no approved, undelivered recovery for this key and recipient' }, 'kmc refused');
      return reply.code(422).send({ error: 'no approved, undelivered key recovery for this key and recipient in the registry' });
    }
    let envelope;
    try {
      envelope = await o.kmc.envelope(escrow, recipient);
    } catch (e) {
      req.log.warn({ ...what, refused: (e as Error).message }, 'kmc refused');
      return reply.code(422).send({ error: (e as Error).message });
    }
    req.log.info({ ...what, registry: Boolean(o.registry) }, 'kmc envelope');
    return envelopeToWire(envelope);
  });
  return app;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Who asked: the client certificate's subject under mutual TLS, 'unix' over the socket. */
function clientOf(req: { socket: unknown }): string {
  const s = req.socket as { getPeerCertificate?: () => { subject?: { CN?: string } } };
  const cn = s.getPeerCertificate?.()?.subject?.CN;
  return cn ?? 'unix';
}
