/** Builds the configured face verifier: the Tencent client, over HTTPS or in-process to the sandbox gateway. */
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import type { FaceVerifier } from './port.js';
import { SANDBOX_FACEID, sandboxFaceidGateway } from './sandbox-gateway.js';
import { FACEID_ENDPOINT, httpFaceTransport, tencentFaceVerifier } from './tencent.js';

/** null when face verification is not configured (production without CERTDESK_FACE): 法人核验 is then unavailable. */
export function faceVerifierFor(config: Config, db: Db, clock: Clock): FaceVerifier | null {
  const f = config.face;
  if (f.kind === 'off') return null;
  if (f.kind === 'sandbox') {
    const gw = sandboxFaceidGateway({ db, clock });
    return tencentFaceVerifier({
      ...SANDBOX_FACEID,
      endpoint: FACEID_ENDPOINT,
      transport: gw.transport,
      now: () => clock.now(),
      name: 'sandbox',
    });
  }
  return tencentFaceVerifier({
    secretId: f.secretId,
    secretKey: f.secretKey,
    ruleId: f.ruleId,
    endpoint: f.endpoint,
    transport: httpFaceTransport(),
    now: () => clock.now(),
  });
}
