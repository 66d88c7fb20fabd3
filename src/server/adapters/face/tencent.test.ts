/**
 * The Tencent FaceID client (DetectAuth, GetDetectInfoEnhanced over API 3.0) and the sandbox gateway that
 * speaks the same protocol: the request the client sends, the gateway's refusals (bad signature, unknown
 * SecretId, stale timestamp …), the result interpretation, and the real HTTP transport over a real socket
 * to the app's /sandbox/faceid route, through the sandbox liveness page and back.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, like } from 'drizzle-orm';
import { idCheckChar } from '../../../core/id-number.js';
import { sandboxFaceid } from '../../db/schema.js';
import { ManualClock, testApp, type TestApp } from '../../testing/harness.js';
import { FaceError } from './port.js';
import { SANDBOX_FACEID, sandboxFaceidGateway } from './sandbox-gateway.js';
import {
  FACEID_ENDPOINT,
  httpFaceTransport,
  interpretDetectInfo,
  tencentCloudCall,
  tencentFaceVerifier,
  type FaceTransport,
} from './tencent.js';

const ID = (first17: string) => first17 + idCheckChar(first17);
const PERSON = { name: '张三', idNumber: ID('36010219700101123') };

/** An independently built signed request, as Tencent's documentation describes one, for the gateway tests. */
function signedRequest(opts: {
  action?: string;
  payload?: Record<string, unknown> | string;
  secretId?: string;
  secretKey?: string;
  timestamp: number;
  host?: string;
  signedNames?: string[];
  dateOverride?: string;
  version?: string;
}) {
  const body = typeof opts.payload === 'string' ? opts.payload : JSON.stringify(opts.payload ?? {});
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    host: opts.host ?? 'faceid.tencentcloudapi.com',
    'x-tc-action': opts.action ?? 'DetectAuth',
  };
  const names = opts.signedNames ?? ['content-type', 'host', 'x-tc-action'];
  const canonicalHeaders = names.map((n) => `${n}:${(headers[n] ?? '').toLowerCase()}\n`).join('');
  const hex = (s: string) => createHash('sha256').update(s).digest('hex');
  const canonical = ['POST', '/', '', canonicalHeaders, names.join(';'), hex(body)].join('\n');
  const date = opts.dateOverride ?? new Date(opts.timestamp * 1000).toISOString().slice(0, 10);
  const scope = `${date}/faceid/tc3_request`;
  const sts = ['TC3-HMAC-SHA256', String(opts.timestamp), scope, hex(canonical)].join('\n');
  const h = (k: string | Buffer, m: string) => createHmac('sha256', k).update(m).digest();
  const key = h(h(h(`TC3${opts.secretKey ?? SANDBOX_FACEID.secretKey}`, date), 'faceid'), 'tc3_request');
  const signature = createHmac('sha256', key).update(sts).digest('hex');
  return {
    headers: {
      ...headers,
      authorization: `TC3-HMAC-SHA256 Credential=${opts.secretId ?? SANDBOX_FACEID.secretId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
      'x-tc-timestamp': String(opts.timestamp),
      'x-tc-version': opts.version ?? '2018-03-01',
    },
    body,
  };
}

/** Marks the requests of one test, so its rows can be told from other test files' on a shared database. */
let marker = 'first';
const detectAuthParams = (over: Record<string, unknown> = {}) => ({
  RuleId: SANDBOX_FACEID.ruleId,
  IdCard: PERSON.idNumber,
  Name: PERSON.name,
  RedirectUrl: `https://ca.example.cn/v/${marker}/done`,
  ...over,
});

