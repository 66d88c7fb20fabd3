/**
 * 在线续费 in Chromium (issue 20), with the 证书助手 running in this process against a SoftHSM2 token (an ECDSA
 * P-256 project: SoftHSM2 has no SM2). The organization's old certificate sits on the token next to its key;
 * from 我的证书 it renews online: connect and pair with the agent (the code the agent shows), the page finds
 * the UKEY holding the certificate, SMS code, the agent makes a new key and request on the token and signs the
 * server's challenge with the old key, WeChat Pay in the sandbox, the agent writes the renewed certificate —
 * and the token then holds it: read back through PKCS#11 and verified by OpenSSL up to the CA's root. The old
 * certificate is then 已续费 (revoked as superseded). The browser is closed after paying and the renewal resumed
 * in a new one (pair again, the page finds the UKEY and carries on at 写入 UKEY).
 *
 * Refused: a page of another origin (the browser's CORS check on the agent's answer, and the agent's 403), a
 * page that has not paired (401 NOT_PAIRED), and the proof replayed (409). The person at the agent's console is
 * played by a PinSource that types the PIN. Screenshots at 1366 px of each step (E2E_SCREENSHOTS), one at 390 px.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { api, registerWithRequest } from './page-api.js';
import { Pairing } from '../src/agent/pairing.js';
import type { PinRequest, PinSource } from '../src/agent/pin-source.js';
import { buildAgentServer } from '../src/agent/server.js';
import { TokenDriver } from '../src/agent/token.js';
import { certificatePem, parseCertificate } from '../src/ca/cert/parse.js';
import { opensslResult, tempDir } from '../src/ca/testing/openssl.js';
import { addBeijingYear } from '../src/core/certificate-validity.js';
import { certificates } from '../src/server/db/schema-certificates.js';
import { organizationRepository } from '../src/server/modules/accounts/repository.js';
import { caRuntime } from '../src/server/modules/certificates/ca-runtime.js';
import { certificateForKey } from '../src/server/modules/renewal/testing.js';
import { testConfig } from '../src/server/testing/harness.js';
import { smsCode } from '../src/server/testing/sms.js';

const LIBRARY = process.env.CERTDESK_TEST_PKCS11_LIB || '/usr/lib/softhsm/libsofthsm2.so';
const PIN = '123456';
const tmp = tempDir('certdesk-renewal-e2e-');

/** The person at the agent's console: types the UKEY PIN whenever the agent asks, and notes what was asked. */
class PersonAtConsole implements PinSource {
  asked: PinRequest[] = [];
  userPin = (r: PinRequest) => (this.asked.push(r), Promise.resolve(PIN));
  newUserPin = (r: PinRequest) => (this.asked.push(r), Promise.resolve(PIN));
  soPin = (r: PinRequest) => (this.asked.push(r), Promise.reject(new Error('no SO PIN in this test')));
}

let e: E2E;
let tokens: TokenDriver;
let agentApp: FastifyInstance;
let agentPort: number;
let serial: string;
const pairing = new Pairing();
const person = new PersonAtConsole();

