/**
 * The RA side of the CA signer service (src/signer/service.ts): a CaRuntime whose signers hold no key. Each
 * signature is one request over the signer's Unix socket or mutual TLS (keep-alive); the public
 * certificates come from the signer once and are kept on this machine's disk, so a web instance that starts
 * while the signer is down still answers OCSP and CRL requests from what is pre-signed (issue 17).
 *
 * A signer that cannot be reached is a 503 with a Chinese message (制证 says to retry; nothing was signed);
 * a refusal (the signer's re-check said no) is a 502 whose cause is logged, never shown.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { SIGNATURE_ALGORITHM } from '../../../ca/algorithms.js';
import { parseCertificate } from '../../../ca/cert/parse.js';
import { caCertificate, type CaHierarchy } from '../../../ca/hierarchy/hierarchy.js';
import type { KeyRole } from '../../../ca/signer/inspect.js';
import type { KeyAlgorithm, Signer } from '../../../ca/signer/port.js';
import { AppError } from '../../../core/errors.js';
import type { CaConfig, SignerEndpoint } from './ca-config.js';

/** The signer's answer to GET /v1/hierarchy (src/signer/service.ts publicHierarchy). */
export interface PublicHierarchy {
  organization: string;
  families: Partial<Record<KeyAlgorithm, { root: string; issuing: string; ocsp: string; seal?: string; audit?: string; rootCrl?: string }>>;
  /** The seal maker's and audit signer's certificates, current and earlier (their status is the RA's). */
  operational?: { kind: 'seal' | 'audit'; current: boolean; der: string }[];
}

/** How long one signature may take, a 40 MB complete CRL included. */
const SIGN_TIMEOUT_MS = 60_000;

export const signerUnavailable = (cause: unknown) =>
  new AppError('SIGNER_UNAVAILABLE', '证书签发服务暂时无法连接，本次未签发任何内容。请稍后重试；如持续出现，请联系管理员检查签名服务', {
    cause,
  });

export const signerRefused = (cause: unknown) =>
  new AppError('SIGNER_REFUSED', '证书签发服务复核未通过，拒绝签名，本次未签发。已记录，请联系管理员', { cause });

export class SignerConnection {
  private readonly agent: http.Agent;
  constructor(readonly endpoint: SignerEndpoint) {
    this.agent =
      endpoint.kind === 'unix'
        ? new http.Agent({ keepAlive: true })
        : new https.Agent({ keepAlive: true, ca: endpoint.tls.ca, cert: endpoint.tls.cert, key: endpoint.tls.key });
  }

