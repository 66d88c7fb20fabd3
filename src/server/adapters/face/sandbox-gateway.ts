/**
 * The sandbox FaceID gateway: it speaks Tencent Cloud's API 3.0 protocol for the two FaceID actions we use
 * (DetectAuth, GetDetectInfoEnhanced), checks the TC3-HMAC-SHA256 signature with the sandbox key pair and
 * refuses what Tencent refuses (bad signature, unknown SecretId, a timestamp more than 5 minutes off, an
 * unknown RuleId or BizToken). Instead of a camera it has a "liveness" page (/sandbox/faceid/h5) where a
 * tester chooses the outcome; the page then redirects to the RedirectUrl the way Tencent does, with
 * `token=<BizToken>` appended. Its state is the `sandbox_faceid` table, so any instance can serve any step.
 *
 * The real Tencent client (tencent.ts) talks to it in-process by default, or over HTTP at /sandbox/faceid.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { idNumberProblem, normalizeIdNumber } from '../../../core/id-number.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { sandboxFaceid } from '../../db/schema.js';
import { safeEqual } from '../../crypto.js';
import { parseTc3Authorization, tc3Date, tc3Sign } from './tc3.js';
import { FACEID_SERVICE, FACEID_VERSION, type DetectInfoText, type FaceTransport } from './tencent.js';

/** The sandbox's key pair and RuleId (public: they unlock nothing but the sandbox). */
export const SANDBOX_FACEID = {
  secretId: 'AKIDcertdeskSANDBOXfaceid0000000000',
  secretKey: 'certdesk-sandbox-faceid-secret-key',
  ruleId: '1',
} as const;
/** Where the sandbox H5 "liveness" page lives on this server. */
export const SANDBOX_H5_PATH = '/sandbox/faceid/h5';

/** Tencent refuses a request whose timestamp is more than five minutes from its clock. */
export const MAX_SKEW_SECONDS = 300;
/** A BizToken's page works for 7,200 s; its result can be fetched for three days (Tencent FAQ). */
const H5_TTL_MS = 7200_000;
const RESULT_TTL_MS = 3 * 24 * 3600_000;

export type SandboxOutcome = 'passed' | 'not_self' | 'liveness_failed';
export const SANDBOX_OUTCOMES: Record<SandboxOutcome, string> = {
  passed: '模拟刷脸成功',
  not_self: '模拟刷脸失败（非本人）',
  liveness_failed: '模拟活体检测失败',
};

export type SandboxSession = typeof sandboxFaceid.$inferSelect;

/** The text result for each simulated outcome, with Tencent's own result codes and messages. */
function textFor(s: SandboxSession, now: Date): DetectInfoText & Record<string, unknown> {
  const base = { Name: s.name, IdCard: s.idCard, Extra: s.extra, UseIDType: 0, Mobile: '', LivenessMode: 1, Location: null };
  switch (s.outcome) {
    case 'passed':
      return { ...base, ErrCode: 0, ErrMsg: '成功', LiveStatus: 0, LiveMsg: '成功', Comparestatus: 0, Comparemsg: '成功', Sim: '96.18' };
    case 'not_self':
      return {
        ...base,
        ErrCode: 2016,
        ErrMsg: '无法判断为同一人，请确认身份后重试（相似度未达到通过阈值）',
        LiveStatus: 0,
        LiveMsg: '成功',
        Comparestatus: 2016,
        Comparemsg: '无法判断为同一人，请确认身份后重试（相似度未达到通过阈值）',
        Sim: '38.02',
      };
    case 'liveness_failed':
      return {
        ...base,
        ErrCode: 1002,
        ErrMsg: '疑似非真人录制',
        LiveStatus: 1002,
        LiveMsg: '疑似非真人录制',
        Comparestatus: null,
        Comparemsg: null,
        Sim: null,
      };
    default:
      // Not finished: before the page expires Tencent has no result yet (fields null); after, 15 = Token 过期.
      return s.expiresAt <= now
        ? {
            ...base,
            ErrCode: 15,
            ErrMsg: 'Token 过期，请重试',
            LiveStatus: null,
            LiveMsg: null,
            Comparestatus: null,
            Comparemsg: null,
            Sim: null,
          }
        : { ErrCode: null, ErrMsg: null, Name: null, IdCard: null, LiveStatus: null, LiveMsg: null, Comparestatus: null, Sim: null };
  }
}

