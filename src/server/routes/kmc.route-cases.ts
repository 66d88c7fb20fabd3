/**
 * The KMC routes' rows for staff.test.ts's role table (every staff route × every kind of caller), kept beside the
 * routes. The app there has no KMC: an encryption certificate with its escrow row stands in for one 制证 made
 * (the envelope download serves what is stored), and a recovery's delivery, reached by an allowed caller, stops at
 * the missing KMC (503) — the table proves who gets that far.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { openssl, tempDir } from '../../ca/testing/openssl.js';
import type { StaffRole } from '../../core/schemas.js';
import { certificateRepository, normalizeSerial } from '../modules/certificates/repository.js';
import { kmcRepository } from '../modules/kmc/repository.js';
import type { TestApp } from '../testing/harness.js';

export interface KmcRouteCase {
  method: 'GET' | 'POST';
  path: string;
  access: 'any' | StaffRole[];
  ok: number;
  make(): Promise<{ url: string; body?: unknown; effect?: () => Promise<boolean> }>;
}

/** An issued encryption certificate row with its escrow (ciphertext stand-ins) and an envelope waiting. */
async function escrowed(t: TestApp) {
  const now = new Date();
  const cert = await certificateRepository.insert(t.db, {
    serial: normalizeSerial(randomBytes(16).toString('hex'))!,
    family: 'sm2',
    issuer: 'CN=role table',
    uscc: '91360100MA35ROLE0X',
    unitName: '角色表测试单位',
    projectCode: 'gov-procurement',
    keyType: 'main',
    status: 'issued',
    keySource: 'csr',
    usage: 'encryption',
    notBefore: now,
    notAfter: new Date(now.getTime() + 86400_000),
    source: 'online',
    createdAt: now,
    updatedAt: now,
  });
  const point = Buffer.concat([Buffer.from([4]), randomBytes(64)]);
  const key = await kmcRepository.insert(t.db, {
    certificateId: cert.id,
    publicKey: point,
    kekIndex: 1,
    wrappedKey: randomBytes(48),
    iv: randomBytes(16),
    encryptedPrivateKey: randomBytes(32),
    envelopeRecipient: point,
    envelope: randomBytes(388),
    createdAt: now,
  });
  return { cert, key };
}

let csr: Promise<string> | undefined;
/** One SM2 PKCS#10 (openssl, with the standard ID), as a new UKEY's tool exports it. */
function sm2Csr(): Promise<string> {
  csr ??= (async () => {
    const tmp = tempDir('certdesk-kmc-roles-');
    try {
      const k = tmp.path('k.pem');
      await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', k]);
      await openssl([
        'req',
        '-new',
        '-key',
        k,
        '-subj',
        '/CN=usbkey',
        '-sm3',
        '-sigopt',
        'distid:1234567812345678',
        '-out',
        tmp.path('r.pem'),
      ]);
      return (await openssl(['req', '-in', tmp.path('r.pem')])).stdout;
    } finally {
      tmp.remove();
    }
  })();
  return csr;
}

async function recovery(t: TestApp, status: 'pending' | 'approved') {
  const { cert, key } = await escrowed(t);
  const r = await kmcRepository.insertRecovery(t.db, {
    kmcKeyId: key.id,
    certificateId: cert.id,
    kind: 'user',
    recipient: key.publicKey,
    recipientDocument: 'role table',
    reason: '角色表',
    status,
    requestedBy: randomUUID(),
    requestedAt: new Date(),
    ...(status === 'approved' ? { decidedBy: randomUUID(), decidedAt: new Date() } : {}),
  });
  return r;
}

export function kmcRouteCases(t: () => TestApp): KmcRouteCase[] {
  return [
    {
      method: 'POST',
      path: '/api/staff/certificates/:id/enveloped-key',
      access: ['制证', '管理员'],
      ok: 200,
      make: async () => {
        const { cert } = await escrowed(t());
        return {
          url: `/api/staff/certificates/${cert.id}/enveloped-key`,
          effect: async () => (await kmcRepository.forCertificate(t().db, cert.id))!.envelopeDownloadedAt !== null,
        };
      },
    },
    {
      method: 'GET',
      path: '/api/staff/kmc/recoveries',
      access: ['密钥管理员'],
      ok: 200,
      make: async () => ({ url: '/api/staff/kmc/recoveries' }),
    },
    {
      method: 'POST',
      path: '/api/staff/kmc/recoveries',
      access: ['密钥管理员'],
      ok: 201,
      make: async () => {
        const { cert } = await escrowed(t());
        return {
          url: '/api/staff/kmc/recoveries',
          body: { certificateId: cert.id, kind: 'user', recipient: await sm2Csr(), reason: '补办：角色表' },
          effect: async () => (await kmcRepository.recoveries(t().db)).some((r) => r.certificateId === cert.id),
        };
      },
    },
    {
      method: 'POST',
      path: '/api/staff/kmc/recoveries/:id/approve',
      access: ['密钥管理员'],
      ok: 200,
      make: async () => {
        const r = await recovery(t(), 'pending');
        return {
          url: `/api/staff/kmc/recoveries/${r.id}/approve`,
          body: {},
          effect: async () => (await kmcRepository.recovery(t().db, r.id))!.status === 'approved',
        };
      },
    },
    {
      method: 'POST',
      path: '/api/staff/kmc/recoveries/:id/refuse',
      access: ['密钥管理员'],
      ok: 200,
      make: async () => {
        const r = await recovery(t(), 'pending');
        return {
          url: `/api/staff/kmc/recoveries/${r.id}/refuse`,
          body: { note: '角色表' },
          effect: async () => (await kmcRepository.recovery(t().db, r.id))!.status === 'refused',
        };
      },
    },
    {
      method: 'POST',
      path: '/api/staff/kmc/recoveries/:id/envelope',
      access: ['密钥管理员', '制证'],
      // No KMC in this app: an allowed caller gets as far as the KMC (密钥管理中心未就绪), nothing is delivered.
      ok: 503,
      make: async () => {
        const r = await recovery(t(), 'approved');
        return { url: `/api/staff/kmc/recoveries/${r.id}/envelope` };
      },
    },
  ];
}