  /** One request; resolves with the status and body, rejects on a connection failure or timeout. */
  request(
    method: 'GET' | 'POST',
    pathname: string,
    body?: Uint8Array,
    timeoutMs = SIGN_TIMEOUT_MS,
    contentType = 'application/octet-stream',
  ): Promise<{ status: number; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers = body ? { 'content-type': contentType, 'content-length': String(body.length) } : {};
      const options =
        this.endpoint.kind === 'unix'
          ? { socketPath: this.endpoint.socketPath, path: pathname, method, headers, agent: this.agent }
          : { ...urlParts(this.endpoint.url), path: pathname, method, headers, agent: this.agent };
      const req = (this.endpoint.kind === 'unix' ? http : https).request(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`signer did not answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  async sign(family: KeyAlgorithm, role: KeyRole, data: Uint8Array): Promise<Uint8Array> {
    let res;
    try {
      res = await this.request('POST', `/v1/sign/${family}/${role}`, data);
    } catch (e) {
      throw signerUnavailable(e);
    }
    if (res.status === 200) return new Uint8Array(res.body);
    const why = new Error(`signer answered ${res.status}: ${res.body.toString('utf8').slice(0, 500)}`);
    throw res.status === 422 ? signerRefused(why) : signerUnavailable(why);
  }

  async hierarchy(): Promise<PublicHierarchy> {
    const res = await this.request('GET', '/v1/hierarchy');
    if (res.status !== 200) throw new Error(`signer answered ${res.status} to GET /v1/hierarchy`);
    return JSON.parse(res.body.toString('utf8')) as PublicHierarchy;
  }

  /** Whether the signer answers its health route within `timeoutMs` (for /api/health). */
  async reachable(timeoutMs: number): Promise<boolean> {
    return this.request('GET', '/v1/health', undefined, timeoutMs).then(
      (r) => r.status === 200,
      () => false,
    );
  }

  close(): void {
    this.agent.destroy();
  }
}

const probes = new Map<string, SignerConnection>();

/**
 * /api/health's view of the signer: asked directly, not through the loaded CA, so an instance that started
 * while the signer was down still reports it (and reports it back once it answers).
 */
export function signerReachable(endpoint: SignerEndpoint, timeoutMs = 2_000): Promise<boolean> {
  const key = endpoint.kind === 'unix' ? `unix:${endpoint.socketPath}` : endpoint.url;
  let conn = probes.get(key);
  if (!conn) probes.set(key, (conn = new SignerConnection(endpoint)));
  return conn.reachable(timeoutMs);
}

function urlParts(url: string) {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 443), servername: u.hostname };
}

/** A Signer whose key stays in the signer service. */
export function remoteSigner(conn: SignerConnection, family: KeyAlgorithm, role: KeyRole, certDer: Uint8Array): Signer {
  return {
    algorithm: family,
    publicKeySpki: parseCertificate(certDer).spki,
    signatureAlgorithm: SIGNATURE_ALGORITHM[family],
    sign: (data) => conn.sign(family, role, data),
  };
}

const der = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

/** The hierarchy as the RA uses it, every signer remote. */
export function remoteHierarchy(conn: SignerConnection, view: PublicHierarchy, dir: string): CaHierarchy {
  const families: CaHierarchy['families'] = {};
  for (const [family, f] of Object.entries(view.families) as [KeyAlgorithm, NonNullable<PublicHierarchy['families'][KeyAlgorithm]>][]) {
    const withSigner = (b64: string, role: KeyRole) => {
      const cert = caCertificate(der(b64));
      return { ...cert, signer: remoteSigner(conn, family, role, cert.certDer) };
    };
    families[family] = {
      family,
      root: caCertificate(der(f.root)),
      issuing: withSigner(f.issuing, 'issuing'),
      ocsp: withSigner(f.ocsp, 'ocsp'),
      ...(f.seal ? { seal: withSigner(f.seal, 'seal') } : {}),
      ...(f.audit ? { audit: withSigner(f.audit, 'audit') } : {}),
    };
  }
  return { dir, organization: view.organization, families };
}

/** Where a web instance keeps the signer's public answer (public certificates only: no key material). */
export const publicHierarchyFile = (config: CaConfig) => path.join(path.dirname(config.dir), 'signer-hierarchy.json');

/**
 * The signer's public hierarchy: asked of the signer, and kept on disk; when the signer cannot be reached
 * the last copy is used (OCSP and CRLs need only the public certificates), and with no copy either, the
 * signer's unavailability is the answer.
 */
export async function fetchPublicHierarchy(conn: SignerConnection, config: CaConfig): Promise<PublicHierarchy> {
  const file = publicHierarchyFile(config);
  try {
    const view = await conn.hierarchy();
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.tmp-${process.pid}`;
    await writeFile(temp, JSON.stringify(view));
    await rename(temp, file);
    return view;
  } catch (e) {
    const kept = await readFile(file, 'utf8').catch(() => null);
    if (kept) return JSON.parse(kept) as PublicHierarchy;
    throw signerUnavailable(e);
  }
}

/** Root CRLs (DER) per family from the signer's answer. */
export function rootCrlsOf(view: PublicHierarchy): Partial<Record<KeyAlgorithm, Uint8Array>> {
  const out: Partial<Record<KeyAlgorithm, Uint8Array>> = {};
  for (const [family, f] of Object.entries(view.families) as [KeyAlgorithm, { rootCrl?: string }][])
    if (f.rootCrl) out[family] = der(f.rootCrl);
  return out;
}
