/**
 * Which 制证 issues a pair, and what happens without a KMC: production refuses (no half pair), elsewhere the
 * signing certificate goes alone and says so; ECDSA projects and single-certificate projects never ask the KMC.
 */
import { describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../../ca/signer/software.js';
import { AppError } from '../../../core/errors.js';
import type { Config } from '../../config.js';
import type { CatalogProject } from '../catalog/repository.js';
import type { IssuingCa } from '../certificates/ca-runtime.js';
import { ENCRYPTION_SKIPPED, prepareEncryption } from './encryption-pair.js';

const config = (env: Config['env']) => ({ env, ca: {} }) as unknown as Config;
const project = (dualCertificates: boolean) => ({ dualCertificates }) as CatalogProject;
const issuing = (family: IssuingCa['family']) => ({ family }) as IssuingCa;

describe('prepareEncryption', () => {
  it('a pair project without a KMC: refused in production (503, nothing issued), the signing certificate alone elsewhere', async () => {
    const signing = { spki: (await generateSigningKey('sm2')).publicKeySpki };
    const refused = await prepareEncryption(config('production'), project(true), issuing('sm2'), signing).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('SERVICE_UNAVAILABLE');
    expect((refused as AppError).message).toMatch(/密钥管理中心（KMC）未就绪.*本次未签发任何证书/);
    expect(await prepareEncryption(config('development'), project(true), issuing('sm2'), signing)).toEqual({
      kind: 'skipped',
      reason: ENCRYPTION_SKIPPED,
    });
  });

  it('a single-certificate project, or an ECDSA one, never asks the KMC', async () => {
    const sm2 = { spki: (await generateSigningKey('sm2')).publicKeySpki };
    const ec = { spki: (await generateSigningKey('ecdsa-p256')).publicKeySpki };
    expect(await prepareEncryption(config('production'), project(false), issuing('sm2'), sm2)).toEqual({ kind: 'none' });
    expect(await prepareEncryption(config('production'), project(true), issuing('ecdsa-p256'), ec)).toEqual({ kind: 'none' });
  });
});
