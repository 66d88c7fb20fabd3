/**
 * The Aliyun SendSms client (RPC signature v1.0, HMAC-SHA1) against published test vectors and an
 * independent computation written here from Aliyun's documentation; the sandbox gateway's refusals; and
 * the real HTTP transport over a real socket to the app's /sandbox/dysmsapi route.
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc, eq } from 'drizzle-orm';
import { sandboxSms } from '../../db/schema.js';
import { ManualClock, newMobile, testApp, type TestApp } from '../../testing/harness.js';
import { aliyunSms, canonicalQuery, httpTransport, percentEncode, signPop, type SmsTransport } from './aliyun.js';
import { SmsError, type SmsMessage } from './port.js';
import { SANDBOX_SMS_KEY, sandboxSmsGateway } from './sandbox-gateway.js';

/**
 * Aliyun's "percentEncode": UTF-8, then percent-encode everything except A–Z a–z 0–9 - _ . ~ (RFC 3986
 * unreserved), upper-case hex. Written byte by byte so it shares nothing with the code under test.
 */
function refEncode(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
function refSignature(method: string, params: Record<string, string>, secret: string): { stringToSign: string; signature: string } {
  const query = Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${refEncode(k)}=${refEncode(params[k]!)}`)
    .join('&');
  const stringToSign = `${method}&${refEncode('/')}&${refEncode(query)}`;
  return { stringToSign, signature: createHmac('sha1', `${secret}&`).update(stringToSign, 'utf8').digest('base64') };
}

const MSG: SmsMessage = { phoneNumber: '13800138000', template: 'password_reset', params: { code: '042917' } };

describe('percentEncode', () => {
  it.each([
    [' ', '%20'],
    ['*', '%2A'],
    ['~', '~'],
    ['+', '%2B'],
    ['/', '%2F'],
    [':', '%3A'],
    ['=', '%3D'],
    ['&', '%26'],
    ["!'()", '%21%27%28%29'],
    ['aZ09-_.', 'aZ09-_.'],
    ['中', '%E4%B8%AD'],
    ['江西CA（沙箱）', '%E6%B1%9F%E8%A5%BFCA%EF%BC%88%E6%B2%99%E7%AE%B1%EF%BC%89'],
    ['{"code":"1 2"}', '%7B%22code%22%3A%221%202%22%7D'],
  ])('%j → %s', (input, encoded) => {
    expect(percentEncode(input)).toBe(encoded);
    expect(refEncode(input)).toBe(encoded);
  });
});

describe('signature (RPC v1.0, HMAC-SHA1)', () => {
  // Aliyun's published example (DescribeRegions, AccessKeyId testid, secret testsecret). The Chinese page
  // spells the parameter "TimeStamp" and the English one "Timestamp"; each gives its documented signature.
  it.each([
    ['Timestamp', 'OLeaidS1JvxuMvnyHOwuJ+uX5qY='],
    ['TimeStamp', 'CT9X0VtwR86fNWSnsc6v8YGOjuE='],
  ])("reproduces Aliyun's documented example (%s)", (tsName, signature) => {
    const params = {
      [tsName]: '2016-02-23T12:46:24Z',
      Format: 'XML',
      AccessKeyId: 'testid',
      Action: 'DescribeRegions',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
      Version: '2014-05-26',
      SignatureVersion: '1.0',
    };
    expect(signPop('GET', params, 'testsecret')).toBe(signature);
  });

  it('builds the documented string to sign: METHOD&%2F&encode(sorted canonical query)', () => {
    const params = { b: 'x y', a: '中*~', Signature: 'ignored' };
    expect(canonicalQuery(params)).toBe('a=%E4%B8%AD%2A~&b=x%20y');
    const { stringToSign, signature } = refSignature('POST', params, 's3cret');
    expect(stringToSign).toBe('POST&%2F&a%3D%25E4%25B8%25AD%252A~%26b%3Dx%2520y');
    expect(signPop('POST', params, 's3cret')).toBe(signature);
  });

  it('signs a SendSms request exactly as computed independently', async () => {
    const seen: Record<string, string>[] = [];
    const transport: SmsTransport = async (_m, params) => {
      seen.push(params);
      return { status: 200, body: { Code: 'OK', BizId: '900619746936498440^0', RequestId: 'r' } };
    };
    const sender = aliyunSms({
      accessKeyId: 'LTAI5tTestKeyId',
      accessKeySecret: 'TestSecret+/=*~ 中',
      signName: '江西CA',
      templates: { password_reset: 'SMS_123456789' },
      transport,
      now: () => new Date('2026-11-20T01:02:03.456Z'),
    });
    expect(await sender.send(MSG)).toEqual({ providerMessageId: '900619746936498440^0' });
    await sender.send(MSG);
    const p = seen[0]!;
    expect(p).toMatchObject({
      AccessKeyId: 'LTAI5tTestKeyId',
      Action: 'SendSms',
      Format: 'JSON',
      PhoneNumbers: '13800138000',
      RegionId: 'cn-hangzhou',
      SignName: '江西CA',
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      TemplateCode: 'SMS_123456789',
      TemplateParam: '{"code":"042917"}',
      // ISO 8601 UTC without milliseconds, as the API requires.
      Timestamp: '2026-11-20T01:02:03Z',
      Version: '2017-05-25',
    });
    expect(p.SignatureNonce).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen[1]!.SignatureNonce).not.toBe(p.SignatureNonce);
    expect(p.Signature).toBe(refSignature('POST', p, 'TestSecret+/=*~ 中').signature);
    // Every parameter is covered: changing any one changes the signature.
    for (const k of Object.keys(p).filter((k) => k !== 'Signature'))
      expect(signPop('POST', { ...p, [k]: `${p[k]}x` }, 'TestSecret+/=*~ 中')).not.toBe(p.Signature);
  });
});

describe('the sandbox gateway', () => {
  let t: TestApp;
  const clock = new ManualClock(new Date());
  beforeAll(async () => {
    t = await testApp({ clock });
  });
  afterAll(() => t.close());

  /** A SendSms request signed with the given key, as Aliyun's client would send it. */
  function request(over: Record<string, string> = {}, secret = SANDBOX_SMS_KEY.accessKeySecret) {
    const params: Record<string, string> = {
      AccessKeyId: SANDBOX_SMS_KEY.accessKeyId,
      Action: 'SendSms',
      Format: 'JSON',
      PhoneNumbers: newMobile(),
      RegionId: 'cn-hangzhou',
      SignName: SANDBOX_SMS_KEY.signName,
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: crypto.randomUUID(),
      SignatureVersion: '1.0',
      TemplateCode: 'SMS_SANDBOX_PASSWORD_RESET',
      TemplateParam: JSON.stringify({ code: '123456' }),
      Timestamp: clock
        .now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
      Version: '2017-05-25',
      ...over,
    };
    params.Signature = refSignature('POST', params, secret).signature;
    return params;
  }
  const stored = (phone: string) => t.db.select().from(sandboxSms).where(eq(sandboxSms.phoneNumber, phone));

  it('accepts a correctly signed request and records the message', async () => {
    const gw = sandboxSmsGateway({ db: t.db, clock });
    const params = request();
    const res = await gw.handle('POST', params);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ Code: 'OK', Message: 'OK' });
    const [row] = await stored(params.PhoneNumbers!);
    expect(row!.bizId).toBe((res.body as { BizId: string }).BizId);
    expect(row!.text).toBe(
      '【江西CA（沙箱）】您正在重置江西CA数字证书在线受理系统的登录密码，验证码123456，10分钟内有效。如非本单位操作，请忽略本短信。',
    );
  });

  it.each<[string, (r: typeof request) => Record<string, string>, number, string]>([
    [
      'a tampered parameter (signature no longer matches)',
      (r) => ({ ...r(), TemplateParam: '{"code":"999999"}' }),
      400,
      'SignatureDoesNotMatch',
    ],
    ['a signature made with another secret', (r) => r({}, 'not-the-secret'), 400, 'SignatureDoesNotMatch'],
    ['no signature', (r) => ({ ...r(), Signature: '' }), 400, 'SignatureDoesNotMatch'],
    ['an unknown AccessKeyId', (r) => r({ AccessKeyId: 'LTAIunknown' }), 404, 'InvalidAccessKeyId.NotFound'],
    [
      'a timestamp 16 minutes old',
      (r) => r({ Timestamp: new Date(Date.now() - 16 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z') }),
      400,
      'InvalidTimeStamp.Expired',
    ],
    [
      'a timestamp 16 minutes ahead',
      (r) => r({ Timestamp: new Date(Date.now() + 16 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z') }),
      400,
      'InvalidTimeStamp.Expired',
    ],
    ['a timestamp that is not a date', (r) => r({ Timestamp: 'yesterday' }), 400, 'InvalidTimeStamp.Expired'],
    ['another action', (r) => r({ Action: 'SendBatchSms' }), 400, 'InvalidAction'],
    ['an illegal phone number (landline)', (r) => r({ PhoneNumbers: '079182097407' }), 200, 'isv.MOBILE_NUMBER_ILLEGAL'],
    ['an illegal phone number (12 digits)', (r) => r({ PhoneNumbers: '138001380001' }), 200, 'isv.MOBILE_NUMBER_ILLEGAL'],
    ['an unknown template', (r) => r({ TemplateCode: 'SMS_000000' }), 200, 'isv.SMS_TEMPLATE_ILLEGAL'],
    ['template parameters that are not JSON', (r) => r({ TemplateParam: '{code:1' }), 200, 'isv.INVALID_JSON_PARAM'],
  ])('refuses %s and records nothing', async (_name, make, status, code) => {
    clock.set(new Date());
    const gw = sandboxSmsGateway({ db: t.db, clock });
    const params = make(request);
    const res = await gw.handle('POST', params);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ Code: code });
    expect((res.body as { RequestId: string }).RequestId).toBeTruthy();
    if (params.PhoneNumbers) expect(await stored(params.PhoneNumbers)).toHaveLength(0);
  });

  it("turns the gateway's refusals into SmsErrors the outbox must not retry", async () => {
    const gw = sandboxSmsGateway({ db: t.db, clock });
    const base = { ...SANDBOX_SMS_KEY, templates: { password_reset: 'SMS_SANDBOX_PASSWORD_RESET' }, transport: gw.handle };
    const cases: [ReturnType<typeof aliyunSms>, SmsMessage, RegExp][] = [
      [aliyunSms({ ...base, accessKeySecret: 'wrong', now: () => clock.now() }), MSG, /SignatureDoesNotMatch/],
      [aliyunSms({ ...base, accessKeyId: 'nobody', now: () => clock.now() }), MSG, /InvalidAccessKeyId/],
      [aliyunSms({ ...base, now: () => new Date(clock.now().getTime() - 3600_000) }), MSG, /InvalidTimeStamp/],
      [aliyunSms({ ...base, now: () => clock.now() }), { ...MSG, phoneNumber: '12345' }, /MOBILE_NUMBER_ILLEGAL/],
      [aliyunSms({ ...base, templates: { password_reset: 'SMS_NOPE' }, now: () => clock.now() }), MSG, /TEMPLATE_ILLEGAL/],
    ];
    for (const [sender, msg, text] of cases) {
      const err = await sender.send(msg).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SmsError);
      expect((err as SmsError).message).toMatch(text);
      expect((err as SmsError).retryable).toBe(false);
    }
  });
});

describe('retryable and non-retryable provider errors', () => {
  const senderWith = (transport: SmsTransport) =>
    aliyunSms({ accessKeyId: 'id', accessKeySecret: 's', signName: '江西CA', templates: { password_reset: 'SMS_1' }, transport });
  const answer =
    (status: number, body: unknown): SmsTransport =>
    async () => ({ status, body });

  it.each<[string, SmsTransport, boolean]>([
    [
      'a network failure',
      async () => {
        throw new Error('connect ECONNREFUSED');
      },
      true,
    ],
    ['HTTP 500', answer(500, { Code: 'InternalError', Message: 'The request processing has failed due to some unknown error.' }), true],
    [
      'HTTP 503',
      answer(503, { Code: 'ServiceUnavailable', Message: 'The request has failed due to a temporary failure of the server.' }),
      true,
    ],
    ['a 502 with an HTML body', answer(502, { Code: 'BadResponse', Message: '<html>Bad Gateway</html>' }), true],
    ['throttled by the API', answer(400, { Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' }), true],
    ['the per-number frequency limit', answer(200, { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: '触发分钟级流控Permits:1' }), true],
    ['an illegal number', answer(200, { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '非法手机号' }), false],
    ['an unapproved template', answer(200, { Code: 'isv.SMS_TEMPLATE_ILLEGAL', Message: '模板不合法' }), false],
    ['a wrong signature', answer(400, { Code: 'SignatureDoesNotMatch', Message: 'x' }), false],
    ['an empty answer', answer(200, undefined), false],
    ['OK without a BizId', answer(200, { Code: 'OK' }), false],
  ])('%s → retryable %s', async (_n, transport, retryable) => {
    const err = await senderWith(transport)
      .send(MSG)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmsError);
    expect((err as SmsError).retryable).toBe(retryable);
    // The error text goes to logs and the outbox row: it must never carry the code.
    expect((err as SmsError).message).not.toContain(MSG.params.code);
  });
});

describe('the real HTTP transport against the app on a socket', () => {
  let t: TestApp;
  let endpoint: string;
  beforeAll(async () => {
    t = await testApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    endpoint = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}/sandbox/dysmsapi`;
  });
  afterAll(() => t.close());

  const client = (over: Partial<Parameters<typeof aliyunSms>[0]> = {}) =>
    aliyunSms({
      ...SANDBOX_SMS_KEY,
      templates: { password_reset: 'SMS_SANDBOX_PASSWORD_RESET' },
      transport: httpTransport(endpoint),
      ...over,
    });

  it('delivers a signed, form-encoded SendSms over HTTP; the parameters survive the round trip byte for byte', async () => {
    const phone = newMobile();
    // Characters that form encoding and percent-encoding treat differently: space, +, *, ~, &, =, Chinese.
    const params = { code: '1 2+3*~&=中' };
    const { providerMessageId } = await client().send({ phoneNumber: phone, template: 'password_reset', params });
    const [row] = await t.db.select().from(sandboxSms).where(eq(sandboxSms.phoneNumber, phone)).orderBy(desc(sandboxSms.id));
    expect(row!.bizId).toBe(providerMessageId);
    expect(row!.templateParam).toEqual(params);
    expect(row!.signName).toBe('江西CA（沙箱）');
    expect(row!.text).toContain('验证码1 2+3*~&=中，');
  });

  it('gets the refusal back over HTTP as a non-retryable error', async () => {
    const err = await client({ accessKeySecret: 'wrong' })
      .send({ ...MSG, phoneNumber: newMobile() })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmsError);
    expect((err as SmsError).message).toMatch(/^aliyun 400 SignatureDoesNotMatch/);
    expect((err as SmsError).retryable).toBe(false);
  });

  it('a refused connection is retryable', async () => {
    const err = await aliyunSms({
      ...SANDBOX_SMS_KEY,
      templates: { password_reset: 'SMS_SANDBOX_PASSWORD_RESET' },
      transport: httpTransport('http://127.0.0.1:9/sandbox/dysmsapi', 2000),
    })
      .send(MSG)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmsError);
    expect((err as SmsError).retryable).toBe(true);
  });

  it('a wrong endpoint (404) is not retried', async () => {
    const err = await client({ transport: httpTransport(endpoint.replace('/sandbox/dysmsapi', '/no-such-path')) })
      .send(MSG)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmsError);
    expect((err as SmsError).message).toMatch(/^aliyun 404/);
    expect((err as SmsError).retryable).toBe(false);
  });

  it('a non-JSON answer (a proxy error page) becomes a retryable error, not a parse failure', async () => {
    const proxy = createServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>502 Bad Gateway</body></html>');
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const err = await client({ transport: httpTransport(`http://127.0.0.1:${(proxy.address() as { port: number }).port}/`) })
        .send(MSG)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SmsError);
      expect((err as SmsError).message).toMatch(/^aliyun 502 BadResponse <html>/);
      expect((err as SmsError).retryable).toBe(true);
    } finally {
      await new Promise((r) => proxy.close(r));
    }
  });
});
