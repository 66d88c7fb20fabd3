import { webcrypto } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTlv } from '../der/der.js';
import type { KeyAlgorithm } from '../signer/port.js';
import { verifySignature } from '../signer/software.js';
import { makeTestPki, openssl, opensslVerifySm2, splitSigned, tempDir, type TestPki } from '../testing/fixtures.js';
import { gmssl } from '../testing/oracles.js';
import {
  buildCrl,
  CRL_REASON,
  CrlEncoder,
  type BuildCrlInput,
  crlPem,
  crlShardUrl,
  shardCountFor,
  shardOf,
  type CrlEntry,
} from './build.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
const now = new Date();
const thisUpdate = new Date(Math.floor(now.getTime() / 1000) * 1000 - 60_000);
const nextUpdate = new Date(thisUpdate.getTime() + 7 * 86400_000);

beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(() => tmp?.cleanup());

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

describe.each<KeyAlgorithm>(['ecdsa-p256', 'sm2', 'rsa-2048'])('buildCrl (%s), checked with openssl', (alg) => {
  let pki: TestPki;
  let chainFile: string;
  // SM2 signatures carry the standard ID 1234567812345678 (GM/T 0009); openssl 3 needs to be told. Its
  // -vfyopt reaches only the target certificate, so an SM2 issuing CA signed by the root fails as an
  // intermediate (“certificate signature failure at depth 1”): the SM2 chain is checked in two steps, root →
  // issuing CA, then the issuing CA as the anchor (-partial_chain) for the leaf and its CRL.
  const vfy = alg === 'sm2' ? ['-vfyopt', 'distid:1234567812345678', '-partial_chain'] : [];
  beforeAll(async () => {
    pki = await makeTestPki(alg, now);
    chainFile = await tmp.file(`chain-${alg}.pem`, alg === 'sm2' ? `${pki.issuing.pem}\n` : `${pki.root.pem}\n${pki.issuing.pem}\n`);
    if (alg === 'sm2') {
      const rootFile = await tmp.file(`root-${alg}.pem`, pki.root.pem);
      const issuingFile = await tmp.file(`issuing-${alg}.pem`, pki.issuing.pem);
      expect((await openssl(['verify', '-vfyopt', 'distid:1234567812345678', '-CAfile', rootFile, issuingFile])).out).toContain(': OK');
    }
  });

  /**
   * The CRL as built; for SM2 its GM/T 0009 signature (standard ID) is also checked with openssl pkeyutl distid
   * and the SM2 verifier. OpenSSL 3.0's CRL path verifies SM2 CRL signatures with the empty ID, so for SM2 the
   * CRL is checked against certificates by GmSSL (checkWithCrl), as Chinese relying parties do.
   */
  async function crlChecked(input: BuildCrlInput): Promise<Uint8Array> {
    const der = await buildCrl(input);
    if (alg !== 'sm2') return der;
    const { tbs, signature } = splitSigned(der);
    expect(await opensslVerifySm2(pki.issuing.key.publicKeySpki, tbs, signature, tmp.dir)).toBe(true);
    expect(verifySignature(pki.issuing.key.publicKeySpki, 'sm2', tbs, signature)).toBe(true);
    return der;
  }
  /**
   * A certificate checked against a CRL: `openssl verify -crl_check` for ECDSA and RSA; for SM2 GmSSL master
   * `certverify -crl` (signature, issuer, listing) with the issuing CA and root as CAs. 'ok', 'revoked', or
   * 'refused' (the CRL itself failed: signature, format).
   */
  async function checkWithCrl(
    leafPem: string,
    crlDer: Uint8Array,
    name: string,
  ): Promise<{ verdict: 'ok' | 'revoked' | 'refused'; out: string }> {
    if (alg !== 'sm2') {
      const crlFile = await tmp.file(`${alg}-${name}.crl.pem`, crlPem(crlDer));
      const r = await openssl(['verify', ...vfy, '-crl_check', '-CAfile', chainFile, '-CRLfile', crlFile, leafPem]);
      const verdict = r.code === 0 && r.out.includes(': OK') ? 'ok' : r.out.includes('certificate revoked') ? 'revoked' : 'refused';
      return { verdict, out: r.out };
    }
    const crlFile = await tmp.file(`${alg}-${name}.crl`, crlDer);
    const cas = await tmp.file(`${alg}-cas.pem`, pki.issuing.pem + pki.root.pem); // GmSSL reads PEM without blank lines between
    const sig = await gmssl('master', ['crlverify', '-in', crlFile, '-cacert', await tmp.file(`${alg}-issuing-only.pem`, pki.issuing.pem)]);
    if (sig.code !== 0) return { verdict: 'refused', out: sig.out };
    const r = await gmssl('master', ['certverify', '-client', '-in', leafPem, '-cacert', cas, '-crl', crlFile]);
    // Master names no reason: a listed certificate fails on the CRL ("Verification failure: crl").
    const verdict =
      r.code === 0 && r.out.includes('Verification success') ? 'ok' : r.out.includes('Verification failure: crl') ? 'revoked' : 'refused';
    return { verdict, out: r.out };
  }
  it('openssl crl parses entries, reasons, CRL number and dates', async () => {
    const entries: CrlEntry[] = [
      { serial: Buffer.from('01', 'hex'), revokedAt: new Date('2026-11-01T08:00:00Z') },
      { serial: Buffer.from('8f00aa', 'hex'), revokedAt: new Date('2026-11-02T09:30:15Z'), reason: CRL_REASON.keyCompromise },
      { serial: Buffer.from('00007f11', 'hex'), revokedAt: new Date('2026-11-03T10:00:00Z'), reason: CRL_REASON.unspecified },
      { serial: Buffer.from('5a'.repeat(20), 'hex'), revokedAt: new Date('2026-11-04T11:00:00Z'), reason: CRL_REASON.cessationOfOperation },
    ];
    const der = await buildCrl({
      issuerNameDer: pki.issuing.nameDer,
      authorityKeyId: pki.issuing.keyId,
      signer: pki.issuing.signer,
      thisUpdate,
      nextUpdate,
      crlNumber: 4242n,
      entries,
    });
    const file = await tmp.file(`${alg}-a.crl`, der);
    const { code, out } = await openssl(['crl', '-inform', 'DER', '-in', file, '-text', '-noout']);
    expect(code, out).toBe(0);
    expect(out).toContain('Version 2 (0x1)');
    expect(out).toContain(
      `Signature Algorithm: ${{ sm2: 'SM2-with-SM3', 'ecdsa-p256': 'ecdsa-with-SHA256', 'rsa-2048': 'sha256WithRSAEncryption' }[alg]}`,
    );
    expect(out).toMatch(/Issuer: .*CN\s*=\s*CertDesk Test Issuing CA/);
    expect(out).toMatch(/X509v3 CRL Number:\s+4242/);
    expect(out).toContain(`${[...pki.issuing.keyId].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':')}`);
    expect(out).toMatch(/Serial Number: 01\s+Revocation Date: Nov {2}1 08:00:00 2026 GMT\s+Serial Number: 8F00AA/);
    expect(out).toMatch(
      /Serial Number: 8F00AA\s+Revocation Date: Nov {2}2 09:30:15 2026 GMT\s+CRL entry extensions:\s+X509v3 CRL Reason Code:\s+Key Compromise/,
    );
    // Leading zero bytes of the magnitude are not encoded; unspecified is written as no reason at all.
    expect(out).toMatch(/Serial Number: 7F11\s+Revocation Date: Nov {2}3 10:00:00 2026 GMT\s+Serial Number: 5A5A/);
    expect(out).toMatch(
      /Serial Number: (5A){20}\s+Revocation Date: Nov {2}4 11:00:00 2026 GMT\s+CRL entry extensions:\s+X509v3 CRL Reason Code:\s+Cessation Of Operation/,
    );
    expect(out.match(/Serial Number:/g)).toHaveLength(4);

    // No empty crlEntryExtensions (RFC 5280 5.1.2.6) anywhere: asn1parse shows no zero-length SEQUENCE.
    const parsed = await openssl(['asn1parse', '-inform', 'DER', '-in', file]);
    expect(parsed.code, parsed.out).toBe(0);
    expect(parsed.out).not.toMatch(/l=\s*0 cons: SEQUENCE/);
    // The entry for 01 is exactly SEQUENCE { INTEGER, UTCTIME } and the next line starts the next entry.
    const lines = parsed.out.split('\n');
    const i = lines.findIndex((l) => /d=4 .*prim: INTEGER\s+:01$/.test(l));
    expect(lines[i + 1]).toMatch(/prim: UTCTIME\s+:261101080000Z/);
    expect(lines[i + 2]).toMatch(/cons: SEQUENCE/);
    expect(lines[i + 3]).toMatch(/prim: INTEGER\s+:8F00AA/);

    expect(crlPem(der)).toMatch(/^-----BEGIN X509 CRL-----\n[A-Za-z0-9+/=\n]+-----END X509 CRL-----\n$/);
    const pemFile = await tmp.file(`${alg}-a.pem`, crlPem(der));
    const fromPem = await openssl(['crl', '-in', pemFile, '-noout', '-crlnumber']);
    expect(fromPem.out).toContain('crlNumber=0x1092');
  });

  it('openssl verify -crl_check (SM2: GmSSL certverify -crl) accepts a good leaf and reports a revoked one as revoked', async () => {
    const good = await pki.issueLeaf({ cn: 'good' });
    const revoked = await pki.issueLeaf({ cn: 'revoked' });
    const der = await crlChecked({
      issuerNameDer: pki.issuing.nameDer,
      authorityKeyId: pki.issuing.keyId,
      signer: pki.issuing.signer,
      thisUpdate,
      nextUpdate,
      crlNumber: 1n,
      entries: [
        { serial: Buffer.from('0badf00d', 'hex'), revokedAt: thisUpdate, reason: CRL_REASON.superseded },
        { serial: revoked.serial, revokedAt: thisUpdate, reason: CRL_REASON.keyCompromise },
      ],
    });
    const goodFile = await tmp.file(`${alg}-good.pem`, good.pem);
    const revokedFile = await tmp.file(`${alg}-revoked.pem`, revoked.pem);
    const ok = await checkWithCrl(goodFile, der, 'b');
    expect(ok.verdict, ok.out).toBe('ok');
    const bad = await checkWithCrl(revokedFile, der, 'b');
    expect(bad.verdict, bad.out).toBe('revoked');

    // The same CRL with its signature broken is refused (so the OK above did check the signature).
    const broken = Buffer.from(der);
    broken[broken.length - 5]! ^= 0x01;
    const refused = await checkWithCrl(goodFile, broken, 'broken');
    expect(refused.verdict, refused.out).toBe('refused');
    if (alg !== 'sm2') expect(refused.out).toMatch(/CRL signature failure/);
  });

  it('a shard carries a critical IDP with its URL; openssl matches it to the certificate’s CRL DP', async () => {
    const shards = 4;
    const leaves = await Promise.all([0, 1, 2, 3, 4, 5].map((n) => pki.issueLeaf({ cn: `s${n}` })));
    const leaf = leaves[0]!;
    const shard = shardOf(leaf.serial, shards);
    const url = crlShardUrl('http://crl.example.cn/', alg, shard);
    expect(url).toBe(`http://crl.example.cn/crl/${alg}/${shard}.crl`);
    const inShard = await pki.issueLeaf({ cn: 'in-shard', crlUrl: url });
    const der = await crlChecked({
      issuerNameDer: pki.issuing.nameDer,
      authorityKeyId: pki.issuing.keyId,
      signer: pki.issuing.signer,
      thisUpdate,
      nextUpdate,
      crlNumber: 7n,
      entries: [{ serial: inShard.serial, revokedAt: thisUpdate, reason: CRL_REASON.affiliationChanged }],
      distributionPoint: url,
    });
    const crlFile = await tmp.file(`${alg}-shard.crl`, der);
    const text = await openssl(['crl', '-inform', 'DER', '-in', crlFile, '-text', '-noout']);
    expect(text.out).toMatch(new RegExp(`X509v3 Issuing Distribution Point: critical\\s+Full Name:\\s+URI:${url.replace(/\./g, '\\.')}`));
    const leafFile = await tmp.file(`${alg}-in-shard.pem`, inShard.pem);
    const res = await checkWithCrl(leafFile, der, 'shard');
    // GmSSL (both versions) refuses any CRL with a critical extension, so an SM2 shard is refused there —
    // why certificates now name the complete CRL (issue 15); OpenSSL matches the IDP to the CRL DP.
    expect(res.verdict, res.out).toBe(alg === 'sm2' ? 'refused' : 'revoked');
  });

  it('uses GeneralizedTime from 2050 (RFC 5280 5.1.2.4) and omits revokedCertificates when empty', async () => {
    const der = await buildCrl({
      issuerNameDer: pki.issuing.nameDer,
      authorityKeyId: pki.issuing.keyId,
      signer: pki.issuing.signer,
      thisUpdate: new Date('2049-12-31T23:59:59Z'),
      nextUpdate: new Date('2050-01-07T00:00:00Z'),
      crlNumber: 2n,
      entries: [],
    });
    const file = await tmp.file(`${alg}-empty.crl`, der);
    const parsed = await openssl(['asn1parse', '-inform', 'DER', '-in', file]);
    expect(parsed.out).toMatch(/UTCTIME\s+:491231235959Z/);
    expect(parsed.out).toMatch(/GENERALIZEDTIME\s+:20500107000000Z/);
    const text = await openssl(['crl', '-inform', 'DER', '-in', file, '-text', '-noout']);
    expect(text.out).toContain('No Revoked Certificates.');
    const withLate = await buildCrl({
      issuerNameDer: pki.issuing.nameDer,
      authorityKeyId: pki.issuing.keyId,
      signer: pki.issuing.signer,
      thisUpdate,
      nextUpdate,
      crlNumber: 3n,
      entries: [{ serial: Uint8Array.of(9), revokedAt: new Date('2051-03-04T05:06:07Z') }],
    });
    const lateFile = await tmp.file(`${alg}-late.crl`, withLate);
    expect((await openssl(['asn1parse', '-inform', 'DER', '-in', lateFile])).out).toMatch(/GENERALIZEDTIME\s+:20510304050607Z/);
  });

  it('matches openssl ca -gencrl byte for byte (same key, same entries, same times) except the signature', async () => {
    const { dir, file } = tmp;
    const pkcs8 = pki.issuing.key.privateKeyPkcs8;
    const keyFile = await file(
      'issuing.key',
      `-----BEGIN PRIVATE KEY-----\n${Buffer.from(pkcs8).toString('base64')}\n-----END PRIVATE KEY-----\n`,
    );
    const certFile = await file('issuing.pem', pki.issuing.pem);
    const rnd = () => Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)));
    const reasons = [undefined, 'keyCompromise', 'superseded', 'cessationOfOperation', 'affiliationChanged'] as const;
    const entries: CrlEntry[] = [];
    const lines: string[] = [];
    for (let n = 0; n < 200; n++) {
      const serial = rnd();
      if (n % 7 === 0) serial[0] = 0; // some serials shorter than 16 bytes
      const revokedAt = new Date(Date.UTC(2026, 10, 1 + (n % 20), n % 24, n % 60, (n * 7) % 60));
      const reason = reasons[n % reasons.length];
      entries.push({ serial, revokedAt, reason: reason ? CRL_REASON[reason] : undefined });
      const t = revokedAt.toISOString().replace(/^\d\d(\d\d)-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d).*/, '$1$2$3$4$5$6Z');
      lines.push(
        ['R', '361231000000Z', reason ? `${t},${reason}` : t, hex(serial).replace(/^(00)+/, '') || '00', 'unknown', '/CN=x'].join('\t'),
      );
    }
    await file('index.txt', lines.join('\n') + '\n');
    await file('crlnumber', '1092\n');
    const cnf = await file(
      'ca.cnf',
      `[ ca ]\ndefault_ca = d\n[ d ]\ndir = ${dir}\ndatabase = $dir/index.txt\ncrlnumber = $dir/crlnumber\ndefault_md = ${alg === 'sm2' ? 'sm3' : 'sha256'}\ndefault_crl_days = 7\ncrl_extensions = crl_ext\n[ crl_ext ]\nauthorityKeyIdentifier = keyid:always\n`,
    );
    const gen = await openssl([
      'ca',
      '-gencrl',
      '-config',
      cnf,
      '-keyfile',
      keyFile,
      '-cert',
      certFile,
      '-out',
      `${dir}/theirs.crl`,
      '-batch',
    ]);
    expect(gen.code, gen.out).toBe(0);
    await openssl(['crl', '-in', `${dir}/theirs.crl`, '-outform', 'DER', '-out', `${dir}/theirs.der`]);
    const { readFile } = await import('node:fs/promises');
    const theirs = await readFile(`${dir}/theirs.der`);
    // Take openssl's thisUpdate/nextUpdate and entry order (sorted by serial) so the to-be-signed parts can be equal.
    const outer = readTlv(theirs, 0);
    const tbs = readTlv(theirs, outer.start);
    let at = tbs.start;
    const fields: Uint8Array[] = [];
    for (let k = 0; k < 5; k++) {
      const f = readTlv(theirs, at);
      fields.push(theirs.subarray(at, f.end));
      at = f.end;
    }
    const parseTime = (t: Uint8Array) => {
      const s = Buffer.from(t.subarray(2)).toString('latin1');
      return new Date(`20${s.slice(0, 2)}-${s.slice(2, 4)}-${s.slice(4, 6)}T${s.slice(6, 8)}:${s.slice(8, 10)}:${s.slice(10, 12)}Z`);
    };
    const sorted = [...entries].sort((a, b) => {
      const x = BigInt('0x' + hex(a.serial));
      const y = BigInt('0x' + hex(b.serial));
      return x < y ? -1 : x > y ? 1 : 0;
    });
    const ours = await buildCrl({
      issuerNameDer: pki.issuing.nameDer,
      authorityKeyId: pki.issuing.keyId,
      signer: pki.issuing.signer,
      thisUpdate: parseTime(fields[3]!),
      nextUpdate: parseTime(fields[4]!),
      crlNumber: 0x1092n,
      entries: sorted,
    });
    const tbsOf = (d: Uint8Array) => {
      const o = readTlv(d, 0);
      const t = readTlv(d, o.start);
      return Buffer.from(d.subarray(o.start, t.end));
    };
    expect(hex(tbsOf(ours))).toBe(hex(tbsOf(theirs)));
    // Only the ECDSA signature (70-72 bytes, random) may differ in length.
    expect(Math.abs(ours.length - theirs.length)).toBeLessThanOrEqual(2);
  });
});

