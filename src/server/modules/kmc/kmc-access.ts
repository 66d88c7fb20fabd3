/**
 * Where this process reaches the key management centre: a web/RA instance through the signer service
 * (POST /v1/kmc/key-pairs: docs/kmc.md), a process that holds the CA's keys itself (development, tests,
 * ca tools) through its own SDF device. Either way what comes back is public keys and ciphertext.
 */
import { KmcUnavailableError, type Kmc } from '../../../ca/kmc/port.js';
import { envelopeFromWire, escrowToWire, keyPairFromWire, recipientToWire } from '../../../ca/kmc/wire.js';
import { AppError } from '../../../core/errors.js';
import type { CaConfig, SignerEndpoint } from '../certificates/ca-config.js';
import { SignerConnection, signerRefused, signerUnavailable } from '../certificates/signer-client.js';

const connections = new Map<string, SignerConnection>();

function connectionFor(endpoint: SignerEndpoint): SignerConnection {
  const key = endpoint.kind === 'unix' ? `unix:${endpoint.socketPath}` : endpoint.url;
  let c = connections.get(key);
  if (!c) connections.set(key, (c = new SignerConnection(endpoint)));
  return c;
}

/** The KMC over the signer's protocol: a 404 means that signer runs none. */
export function remoteKmc(conn: SignerConnection): Kmc {
  return {
    async generate(recipient) {
      let res;
      try {
        res = await conn.request(
          'POST',
          '/v1/kmc/key-pairs',
          Buffer.from(JSON.stringify(recipientToWire(recipient))),
          undefined,
          'application/json',
        );
      } catch (e) {
        throw signerUnavailable(e);
      }
      if (res.status === 404) throw new KmcUnavailableError('the signer runs no key management centre');
      if (res.status !== 200)
        throw signerUnavailable(new Error(`signer answered ${res.status}: ${res.body.toString('utf8').slice(0, 500)}`));
      return keyPairFromWire(JSON.parse(res.body.toString('utf8')));
    },
    async envelope(escrow, recipient) {
      const body = Buffer.from(JSON.stringify({ escrow: escrowToWire(escrow), ...recipientToWire(recipient) }));
      let res;
      try {
        res = await conn.request('POST', '/v1/kmc/envelopes', body, undefined, 'application/json');
      } catch (e) {
        throw signerUnavailable(e);
      }
      if (res.status === 404) throw new KmcUnavailableError('the signer runs no key management centre');
      const why = new Error(`signer answered ${res.status}: ${res.body.toString('utf8').slice(0, 500)}`);
      if (res.status === 422) throw signerRefused(why);
      if (res.status !== 200) throw signerUnavailable(why);
      return envelopeFromWire(JSON.parse(res.body.toString('utf8')));
    },
  };
}

/** This process's way to the KMC, or undefined when there is none (no signer and no device KEK configured). */
export function kmcOf(config: CaConfig): Kmc | undefined {
  if (config.signer) return remoteKmc(connectionFor(config.signer));
  return config.sdf?.kmc();
}

/** The KMC did not answer as one should: an outage for staff (503), the cause to the log. */
export const kmcNotReady = (cause: unknown) =>
  new AppError(
    'SERVICE_UNAVAILABLE',
    '密钥管理中心（KMC）未就绪，本项目的加密证书无法签发，本次未签发任何证书。请联系管理员（见运维手册 docs/kmc.md）',
    {
      cause,
    },
  );
