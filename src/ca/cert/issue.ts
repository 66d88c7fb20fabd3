/**
 * encode → lint → sign in one call, for the CA's own certificates and for callers that do not record the
 * TBS first (the registry does record it: it calls encodeTbs, stores, lintTbs, then signCertificate).
 * A TBS that fails the lint is never signed.
 */
import type { Signer } from '../signer/port.js';
import { encodeTbs, signCertificate, type CertificateInput } from './build.js';
import { lintTbs, LintProblem } from './lint.js';
import type { CertificateProfile } from './profiles.js';

export class CertificateLintError extends Error {
  override name = 'CertificateLintError';
  constructor(readonly problems: LintProblem[]) {
    super(`证书内容未通过签发前检查，未签发：${problems.map((p) => p.message).join('；')}`);
  }
}

export async function issueCertificate(args: {
  input: CertificateInput;
  profile: CertificateProfile;
  signer: Signer;
}): Promise<{ certDer: Uint8Array; tbs: Uint8Array }> {
  const tbs = encodeTbs(args.input);
  const problems = lintTbs(tbs, args.profile);
  if (args.signer.algorithm !== args.profile.family) {
    problems.push(new LintProblem('signer.family', `签名密钥算法 ${args.signer.algorithm} 与模板 ${args.profile.family} 不符`));
  }
  if (problems.length) throw new CertificateLintError(problems);
  return { certDer: await signCertificate(tbs, args.signer), tbs };
}
