/**
 * Tencent Cloud 人脸核身 (FaceID), the H5 flow, over API 3.0 (host faceid.tencentcloudapi.com, service
 * faceid, version 2018-03-01), signed with TC3-HMAC-SHA256 (tc3.ts):
 *
 *   DetectAuth {RuleId, IdCard, Name, RedirectUrl, Extra} → {Url, BizToken, RequestId}
 *     The phone is sent to Url; Tencent runs liveness and compares the face with the authoritative photo of
 *     IdCard/Name, then redirects to RedirectUrl with the BizToken appended (…?token=<BizToken>).
 *   GetDetectInfoEnhanced {BizToken, RuleId, InfoType} → {Text: {ErrCode (0 = passed), ErrMsg, Name, IdCard,
 *     LiveStatus, LiveMsg, Comparestatus, Comparemsg, Sim, …}, RequestId}
 *     We ask for InfoType "1" (text only) rather than "0" (everything): "0" also returns the ID-card images,
 *     the best video frame and the liveness video — biometric data (敏感个人信息 under PIPL art. 28) that we
 *     have no use for and so must not collect.
 *
 * Every answer is {"Response": {...}}; a failure is {"Response": {"Error": {Code, Message}, RequestId}},
 * usually with HTTP 200. The transport is injected: HTTPS to Tencent, or the sandbox gateway in-process.
 */
import { describeError } from '../../logging.js';
import { FaceError, type FaceCheckResult, type FaceVerifier } from './port.js';
import { tc3Sign } from './tc3.js';

export const FACEID_ENDPOINT = 'https://faceid.tencentcloudapi.com/';
export const FACEID_SERVICE = 'faceid';
export const FACEID_VERSION = '2018-03-01';
const CONTENT_TYPE = 'application/json; charset=utf-8';

export interface FaceTransportRequest {
  url: string;
  /** As sent, including Host (an HTTP client sets Host from the URL, which is the same value). */
  headers: Record<string, string>;
  body: string;
}
export type FaceTransport = (req: FaceTransportRequest) => Promise<{ status: number; body: unknown }>;

export interface TencentCloudOptions {
  secretId: string;
  secretKey: string;
  endpoint?: string;
  transport: FaceTransport;
  now?: () => Date;
}

interface TencentResponse {
  Response?: Record<string, unknown> & { Error?: { Code?: string; Message?: string }; RequestId?: string };
}

/** Codes worth trying again later (Tencent's common error codes for outages and throttling). */
const RETRYABLE = /^(InternalError|RequestLimitExceeded|ResourceUnavailable|ResourceInsufficient|FailedOperation\.(UnKnown|Unknown))/;

/** One signed API 3.0 call: the request signing and the answer's envelope, nothing FaceID-specific. */
export function tencentCloudCall(opts: TencentCloudOptions) {
  const endpoint = opts.endpoint ?? FACEID_ENDPOINT;
  const host = new URL(endpoint).host;
  const now = opts.now ?? (() => new Date());
  return async (action: string, params: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const body = JSON.stringify(params);
    const timestamp = Math.floor(now().getTime() / 1000);
    // The action is signed too (a custom signed header), so a captured request cannot be replayed as another action.
    const signed = { 'Content-Type': CONTENT_TYPE, Host: host, 'X-TC-Action': action };
    const { authorization } = tc3Sign({
      secretId: opts.secretId,
      secretKey: opts.secretKey,
      service: FACEID_SERVICE,
      timestamp,
      headers: signed,
      payload: body,
    });
    const headers = {
      ...signed,
      Authorization: authorization,
      'X-TC-Timestamp': String(timestamp),
      'X-TC-Version': FACEID_VERSION,
    };
    let res: { status: number; body: unknown };
    try {
      res = await opts.transport({ url: endpoint, headers, body });
    } catch (e) {
      // describeError: the in-process sandbox's failed query would put the request (an ID number) in the message.
      throw new FaceError(`transport: ${describeError(e)}`, true, '', { cause: e });
    }
    const r = (res.body as TencentResponse | undefined)?.Response;
    if (res.status !== 200 || !r) {
      const text = r?.Error ? `${r.Error.Code ?? ''} ${r.Error.Message ?? ''}` : '';
      throw new FaceError(`tencent ${action} HTTP ${res.status} ${text}`.trim(), res.status >= 500 || res.status === 429, r?.Error?.Code);
    }
    if (r.Error) {
      const code = r.Error.Code ?? 'Unknown';
      throw new FaceError(`tencent ${action} ${code} ${r.Error.Message ?? ''}`.trim(), RETRYABLE.test(code), code);
    }
    return r;
  };
}

