/**
 * The UKEY authorizations through the real app (issue 20): the pairing binding, 制证's initialization
 * authorization (制证 only, for the caller's own agent pairing, the SO PIN derived for the token and sealed to
 * the agent session), and 在线解锁's rules — the token must carry the organization's certificate, the SMS code
 * (tries spent before comparing), the 经办人's face check through the sandbox provider (limited, a stranger's
 * face refused), one authorization only, bound to the caller's agent pairing, and an audit row at each step.
 * The agent's side (opening, replay): src/agent/agent.test.ts; both together in a browser: e2e/ukey.test.ts.
 */
import { createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveSoPin, openAuthorization } from '../../ca/token-authorization.js';
import { ManualClock } from '../clock.js';
import { certificates } from '../db/schema-certificates.js';
import { tokenUnlocks } from '../db/schema-tokens.js';
import { auditEvents, organizations } from '../db/schema.js';
import { issueTestCertificate } from '../modules/revocation/testing.js';
import { tokenAuthority } from '../modules/tokens/authority.js';
import { testApp, type TestApp, type TestClient } from '../testing/harness.js';
import { approvedOrder, staffMember } from '../testing/paid-order.js';
import { smsCode } from '../testing/sms.js';
import { testCaEnv } from '../testing/test-ca.js';

let t: TestApp;
let clock: ManualClock;
let producer: TestClient;

/** A 证书助手 session as the agent makes it at pairing: an ephemeral P-256 key pair. */
function agentSession(binding: string) {
  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = new Uint8Array(pair.publicKey.export({ format: 'der', type: 'spki' }));
  return { wire: { sessionId: binding, sessionKey: Buffer.from(spki).toString('base64') }, privateKey: pair.privateKey as KeyObject, spki };
}

const bindingOf = async (c: TestClient, url = '/api/agent/pairing') => {
  const r = await c.get(url);
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as { agentUrl: string; binding: string };
};

async function openAs(authorization: string, purpose: 'init' | 'reset', serial: string, session: ReturnType<typeof agentSession>) {
  const keys = await tokenAuthority(t.config.ca);
  return openAuthorization(authorization, createPublicKey(keys.signingKey), {
    purpose,
    serial,
    origin: new URL(t.config.publicUrl!).origin,
    session: session.wire.sessionId,
    sessionPrivateKey: session.privateKey,
    sessionSpki: session.spki,
    now: clock.now(),
  });
}

const auditOf = (serial: string) =>
  t.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.targetType, 'token'), eq(auditEvents.targetId, serial)));

