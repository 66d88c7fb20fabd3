import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRL_REASON } from '../crl/build.js';
import { readTlv } from '../der/der.js';
import type { KeyAlgorithm } from '../signer/port.js';
import { verifySignature } from '../signer/software.js';
import { makeTestPki, openssl, opensslVerifySm2, splitSigned, tempDir, type TestPki } from '../testing/fixtures.js';
import { gmssl } from '../testing/oracles.js';
import { decodeOcspGetPath, OcspRequestError, parseOcspRequest } from './request.js';
import { buildOcspResponse, certIdMatches, ocspErrorResponse, type OcspSingleResponse } from './response.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const revokedAt = new Date('2026-11-20T03:04:05Z');

beforeAll(async () => {
  tmp = await tempDir('certdesk-ocsp-');
});
afterAll(() => tmp?.cleanup());

/** A responder for one test PKI on a loopback port: parse, check the issuer, look the serial up, sign. */
async function startResponder(pki: TestPki, files: Record<string, string>) {
  const status = new Map<string, { status: 'good' | 'revoked'; revokedAt?: Date; reason?: number }>();
  const seen: { method: string; body: Uint8Array }[] = [];
  const state = { signer: pki.responder.signer };
  for (const name of ['good', 'revoked', 'revokedNoReason', 'unknown']) {
    const leaf = await pki.issueLeaf({ cn: name });
    files[name] = await tmp.file(`${pki.algorithm}-${name}.pem`, leaf.pem);
    if (name === 'good') status.set(hex(leaf.serial), { status: 'good' });
    if (name === 'revoked') status.set(hex(leaf.serial), { status: 'revoked', revokedAt, reason: CRL_REASON.keyCompromise });
    if (name === 'revokedNoReason') status.set(hex(leaf.serial), { status: 'revoked', revokedAt });
  }
  async function answer(der: Uint8Array): Promise<Uint8Array> {
    let req;
    try {
      req = parseOcspRequest(der);
    } catch (e) {
      if (e instanceof OcspRequestError) return ocspErrorResponse('malformedRequest');
      return ocspErrorResponse('internalError');
    }
    const issuer = { nameDer: pki.issuing.nameDer, spkiKeyBytes: pki.issuing.spkiKeyBytes };
    if (!req.certIds.every((c) => certIdMatches(c, issuer))) return ocspErrorResponse('unauthorized');
    const now = new Date();
    const responses: OcspSingleResponse[] = req.certIds.map((certId) => {
      const s = status.get(hex(certId.serial));
      return {
        certId,
        status: s?.status ?? 'unknown',
        revokedAt: s?.revokedAt,
        reason: s?.reason,
        thisUpdate: new Date(now.getTime() - 60_000),
        nextUpdate: new Date(now.getTime() + 86400_000),
      };
    });
    return buildOcspResponse({
      responderCertDer: pki.responder.der,
      responderNameDer: pki.responder.nameDer,
      signer: state.signer,
      producedAt: now,
      responses,
      nonce: req.nonce,
    });
  }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = req.method === 'GET' ? decodeOcspGetPath(req.url ?? '') : new Uint8Array(Buffer.concat(chunks));
      void answer(body).then((der) => {
        seen.push({ method: req.method ?? '', body: der });
        res.writeHead(200, { 'content-type': 'application/ocsp-response', 'content-length': der.length });
        res.end(der);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { server, url, status, seen, state, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe.each<KeyAlgorithm>(['ecdsa-p256', 'sm2', 'rsa-2048'])('OCSP over HTTP (%s), checked with openssl ocsp', (alg) => {
  let pki: TestPki;
  let responder: Awaited<ReturnType<typeof startResponder>>;
  let url: string;
  const files: Record<string, string> = {};
  // OpenSSL 3.0's OCSP_basic_verify checks SM2 signatures with the empty ID and `openssl ocsp` has no -vfyopt,
  // so it cannot verify a GM/T 0009 (standard-ID) SM2 response. For SM2 openssl still builds the request and
  // reads the answer (-noverify: status, nonce, CertIDs), and GmSSL master's ocspverify — what Chinese relying
  // parties run — verifies the signature, the responder's delegation by the issuing CA and the CertIDs
  // against the request. ECDSA and RSA are verified by openssl itself.
  const trust = () => (alg === 'sm2' ? ['-noverify'] : ['-CAfile', files.root!]);
  let asked = 0;
  /** The response's signature verdict: openssl's "Response verify OK", or for SM2 GmSSL's (it names a status other than good). */
  async function verify(r: { out: string; req?: string; resp?: string }): Promise<void> {
    if (alg !== 'sm2') return void expect(r.out).toContain('Response verify OK');
    const v = await gmssl('master', [
      'ocspverify',
      '-reqin',
      r.req!,
      '-respin',
      r.resp!,
      '-cacert',
      files.issuing!,
      '-signer',
      files.responder!,
    ]);
    // 0 for good; for revoked/unknown GmSSL verifies the signature first, then says "Verification failure: <status>".
    expect(v.code === 0 || /^Verification failure: (revoked|unknown)$/m.test(v.out), v.out).toBe(true);
  }
  beforeAll(async () => {
    pki = await makeTestPki(alg);
    files.root = await tmp.file(`${alg}-root.pem`, pki.root.pem);
    files.issuing = await tmp.file(`${alg}-issuing.pem`, pki.issuing.pem);
    files.other = await tmp.file(`${alg}-other.pem`, pki.other.pem);
    files.responder = await tmp.file(`${alg}-responder.pem`, pki.responder.pem);
    responder = await startResponder(pki, files);
    url = responder.url;
  });
  afterAll(() => responder?.close());

  const ocsp = async (cert: string, ...extra: string[]) => {
    const req = `${tmp.dir}/${alg}-asked-${++asked}.req`;
    const resp = `${tmp.dir}/${alg}-asked-${asked}.resp`;
    const r = await openssl([
      'ocsp', '-issuer', files.issuing!, '-cert', files[cert]!, '-url', url, ...trust(), '-resp_text', '-reqout', req, '-respout', resp, ...extra,
    ]); // prettier-ignore
    return { ...r, req, resp };
  };

  it('good, with the nonce echoed', async () => {
    const r = await ocsp('good');
    const { code, out } = r;
    expect(code, out).toBe(0);
    await verify(r);
    expect(out).toMatch(/good\.pem: good/);
    expect(out).toMatch(/OCSP Nonce:\s+04[0-9A-F]{2}/);
    expect(out).not.toMatch(/WARNING|nonce.*(error|missing)/i);
    expect(out).toContain(`Responder Id: C = CN, O = CertDesk Test, CN = CertDesk Test OCSP Responder ${alg}`); // byName (GmSSL master refuses byKey)
    expect(out).toContain('Cert Status: good');
    expect(out).toContain(`CertDesk Test OCSP Responder ${alg}`); // certs carries the responder certificate
  });

  it('good without a nonce (-no_nonce): none in the response', async () => {
    const r = await ocsp('good', '-no_nonce');
    const { code, out } = r;
    expect(code, out).toBe(0);
    await verify(r);
    expect(out).toMatch(/good\.pem: good/);
    expect(out).not.toContain('OCSP Nonce');
  });

  it('revoked with time and reason; revoked without a reason', async () => {
    const r = await ocsp('revoked');
    expect(r.code, r.out).toBe(0);
    await verify(r);
    expect(r.out).toMatch(
      /revoked\.pem: revoked\s+This Update: .*\s+Next Update: .*\s+Reason: keyCompromise\s+Revocation Time: Nov 20 03:04:05 2026 GMT/,
    );
    const n = await ocsp('revokedNoReason', '-no_nonce');
    await verify(n);
    expect(n.out).toMatch(/revokedNoReason\.pem: revoked\s+This Update: .*\s+Next Update: .*\s+Revocation Time: Nov 20 03:04:05 2026 GMT/);
    expect(n.out).not.toMatch(/revokedNoReason\.pem: revoked[\s\S]*Reason:/);
  });

  it('unknown for a serial the CA never issued (never good)', async () => {
    const r = await ocsp('unknown');
    const { code, out } = r;
    expect(code, out).toBe(0);
    await verify(r);
    expect(out).toMatch(/unknown\.pem: unknown/);
  });

  it('several CertIDs in one request, SHA-256 CertIDs', async () => {
    const req = `${tmp.dir}/${alg}-many.req`;
    const resp = `${tmp.dir}/${alg}-many.resp`;
    const many = await openssl([
      'ocsp', '-issuer', files.issuing!, '-sha256', '-cert', files.good!, '-cert', files.revoked!, '-cert', files.unknown!,
      '-url', url, ...trust(), '-req_text', '-reqout', req, '-respout', resp,
    ]); // prettier-ignore
    await verify({ ...many, req, resp });
    expect(many.out).toMatch(/good\.pem: good[\s\S]*revoked\.pem: revoked[\s\S]*unknown\.pem: unknown/);
    expect(many.out).toContain('Hash Algorithm: sha256');
  });

  it('a request about another issuer is answered unauthorized', async () => {
    const { out } = await openssl(['ocsp', '-issuer', files.other!, '-cert', files.good!, '-url', url, ...trust()]);
    expect(out).toMatch(/Responder Error: unauthorized \(6\)/);
  });

  it('GET (RFC 6960 A.1): base64 in the path, %2F-escaped or not; openssl verifies the response', async () => {
    const reqFile = `${tmp.dir}/${alg}-get-req.der`;
    const made = await openssl(['ocsp', '-issuer', files.issuing!, '-cert', files.revoked!, '-reqout', reqFile, '-no_nonce']);
    expect(made.code, made.out).toBe(0);
    const { readFile, writeFile } = await import('node:fs/promises');
    const reqDer = await readFile(reqFile);
    const b64 = reqDer.toString('base64');
    for (const path of [encodeURIComponent(b64), b64]) {
      const res = await fetch(url + path);
      expect(res.status).toBe(200);
      const respFile = `${tmp.dir}/${alg}-get-resp.der`;
      await writeFile(respFile, Buffer.from(await res.arrayBuffer()));
      const v = await openssl([
        'ocsp',
        '-respin',
        respFile,
        '-reqin',
        reqFile,
        '-issuer',
        files.issuing!,
        '-cert',
        files.revoked!,
        ...trust(),
      ]);
      await verify({ out: v.out, req: reqFile, resp: respFile });
      expect(v.out).toMatch(/revoked\.pem: revoked/);
    }
    expect(responder.seen.some((s) => s.method === 'GET')).toBe(true);
  });

  it('garbage is answered malformedRequest (unsigned, 5 bytes)', async () => {
    const res = await fetch(url, { method: 'POST', body: new Uint8Array([0x30, 0x05, 0x01]) });
    expect(Buffer.from(await res.arrayBuffer()).toString('hex')).toBe('30030a0101');
    const f = await tmp.file(`${alg}-err.der`, ocspErrorResponse('tryLater'));
    const { out } = await openssl(['ocsp', '-respin', f, '-resp_text', '-noverify']);
    expect(out).toMatch(/Responder Error: trylater \(3\)/i);
  });

  it.runIf(alg === 'sm2')('SM2: the response is signed under the standard ID (openssl pkeyutl distid, SM2 verifier)', async () => {
    const reqFile = `${tmp.dir}/${alg}-std-req.der`;
    await openssl(['ocsp', '-issuer', files.issuing!, '-cert', files.revoked!, '-reqout', reqFile]);
    const { readFile, writeFile } = await import('node:fs/promises');
    const res = await fetch(url, { method: 'POST', body: await readFile(reqFile) });
    const der = new Uint8Array(await res.arrayBuffer());
    const respFile = `${tmp.dir}/${alg}-std-resp.der`;
    await writeFile(respFile, der);
    // Structure: openssl parses it (status, nonce, byName, the SM2-with-SM3 algorithm, the responder certificate).
    const text = await openssl(['ocsp', '-respin', respFile, '-resp_text', '-noverify']);
    expect(text.out).toContain('Signature Algorithm: SM2-with-SM3');
    expect(text.out).toContain('Cert Status: revoked');
    expect(text.out).toContain('OCSP Nonce');
    // Signature: BasicOCSPResponse = OCTET STRING contents of responseBytes.response.
    const basic = basicResponseOf(der);
    const parsed = await openssl(['asn1parse', '-inform', 'DER', '-in', await tmp.file(`${alg}-basic.der`, basic)]);
    expect(parsed.code, parsed.out).toBe(0);
    expect(parsed.out).toMatch(/cont \[ 1 \][\s\S]*prim: OBJECT\s+:commonName[\s\S]*GENERALIZEDTIME[\s\S]*prim: OBJECT\s+:SM2-with-SM3/);
    const { tbs, signature } = splitSigned(basic);
    expect(verifySignature(pki.responder.key.publicKeySpki, 'sm2', tbs, signature)).toBe(true);
    expect(await opensslVerifySm2(pki.responder.key.publicKeySpki, tbs, signature, tmp.dir)).toBe(true);
    // The responder certificate's own signature (by the issuing CA, standard ID) as openssl verify checks it.
    const chain = await openssl([
      'verify',
      '-vfyopt',
      'distid:1234567812345678',
      '-partial_chain',
      '-CAfile',
      files.issuing!,
      files.responder!,
    ]);
    expect(chain.out).toContain(': OK');
    // What openssl ocsp itself says about a standard-ID SM2 response (OpenSSL 3.0: it verifies with the empty ID).
    const v = await openssl(['ocsp', '-respin', respFile, '-VAfile', files.responder!]);
    expect(v.out).toMatch(/Response Verify Failure|signature failure/i);
  });
});

/** responseBytes.response's contents: OCSPResponse { status, [0] { SEQUENCE { OID, OCTET STRING } } }. */
function basicResponseOf(der: Uint8Array): Uint8Array {
  const outer = readTlv(der, 0);
  const status = readTlv(der, outer.start);
  const wrap = readTlv(der, status.end);
  const bytes = readTlv(der, wrap.start);
  const type = readTlv(der, bytes.start);
  const octets = readTlv(der, type.end);
  return der.subarray(octets.start, octets.end);
}

describe('parseOcspRequest', () => {
  let pki: TestPki;
  const files: Record<string, string> = {};
  const status = new Map<string, string>();
  beforeAll(async () => {
    pki = await makeTestPki('ecdsa-p256');
    files.issuing = await tmp.file('parse-issuing.pem', pki.issuing.pem);
    for (const name of ['good', 'revoked']) {
      const leaf = await pki.issueLeaf({ cn: name });
      files[name] = await tmp.file(`parse-${name}.pem`, leaf.pem);
      status.set(hex(leaf.serial), name);
    }
  });

  it('reads CertIDs and the nonce from an openssl request, keeping the CertID bytes', async () => {
    const reqFile = `${tmp.dir}/parse-req.der`;
    await openssl(['ocsp', '-issuer', files.issuing!, '-cert', files.good!, '-cert', files.revoked!, '-reqout', reqFile]);
    const { readFile } = await import('node:fs/promises');
    const der = new Uint8Array(await readFile(reqFile));
    const req = parseOcspRequest(der);
    expect(req.certIds).toHaveLength(2);
    expect(req.certIds[0]!.hashAlgorithm).toBe('1.3.14.3.2.26');
    expect(req.certIds[0]!.issuerNameHash).toHaveLength(20);
    expect(status.get(hex(req.certIds[0]!.serial))).toBe('good');
    expect(status.get(hex(req.certIds[1]!.serial))).toBe('revoked');
    expect(hex(der)).toContain(hex(req.certIds[0]!.der));
    expect(req.nonce?.[0]).toBe(0x04); // Nonce ::= OCTET STRING inside extnValue
    expect(req.nonce).toHaveLength(18); // openssl's default: 16 random octets
    expect(certIdMatches(req.certIds[0]!, { nameDer: pki.issuing.nameDer, spkiKeyBytes: pki.issuing.spkiKeyBytes })).toBe(true);
    expect(certIdMatches(req.certIds[0]!, { nameDer: pki.other.nameDer, spkiKeyBytes: pki.other.spkiKeyBytes })).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['not a SEQUENCE', '020100'],
    ['truncated', '3010300e'],
    ['trailing bytes', '30023000' + '00'],
    ['empty requestList', '300430023000'],
    ['CertID without serial', '301a30183016301430120607' + '2b0e03021a0500' + '0400' + '0400'],
    ['huge length', '3084ffffffff'],
  ])('refuses %s with a clear error', (_name, h) => {
    expect(() => parseOcspRequest(Buffer.from(h, 'hex'))).toThrow(OcspRequestError);
  });

  it('refuses a nonce over 32 octets (RFC 8954)', async () => {
    const reqFile = `${tmp.dir}/long-nonce.der`;
    const r = await openssl(['ocsp', '-issuer', files.issuing!, '-cert', files.good!, '-reqout', reqFile, '-nonce', '-no_nonce']);
    expect(r.code, r.out).toBe(0);
    // Hand-build: one SHA-1 CertID from the previous request plus a 33-octet nonce.
    const { readFile } = await import('node:fs/promises');
    const base = parseOcspRequest(new Uint8Array(await readFile(reqFile)));
    const { sequence, explicit, octetString, oid } = await import('../der/der.js');
    const build = (n: number) =>
      sequence(
        sequence(
          sequence(sequence(base.certIds[0]!.der)),
          explicit(2, sequence(sequence(oid('1.3.6.1.5.5.7.48.1.2'), octetString(octetString(new Uint8Array(n)))))),
        ),
      );
    expect(parseOcspRequest(build(32)).nonce).toHaveLength(34);
    expect(() => parseOcspRequest(build(33))).toThrow(/32 octets/);
    expect(() => parseOcspRequest(build(0))).toThrow(/32 octets/);
  });

  it('decodeOcspGetPath accepts escaped and unescaped base64 and refuses junk', () => {
    const der = Uint8Array.of(0x30, 0xfb, 0xff, 0x3e);
    const b64 = Buffer.from(der).toString('base64'); // contains '+' and '/'
    expect(b64).toMatch(/[+/]/);
    expect(hex(decodeOcspGetPath(encodeURIComponent(b64)))).toBe(hex(der));
    expect(hex(decodeOcspGetPath(b64))).toBe(hex(der));
    expect(hex(decodeOcspGetPath('/' + b64.replace('/', '%2f')))).toBe(hex(der));
    expect(() => decodeOcspGetPath('%E0%A4%A')).toThrow(OcspRequestError);
    expect(() => decodeOcspGetPath('!!!')).toThrow(OcspRequestError);
    expect(() => decodeOcspGetPath('')).toThrow(OcspRequestError);
  });
});