describe('the Tencent client', () => {
  it('sends a signed API 3.0 request with the documented headers and the FaceID parameters', async () => {
    const seen: { url: string; headers: Record<string, string>; body: string }[] = [];
    const transport: FaceTransport = async (req) => {
      seen.push(req);
      return { status: 200, body: { Response: { Url: 'https://h5.faceid.qq.com/x', BizToken: 'B-1', RequestId: 'r1' } } };
    };
    const v = tencentFaceVerifier({
      secretId: 'AKIDid',
      secretKey: 'key',
      ruleId: '7',
      transport,
      now: () => new Date('2026-11-20T01:02:03.999Z'),
    });
    expect(await v.start({ ...PERSON, redirectUrl: 'https://ca.example.cn/v/t/done', extra: 'check-1' })).toEqual({
      bizToken: 'B-1',
      url: 'https://h5.faceid.qq.com/x',
    });
    const req = seen[0]!;
    expect(req.url).toBe(FACEID_ENDPOINT);
    expect(JSON.parse(req.body)).toEqual({
      RuleId: '7',
      IdCard: PERSON.idNumber,
      Name: '张三',
      RedirectUrl: 'https://ca.example.cn/v/t/done',
      Extra: 'check-1',
    });
    expect(req.headers).toMatchObject({
      'Content-Type': 'application/json; charset=utf-8',
      Host: 'faceid.tencentcloudapi.com',
      'X-TC-Action': 'DetectAuth',
      'X-TC-Version': '2018-03-01',
      // Whole seconds, truncated.
      'X-TC-Timestamp': String(Math.floor(Date.parse('2026-11-20T01:02:03Z') / 1000)),
    });
    // The same signature as an independent computation of the same request.
    const ref = signedRequest({
      payload: req.body,
      secretId: 'AKIDid',
      secretKey: 'key',
      timestamp: Number(req.headers['X-TC-Timestamp']),
    });
    expect(req.headers.Authorization).toBe(ref.headers.authorization);
  });

  it('asks for the text result only and reads ErrCode 0 as passed', async () => {
    let body = '';
    const v = tencentFaceVerifier({
      secretId: 'id',
      secretKey: 'k',
      ruleId: '7',
      transport: async (req) => {
        body = req.body;
        return {
          status: 200,
          body: { Response: { Text: { ErrCode: 0, ErrMsg: '成功', Name: '张三', IdCard: PERSON.idNumber }, RequestId: 'r' } },
        };
      },
    });
    expect(await v.result('B-1')).toEqual({ state: 'passed', name: '张三', idNumber: PERSON.idNumber });
    expect(JSON.parse(body)).toEqual({ BizToken: 'B-1', RuleId: '7', InfoType: '1' });
  });

  it.each<[string, unknown, string]>([
    ['not finished (all null)', { ErrCode: null, ErrMsg: null }, 'incomplete'],
    ['17 本次流程未完成', { ErrCode: 17, ErrMsg: '本次流程未完成' }, 'incomplete'],
    ['no Text at all', null, 'incomplete'],
    ['1002 疑似非真人录制', { ErrCode: 1002, ErrMsg: '疑似非真人录制', LiveStatus: 1002 }, 'failed:1002:疑似非真人录制'],
    ['2016 相似度未达到通过阈值', { ErrCode: 2016, ErrMsg: '无法判断为同一人' }, 'failed:2016:无法判断为同一人'],
    ['2006 without a message', { ErrCode: 2006, ErrMsg: '' }, 'failed:2006:人脸比对未通过，请确认是法定代表人本人'],
    ['15 token expired', { ErrCode: 15 }, 'failed:15:核验已超时，请重新开始'],
    [
      '0 without the verified identity',
      { ErrCode: 0, ErrMsg: '成功', Name: null, IdCard: null },
      'failed:NoIdentity:核验结果缺少身份信息，请重新核验',
    ],
  ])('interprets %s', (_n, text, expected) => {
    const r = interpretDetectInfo(text as never);
    expect(r.state === 'failed' ? `failed:${r.code}:${r.reason}` : r.state).toBe(expected);
  });

  it.each<[string, FaceTransport, boolean, RegExp]>([
    [
      'a network failure',
      async () => {
        throw new Error('connect ECONNREFUSED');
      },
      true,
      /transport: connect ECONNREFUSED/,
    ],
    [
      'HTTP 502',
      async () => ({ status: 502, body: { Response: { Error: { Code: 'BadResponse', Message: '<html>' } } } }),
      true,
      /HTTP 502/,
    ],
    [
      'InternalError',
      async () => ({ status: 200, body: { Response: { Error: { Code: 'InternalError', Message: '内部错误' } } } }),
      true,
      /InternalError/,
    ],
    [
      'RequestLimitExceeded',
      async () => ({ status: 200, body: { Response: { Error: { Code: 'RequestLimitExceeded', Message: '请求的次数超过了频率限制' } } } }),
      true,
      /RequestLimitExceeded/,
    ],
    [
      'a signature failure',
      async () => ({ status: 200, body: { Response: { Error: { Code: 'AuthFailure.SignatureFailure', Message: '签名错误' } } } }),
      false,
      /AuthFailure\.SignatureFailure/,
    ],
    ['an answer without Url', async () => ({ status: 200, body: { Response: { BizToken: 'b', RequestId: 'r' } } }), false, /without Url/],
    ['an empty answer', async () => ({ status: 200, body: undefined }), false, /HTTP 200/],
  ])('turns %s into a FaceError (retryable %s)', async (_n, transport, retryable, msg) => {
    const err = await tencentFaceVerifier({ secretId: 'id', secretKey: 'k', ruleId: '1', transport })
      .start({ ...PERSON, redirectUrl: 'https://x/' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FaceError);
    expect((err as FaceError).retryable).toBe(retryable);
    expect((err as FaceError).message).toMatch(msg);
    // Errors go to logs: never the ID number.
    expect((err as FaceError).message).not.toContain(PERSON.idNumber);
  });

  it('reads an expired BizToken as a finished, failed check', async () => {
    const v = tencentFaceVerifier({
      secretId: 'id',
      secretKey: 'k',
      ruleId: '1',
      transport: async () => ({
        status: 200,
        body: { Response: { Error: { Code: 'InvalidParameterValue.BizTokenExpired', Message: 'BizToken过期' }, RequestId: 'r' } },
      }),
    });
    expect(await v.result('B')).toEqual({
      state: 'failed',
      code: 'InvalidParameterValue.BizTokenExpired',
      reason: '核验已过期，请重新开始',
    });
  });
});

describe('the sandbox gateway', () => {
  let t: TestApp;
  const clock = new ManualClock(new Date('2026-11-20T09:00:00+08:00'));
  const now = () => Math.floor(clock.now().getTime() / 1000);
  beforeAll(async () => {
    t = await testApp({ clock });
  });
  afterAll(() => t.close());

  const errorCode = (r: { body: unknown }) => (r.body as { Response: { Error?: { Code: string } } }).Response.Error?.Code;

  it('accepts a correctly signed DetectAuth, issues a BizToken and a page on the RedirectUrl origin', async () => {
    const gw = sandboxFaceidGateway({ db: t.db, clock });
    const r = await gw.handle(signedRequest({ payload: detectAuthParams(), timestamp: now() }));
    expect(r.status).toBe(200);
    const res = (r.body as { Response: { Url: string; BizToken: string; RequestId: string } }).Response;
    expect(res.BizToken).toMatch(/^[0-9A-F-]{36}$/);
    expect(res.RequestId).toBeTruthy();
    expect(res.Url).toBe(`https://ca.example.cn/sandbox/faceid/h5?BizToken=${res.BizToken}`);
    const [row] = await t.db.select().from(sandboxFaceid).where(eq(sandboxFaceid.bizToken, res.BizToken));
    expect(row).toMatchObject({ name: '张三', idCard: PERSON.idNumber, outcome: null });
  });

  it.each<[string, () => ReturnType<typeof signedRequest>, string]>([
    [
      'a body changed after signing',
      () => {
        const r = signedRequest({ payload: detectAuthParams(), timestamp: now() });
        return { ...r, body: r.body.replace('张三', '李四') };
      },
      'AuthFailure.SignatureFailure',
    ],
    [
      'another secret key',
      () => signedRequest({ payload: detectAuthParams(), timestamp: now(), secretKey: 'guess' }),
      'AuthFailure.SignatureFailure',
    ],
    [
      'a credential date that is not the timestamp’s UTC day',
      () => signedRequest({ payload: detectAuthParams(), timestamp: now(), dateOverride: '2026-11-21' }),
      'AuthFailure.SignatureFailure',
    ],
    [
      'an action header changed after signing',
      () => {
        const r = signedRequest({ payload: { BizToken: 'x', RuleId: '1' }, timestamp: now() });
        return { ...r, headers: { ...r.headers, 'x-tc-action': 'GetDetectInfoEnhanced' } };
      },
      'AuthFailure.SignatureFailure',
    ],
    [
      'SignedHeaders without host',
      () => signedRequest({ payload: detectAuthParams(), timestamp: now(), signedNames: ['content-type', 'x-tc-action'] }),
      'AuthFailure.SignatureFailure',
    ],
    [
      'an unknown SecretId',
      () => signedRequest({ payload: detectAuthParams(), timestamp: now(), secretId: 'AKIDnobody' }),
      'AuthFailure.SecretIdNotFound',
    ],
    [
      'a timestamp 6 minutes old',
      () => signedRequest({ payload: detectAuthParams(), timestamp: now() - 360 }),
      'AuthFailure.SignatureExpire',
    ],
    [
      'a timestamp 6 minutes ahead',
      () => signedRequest({ payload: detectAuthParams(), timestamp: now() + 360 }),
      'AuthFailure.SignatureExpire',
    ],
    [
      'no Authorization header',
      () => {
        const r = signedRequest({ payload: detectAuthParams(), timestamp: now() });
        return { ...r, headers: { ...r.headers, authorization: '' } };
      },
      'AuthFailure.InvalidAuthorization',
    ],
    ['another API version', () => signedRequest({ payload: detectAuthParams(), timestamp: now(), version: '2017-03-12' }), 'NoSuchVersion'],
    ['an action it does not know', () => signedRequest({ action: 'LivenessRecognition', payload: {}, timestamp: now() }), 'InvalidAction'],
    [
      'an unknown RuleId',
      () => signedRequest({ payload: detectAuthParams({ RuleId: '99' }), timestamp: now() }),
      'InvalidParameterValue.RuleIdNotExist',
    ],
    ['no IdCard', () => signedRequest({ payload: detectAuthParams({ IdCard: undefined }), timestamp: now() }), 'MissingParameter'],
    [
      'an invalid IdCard',
      () =>
        signedRequest({
          payload: detectAuthParams({ IdCard: PERSON.idNumber.slice(0, 17) + (PERSON.idNumber.endsWith('0') ? '1' : '0') }),
          timestamp: now(),
        }),
      'InvalidParameterValue',
    ],
    [
      'a RedirectUrl that is not http(s)',
      () => signedRequest({ payload: detectAuthParams({ RedirectUrl: 'javascript:alert(1)' }), timestamp: now() }),
      'InvalidParameterValue',
    ],
    [
      'an unknown BizToken',
      () => signedRequest({ action: 'GetDetectInfoEnhanced', payload: { BizToken: 'NOPE', RuleId: '1', InfoType: '1' }, timestamp: now() }),
      'InvalidParameterValue.BizTokenIllegal',
    ],
    ['a body that is not JSON', () => signedRequest({ payload: '{RuleId:1', timestamp: now() }), 'InvalidParameter'],
  ])('refuses %s, and issues nothing', async (_n, make, code) => {
    const gw = sandboxFaceidGateway({ db: t.db, clock });
    marker = randomUUID();
    const r = await gw.handle(make());
    expect(r.status).toBe(200);
    expect(errorCode(r)).toBe(code);
    expect((r.body as { Response: { RequestId: string } }).Response.RequestId).toBeTruthy();
    const issued = await t.db
      .select()
      .from(sandboxFaceid)
      .where(like(sandboxFaceid.redirectUrl, `%${marker}%`));
    expect(issued).toEqual([]);
  });

  it('turns its refusals into non-retryable FaceErrors of the real client', async () => {
    const gw = sandboxFaceidGateway({ db: t.db, clock });
    const client = (over: Partial<Parameters<typeof tencentFaceVerifier>[0]>) =>
      tencentFaceVerifier({ ...SANDBOX_FACEID, transport: gw.transport, now: () => clock.now(), ...over });
    const cases: [ReturnType<typeof tencentFaceVerifier>, RegExp][] = [
      [client({ secretKey: 'wrong' }), /AuthFailure\.SignatureFailure/],
      [client({ secretId: 'AKIDother' }), /AuthFailure\.SecretIdNotFound/],
      [client({ now: () => new Date(clock.now().getTime() - 3600_000) }), /AuthFailure\.SignatureExpire/],
      [client({ ruleId: '2' }), /RuleIdNotExist/],
    ];
    for (const [c, msg] of cases) {
      const err = await c.start({ ...PERSON, redirectUrl: 'https://ca.example.cn/v/t/done' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FaceError);
      expect((err as FaceError).message).toMatch(msg);
      expect((err as FaceError).retryable).toBe(false);
    }
  });

  it('answers each simulated outcome with Tencent’s result codes; unfinished is incomplete, then expired', async () => {
    const gw = sandboxFaceidGateway({ db: t.db, clock });
    const v = tencentFaceVerifier({ ...SANDBOX_FACEID, transport: gw.transport, now: () => clock.now() });
    const results: Record<string, unknown> = {};
    for (const outcome of ['passed', 'not_self', 'liveness_failed'] as const) {
      const { bizToken } = await v.start({ ...PERSON, redirectUrl: 'https://ca.example.cn/v/t/done' });
      expect(await v.result(bizToken)).toEqual({ state: 'incomplete' });
      const done = await gw.complete(bizToken, outcome);
      expect(done.ok).toBe(true);
      // A second choice changes nothing.
      expect((await gw.complete(bizToken, 'passed')).ok).toBe(false);
      results[outcome] = await v.result(bizToken);
    }
    expect(results).toEqual({
      passed: { state: 'passed', name: '张三', idNumber: PERSON.idNumber },
      not_self: { state: 'failed', code: '2016', reason: '无法判断为同一人，请确认身份后重试（相似度未达到通过阈值）' },
      liveness_failed: { state: 'failed', code: '1002', reason: '疑似非真人录制' },
    });
    const { bizToken } = await v.start({ ...PERSON, redirectUrl: 'https://ca.example.cn/v/t/done' });
    clock.advance(7200_000 + 1000);
    expect((await gw.complete(bizToken, 'passed')).ok).toBe(false);
    expect(await v.result(bizToken)).toMatchObject({ state: 'failed', code: '15' });
    clock.advance(3 * 24 * 3600_000);
    expect(await v.result(bizToken)).toMatchObject({ state: 'failed', code: 'InvalidParameterValue.BizTokenExpired' });
    clock.set(new Date('2026-11-20T09:00:00+08:00'));
  });
});

describe('the real HTTP transport against the app on a socket', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await testApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
  });
  afterAll(() => t.close());

  const client = (over: Partial<Parameters<typeof tencentFaceVerifier>[0]> = {}) =>
    tencentFaceVerifier({ ...SANDBOX_FACEID, endpoint: `${base}/sandbox/faceid`, transport: httpFaceTransport(), ...over });

  it('DetectAuth over HTTP, the sandbox page, the redirect with the BizToken, and the result over HTTP', async () => {
    const started = await client().start({ ...PERSON, redirectUrl: `${base}/v/some-token/done?from=qr` });
    expect(started.url).toBe(`${base}/sandbox/faceid/h5?BizToken=${started.bizToken}`);

    const page = await fetch(started.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('沙箱环境');
    for (const label of ['模拟刷脸成功', '模拟刷脸失败（非本人）', '模拟活体检测失败']) expect(html).toContain(label);
    // The page shows whom it checks, masked: never the whole ID number.
    expect(html).toContain('张*');
    expect(html).toContain('3601**********');
    expect(html).not.toContain(PERSON.idNumber);

    const chosen = await fetch(`${base}/sandbox/faceid/h5`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ BizToken: started.bizToken, outcome: 'passed' }).toString(),
      redirect: 'manual',
    });
    expect(chosen.status).toBe(303);
    // Tencent's way: the RedirectUrl as given, with token=<BizToken> appended.
    expect(chosen.headers.get('location')).toBe(`${base}/v/some-token/done?from=qr&token=${started.bizToken}`);
    expect(await client().result(started.bizToken)).toEqual({ state: 'passed', name: '张三', idNumber: PERSON.idNumber });

    // The page of a finished check says so and links back.
    const again = await (await fetch(started.url)).text();
    expect(again).toContain('本次校验已完成');
    expect((await fetch(`${base}/sandbox/faceid/h5?BizToken=NOPE`)).status).toBe(404);
  });

  it('gets the refusal back over HTTP as a non-retryable error', async () => {
    const err = await client({ secretKey: 'wrong' })
      .start({ ...PERSON, redirectUrl: `${base}/v/x/done` })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FaceError);
    expect((err as FaceError).message).toMatch(/AuthFailure\.SignatureFailure/);
    expect((err as FaceError).retryable).toBe(false);
  });

  it('a refused connection and a non-JSON proxy page are retryable', async () => {
    const refused = await client({ endpoint: 'http://127.0.0.1:9/', transport: httpFaceTransport(2000) })
      .start({ ...PERSON, redirectUrl: `${base}/v/x/done` })
      .catch((e: unknown) => e);
    expect((refused as FaceError).retryable).toBe(true);
    const proxy = createServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>502 Bad Gateway</body></html>');
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const err = await client({ endpoint: `http://127.0.0.1:${(proxy.address() as { port: number }).port}/` })
        .start({ ...PERSON, redirectUrl: `${base}/v/x/done` })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FaceError);
      expect((err as FaceError).message).toMatch(/HTTP 502 BadResponse <html>/);
      expect((err as FaceError).retryable).toBe(true);
    } finally {
      await new Promise((r) => proxy.close(r));
    }
  });

  it('the signed bytes survive the HTTP round trip (Chinese, escapes, spacing)', async () => {
    const call = tencentCloudCall({ ...SANDBOX_FACEID, endpoint: `${base}/sandbox/faceid/`, transport: httpFaceTransport() });
    const r = await call('DetectAuth', {
      RuleId: '1',
      Name: '阿卜杜·热合曼',
      IdCard: PERSON.idNumber,
      RedirectUrl: `${base}/v/x/done?a=1&b=中 文`,
      Extra: '"quoted" \\ \u2028',
    });
    expect(r.BizToken).toBeTruthy();
    const [row] = await t.db
      .select()
      .from(sandboxFaceid)
      .where(eq(sandboxFaceid.bizToken, r.BizToken as string));
    expect(row).toMatchObject({ name: '阿卜杜·热合曼', extra: '"quoted" \\ \u2028' });
  });
});