beforeAll(async () => {
  clock = new ManualClock(new Date());
  t = await testApp({ clock, env: await testCaEnv() });
  producer = (await staffMember(t, ['制证'], '吴制证')).c;
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('pairing binding', () => {
  it('is per session, never the session token, and needs a login', async () => {
    const o = await approvedOrder(t);
    const first = await bindingOf(o.a.c);
    expect(first.agentUrl).toBe('http://127.0.0.1:17443');
    expect(first.binding).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect((await bindingOf(o.a.c)).binding).toBe(first.binding);
    const other = await approvedOrder(t);
    expect((await bindingOf(other.a.c)).binding).not.toBe(first.binding);
    expect((await t.client().get('/api/agent/pairing')).statusCode).toBe(401);
    // Staff pair at the 制证 workstation with their own session's binding.
    expect((await bindingOf(producer, '/api/staff/agent/pairing')).binding).not.toBe(first.binding);
    const clerk = (await staffMember(t, ['受理'], '郑受理')).c;
    expect((await clerk.get('/api/staff/agent/pairing')).statusCode).toBe(403);
  });
});

describe('制证: the initialization authorization', () => {
  it('seals the token’s derived SO PIN to the agent paired with this session, and audits it', async () => {
    const serial = `INIT${randomBytes(6).toString('hex').toUpperCase()}`;
    const { binding } = await bindingOf(producer, '/api/staff/agent/pairing');
    const session = agentSession(binding);
    const r = await producer.post(`/api/staff/tokens/${serial}/init-authorization`, {
      agent: session.wire,
      projectCode: 'gov-procurement',
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ keyAlgorithm: 'sm2', expiresAt: expect.any(String) });
    const keys = await tokenAuthority(t.config.ca);
    const soPin = deriveSoPin(keys.soPinSecret, serial);
    expect(r.body).not.toContain(soPin);
    expect((await openAs(r.json().authorization, 'init', serial, session)).soPin).toBe(soPin);
    const [row] = await auditOf(serial);
    expect(row).toMatchObject({ action: 'token.init_authorized', actorType: 'staff' });
    expect(JSON.stringify(row)).not.toContain(soPin);

    // An agent paired with another session (another page, another person) gets nothing.
    const other = (await staffMember(t, ['制证'], '钱制证')).c;
    const foreign = agentSession((await bindingOf(other, '/api/staff/agent/pairing')).binding);
    const refused = await producer.post(`/api/staff/tokens/${serial}/init-authorization`, {
      agent: foreign.wire,
      projectCode: 'gov-procurement',
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toContain('重新与证书助手配对');
    // Bad input is named; other roles are refused before validation.
    const bad = await producer.post(`/api/staff/tokens/${serial}/init-authorization`, {
      agent: { sessionId: binding, sessionKey: 'bm90LWEta2V5' },
      projectCode: 'gov-procurement',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields.agent).toContain('agent.sessionKey 必须是证书助手给出的 Base64 公钥');
    const clerk = (await staffMember(t, ['受理'], '孙受理')).c;
    expect((await clerk.post(`/api/staff/tokens/${serial}/init-authorization`, {})).statusCode).toBe(403);
    expect((await auditOf(serial)).length).toBe(1);
  });
});

describe('在线解锁', () => {
  /** An organization with an issued certificate made on a UKEY (recorded at 制证), its order naming the 经办人. */
  async function orgWithToken() {
    const o = await approvedOrder(t);
    const orgId = (await o.a.c.get('/api/session')).json().organization.id as string;
    const cert = await issueTestCertificate(t, 'sm2', { organizationId: orgId, unitName: o.a.name, at: clock.now() });
    const serial = `UK${randomBytes(7).toString('hex').toUpperCase()}`;
    await t.db
      .update(certificates)
      .set({ tokenSerial: serial, keySource: 'token', orderId: o.orderId })
      .where(eq(certificates.id, cert.id));
    return { ...o, orgId, serial, cert };
  }
  const unlockRowOf = async (c: TestClient) => {
    const [row] = await t.db
      .select()
      .from(tokenUnlocks)
      .where(eq(tokenUnlocks.organizationId, (await c.get('/api/session')).json().organization.id));
    return row;
  };
  const face = async (c: TestClient, id: string, outcome: 'passed' | 'not_self') => {
    const s = await c.post(`/api/my/ukey-unlocks/${id}/face`, {});
    expect(s.statusCode, s.body).toBe(200);
    const u = new URL(s.json().redirectUrl);
    expect(u.pathname).toBe('/sandbox/faceid/h5');
    const chosen = await t.app.inject({
      method: 'POST',
      url: '/sandbox/faceid/h5',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ BizToken: u.searchParams.get('BizToken')!, outcome }).toString(),
    });
    expect(chosen.statusCode).toBe(303);
    expect(new URL(chosen.headers.location as string).pathname).toBe('/certificates/ukey-unlock');
    const r = await c.post(`/api/my/ukey-unlocks/${id}/face/result`, {});
    expect(r.statusCode, r.body).toBe(200);
    return r.json();
  };

  it('needs the organization’s own token', async () => {
    const a = await orgWithToken();
    const b = await orgWithToken();
    expect((await a.a.c.post('/api/my/ukey-unlocks', { tokenSerial: 'NOSUCHTOKEN1' })).statusCode).toBe(404);
    const foreign = await a.a.c.post('/api/my/ukey-unlocks', { tokenSerial: b.serial });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.message).toContain('服务网点');
    const bad = await a.a.c.post('/api/my/ukey-unlocks', { tokenSerial: '带 空格' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields.tokenSerial).toContain('UKEY 序列号');
    expect(await unlockRowOf(a.a.c)).toBeUndefined();
  });

  it('SMS code, the 经办人’s face, one authorization for this pairing; each step audited', async () => {
    const a = await orgWithToken();
    const req = await a.a.c.post('/api/my/ukey-unlocks', { tokenSerial: a.serial });
    expect(req.statusCode, req.body).toBe(200);
    const { id, maskedMobile } = req.json();
    expect(maskedMobile).toMatch(/^1\d{2}\*{4}\d{4}$/);
    // A second code within a minute is refused.
    expect((await a.a.c.post('/api/my/ukey-unlocks', { tokenSerial: a.serial })).statusCode).toBe(429);
    const row = (await unlockRowOf(a.a.c))!;
    const code = await smsCode(t, await phoneOf(a.orgId));
    expect(row.codeHash).not.toContain(code);

    // Nothing before the code: no face check, no authorization.
    expect((await a.a.c.post(`/api/my/ukey-unlocks/${id}/face`, {})).statusCode).toBe(409);
    const { binding } = await bindingOf(a.a.c);
    const session = agentSession(binding);
    expect((await a.a.c.post(`/api/my/ukey-unlocks/${id}/authorization`, { agent: session.wire })).statusCode).toBe(409);

    const wrong = await a.a.c.post(`/api/my/ukey-unlocks/${id}/code`, { code: code === '000000' ? '000001' : '000000' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.fields.code).toContain('还可尝试4次');
    // Another organization cannot touch the request.
    const b = await orgWithToken();
    expect((await b.a.c.post(`/api/my/ukey-unlocks/${id}/code`, { code })).statusCode).toBe(404);
    const ok = await a.a.c.post(`/api/my/ukey-unlocks/${id}/code`, { code });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'code_ok', faceAttemptsLeft: 3 });

    // A stranger's face: refused, a try spent; the 经办人's: passed.
    expect(await face(a.a.c, id, 'not_self')).toMatchObject({ status: 'code_ok', faceAttemptsLeft: 2 });
    expect(await face(a.a.c, id, 'passed')).toMatchObject({ status: 'face_passed' });

    // An agent paired with another session cannot get it; this page's agent can, once.
    const foreign = agentSession((await bindingOf(b.a.c)).binding);
    expect((await a.a.c.post(`/api/my/ukey-unlocks/${id}/authorization`, { agent: foreign.wire })).statusCode).toBe(403);
    const granted = await a.a.c.post(`/api/my/ukey-unlocks/${id}/authorization`, { agent: session.wire });
    expect(granted.statusCode, granted.body).toBe(200);
    const keys = await tokenAuthority(t.config.ca);
    expect((await openAs(granted.json().authorization, 'reset', a.serial, session)).soPin).toBe(deriveSoPin(keys.soPinSecret, a.serial));
    const again = await a.a.c.post(`/api/my/ukey-unlocks/${id}/authorization`, { agent: session.wire });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toContain('不能再次申请');

    const done = await a.a.c.post(`/api/my/ukey-unlocks/${id}/finish`, { reset: true });
    expect(done.json()).toMatchObject({ status: 'done' });
    expect((await a.a.c.post(`/api/my/ukey-unlocks/${id}/finish`, { reset: true })).statusCode).toBe(409);
    expect((await auditOf(a.serial)).map((r) => r.action).sort()).toEqual(
      [
        'token.unlock_requested',
        'token.unlock_code_wrong',
        'token.unlock_code_ok',
        'token.unlock_face_started',
        'token.unlock_face_failed',
        'token.unlock_face_started',
        'token.unlock_face_passed',
        'token.unlock_granted',
        'token.unlock_done',
      ].sort(),
    );
  });

  it('limits code tries and face checks, and a request dies after 30 minutes', async () => {
    const a = await orgWithToken();
    const { id } = (await a.a.c.post('/api/my/ukey-unlocks', { tokenSerial: a.serial })).json();
    const code = await smsCode(t, await phoneOf(a.orgId));
    const wrong = code === '000000' ? '000001' : '000000';
    for (let i = 0; i < 5; i++) expect((await a.a.c.post(`/api/my/ukey-unlocks/${id}/code`, { code: wrong })).statusCode).toBe(400);
    // The sixth, right, is refused: the tries are spent before comparing.
    const sixth = await a.a.c.post(`/api/my/ukey-unlocks/${id}/code`, { code });
    expect(sixth.statusCode).toBe(400);
    expect(sixth.json().error.fields.code).toContain('已失效');

    // A new request (after the resend wait) replaces it; three strangers' faces use up the face checks.
    clock.advance(61_000);
    const second = (await a.a.c.post('/api/my/ukey-unlocks', { tokenSerial: a.serial })).json();
    expect((await t.db.select().from(tokenUnlocks).where(eq(tokenUnlocks.id, id)))[0]!.status).toBe('closed');
    const code2 = await smsCode(t, await phoneOf(a.orgId), 2);
    expect((await a.a.c.post(`/api/my/ukey-unlocks/${second.id}/code`, { code: code2 })).statusCode).toBe(200);
    for (let i = 0; i < 3; i++) await face(a.a.c, second.id, 'not_self');
    const fourth = await a.a.c.post(`/api/my/ukey-unlocks/${second.id}/face`, {});
    expect(fourth.statusCode).toBe(429);
    expect(fourth.json().error.message).toContain('服务网点');

    clock.advance(30 * 60_000);
    const late = await a.a.c.post(`/api/my/ukey-unlocks/${second.id}/face`, {});
    expect(late.statusCode).toBe(409);
    expect(late.json().error.message).toContain('已失效');
  });
});

/** The organization's registered mobile (where the SMS goes). */
async function phoneOf(orgId: string): Promise<string> {
  const [o] = await t.db.select().from(organizations).where(eq(organizations.id, orgId));
  return o!.mobile;
}