export interface GatewayRequest {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function sandboxFaceidGateway(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  type Reply = { status: number; body: unknown };
  type Fail = (Code: string, Message: string) => Reply;
  type Ok = (data: Record<string, unknown>) => Reply;
  type Str = (k: string) => string | undefined;

  async function handle(req: GatewayRequest): Promise<Reply> {
    const requestId = randomUUID();
    const fail: Fail = (Code, Message) => ({
      status: 200,
      body: { Response: { Error: { Code, Message }, RequestId: requestId } },
    });
    const ok: Ok = (data) => ({ status: 200, body: { Response: { ...data, RequestId: requestId } } });
    const h: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) h[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
    const refused = refusal(h, req.body, fail);
    if (refused) return refused;

    let params: Record<string, unknown>;
    try {
      params = JSON.parse(req.body) as Record<string, unknown>;
      if (!params || typeof params !== 'object' || Array.isArray(params)) throw new Error('not an object');
    } catch {
      return fail('InvalidParameter', '请求体不是合法的 JSON 对象。');
    }
    const str: Str = (k) => (typeof params[k] === 'string' ? (params[k] as string) : undefined);
    const now = clock.now();
    switch (h['x-tc-action']) {
      case 'DetectAuth':
        return detectAuth(str, now, ok, fail);
      case 'GetDetectInfoEnhanced':
        return getDetectInfo(str, now, ok, fail);
      default:
        return fail('InvalidAction', '接口不存在。');
    }
  }

  /** The signature (TC3-HMAC-SHA256) and its time, the content type and the version, refused as Tencent Cloud does. */
  function refusal(h: Record<string, string>, body: string, fail: Fail): Reply | undefined {
    const auth = parseTc3Authorization(h.authorization);
    if (!auth) return fail('AuthFailure.InvalidAuthorization', 'Authorization 不符合腾讯云 API 3.0 签名方法 v3 的格式。');
    const ts = Number(h['x-tc-timestamp']);
    if (!/^\d{1,12}$/.test(h['x-tc-timestamp'] ?? '') || Math.abs(ts - clock.now().getTime() / 1000) > MAX_SKEW_SECONDS)
      return fail('AuthFailure.SignatureExpire', '签名过期。Timestamp 和服务器时间相差不得超过五分钟，请检查本地时间是否和标准时间同步。');
    if (auth.secretId !== SANDBOX_FACEID.secretId)
      return fail('AuthFailure.SecretIdNotFound', '密钥不存在，请在控制台检查密钥是否已被删除或者禁用。');
    const signedNames = auth.signedHeaders;
    const complete = signedNames.includes('content-type') && signedNames.includes('host') && signedNames.every((n) => h[n] !== undefined);
    const expected =
      complete && auth.date === tc3Date(ts) && auth.service === FACEID_SERVICE
        ? tc3Sign({
            secretId: auth.secretId,
            secretKey: SANDBOX_FACEID.secretKey,
            service: FACEID_SERVICE,
            timestamp: ts,
            headers: Object.fromEntries(signedNames.map((n) => [n, h[n]!])),
            payload: body,
          }).signature
        : '';
    if (!expected || !safeEqual(auth.signature, expected))
      return fail('AuthFailure.SignatureFailure', '请求签名验证失败，请检查您的签名计算是否正确。');
    if (!/^application\/json/i.test(h['content-type'] ?? '')) return fail('InvalidParameter', 'Content-Type 须为 application/json。');
    if (h['x-tc-version'] !== FACEID_VERSION) return fail('NoSuchVersion', '请求的版本不存在。');

    return undefined;
  }

  /** DetectAuth: a new verification for a name and ID number, and the H5 page's address. */
  async function detectAuth(str: Str, now: Date, ok: Ok, fail: Fail): Promise<Reply> {
    if (str('RuleId') !== SANDBOX_FACEID.ruleId)
      return fail('InvalidParameterValue.RuleIdNotExist', 'RuleId 不存在，请到人脸核身控制台申请。');
    const name = str('Name')?.trim();
    const idCard = normalizeIdNumber(str('IdCard') ?? '');
    const redirectUrl = str('RedirectUrl') ?? '';
    if (!name || !idCard) return fail('MissingParameter', '本业务流程须传入 Name 和 IdCard。');
    if (name.length > 32) return fail('InvalidParameterValue', 'Name 最长 32 位。');
    if (idNumberProblem(idCard, now)) return fail('InvalidParameterValue', 'IdCard 不是有效的居民身份证号码。');
    if (!/^https?:\/\//.test(redirectUrl) || redirectUrl.length > 1024 || !URL.canParse(redirectUrl))
      return fail('InvalidParameterValue', 'RedirectUrl 须以 http:// 或 https:// 开头，最长 1024 位。');
    const bizToken = randomUUID().toUpperCase();
    await db.insert(sandboxFaceid).values({
      bizToken,
      ruleId: SANDBOX_FACEID.ruleId,
      name,
      idCard,
      redirectUrl,
      extra: str('Extra') ?? null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + H5_TTL_MS),
    });
    // The page is served by the same server the phone comes back to, so it lives on RedirectUrl's origin.
    const url = new URL(SANDBOX_H5_PATH, redirectUrl);
    url.searchParams.set('BizToken', bizToken);
    return ok({ Url: url.toString(), BizToken: bizToken });
  }

  /** GetDetectInfoEnhanced: the result of a verification by its BizToken. */
  async function getDetectInfo(str: Str, now: Date, ok: Ok, fail: Fail): Promise<Reply> {
    const bizToken = str('BizToken') ?? '';
    const [s] = bizToken ? await db.select().from(sandboxFaceid).where(eq(sandboxFaceid.bizToken, bizToken)) : [];
    if (!s) return fail('InvalidParameterValue.BizTokenIllegal', 'BizToken 不合法。');
    if (str('RuleId') !== s.ruleId) return fail('InvalidParameterValue.RuleIdNotExist', 'RuleId 不存在，请到人脸核身控制台申请。');
    if (now.getTime() - s.createdAt.getTime() > RESULT_TTL_MS) return fail('InvalidParameterValue.BizTokenExpired', 'BizToken 已过期。');
    const infoType = str('InfoType') ?? '0';
    const wantText = infoType === '0' || infoType.includes('1');
    return ok({
      Text: wantText ? textFor(s, now) : null,
      IdCardData: null,
      BestFrame: null,
      VideoData: null,
      Encryption: null,
      IntentionVerifyData: null,
      IntentionQuestionResult: null,
      IntentionActionResult: null,
      EncryptedBody: '',
    });
  }

  async function session(bizToken: string): Promise<SandboxSession | undefined> {
    if (!bizToken || bizToken.length > 64) return undefined;
    const [s] = await db.select().from(sandboxFaceid).where(eq(sandboxFaceid.bizToken, bizToken));
    return s;
  }

  return {
    handle,
    /** The in-process transport: the request goes straight to `handle`, headers and bytes as signed. */
    transport: (async ({ headers, body }) => handle({ headers, body })) satisfies FaceTransport,
    session,
    /**
     * The tester's choice on the liveness page, recorded once (compare-and-set: a second click, or a second
     * instance, changes nothing). Returns where to send the phone: RedirectUrl + token=<BizToken>.
     */
    async complete(bizToken: string, outcome: SandboxOutcome): Promise<{ ok: boolean; session?: SandboxSession }> {
      const now = clock.now();
      const [done] = await db
        .update(sandboxFaceid)
        .set({ outcome, completedAt: now })
        .where(and(eq(sandboxFaceid.bizToken, bizToken), isNull(sandboxFaceid.outcome), gt(sandboxFaceid.expiresAt, now)))
        .returning();
      if (done) return { ok: true, session: done };
      return { ok: false, session: await session(bizToken) };
    },
  };
}

/** RedirectUrl with the BizToken appended, as Tencent's H5 page does when it is finished. */
export function returnUrl(s: Pick<SandboxSession, 'redirectUrl' | 'bizToken'>): string {
  const u = new URL(s.redirectUrl);
  u.searchParams.set('token', s.bizToken);
  return u.toString();
}