describe('sharding', () => {
  it('CrlEncoder: entries added in pages into a buffer sized too small grows, and encodes what buildCrl encodes', async () => {
    const pki = await makeTestPki('ecdsa-p256', now);
    const entries: CrlEntry[] = Array.from({ length: 2_500 }, (_, i) => ({
      serial: webcrypto.getRandomValues(new Uint8Array(16)),
      revokedAt: new Date(thisUpdate.getTime() - i * 1000),
      reason: [undefined, CRL_REASON.keyCompromise, CRL_REASON.superseded][i % 3],
    }));
    const header = {
      issuerNameDer: pki.issuing.nameDer,
      authorityKeyId: pki.issuing.keyId,
      signer: pki.issuing.signer,
      thisUpdate,
      nextUpdate,
      crlNumber: 42n,
    };
    const whole = await buildCrl({ ...header, entries });
    for (const capacity of [0, 1_000, 10_000_000]) {
      const enc = new CrlEncoder(header, capacity);
      for (let i = 0; i < entries.length; i += 1_000) enc.add(entries.slice(i, i + 1_000));
      expect(enc.entries).toBe(entries.length);
      const paged = await enc.finish();
      expect(Buffer.from(splitSigned(paged).tbs).equals(Buffer.from(splitSigned(whole).tbs)), `capacity ${capacity}`).toBe(true);
      expect(readTlv(paged, 0).end).toBe(paged.length);
      expect(verifySignature(pki.issuing.key.publicKeySpki, 'ecdsa-p256', splitSigned(paged).tbs, splitSigned(paged).signature)).toBe(true);
    }
  });

  it('shardOf is the serial modulo the shard count, stable and even', () => {
    const cases: [string, number, number][] = [
      ['00', 4, 0],
      ['05', 4, 1],
      ['0100', 3, 256 % 3],
      ['ffffffffffffffffffff', 7, Number(BigInt('0xffffffffffffffffffff') % 7n)],
      ['7a3c5e1f00112233445566778899aabb', 1000, Number(BigInt('0x7a3c5e1f00112233445566778899aabb') % 1000n)],
    ];
    for (const [h, n, want] of cases) expect(shardOf(Buffer.from(h, 'hex'), n), h).toBe(want);
    const counts = new Array(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[shardOf(webcrypto.getRandomValues(new Uint8Array(16)), 16)]++;
    for (const c of counts) expect(c).toBeGreaterThan(800); // expected 1000 each
    expect(() => shardOf(Uint8Array.of(1), 0)).toThrow(RangeError);
  });

  it('shardCountFor keeps shards under 100,000 entries with headroom', () => {
    expect(shardCountFor(0)).toBe(1);
    expect(shardCountFor(40_000)).toBe(1);
    expect(shardCountFor(1_000_000)).toBe(20);
  });

  it('rejects bad input', async () => {
    const pki = await makeTestPki('ecdsa-p256');
    const base = {
      issuerNameDer: pki.issuing.nameDer,
      authorityKeyId: pki.issuing.keyId,
      signer: pki.issuing.signer,
      thisUpdate,
      nextUpdate,
      crlNumber: 1n,
    };
    await expect(buildCrl({ ...base, entries: [{ serial: Uint8Array.of(1), revokedAt: now, reason: 7 }] })).rejects.toThrow(RangeError);
    await expect(buildCrl({ ...base, entries: [{ serial: new Uint8Array(21).fill(1), revokedAt: now }] })).rejects.toThrow(RangeError);
    await expect(buildCrl({ ...base, nextUpdate: thisUpdate, entries: [] })).rejects.toThrow(RangeError);
    await expect(buildCrl({ ...base, crlNumber: -1n, entries: [] })).rejects.toThrow(RangeError);
  });
});

describe('revocation times', () => {
  it('encodes any date 1950–9999 exactly as RFC 5280 says (UTCTime to 2049, GeneralizedTime from 2050)', async () => {
    const pki = await makeTestPki('ecdsa-p256');
    const lo = Date.UTC(1950, 0, 1);
    const hi = Date.UTC(9999, 11, 31, 23, 59, 59);
    const dates = [lo, hi, Date.UTC(2049, 11, 31, 23, 59, 59), Date.UTC(2050, 0, 1), Date.UTC(2000, 1, 29, 12), Date.UTC(2100, 2, 1)];
    for (let i = 0; i < 2000; i++) dates.push(lo + Math.floor(Math.random() * (hi - lo)));
    const entries = dates.map((ms, i) => ({ serial: Uint8Array.of(1, i >> 8, i & 0xff), revokedAt: new Date(ms) }));
    const der = await buildCrl({
      issuerNameDer: pki.issuing.nameDer,
      authorityKeyId: pki.issuing.keyId,
      signer: pki.issuing.signer,
      thisUpdate,
      nextUpdate,
      crlNumber: 1n,
      entries,
    });
    // Walk the entries: outer → tbs → version, alg, issuer, thisUpdate, nextUpdate, revokedCertificates.
    const tbs = readTlv(der, readTlv(der, 0).start);
    let at = tbs.start;
    for (let k = 0; k < 5; k++) at = readTlv(der, at).end;
    const list = readTlv(der, at);
    const seen: string[] = [];
    for (let e = list.start; e < list.end;) {
      const entry = readTlv(der, e);
      const t = readTlv(der, readTlv(der, entry.start).end);
      seen.push(`${t.tag}:${Buffer.from(der.subarray(t.start, t.end)).toString('latin1')}`);
      e = entry.end;
    }
    const want = dates.map((ms) => {
      const iso = new Date(Math.floor(ms / 1000) * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
      const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
      return ms < Date.UTC(2050, 0, 1) ? `23:${digits.slice(2)}Z` : `24:${digits}Z`;
    });
    expect(seen).toEqual(want);
  });
});