export interface DetectInfoText {
  ErrCode?: number | null;
  ErrMsg?: string | null;
  Name?: string | null;
  IdCard?: string | null;
  LiveStatus?: number | null;
  LiveMsg?: string | null;
  Comparestatus?: number | null;
  Comparemsg?: string | null;
  Sim?: string | null;
  Extra?: string | null;
}

/**
 * What a finished check's text result means. ErrCode 0 = the whole flow passed (liveness and comparison);
 * null or 17 (本次流程未完成) = not finished yet. Everything else failed, and ErrMsg says why in Chinese
 * (Tencent's result-code table, e.g. 1002 疑似非真人录制, 2016 相似度未达到通过阈值).
 */
export function interpretDetectInfo(text: DetectInfoText | null | undefined): FaceCheckResult {
  const code = text?.ErrCode;
  if (code === null || code === undefined || code === 17) return { state: 'incomplete' };
  if (code === 0) {
    if (!text?.Name || !text.IdCard) return { state: 'failed', code: 'NoIdentity', reason: '核验结果缺少身份信息，请重新核验' };
    return { state: 'passed', name: text.Name, idNumber: text.IdCard };
  }
  const msg = text?.ErrMsg?.trim();
  return { state: 'failed', code: String(code), reason: msg ? msg : failureText(code) };
}

function failureText(code: number): string {
  if (code === 15) return '核验已超时，请重新开始';
  if (code === 16) return '已达到重试上限';
  if (code >= 1000 && code < 2000) return '活体检测未通过，请重试';
  if (code >= 2000 && code < 3000) return '人脸比对未通过，请确认是法定代表人本人';
  return `人脸核身未通过（错误码 ${code}）`;
}

export interface TencentFaceOptions extends TencentCloudOptions {
  ruleId: string;
  /** 'sandbox' when the transport is the sandbox gateway. */
  name?: 'tencent' | 'sandbox';
}

export function tencentFaceVerifier(opts: TencentFaceOptions): FaceVerifier {
  const call = tencentCloudCall(opts);
  return {
    name: opts.name ?? 'tencent',
    async start(input) {
      const r = await call('DetectAuth', {
        RuleId: opts.ruleId,
        IdCard: input.idNumber,
        Name: input.name,
        RedirectUrl: input.redirectUrl,
        ...(input.extra ? { Extra: input.extra } : {}),
      });
      if (typeof r.Url !== 'string' || typeof r.BizToken !== 'string' || !r.Url || !r.BizToken)
        throw new FaceError('tencent DetectAuth: answer without Url or BizToken', false);
      return { bizToken: r.BizToken, url: r.Url };
    },
    async result(bizToken) {
      let r: Record<string, unknown>;
      try {
        r = await call('GetDetectInfoEnhanced', { BizToken: bizToken, RuleId: opts.ruleId, InfoType: '1' });
      } catch (e) {
        // An expired BizToken is an answer about this check, not an outage: the check is over.
        if (e instanceof FaceError && e.code === 'InvalidParameterValue.BizTokenExpired')
          return { state: 'failed', code: e.code, reason: '核验已过期，请重新开始' };
        throw e;
      }
      return interpretDetectInfo(r.Text as DetectInfoText | null | undefined);
    },
  };
}

/** The HTTPS transport: POST the signed JSON; Host comes from the URL, the value that was signed. */
export function httpFaceTransport(timeoutMs = 10_000): FaceTransport {
  return async ({ url, headers, body }) => {
    const send = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'host'));
    const res = await fetch(url, { method: 'POST', headers: send, body, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { Response: { Error: { Code: 'BadResponse', Message: text.slice(0, 200) } } };
    }
    return { status: res.status, body: parsed };
  };
}
