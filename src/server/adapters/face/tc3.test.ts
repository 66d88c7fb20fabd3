/**
 * TC3-HMAC-SHA256 against Tencent's published worked example and against an independent step-by-step
 * computation written here from Tencent's "签名方法 v3" page, sharing nothing with the code under test.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseTc3Authorization, tc3Date, tc3Sign } from './tc3.js';

/** Step by step, exactly as the documentation lists the steps. */
function reference(r: {
  secretId: string;
  secretKey: string;
  service: string;
  timestamp: number;
  headers: [string, string][];
  payload: string;
}) {
  // 1. CanonicalRequest. Header names and values lower-case and trimmed, sorted by name.
  const hdrs = r.headers.map(([k, v]) => [k.toLowerCase(), v.trim().toLowerCase()]).sort((a, b) => a[0]!.localeCompare(b[0]!, 'en'));
  let canonicalHeaders = '';
  for (const [k, v] of hdrs) canonicalHeaders += k + ':' + v + '\n';
  const signedHeaders = hdrs.map(([k]) => k).join(';');
  const hashedPayload = createHash('sha256').update(Buffer.from(r.payload, 'utf8')).digest('hex').toLowerCase();
  const canonicalRequest = 'POST' + '\n' + '/' + '\n' + '' + '\n' + canonicalHeaders + '\n' + signedHeaders + '\n' + hashedPayload;
  // 2. StringToSign. The date is the UTC date of the timestamp.
  const d = new Date(r.timestamp * 1000);
  const date = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
  const credentialScope = date + '/' + r.service + '/' + 'tc3_request';
  const hashedCanonicalRequest = createHash('sha256').update(Buffer.from(canonicalRequest, 'utf8')).digest('hex');
  const stringToSign = 'TC3-HMAC-SHA256' + '\n' + r.timestamp + '\n' + credentialScope + '\n' + hashedCanonicalRequest;
  // 3. Derived keys, then the signature.
  const secretDate = createHmac('sha256', Buffer.from('TC3' + r.secretKey, 'utf8'))
    .update(date)
    .digest();
  const secretService = createHmac('sha256', secretDate).update(r.service).digest();
  const secretSigning = createHmac('sha256', secretService).update('tc3_request').digest();
  const signature = createHmac('sha256', secretSigning).update(Buffer.from(stringToSign, 'utf8')).digest('hex');
  // 4. Authorization.
  const authorization =
    'TC3-HMAC-SHA256' +
    ' ' +
    'Credential=' +
    r.secretId +
    '/' +
    credentialScope +
    ', ' +
    'SignedHeaders=' +
    signedHeaders +
    ', ' +
    'Signature=' +
    signature;
  return { canonicalRequest, stringToSign, credentialScope, signature, authorization, hashedPayload, hashedCanonicalRequest };
}

