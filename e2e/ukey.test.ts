/**
 * The UKEY through the 证书助手 in Chromium (issue 20): the agent runs in this test process on the port the
 * pages call (E2E.agentPort), over a real SoftHSM2 token; its PinSource is scripted — the person typing PINs
 * in the agent's window. SoftHSM2 has no SM2, so the project issues ECDSA P-256 for this file (restored after).
 *
 *   1. 制证 at the workstation: UKEY（证书助手） in the one key form initializes a maker-initialized token (the
 *      CA's derived SO PIN replaces the maker's), makes the key on it, issues, and writes the certificate —
 *      read back through PKCS#11 and verified with OpenSSL against the CA chain; the registry has the serial;
 *   2. 在线解锁: the PIN, changed by the customer and then locked by wrong tries, is reset online (SMS code from
 *      the sandbox gateway, the sandbox face page for the 经办人, the CA's authorization) and the new PIN signs;
 *   3. another origin, an unpaired page and a replayed authorization are refused.
 */
import { execFileSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPTCHA, DESKTOP, PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { button, putCompleteForm, registerWithRequest, openMainOrder, staffLogin } from './page-api.js';
import { agentConfigFrom } from '../src/agent/config.js';
import { Pairing } from '../src/agent/pairing.js';
import type { PinRequest, PinSource } from '../src/agent/pin-source.js';
import { buildAgentServer } from '../src/agent/server.js';
import { AgentError, TokenDriver, tokenLabel } from '../src/agent/token.js';
import { certificates } from '../src/server/db/schema-certificates.js';
import { projects } from '../src/server/db/schema.js';
import { recordPayment } from '../src/server/modules/fulfilment/record-payment.js';
import { orderRepository } from '../src/server/modules/orders/repository.js';
import { tokenAuthority } from '../src/server/modules/tokens/authority.js';
import { smsCode } from '../src/server/testing/sms.js';

const LIBRARY = process.env.CERTDESK_TEST_PKCS11_LIB || '/usr/lib/softhsm/libsofthsm2.so';
const poll = expect.poll;
const T = { timeout: 20_000 };

/** The person at the agent's window: answers its PIN questions in order. */
class TypedPins implements PinSource {
  answers: string[] = [];
  asked: PinRequest[] = [];
  private next(req: PinRequest) {
    this.asked.push(req);
    const a = this.answers.shift();
    if (a === undefined) return Promise.reject(new AgentError(409, 'PIN_CANCELLED', '用户在证书助手中取消了输入口令'));
    return Promise.resolve(a);
  }
  userPin = (r: PinRequest) => this.next(r);
  newUserPin = (r: PinRequest) => this.next(r);
  soPin = (r: PinRequest) => this.next(r);
}

let e: E2E;
let dir: string;
let tokens: TokenDriver;
let agent: FastifyInstance;
const pins = new TypedPins();
const pairing = new Pairing();
const agentLog: string[] = [];
let serial: string;
let agentUrl: string;
let family: string;
const customer = { uscc: '', mobile: '', orderId: '' };
let keyId = '';

/** A page's shots at both widths (1366 and 390 px), then back to 1366. */
async function shots(page: Page, name: string) {
  await page.setViewportSize(DESKTOP);
  await shot(page, `${name}-1366`);
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(200);
  expect(await fitsWidth(page), `${name} fits 390 px`).toBe(true);
  await shot(page, `${name}-390`);
  await page.setViewportSize(DESKTOP);
}

async function pairPage(page: Page) {
  await page.getByTestId('agent-unpaired').waitFor(T);
  await page.getByTestId('agent-pair-code').fill(pairing.newCode());
  await page.getByTestId('agent-pair').click();
  await page.getByTestId('agent-paired').waitFor(T);
}

beforeAll(async () => {
  e = await startE2E();
  if (!existsSync(LIBRARY)) throw new Error(`SoftHSM2 is not installed (${LIBRARY} missing): apt-get install softhsm2`);
  dir = mkdtempSync(path.join(tmpdir(), 'certdesk-ukey-e2e-'));
  mkdirSync(path.join(dir, 'tokens'));
  writeFileSync(
    path.join(dir, 'softhsm2.conf'),
    `directories.tokendir = ${path.join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  );
  process.env.SOFTHSM2_CONF = path.join(dir, 'softhsm2.conf');
  // A new UKEY as it comes from the maker: its own serial, the maker's SO PIN and user PIN.
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', 'new-ukey', '--pin', '000000', '--so-pin', '12345678']);
  tokens = TokenDriver.load(LIBRARY, { pinTries: 3 });
  serial = tokens.listTokens().find((t) => t.label === 'new-ukey')!.serial;

  // The agent, trusting the CA's token authority by configuration.
  const keys = await tokenAuthority(e.config.ca);
  const pem = createPublicKey(keys.signingKey).export({ format: 'pem', type: 'spki' }).toString();
  const config = agentConfigFrom({
    CERTDESK_AGENT_ORIGIN: e.baseUrl,
    CERTDESK_AGENT_PORT: String(e.agentPort),
    CERTDESK_AGENT_PKCS11_MODULE: LIBRARY,
    CERTDESK_AGENT_PIN_TRIES: '3',
    CERTDESK_AGENT_AUTHORITY_KEY: pem,
  });
  agent = buildAgentServer({ config, tokens, pins, pairing, log: (l) => agentLog.push(l) });
  agentUrl = await agent.listen({ host: '127.0.0.1', port: e.agentPort });

  // SoftHSM2 has no SM2: the project issues ECDSA P-256 in this file.
  family = (await e.db.select().from(projects).where(eq(projects.code, 'gov-procurement')))[0]!.certFamily;
  await e.db.update(projects).set({ certFamily: 'ecdsa' }).where(eq(projects.code, 'gov-procurement'));
}, 120_000);

afterAll(async () => {
  await e?.db
    .update(projects)
    .set({ certFamily: family as 'sm2' })
    .where(eq(projects.code, 'gov-procurement'));
  await agent?.close();
  tokens?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('制证 writes the UKEY through the 证书助手', () => {
  it('initializes the token, makes the key on it, issues and writes the certificate', async () => {
    // The customer's organization and its order, in 正在制证.
    const { context: cc } = await newPage(e);
    const unit = `江西证书助手测试${randomBytes(2).toString('hex')}有限公司`;
    const reg = await registerWithRequest(cc.request, { name: unit, password: 'Ukey2026unlock' });
    Object.assign(customer, reg);
    const order = await openMainOrder(cc.request);
    await putCompleteForm(cc.request, order, { name: unit, uscc: reg.uscc });
    customer.orderId = order.id;
    const now = new Date();
    await orderRepository.setStatus(e.db, order.id, 'draft', 'review_passed', now);
    await recordPayment({ db: e.db }, order.id, { channel: 'wechat', amountFen: 22000, transactionId: randomUUID() }, now);
    await orderRepository.setStatus(e.db, order.id, 'paper_awaiting', 'in_production', now);
    await cc.close();

    const { page, context, errors } = await newPage(e, DESKTOP);
    try {
      await staffLogin(page, 'zhizheng');
      await page.goto(`/staff/orders/${order.id}`);
      await page.getByTestId('action-produce').click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText('UKEY（证书助手）').click();
      await pairPage(page);
      await page.getByTestId(`agent-token-${serial}`).click();
      await shots(page, 'produce-token-chosen');

      // At the agent: the maker's SO PIN, the initial user PIN (init); the initial PIN for the key and the write.
      pins.answers = ['12345678', '11223344', '11223344', '11223344'];
      pins.asked = [];
      await button(dialog, '签发证书').click();
      const result = page.getByTestId('produce-token-result');
      await result.waitFor(T);
      expect(await result.textContent()).toContain(`证书已写入 UKEY（序列号 ${serial}）`);
      expect(pins.asked.map((a) => a.purpose)).toEqual(['init', 'init', 'generate', 'write']);
      await shots(page, 'produce-token-written');
      await button(page.getByRole('dialog'), '完成').click();
      await poll(() => page.locator('[data-testid=order-header] [data-testid=staff-status]').textContent(), T).toBe('制证完成');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }

    // The token: the CA's, its PIN to be changed; the certificate on it, verified with OpenSSL against the chain.
    expect(tokens.token(serial)).toMatchObject({ certDesk: true, userPinToBeChanged: true, label: tokenLabel(unit) });
    const [row] = await e.db.select().from(certificates).where(eq(certificates.orderId, order.id));
    expect(row).toMatchObject({ status: 'issued', keySource: 'token', tokenSerial: serial, family: 'ecdsa-p256' });
    const onToken = tokens.certificates(serial);
    expect(onToken).toHaveLength(1);
    expect(Buffer.from(onToken[0]!.der).equals(row!.der!)).toBe(true);
    keyId = onToken[0]!.keyId;
    const leaf = path.join(dir, 'leaf.pem');
    writeFileSync(leaf, `-----BEGIN CERTIFICATE-----\n${Buffer.from(onToken[0]!.der).toString('base64')}\n-----END CERTIFICATE-----\n`);
    const fdir = path.join(e.config.ca.dir, 'ecdsa-p256');
    const out = execFileSync(
      'openssl',
      ['verify', '-CAfile', path.join(fdir, 'root.pem'), '-untrusted', path.join(fdir, 'issuing.pem'), leaf],
      {
        encoding: 'utf8',
      },
    );
    expect(out).toContain(': OK');
    // The maker's SO PIN no longer opens it.
    expect(() => tokens.resetUserPin(serial, '12345678', '10203040')).toThrow(/SO PIN/);
  });
});

describe('在线解锁', () => {
  let replayed = '';

  it('a PIN locked by wrong tries is reset online and the new PIN signs', async () => {
    // The customer changes the initial PIN (the agent insists), then locks it with wrong PINs.
    tokens.changeUserPin(serial, '11223344', '22334455');
    for (let i = 0; i < 3; i++) expect(() => tokens.sign(serial, '000000', Buffer.from(keyId, 'hex'), Buffer.from('x'))).toThrow();
    expect(tokens.token(serial)).toMatchObject({ userPinLocked: true });

    const { page, context, errors } = await newPage(e, DESKTOP);
    try {
      await page.goto('/login');
      await page.getByLabel('统一社会信用代码').fill(customer.uscc);
      await page.getByLabel('密码').fill('Ukey2026unlock');
      await page.getByLabel('验证码', { exact: true }).fill(CAPTCHA);
      await page.locator('form button[type=submit]').click();
      await page.waitForURL('**/account');
      await page.goto('/certificates');
      await page.getByTestId('my-certs-unlock').click();
      await page.waitForURL((u) => u.pathname === '/certificates/ukey-unlock');
      await shots(page, 'unlock-agent-unpaired');
      await pairPage(page);
      await page.getByTestId(`agent-token-${serial}`).click();
      await shots(page, 'unlock-token-chosen');

      // SMS code to the registered mobile (read from the sandbox gateway, as a person reads the SMS).
      await page.getByTestId('unlock-request').click();
      await page.getByTestId('unlock-code-sent').waitFor(T);
      const code = await smsCode(e, customer.mobile);
      await page.getByTestId('unlock-code').fill(code === '000000' ? '000001' : '000000');
      await page.getByTestId('unlock-code-submit').click();
      await poll(() => page.getByTestId('unlock-code-error').textContent(), T).toContain('还可尝试4次');
      await shots(page, 'unlock-code');
      await page.getByTestId('unlock-code').fill(code);
      await page.getByTestId('unlock-code-submit').click();

      // The 经办人's face on the provider's (sandbox) page, and back.
      await page.getByTestId('unlock-face').waitFor(T);
      await shots(page, 'unlock-face');
      await page.getByTestId('unlock-face').click();
      await page.waitForURL((u) => u.pathname === '/sandbox/faceid/h5', T);
      await page.getByRole('button', { name: '模拟刷脸成功' }).click();
      await page.waitForURL((u) => u.pathname === '/certificates/ukey-unlock', T);
      await page.getByTestId('unlock-reset').waitFor(T);
      await poll(() => page.getByTestId('unlock-reset').isEnabled(), T).toBe(true);
      await shots(page, 'unlock-reset');

      // The new PIN is typed at the agent; the page carries the CA's authorization it cannot read.
      page.on('request', (r) => {
        if (r.url().startsWith(agentUrl) && r.url().endsWith('/pin/reset'))
          replayed = (JSON.parse(r.postData() ?? '{}') as { authorization: string }).authorization;
      });
      pins.answers = ['99887766'];
      pins.asked = [];
      await page.getByTestId('unlock-reset').click();
      await page.getByTestId('unlock-done').waitFor(T);
      expect(pins.asked).toEqual([expect.objectContaining({ purpose: 'reset', serial })]);
      await shots(page, 'unlock-done');
      // The one deliberate refusal (the wrong SMS code, 400) is all the console saw.
      expect(
        errors.filter((m) => !/status of 400/.test(m)),
        errors.join('\n'),
      ).toEqual([]);
      expect(errors.length, errors.join('\n')).toBeLessThanOrEqual(1);

      // The third: a replayed authorization, from the same page and pairing, is refused by the agent.
      expect(replayed).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      const again = await page.evaluate(
        async ([url, s, auth]) => {
          const bearer = Object.entries(sessionStorage).find(([k]) => k.startsWith('certdesk.agent.'))![1];
          const r = await fetch(`${url}/tokens/${s}/pin/reset`, {
            method: 'POST',
            headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
            body: JSON.stringify({ authorization: auth }),
          });
          return { status: r.status, body: (await r.json()) as { error: string } };
        },
        [agentUrl, serial, replayed] as const,
      );
      expect(again).toMatchObject({ status: 409, body: { error: 'AUTHORIZATION_REPLAYED' } });
    } finally {
      await context.close();
    }

    // The old PIN no longer works; the new one signs.
    expect(() => tokens.sign(serial, '22334455', Buffer.from(keyId, 'hex'), Buffer.from('x'))).toThrow(/口令错误/);
    expect(tokens.sign(serial, '99887766', Buffer.from(keyId, 'hex'), Buffer.from('certdesk')).signature.length).toBeGreaterThan(60);
    expect(tokens.token(serial)).toMatchObject({ userPinLocked: false });
  });

  it('another origin and an unpaired page are refused', async () => {
    // Another origin: the same server under another name — the agent answers 403 with no CORS headers, so
    // the browser does not even let the page read the answer.
    const other = e.baseUrl.replace('127.0.0.1', 'localhost');
    const { page, context } = await newPage(e, DESKTOP);
    try {
      await page.goto(`${other}/help`);
      const fromOther = await page.evaluate(async (url) => {
        try {
          await fetch(`${url}/tokens`);
          return 'answered';
        } catch {
          return 'blocked';
        }
      }, agentUrl);
      expect(fromOther).toBe('blocked');
      expect(agentLog.some((l) => l.includes(`refused origin "${other}"`))).toBe(true);

      // An unpaired page of the portal (a fresh login: no pairing) is asked for the code; its requests are refused.
      const reg = await registerWithRequest(context.request, {
        name: `江西未配对测试${randomBytes(2).toString('hex')}有限公司`,
        password: 'Ukey2026unlock',
      });
      expect(reg.uscc).toBeTruthy();
      await page.goto(`${e.baseUrl}/certificates/ukey-unlock`);
      await page.getByTestId('agent-unpaired').waitFor(T);
      const unpaired = await page.evaluate(async (url) => {
        const r = await fetch(`${url}/tokens`);
        return { status: r.status, body: (await r.json()) as { error: string } };
      }, agentUrl);
      expect(unpaired).toMatchObject({ status: 401, body: { error: 'NOT_PAIRED' } });
      // A wrong pairing code is refused with its reason on the page.
      const right = pairing.newCode();
      await page.getByTestId('agent-pair-code').fill(right === '00000000' ? '00000001' : '00000000');
      await page.getByTestId('agent-pair').click();
      await poll(() => page.getByTestId('agent-pair-error').textContent(), T).toMatch(/配对码/);
      await shots(page, 'unlock-pair-refused');
    } finally {
      await context.close();
    }
  });
});