beforeAll(async () => {
  if (!existsSync(LIBRARY)) throw new Error(`SoftHSM2 is not installed (${LIBRARY} missing): apt-get install softhsm2`);
  e = await startE2E();
  mkdirSync(tmp.path('tokens'));
  process.env.SOFTHSM2_CONF = tmp.write(
    'softhsm2.conf',
    `directories.tokendir = ${tmp.path('tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  );
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', 'ukey', '--pin', PIN, '--so-pin', '87654321']);
  tokens = TokenDriver.load(LIBRARY, { pinTries: 6 });
  serial = tokens.listTokens().find((t) => t.label === 'ukey')!.serial;
  agentApp = buildAgentServer({
    config: { host: '127.0.0.1', port: 0, origin: e.baseUrl, pkcs11Module: LIBRARY, pinTries: 6 },
    tokens,
    pins: person,
    pairing,
  });
  await agentApp.listen({ host: '127.0.0.1', port: 0 });
  agentPort = (agentApp.server.address() as { port: number }).port;
}, 120_000);
afterAll(async () => {
  await agentApp?.close();
  tokens?.close();
  tmp.remove();
});

/** Registers an organization (the context is logged in) whose certificate, 30 days from expiry, is on the token. */
async function organizationWithUkey(request: Parameters<typeof registerWithRequest>[0]) {
  const name = `江西在线续费浏览器测试${randomBytes(2).toString('hex')}有限公司`;
  const { uscc, mobile } = await registerWithRequest(request, { name, password: 'Renew2026ok' });
  const org = (await organizationRepository.findByUscc(e.db, uscc))!;
  // The UKEY as 制证 left it: a key made on the token, its certificate written next to it.
  const made = tokens.generateKeyAndCsr(serial, PIN, 'ecdsa-p256', { C: 'CN', O: name, CN: name, uscc }, '单位证书');
  const cert = await certificateForKey(
    { db: e.db, config: testConfig() },
    { organizationId: org.id, uscc, unitName: name, spki: made.spki, daysLeft: 30 },
  );
  tokens.writeCertificate(serial, PIN, cert.der!, '单位证书');
  return { org, mobile, cert };
}

describe('在线续费：证书助手 + SoftHSM2 UKEY', () => {
  it('the organization renews online and the UKEY then holds the new certificate', async () => {
    const { page, context, errors } = await newPage(e, DESKTOP);
    const { mobile, cert: old } = await organizationWithUkey(context.request);
    const proofs: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/proof') && r.method() === 'POST') proofs.push(r.postData() ?? '');
    });

    // 我的证书 offers 在线续费 for the certificate expiring in 30 days.
    await page.goto('/certificates');
    await page.getByTestId('my-cert-renew').click();
    await page.waitForURL((u) => u.pathname === `/certificates/${old.id}/renew`);
    await page.getByTestId('renew-step-agent').waitFor();
    expect(await page.getByTestId('renew-new-end').textContent()).toBe(
      new Date(addBeijingYear(old.notAfter).getTime() + 8 * 3600_000).toISOString().slice(0, 10),
    );
    await shot(page, 'renew-1-connect-1366');

    // 1. The agent: its port, then the pairing code it shows (read off its console).
    await page.getByTestId('renew-agent-port').fill(String(agentPort));
    await page.getByTestId('renew-agent-check').click();
    await page.getByTestId('renew-pair-code').waitFor();
    // A wrong code: the agent's refusal, with what to do.
    pairing.newCode();
    await page.getByTestId('renew-pair-code').fill('00000000');
    await page.getByTestId('renew-pair').click();
    await expect.poll(() => page.getByTestId('renew-error').textContent()).toContain('配对码不正确');
    await shot(page, 'renew-2-pair-error-1366');
    await page.getByTestId('renew-pair-code').fill(pairing.newCode());
    await page.getByTestId('renew-pair').click();

    // 2. The page finds the UKEY holding the certificate and chooses it; 3. the SMS code.
    await page.getByTestId('renew-step-sms').waitFor();
    expect(await page.getByTestId('renew-step-sms').textContent()).toContain(serial);
    await page.getByTestId('renew-send-code').click();
    const code = await smsCode(e, mobile, 1);
    await page.getByTestId('renew-sms-code').fill(code);
    await shot(page, 'renew-3-sms-1366');
    await page.getByTestId('renew-start').click();

    // 4. 核验 UKEY: a new key and request on the token, the old key signs the challenge (two PINs at the agent).
    await page.getByTestId('renew-step-prove').waitFor();
    await shot(page, 'renew-4-prove-1366');
    person.asked = [];
    await page.getByTestId('renew-prove').click();
    await page.getByTestId('renew-step-pay').waitFor();
    expect(person.asked.map((r) => r.purpose)).toEqual(['generate', 'sign']);
    expect(person.asked.every((r) => r.origin === e.baseUrl && r.serial === serial)).toBe(true);

    // The proof replayed (same signature, same renewal): refused — the challenge was used once.
    expect(proofs).toHaveLength(1);
    const open = (await api(page, 'GET', `/api/my-certificates/${old.id}/renewal`)).json.renewal;
    const replay = await api(page, 'POST', `/api/renewals/${open.id}/proof`, JSON.parse(proofs[0]!));
    // Refused on the renewal's state (already proven); routes/renewal.test.ts also replays into a fresh challenge's state.
    expect(replay.status).toBe(409);
    expect(replay.json.error.message).toContain('不能核验 UKEY');

    // 5. 付款: WeChat Pay's code; the payer pays in the sandbox; the page moves on by itself.
    await page.getByTestId('renew-pay').click();
    const qr = page.getByTestId('renew-qr');
    await qr.waitFor();
    const codeUrl = (await qr.getAttribute('data-code-url'))!;
    expect(codeUrl).toContain('/sandbox/pay/wechat/');
    await shot(page, 'renew-5-pay-1366');
    const payer = await newPage(e, PHONE);
    await payer.page.goto(codeUrl);
    await payer.page.getByRole('button', { name: /确认支付/ }).click();
    await payer.page.getByText('已支付', { exact: true }).waitFor();
    await payer.context.close();

    // The browser is closed after paying (its tab's pairing is gone, the session cookie stays): nothing is lost.
    await page.getByTestId('renew-step-write').waitFor({ timeout: 30_000 });
    await shot(page, 'renew-6-write-1366');
    const state = await context.storageState();
    expect(errors.filter((m) => !/40[139]/.test(m))).toEqual([]);
    await context.close();
    const again = await e.browser.newContext({
      viewport: DESKTOP,
      locale: 'zh-CN',
      baseURL: e.baseUrl,
      reducedMotion: 'reduce',
      storageState: state,
    });
    const resumed = await again.newPage();
    await resumed.goto('/certificates');
    expect(await resumed.getByTestId('my-cert-renew').textContent()).toContain('继续续费');
    await resumed.getByTestId('my-cert-renew').click();
    // Pair again (the agent's port is remembered); the page finds the same UKEY and goes back to 写入 UKEY.
    await resumed.getByTestId('renew-agent-check').click();
    await resumed.getByTestId('renew-pair-code').fill(pairing.newCode());
    await resumed.getByTestId('renew-pair').click();

    // 6. 写入 UKEY: the CA issues, the agent writes, the page reads it back and confirms.
    await resumed.getByTestId('renew-step-write').waitFor({ timeout: 30_000 });
    person.asked = [];
    await resumed.getByTestId('renew-write').click();
    await resumed.getByTestId('renew-done').waitFor({ timeout: 30_000 });
    expect(person.asked.map((r) => r.purpose)).toEqual(['write']);
    await shot(resumed, 'renew-7-done-1366');

    // The token holds the new certificate: read back through PKCS#11, verified by OpenSSL up to the root.
    const [fresh] = await e.db.select().from(certificates).where(eq(certificates.replacesId, old.id));
    const onToken = tokens.certificates(serial).find((c) => c.serialHex.toLowerCase().replace(/^0+/, '') === fresh!.serial);
    expect(onToken).toBeDefined();
    expect(Buffer.from(onToken!.der)).toEqual(Buffer.from(fresh!.der!));
    const parsed = parseCertificate(onToken!.der);
    expect(parsed.notAfter).toEqual(addBeijingYear(old.notAfter));
    const issuing = (await caRuntime(testConfig().ca)).issuing('ecdsa-p256');
    writeFileSync(tmp.path('root.pem'), certificatePem(issuing.rootDer));
    writeFileSync(tmp.path('issuing.pem'), certificatePem(issuing.certDer));
    writeFileSync(tmp.path('new.pem'), certificatePem(onToken!.der));
    const v = await opensslResult(['verify', '-CAfile', tmp.path('root.pem'), '-untrusted', tmp.path('issuing.pem'), tmp.path('new.pem')]);
    expect(v.out).toContain('new.pem: OK');
    // Its key is the new one on the token (not the old certificate's), and the old certificate is still there too.
    expect(onToken!.keyId).not.toBe(
      tokens.certificates(serial).find((c) => c.serialHex.toLowerCase().replace(/^0+/, '') === old.serial)!.keyId,
    );

    // The old certificate: 已续费 (revoked as superseded).
    const [oldNow] = await e.db.select().from(certificates).where(eq(certificates.id, old.id));
    expect(oldNow).toMatchObject({ status: 'revoked', revocationReason: 4 });
    await resumed.goto('/certificates');
    const oldRow = resumed.locator(
      `[data-testid="my-cert"][data-serial="${(old.serial.length % 2 ? `0${old.serial}` : old.serial).toUpperCase()}"]`,
    );
    await expect.poll(() => oldRow.getByTestId('my-cert-status').textContent()).toBe('已续费');
    await shot(resumed, 'renew-8-my-certificates-1366');
    await again.close();
  });

  it('refuses a page of another origin and a page that has not paired; the page fits at 390 px', async () => {
    // Another origin: the same server under another name is another origin to the browser and to the agent.
    const other = await newPage(e, DESKTOP);
    await other.page.goto(e.baseUrl.replace('127.0.0.1', 'localhost') + '/');
    const cross = await other.page.evaluate(async (port) => {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/tokens`);
        return `status ${r.status}`;
      } catch (err) {
        return `blocked ${(err as Error).name}`;
      }
    }, agentPort);
    expect(cross).toBe('blocked TypeError');
    const direct = await fetch(`http://127.0.0.1:${agentPort}/tokens`, { headers: { origin: 'https://evil.example' } });
    expect(direct.status).toBe(403);
    expect(direct.headers.get('access-control-allow-origin')).toBeNull();
    await other.context.close();

    // An unpaired page of the portal itself: the agent answers, but only NOT_PAIRED.
    const { page, context } = await newPage(e, PHONE);
    const { cert } = await organizationWithUkey(context.request);
    await page.goto(`/certificates/${cert.id}/renew`);
    await page.getByTestId('renew-step-agent').waitFor();
    const unpaired = await page.evaluate(async (port) => {
      const r = await fetch(`http://127.0.0.1:${port}/tokens`);
      return { status: r.status, body: await r.json() };
    }, agentPort);
    expect(unpaired).toMatchObject({ status: 401, body: { error: 'NOT_PAIRED' } });
    // At 390 px: the steps and the agent's instructions fit the phone.
    await page.getByTestId('renew-agent-port').fill(String(agentPort));
    await page.getByTestId('renew-agent-check').click();
    await page.getByTestId('renew-pair-code').waitFor();
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'renew-9-connect-390');
    await context.close();
  });
});
