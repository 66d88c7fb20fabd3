/**
 * The CA's one-time UKEY authorizations: the SO PIN opens only with the agent session's key, the grant is
 * bound and signed, and anything altered is refused (the agent's use of them: src/agent/agent.test.ts).
 */
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AuthorizationRefused,
  deriveSoPin,
  newGrant,
  openAuthorization,
  sealAuthorization,
  type TokenAuthorityKeys,
} from './token-authorization.js';

const keys: TokenAuthorityKeys = {
  signingKey: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey,
  soPinSecret: randomBytes(32),
};
const trusted = createPublicKey(keys.signingKey);
const agent = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const agentSpki = new Uint8Array(agent.publicKey.export({ format: 'der', type: 'spki' }));
const now = new Date('2026-12-07T08:00:00Z');
const base = {
  purpose: 'reset' as const,
  serial: 'A1B2C3D4E5F60718',
  origin: 'https://ca.example.cn',
  session: 'binding-of-the-page-session',
};
const expectFor = (over = {}) => ({ ...base, sessionPrivateKey: agent.privateKey, sessionSpki: agentSpki, now, ...over });
const refusedWith = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AuthorizationRefused);
    return (e as AuthorizationRefused).code;
  }
  throw new Error('not refused');
};

describe('token authorizations', () => {
  it('derives a stable 16-digit SO PIN per serial', () => {
    expect(deriveSoPin(keys.soPinSecret, base.serial)).toMatch(/^[0-9A-F]{16}$/);
    expect(deriveSoPin(keys.soPinSecret, base.serial)).toBe(deriveSoPin(keys.soPinSecret, base.serial));
    expect(deriveSoPin(keys.soPinSecret, base.serial)).not.toBe(deriveSoPin(keys.soPinSecret, `${base.serial}0`));
    expect(deriveSoPin(keys.soPinSecret, base.serial)).not.toBe(deriveSoPin(randomBytes(32), base.serial));
  });

  it('opens for the agent session it was sealed to, and the page cannot read the SO PIN', () => {
    const text = sealAuthorization(keys, newGrant({ ...base, agentSpki, now }), agentSpki);
    const soPin = deriveSoPin(keys.soPinSecret, base.serial);
    expect(text).not.toContain(soPin);
    expect(Buffer.from(text.split('.')[0]!, 'base64url').toString()).not.toContain(soPin);
    const opened = openAuthorization(text, trusted, expectFor());
    expect(opened.soPin).toBe(soPin);
    expect(opened.grant).toMatchObject({ purpose: 'reset', serial: base.serial, origin: base.origin, session: base.session });
  });

  it('refuses a forged, altered, misbound, expired or foreign-session authorization', () => {
    const text = sealAuthorization(keys, newGrant({ ...base, agentSpki, now }), agentSpki);
    const forger = { ...keys, signingKey: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey };
    expect(
      refusedWith(() =>
        openAuthorization(sealAuthorization(forger, newGrant({ ...base, agentSpki, now }), agentSpki), trusted, expectFor()),
      ),
    ).toBe('SIGNATURE');
    // One changed byte of the body: the signature no longer holds.
    const [body, sig] = text.split('.') as [string, string];
    const altered = Buffer.from(body, 'base64url').toString().replace(base.serial, 'A1B2C3D4E5F60719');
    expect(refusedWith(() => openAuthorization(`${Buffer.from(altered).toString('base64url')}.${sig}`, trusted, expectFor()))).toBe(
      'SIGNATURE',
    );
    expect(refusedWith(() => openAuthorization(text, trusted, expectFor({ serial: 'other' })))).toBe('BINDING');
    expect(refusedWith(() => openAuthorization(text, trusted, expectFor({ purpose: 'init' })))).toBe('BINDING');
    expect(refusedWith(() => openAuthorization(text, trusted, expectFor({ origin: 'https://evil.example' })))).toBe('BINDING');
    expect(refusedWith(() => openAuthorization(text, trusted, expectFor({ session: 'another-session' })))).toBe('BINDING');
    expect(refusedWith(() => openAuthorization(text, trusted, expectFor({ now: new Date(now.getTime() + 5 * 60_000 + 1) })))).toBe(
      'EXPIRED',
    );
    // Another agent session (another key pair) cannot open it, even claiming the fingerprint.
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    expect(refusedWith(() => openAuthorization(text, trusted, expectFor({ sessionPrivateKey: other.privateKey })))).toBe('MALFORMED');
    expect(refusedWith(() => openAuthorization('garbage', trusted, expectFor()))).toBe('MALFORMED');
  });

  it('seals only to a P-256 session key', () => {
    const ed = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
    expect(refusedWith(() => sealAuthorization(keys, newGrant({ ...base, agentSpki: ed, now }), ed))).toBe('MALFORMED');
  });
});
