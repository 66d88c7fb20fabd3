/**
 * The 证书助手 against a real SoftHSM2 token (a temp SOFTHSM2_CONF): origin and pairing rules, and every
 * token operation checked by OpenSSL. SoftHSM2 has no SM2 and never locks a PIN by itself, so SM2 is not
 * tested here and the lock below is the agent's own count (token.ts explains).
 */
import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opensslResult, tempDir } from '../ca/testing/openssl.js';
import { deriveSoPin, newGrant, sealAuthorization, type TokenAuthorityKeys, type TokenPurpose } from '../ca/token-authorization.js';
import { AgentConfigError, agentConfigFrom, type AgentConfig } from './config.js';
import { CODE_TTL_MS, Pairing } from './pairing.js';
import type { PinRequest, PinSource } from './pin-source.js';
import { buildAgentServer, CHALLENGE_PREFIX } from './server.js';
import { AgentError, TokenDriver } from './token.js';

const LIBRARY = process.env.CERTDESK_TEST_PKCS11_LIB || '/usr/lib/softhsm/libsofthsm2.so';
const ORIGIN = 'https://ca.example.cn';
const tmp = tempDir('certdesk-agent-');

/** Stands in for the person at the agent's console: answers the agent's PIN questions in order. */
class TypedPins implements PinSource {
  answers: string[] = [];
  asked: PinRequest[] = [];
  private next(req: PinRequest) {
    this.asked.push(req);
    const a = this.answers.shift();
    if (a === undefined) throw new AgentError(409, 'PIN_CANCELLED', 'no answer typed');
    return Promise.resolve(a);
  }
  userPin = (r: PinRequest) => this.next(r);
  newUserPin = (r: PinRequest) => this.next(r);
  soPin = (r: PinRequest) => this.next(r);
}

let now = Date.now();
const pins = new TypedPins();
const pairing = new Pairing(() => now);
let tokens: TokenDriver;
let app: FastifyInstance;
let serial: string;
let bearer: string;
/** The CA's token authority as the server holds it (modules/tokens/authority.ts); the agent trusts its public key. */
const authority: TokenAuthorityKeys = {
  signingKey: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey,
  soPinSecret: randomBytes(32),
};
const config: AgentConfig = {
  host: '127.0.0.1',
  port: 0,
  origin: ORIGIN,
  pkcs11Module: LIBRARY,
  pinTries: 3,
  authorityKey: createPublicKey(authority.signingKey),
};

/** What the server answers a granted request with: an authorization for the page's current pairing. */
async function authorizationFor(purpose: TokenPurpose, tokenSerial: string, keys = authority, bearerToken?: string) {
  const session = (await call('GET', '/session', undefined, bearerToken ? { authorization: `Bearer ${bearerToken}` } : {})).json();
  const spki = Buffer.from(session.sessionKey, 'base64');
  const grant = newGrant({ purpose, serial: tokenSerial, origin: ORIGIN, session: session.sessionId, agentSpki: spki, now: new Date(now) });
  return sealAuthorization(keys, grant, spki);
}

const call = (method: 'GET' | 'POST' | 'OPTIONS', url: string, body?: unknown, headers: Record<string, string> = {}) =>
  app.inject({
    method,
    url,
    headers: { origin: ORIGIN, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...headers },
    ...(body !== undefined ? { payload: body as object } : {}),
  });
const corsHeaders = (h: Record<string, unknown>) => Object.keys(h).filter((k) => k.startsWith('access-control-'));