describe('TC3-HMAC-SHA256', () => {
  it("reproduces Tencent's published example (CVM DescribeInstances, 2019-02-25)", () => {
    // The documentation's example: placeholder key, timestamp 1551113065 (2019-02-26 00:44:25 in UTC+8,
    // so the credential date must be the UTC day 2019-02-25), payload with \u escapes kept as written.
    const payload = String.raw`{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}`;
    const s = tc3Sign({
      secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
      secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
      service: 'cvm',
      timestamp: 1551113065,
      headers: { 'Content-Type': 'application/json; charset=utf-8', Host: 'cvm.tencentcloudapi.com' },
      payload,
    });
    expect(createHash('sha256').update(payload).digest('hex')).toBe('35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064');
    expect(s.canonicalRequest).toBe(
      'POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
    );
    expect(s.stringToSign).toBe(
      'TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031',
    );
    expect(s.signature).toBe('72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168');
    expect(s.authorization).toBe(
      'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
    );
  });

  const detectAuth = {
    secretId: 'AKIDtestFaceSecretId',
    secretKey: 'test/Face+Key=中 ',
    service: 'faceid',
    timestamp: Date.UTC(2026, 10, 21, 15, 59, 30) / 1000, // 2026-11-21 23:59:30 China time
    headers: [
      ['X-TC-Action', 'DetectAuth'],
      ['Host', 'faceid.tencentcloudapi.com'],
      ['Content-Type', ' application/json; charset=utf-8 '],
    ] as [string, string][],
    payload: JSON.stringify({ RuleId: '1', IdCard: '36010219700101123X', Name: '张三', RedirectUrl: 'https://ca.example/v/t/done' }),
  };

  it('signs a FaceID DetectAuth request exactly as the independent computation does', () => {
    const ref = reference(detectAuth);
    const s = tc3Sign({ ...detectAuth, headers: Object.fromEntries(detectAuth.headers) });
    expect(s.canonicalRequest).toBe(ref.canonicalRequest);
    expect(s.canonicalRequest.split('\n').slice(3, 7)).toEqual([
      'content-type:application/json; charset=utf-8',
      'host:faceid.tencentcloudapi.com',
      // Values are lower-cased too, as the documentation says.
      'x-tc-action:detectauth',
      '',
    ]);
    expect(s.credentialScope).toBe(ref.credentialScope);
    expect(s.stringToSign).toBe(ref.stringToSign);
    expect(s.signature).toBe(ref.signature);
    expect(s.authorization).toBe(ref.authorization);
    expect(s.signedHeaders).toBe('content-type;host;x-tc-action');
  });

  it('takes the credential date from the UTC day, not the China day', () => {
    // 2026-11-20 07:59:59 China time is still 2026-11-19 in UTC; one second later (08:00:00 China time)
    // the UTC day turns to 2026-11-20.
    const t = Date.UTC(2026, 10, 19, 23, 59, 59) / 1000;
    expect(tc3Date(t)).toBe('2026-11-19');
    expect(tc3Date(t + 1)).toBe('2026-11-20');
    const s = tc3Sign({ ...detectAuth, timestamp: t, headers: Object.fromEntries(detectAuth.headers) });
    expect(s.credentialScope).toBe('2026-11-19/faceid/tc3_request');
    expect(s.signature).toBe(reference({ ...detectAuth, timestamp: t }).signature);
  });

  it('covers every part of the request: changing any one changes the signature', () => {
    const base = { ...detectAuth, headers: Object.fromEntries(detectAuth.headers) };
    const sig = tc3Sign(base).signature;
    const variants = [
      { ...base, payload: base.payload.replace('张三', '李四') },
      { ...base, timestamp: base.timestamp + 1 },
      { ...base, secretKey: `${base.secretKey}x` },
      { ...base, service: 'cvm' },
      { ...base, headers: { ...base.headers, Host: 'faceid.ap-guangzhou.tencentcloudapi.com' } },
      { ...base, headers: { ...base.headers, 'X-TC-Action': 'GetDetectInfoEnhanced' } },
      { ...base, headers: { ...base.headers, 'Content-Type': 'application/json' } },
    ];
    for (const v of variants) expect(tc3Sign(v).signature).not.toBe(sig);
    // The SecretId is not part of the signature, only of the Authorization header.
    expect(tc3Sign({ ...base, secretId: 'other' }).signature).toBe(sig);
    // Header names' case and order do not matter.
    expect(
      tc3Sign({ ...base, headers: Object.fromEntries([...detectAuth.headers].reverse().map(([k, v]) => [k.toUpperCase(), v])) }).signature,
    ).toBe(sig);
  });

  it('reads an Authorization header back, and refuses anything else', () => {
    const s = tc3Sign({ ...detectAuth, headers: Object.fromEntries(detectAuth.headers) });
    expect(parseTc3Authorization(s.authorization)).toEqual({
      secretId: 'AKIDtestFaceSecretId',
      date: s.credentialScope.slice(0, 10),
      service: 'faceid',
      signedHeaders: ['content-type', 'host', 'x-tc-action'],
      signature: s.signature,
    });
    for (const bad of [
      undefined,
      '',
      'Bearer abc',
      s.authorization.replace('TC3-HMAC-SHA256', 'TC3-HMAC-SHA1'),
      s.authorization.replace('tc3_request', 'tc2_request'),
      s.authorization.replace(/Signature=[0-9a-f]+/, 'Signature=xyz'),
    ])
      expect(parseTc3Authorization(bad)).toBeNull();
  });
});