beforeAll(async () => {
  if (!existsSync(LIBRARY)) throw new Error(`SoftHSM2 is not installed (${LIBRARY} missing): apt-get install softhsm2`);
  mkdirSync(tmp.path('tokens'));
  process.env.SOFTHSM2_CONF = tmp.write(
    'softhsm2.conf',
    `directories.tokendir = ${tmp.path('tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  );
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', 'ukey', '--pin', '123456', '--so-pin', '87654321']);
  // A key as it comes from the maker, for 制证's initialization (the last describe): the maker's SO PIN and its own serial.
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', 'blank', '--pin', '000000', '--so-pin', '12345678']);
  // As if the CA had initialized it: its SO PIN becomes the one derived for its serial — set through
  // graphene-pk11 in another process (an independent PKCS#11 client) before the agent loads the module,
  // since SoftHSM2 keeps a token's PINs in memory once a process has it open.
  serial = /Serial number:\s+(\S+)/.exec(
    execFileSync('softhsm2-util', ['--show-slots'], { encoding: 'utf8' })
      .split(/Slot \d+/)
      .find((slot) => /Label:\s+ukey\s/.test(slot)) ?? '',
  )![1]!;
  execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `
    import * as g from 'graphene-pk11';
    const m = g.Module.load(${JSON.stringify(LIBRARY)}); m.initialize();
    const all = m.getSlots(true); let slot; for (let i = 0; i < all.length; i++) if (all.items(i).getToken().serialNumber.trim() === ${JSON.stringify(serial)}) slot = all.items(i);
    const s = slot.open(g.SessionFlag.SERIAL_SESSION | g.SessionFlag.RW_SESSION); s.login('87654321', g.UserType.SO);
    s.setPin('87654321', ${JSON.stringify(deriveSoPin(authority.soPinSecret, serial))}); s.logout(); s.close(); m.finalize();`,
    ],
    { cwd: process.cwd() },
  );
  tokens = TokenDriver.load(LIBRARY, { pinTries: config.pinTries });
  expect(tokens.listTokens().find((t) => t.label === 'ukey')!.serial).toBe(serial);
  app = buildAgentServer({ config, tokens, pins, pairing, now: () => now });
  await app.ready();
  // A throwaway CA (OpenSSL's own keys) to issue certificates for the token's requests.
  execFileSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    '/CN=Test CA',
    '-keyout',
    tmp.path('ca.key'),
    '-out',
    tmp.path('ca.pem'),
    '-days',
    '2',
  ]);
});
afterAll(async () => {
  await app?.close();
  tokens?.close();
  tmp.remove();
});

describe('settings', () => {
  it('refuses a non-loopback bind and an origin with a path', () => {
    expect(() => agentConfigFrom({ CERTDESK_AGENT_ORIGIN: ORIGIN, CERTDESK_AGENT_HOST: '0.0.0.0' })).toThrow(/CERTDESK_AGENT_HOST/);
    expect(() => agentConfigFrom({ CERTDESK_AGENT_ORIGIN: ORIGIN, CERTDESK_AGENT_HOST: '192.168.1.5' })).toThrow(AgentConfigError);
    expect(() => agentConfigFrom({ CERTDESK_AGENT_ORIGIN: `${ORIGIN}/portal` })).toThrow(/CERTDESK_AGENT_ORIGIN/);
    expect(() => agentConfigFrom({})).toThrow(/CERTDESK_AGENT_ORIGIN/);
    expect(agentConfigFrom({ CERTDESK_AGENT_ORIGIN: `${ORIGIN}/` })).toMatchObject({ host: '127.0.0.1', origin: ORIGIN, pinTries: 6 });
    // SM2: all three vendor numbers or none.
    expect(() => agentConfigFrom({ CERTDESK_AGENT_ORIGIN: ORIGIN, CERTDESK_AGENT_SM2_SIGN_MECHANISM: '0x80000002' })).toThrow(/SM2/);
    expect(
      agentConfigFrom({
        CERTDESK_AGENT_ORIGIN: ORIGIN,
        CERTDESK_AGENT_SM2_KEYGEN_MECHANISM: '0x80000001',
        CERTDESK_AGENT_SM2_SIGN_MECHANISM: '0x80000002',
        CERTDESK_AGENT_SM2_KEY_TYPE: '0x80000003',
      }).sm2,
    ).toEqual({ keyGen: 0x80000001, sign: 0x80000002, keyType: 0x80000003 });
  });

  it('listens on loopback', async () => {
    const live = buildAgentServer({ config, tokens, pins, pairing });
    const address = await live.listen({ host: config.host, port: 0 });
    try {
      expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await (await fetch(`${address}/health`)).json()).toMatchObject({ ok: true, name: 'certdesk-agent' });
    } finally {
      await live.close();
    }
  });
});

describe('origin, Private Network Access and pairing', () => {
  it('answers another origin 403 with no CORS headers, preflight included', async () => {
    for (const r of [
      await call('GET', '/tokens', undefined, { origin: 'https://evil.example' }),
      await call('GET', '/health', undefined, { origin: 'https://ca.example.cn.evil.example' }),
      await call('OPTIONS', '/pair', undefined, {
        origin: 'http://ca.example.cn',
        'access-control-request-method': 'POST',
        'access-control-request-private-network': 'true',
      }),
    ]) {
      expect(r.statusCode).toBe(403);
      expect(corsHeaders(r.headers)).toEqual([]);
    }
  });

  it('answers the PNA preflight for the portal origin only when asked', async () => {
    const pna = await call('OPTIONS', '/tokens', undefined, {
      'access-control-request-method': 'GET',
      'access-control-request-private-network': 'true',
    });
    expect(pna.statusCode).toBe(204);
    expect(pna.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(pna.headers['access-control-allow-private-network']).toBe('true');
    const plain = await call('OPTIONS', '/tokens', undefined, { 'access-control-request-method': 'GET' });
    expect(plain.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(plain.headers['access-control-allow-private-network']).toBeUndefined();
  });

  it('refuses requests without Origin (except /health) and under a non-loopback Host', async () => {
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/tokens' })).statusCode).toBe(403);
    expect((await call('GET', '/health', undefined, { host: 'rebind.evil.example:17443' })).statusCode).toBe(403);
  });

  it('refuses an unpaired page, a wrong token, a replayed or expired code, and a sixth guess', async () => {
    expect((await call('GET', '/tokens')).statusCode).toBe(401);
    expect((await call('GET', '/tokens', undefined, { authorization: `Bearer ${'x'.repeat(43)}` })).json()).toMatchObject({
      error: 'NOT_PAIRED',
    });

    // Expired.
    let code = pairing.newCode();
    now += CODE_TTL_MS + 1;
    expect((await call('POST', '/pair', { code, sessionId: 'portal-session-1' })).json()).toMatchObject({ error: 'PAIRING_REFUSED' });

    // Five wrong guesses use the code up: the right one is then refused.
    code = pairing.newCode();
    const wrong = code === '00000000' ? '00000001' : '00000000';
    for (let i = 0; i < 5; i++) expect((await call('POST', '/pair', { code: wrong, sessionId: 'portal-session-1' })).statusCode).toBe(403);
    expect((await call('POST', '/pair', { code, sessionId: 'portal-session-1' })).statusCode).toBe(403);

    // Bad input is named.
    const bad = await call('POST', '/pair', { code: '12', sessionId: 'portal-session-1' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('code（配对码）');

    // Right code once: a token; the same code again: refused; the token works from the portal origin only.
    code = pairing.newCode();
    const ok = await call('POST', '/pair', { code, sessionId: 'portal-session-1' });
    expect(ok.statusCode).toBe(200);
    expect((await call('POST', '/pair', { code, sessionId: 'portal-session-2' })).statusCode).toBe(403);
    bearer = ok.json().token;
    expect((await call('GET', '/tokens')).statusCode).toBe(200);
    expect((await call('GET', '/session')).json()).toMatchObject({ origin: ORIGIN, sessionId: 'portal-session-1' });
    expect((await call('GET', '/tokens', undefined, { origin: 'https://evil.example' })).statusCode).toBe(403);
  });
});

describe('unpairing', () => {
  it('drops the token at once', async () => {
    const other = await call('POST', '/pair', { code: pairing.newCode(), sessionId: 'portal-session-3' }, { authorization: '' });
    const token = other.json().token as string;
    const withToken = (method: 'GET' | 'POST', url: string) => call(method, url, undefined, { authorization: `Bearer ${token}` });
    expect((await withToken('GET', '/session')).json()).toMatchObject({ sessionId: 'portal-session-3' });
    expect((await withToken('POST', '/unpair')).json()).toEqual({ unpaired: true });
    expect((await withToken('GET', '/tokens')).statusCode).toBe(401);
    expect((await call('GET', '/tokens')).statusCode).toBe(200); // the other pairing is untouched
  });
});

describe('the token (SoftHSM2, ECDSA P-256)', () => {
  let keyId: string;
  let certPem: string;

  it('lists the token with its PIN state', async () => {
    const r = await call('GET', '/tokens');
    expect(r.json().tokens).toContainEqual(
      expect.objectContaining({ serial, label: 'ukey', initialized: true, userPinLocked: false, triesLeft: 3 }),
    );
  });

  it('names bad input and refuses SM2 without the vendor mechanism', async () => {
    pins.answers = [];
    const noCn = await call('POST', `/tokens/${serial}/keys`, { algorithm: 'ecdsa-p256', subject: { O: 'x' } });
    expect(noCn.statusCode).toBe(400);
    expect(noCn.json().message).toContain('subject.CN');
    // Refused before the user is asked for a PIN.
    pins.answers = ['123456'];
    pins.asked = [];
    const sm2 = await call('POST', `/tokens/${serial}/keys`, { algorithm: 'sm2', subject: { CN: 'x' } });
    expect(sm2.json()).toMatchObject({ error: 'SM2_NOT_CONFIGURED' });
    const badC = await call('POST', `/tokens/${serial}/keys`, { algorithm: 'ecdsa-p256', subject: { C: 'china', CN: 'x' } });
    expect(badC.statusCode).toBe(400);
    expect(badC.json().message).toContain('subject.C');
    const notCert = await call('POST', `/tokens/${serial}/certificates`, {
      certificate: Buffer.from('not a certificate').toString('base64'),
    });
    expect(notCert.json()).toMatchObject({ error: 'BAD_CERTIFICATE' });
    expect(pins.asked).toEqual([]);
    expect((await call('GET', '/tokens/nosuchserial/certificates')).statusCode).toBe(404);
  });

  it('generates a key on the token and a CSR that OpenSSL verifies', async () => {
    pins.answers = ['123456'];
    pins.asked = [];
    const r = await call('POST', `/tokens/${serial}/keys`, {
      algorithm: 'ecdsa-p256',
      subject: { C: 'CN', O: '南昌某某公司', CN: '南昌某某公司', uscc: '91360100MA35ABCD1X' },
    });
    expect(r.json()).toEqual({ keyId: expect.stringMatching(/^[0-9a-f]{40}$/), csr: expect.stringContaining('CERTIFICATE REQUEST') });
    expect(pins.asked).toEqual([expect.objectContaining({ serial, purpose: 'generate', origin: ORIGIN })]);
    expect(JSON.stringify(r.json())).not.toContain('123456');
    keyId = r.json().keyId;
    // The private key cannot leave the token (read in another process through the same module).
    const flags = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `
      import * as g from 'graphene-pk11';
      const m = g.Module.load(${JSON.stringify(LIBRARY)}); m.initialize();
      const all = m.getSlots(true); let slot; for (let i = 0; i < all.length; i++) if (all.items(i).getToken().label.trim() === 'ukey') slot = all.items(i);
      const s = slot.open(g.SessionFlag.SERIAL_SESSION); s.login('123456');
      const k = s.find({ class: g.ObjectClass.PRIVATE_KEY, id: Buffer.from('${keyId}', 'hex') });
      const a = k.items(0).getAttribute({ sensitive: null, extractable: null, token: null });
      process.stdout.write(JSON.stringify({ n: k.length, ...a })); s.logout(); m.finalize();`,
      ],
      { encoding: 'utf8', cwd: process.cwd() },
    );
    expect(JSON.parse(flags)).toEqual({ n: 1, sensitive: true, extractable: false, token: true });
    const csr = tmp.write('req.pem', r.json().csr);
    const v = await opensslResult(['req', '-in', csr, '-verify', '-noout', '-subject', '-nameopt', 'utf8']);
    expect(v.code).toBe(0);
    expect(v.out).toMatch(/self-signature (verify )?OK/i);
    expect(v.out).toContain('O=南昌某某公司');
    expect(v.out).toContain('serialNumber=91360100MA35ABCD1X');
    // The CA issues a certificate for the request.
    execFileSync(
      'openssl',
      [
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        tmp.path('ca.pem'),
        '-CAkey',
        tmp.path('ca.key'),
        '-days',
        '1',
        '-set_serial',
        '4660',
        '-out',
        tmp.path('leaf.pem'),
      ],
      { stdio: 'pipe' },
    );
    certPem = readFileSync(tmp.path('leaf.pem'), 'utf8');
  });

  it('writes the certificate next to its key and reads it back', async () => {
    pins.answers = ['123456'];
    const w = await call('POST', `/tokens/${serial}/certificates`, { certificate: certPem, label: '单位证书' });
    expect(w.statusCode).toBe(200);
    expect(w.json().keyId).toBe(keyId);
    const list = (await call('GET', `/tokens/${serial}/certificates`)).json().certificates;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ keyId, label: '单位证书', serialNumber: '1234', subject: { CN: '南昌某某公司' } });
    // What PKCS#11 gives back is the issued certificate, byte for byte, and OpenSSL verifies it against the CA.
    const back = Buffer.from(list[0].certificate, 'base64');
    expect(back).toEqual(execFileSync('openssl', ['x509', '-in', tmp.path('leaf.pem'), '-outform', 'DER']));
    writeFileSync(tmp.path('back.der'), back);
    execFileSync('openssl', ['x509', '-inform', 'DER', '-in', tmp.path('back.der'), '-out', tmp.path('back.pem')]);
    expect((await opensslResult(['verify', '-CAfile', tmp.path('ca.pem'), tmp.path('back.pem')])).out).toContain('back.pem: OK');
    // Writing it again changes nothing; a certificate whose key is not on the token is refused.
    pins.answers = ['123456'];
    expect((await call('POST', `/tokens/${serial}/certificates`, { certificate: certPem })).statusCode).toBe(200);
    expect((await call('GET', `/tokens/${serial}/certificates`)).json().certificates).toHaveLength(1);
    pins.answers = ['123456'];
    const foreign = await call('POST', `/tokens/${serial}/certificates`, { certificate: readFileSync(tmp.path('ca.pem'), 'utf8') });
    expect(foreign.json()).toMatchObject({ error: 'KEY_NOT_FOUND' });
  });

  it('writes a certificate for a key another tool put on the token under its own CKA_ID', async () => {
    // The vendor's tool: a P-256 key pair imported with CKA_ID 'vendor01', not the RFC 5280 key identifier.
    execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', tmp.path('vendor.key')]);
    execFileSync('softhsm2-util', [
      '--import',
      tmp.path('vendor.key'),
      '--token',
      'ukey',
      '--label',
      'vendor',
      '--id',
      '76656e646f723031',
      '--pin',
      '123456',
    ]);
    execFileSync('openssl', [
      'req',
      '-x509',
      '-new',
      '-key',
      tmp.path('vendor.key'),
      '-subj',
      '/CN=vendor',
      '-days',
      '1',
      '-out',
      tmp.path('vendor.pem'),
    ]);
    pins.answers = ['123456'];
    const w = await call('POST', `/tokens/${serial}/certificates`, {
      certificate: readFileSync(tmp.path('vendor.pem'), 'utf8'),
      label: 'vendor',
    });
    expect(w.json()).toEqual({ keyId: '76656e646f723031' });
    const list = (await call('GET', `/tokens/${serial}/certificates`)).json().certificates;
    expect(list).toContainEqual(expect.objectContaining({ keyId: '76656e646f723031', subject: { CN: 'vendor' } }));
  });

  it('signs a server challenge; OpenSSL verifies it with the certificate', async () => {
    pins.answers = ['123456'];
    const challenge = Buffer.from('a1b2c3d4e5f60718293a4b5c6d7e8f90', 'hex');
    const r = await call('POST', `/tokens/${serial}/challenge-signature`, { keyId, challenge: challenge.toString('base64') });
    expect(r.statusCode).toBe(200);
    const signed = Buffer.from(r.json().signedData, 'base64');
    expect(signed).toEqual(Buffer.concat([Buffer.from(`${CHALLENGE_PREFIX}${ORIGIN}\n`), challenge]));
    writeFileSync(tmp.path('pub.pem'), execFileSync('openssl', ['x509', '-in', tmp.path('leaf.pem'), '-pubkey', '-noout']));
    writeFileSync(tmp.path('signed.bin'), signed);
    writeFileSync(tmp.path('sig.der'), Buffer.from(r.json().signature, 'base64'));
    const v = await opensslResult([
      'dgst',
      '-sha256',
      '-verify',
      tmp.path('pub.pem'),
      '-signature',
      tmp.path('sig.der'),
      tmp.path('signed.bin'),
    ]);
    expect(v.out).toContain('Verified OK');
    writeFileSync(tmp.path('signed.bin'), Buffer.concat([signed, Buffer.of(0)]));
    expect(
      (await opensslResult(['dgst', '-sha256', '-verify', tmp.path('pub.pem'), '-signature', tmp.path('sig.der'), tmp.path('signed.bin')]))
        .out,
    ).not.toContain('Verified OK');
  });

  it('changes the user PIN through the agent prompt', async () => {
    pins.answers = ['123456', '24681357'];
    expect((await call('POST', `/tokens/${serial}/pin/change`, {})).json()).toEqual({ changed: true });
    pins.answers = ['123456'];
    expect(
      (await call('POST', `/tokens/${serial}/challenge-signature`, { keyId, challenge: Buffer.alloc(16, 1).toString('base64') })).json(),
    ).toMatchObject({ error: 'PIN_INCORRECT', triesLeft: 2 });
    pins.answers = ['24681357'];
    expect(
      (await call('POST', `/tokens/${serial}/challenge-signature`, { keyId, challenge: Buffer.alloc(16, 1).toString('base64') }))
        .statusCode,
    ).toBe(200);
  });

  it('locks the user PIN after wrong tries, resets it with the SO PIN, and the new PIN works', async () => {
    const sign = () => call('POST', `/tokens/${serial}/challenge-signature`, { keyId, challenge: Buffer.alloc(16, 7).toString('base64') });
    pins.answers = ['000000', '000000', '000000'];
    expect((await sign()).json()).toMatchObject({ error: 'PIN_INCORRECT', triesLeft: 2 });
    expect((await sign()).json()).toMatchObject({ error: 'PIN_INCORRECT', triesLeft: 1 });
    expect((await call('GET', '/tokens')).json().tokens).toContainEqual(expect.objectContaining({ serial, userPinFinalTry: true }));
    expect((await sign()).json()).toMatchObject({ error: 'PIN_LOCKED' });
    // Locked: the right PIN is not even asked for.
    pins.answers = ['24681357'];
    pins.asked = [];
    const locked = await sign();
    expect(locked.statusCode).toBe(423);
    expect(pins.asked).toEqual([]);
    expect((await call('GET', '/tokens')).json().tokens).toContainEqual(
      expect.objectContaining({ serial, userPinLocked: true, triesLeft: 0 }),
    );

    // Reset needs the CA's authorization in the request; the SO PIN comes inside it, never from a prompt.
    pins.answers = [];
    expect((await call('POST', `/tokens/${serial}/pin/reset`, {})).json().message).toContain('authorization');
    // An authorization the CA did not sign, one for another token, one for another pairing: refused before the token is touched.
    const forger = { ...authority, signingKey: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey };
    pins.answers = ['13572468', '13572468'];
    pins.asked = [];
    for (const [authorization, reason] of [
      [await authorizationFor('reset', serial, forger), 'SIGNATURE'],
      [await authorizationFor('reset', 'another-serial'), 'BINDING'],
      [await authorizationFor('init', serial), 'BINDING'],
      ['not-an-authorization-at-all', 'MALFORMED'],
    ] as const) {
      const r = await call('POST', `/tokens/${serial}/pin/reset`, { authorization });
      expect(r.statusCode).toBe(403);
      expect(r.json()).toMatchObject({ error: 'AUTHORIZATION_REFUSED', reason });
    }
    const other = await call('POST', '/pair', { code: pairing.newCode(), sessionId: 'portal-session-4' }, { authorization: '' });
    const otherBearer = other.json().token as string;
    const otherSessions = await authorizationFor('reset', serial, authority, otherBearer);
    expect((await call('POST', `/tokens/${serial}/pin/reset`, { authorization: otherSessions })).json()).toMatchObject({
      error: 'AUTHORIZATION_REFUSED',
      reason: 'BINDING',
    });
    // Expired (5 minutes).
    const stale = await authorizationFor('reset', serial);
    now += 5 * 60_000 + 1;
    expect((await call('POST', `/tokens/${serial}/pin/reset`, { authorization: stale })).json()).toMatchObject({ reason: 'EXPIRED' });
    expect(pins.asked).toEqual([]);
    // Sealed with another secret: the SO PIN inside is wrong and the token says so.
    pins.answers = ['13572468', '13572468'];
    const wrongSecret = await authorizationFor('reset', serial, { ...authority, soPinSecret: randomBytes(32) });
    expect((await call('POST', `/tokens/${serial}/pin/reset`, { authorization: wrongSecret })).json()).toMatchObject({
      error: 'SO_PIN_INCORRECT',
    });
    pins.answers = ['13572468'];
    pins.asked = [];
    const authorization = await authorizationFor('reset', serial);
    expect((await call('POST', `/tokens/${serial}/pin/reset`, { authorization })).json()).toEqual({
      reset: true,
    });
    expect(pins.asked).toEqual([expect.objectContaining({ purpose: 'reset', serial })]);
    expect(JSON.stringify(pins.asked)).not.toContain(deriveSoPin(authority.soPinSecret, serial));
    // The same authorization again: refused, the token untouched.
    pins.answers = ['99999999'];
    expect((await call('POST', `/tokens/${serial}/pin/reset`, { authorization })).json()).toMatchObject({
      error: 'AUTHORIZATION_REPLAYED',
    });

    pins.answers = ['24681357'];
    expect((await sign()).json()).toMatchObject({ error: 'PIN_INCORRECT' });
    pins.answers = ['13572468'];
    expect((await sign()).statusCode).toBe(200);
    expect((await call('GET', '/tokens')).json().tokens).toContainEqual(
      expect.objectContaining({ serial, userPinLocked: false, triesLeft: 3 }),
    );
  });
});

describe('制证 initializes a new key with the CA authorization', () => {
  let blank: string;

  beforeAll(() => {
    blank = tokens.listTokens().find((t) => t.label === 'blank')!.serial;
  });

  it('asks the maker SO PIN and the initial user PIN, sets the CA SO PIN, and forces a PIN change before signing', async () => {
    pins.answers = ['12345678', '11223344'];
    pins.asked = [];
    const r = await call('POST', `/tokens/${blank}/init`, { authorization: await authorizationFor('init', blank), label: '南昌某某公司' });
    expect(r.json()).toEqual({ initialized: true, serial: blank });
    expect(pins.asked.map((a) => a.purpose)).toEqual(['init', 'init']);
    const info = (await call('GET', '/tokens')).json().tokens.find((t: { serial: string }) => t.serial === blank);
    expect(info).toMatchObject({ label: '南昌某某公司', certDesk: true, userPinToBeChanged: true, userPinLocked: false });

    // The key is made and its certificate written with the initial PIN (制证 goes on) …
    pins.answers = ['11223344'];
    const k = await call('POST', `/tokens/${blank}/keys`, {
      algorithm: 'ecdsa-p256',
      subject: { C: 'CN', O: '南昌某某公司', CN: '南昌某某公司' },
    });
    expect(k.statusCode).toBe(200);
    // … but the customer cannot sign with it until the initial PIN is changed.
    pins.answers = ['11223344'];
    pins.asked = [];
    const refused = await call('POST', `/tokens/${blank}/challenge-signature`, {
      keyId: k.json().keyId,
      challenge: Buffer.alloc(16, 3).toString('base64'),
    });
    expect(refused.statusCode).toBe(428);
    expect(refused.json()).toMatchObject({ error: 'PIN_TO_BE_CHANGED' });
    expect(pins.asked).toEqual([]);
    pins.answers = ['11223344', '11223344'];
    expect((await call('POST', `/tokens/${blank}/pin/change`, {})).json()).toMatchObject({ error: 'PIN_REJECTED' });
    pins.answers = ['11223344', '55667788'];
    expect((await call('POST', `/tokens/${blank}/pin/change`, {})).json()).toEqual({ changed: true });
    pins.answers = ['55667788'];
    const signed = await call('POST', `/tokens/${blank}/challenge-signature`, {
      keyId: k.json().keyId,
      challenge: Buffer.alloc(16, 3).toString('base64'),
    });
    expect(signed.statusCode).toBe(200);

    // The SO PIN is now the CA's: the maker's no longer opens it, a CA reset does; initializing again needs no maker PIN.
    expect(() => tokens.resetUserPin(blank, '12345678', '10203040')).toThrow(/SO PIN/);
    pins.answers = ['10203040'];
    expect((await call('POST', `/tokens/${blank}/pin/reset`, { authorization: await authorizationFor('reset', blank) })).json()).toEqual({
      reset: true,
    });
    pins.answers = ['31313131'];
    pins.asked = [];
    expect((await call('POST', `/tokens/${blank}/init`, { authorization: await authorizationFor('init', blank) })).json()).toEqual({
      initialized: true,
      serial: blank,
    });
    expect(pins.asked.map((a) => a.purpose)).toEqual(['init']);
    expect((await call('GET', `/tokens/${blank}/certificates`)).json().certificates).toEqual([]);
  });
});
