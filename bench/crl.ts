/**
 * CRL generation (issue 6: 1,000,000 entries in at most 1.5x the time `openssl ca -gencrl` takes on the same
 * machine, time linear in the entry count, size within 1% of OpenSSL's). Baseline in the same run: `openssl
 * ca -gencrl` over an index.txt holding the same revoked entries (same serials, dates and reasons), signed
 * with the same ECDSA P-256 issuing key.
 *
 * Part 2, the product's path (issues 15 and 21): the issuing CA's complete CRL as the server publishes it —
 * Publisher.publishCrl reading the revoked rows from PostgreSQL page by page, encoding, signing and storing
 * the signed bytes in the database (crl_documents, where every instance serves them from) — against `openssl ca -gencrl` over the same rows (index.txt, written from the
 * database) in the same run. Goal at 1,000,000 entries: at most 1.5x OpenSSL's time and at most 50 MB of
 * memory. Memory is the peak growth, sampled every few ms during the publication, of the V8 heap plus the
 * Buffers outside it (heapUsed + external) and of the resident set; OpenSSL's is its maximum resident set
 * (/usr/bin/time). The scratch database and every temporary folder are removed at the end.
 *
 *   node --expose-gc --import tsx bench/crl.ts            # 100,000 and 1,000,000
 *   node --expose-gc --import tsx bench/crl.ts 50000      # other sizes
 *   BENCH_CRL_PART=2 node --expose-gc --import tsx bench/crl.ts 1000000   # only the product path
 *
 * Ours: median of 3 builds; OpenSSL: one run (it re-reads index.txt each time, as it would in production).
 */
import { execFile } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { buildCrl, CRL_REASON, type CrlEntry } from '../src/ca/crl/build.js';
import { readTlv } from '../src/ca/der/der.js';
import { ecdsaTestSigner } from '../src/ca/testing/fixtures.js';
import { COMPLETE_CRL } from '../src/server/modules/revocation/crl-scopes.js';
import { crlRegistry } from './crl-registry.js';

const run = promisify(execFile);
const sizes = process.argv.slice(2).map(Number).filter(Boolean);
if (!sizes.length) sizes.push(100_000, 1_000_000);

const part = process.env.BENCH_CRL_PART;
let dir = '';
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  dir = await mkdtemp(path.join(tmpdir(), 'bench-crl-'));
  try {
    if (part !== '2') await encoderOnly();
    if (part !== '1') await productPath();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `openssl ca -gencrl` over the revoked entries `writeIndex` writes as index.txt, with a P-256 issuing key of its
 * own, in the folder `work`: its wall time (it re-reads index.txt, as it would in production), maximum resident
 * set and the CRL's DER size.
 */
export async function opensslGencrl(
  work: string,
  writeIndex: (file: string) => Promise<void>,
): Promise<{ seconds: number; rssMb: number; bytes: number }> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await writeFile(`${work}/p2.key`, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await run('openssl', ['req', '-new', '-x509', '-key', `${work}/p2.key`, '-subj', '/C=CN/O=CertDesk Bench/CN=CertDesk Bench Issuing CA', '-days', '365', '-out', `${work}/p2.pem`, '-addext', 'subjectKeyIdentifier=hash']); // prettier-ignore
  await writeFile(
    `${work}/p2.cnf`,
    `[ ca ]\ndefault_ca = d\n[ d ]\ndir = ${work}\ndatabase = $dir/p2-index.txt\ncrlnumber = $dir/p2-crlnumber\ndefault_md = sha256\ndefault_crl_days = 7\ncrl_extensions = crl_ext\n[ crl_ext ]\nauthorityKeyIdentifier = keyid:always\n`,
  );
  await writeIndex(`${work}/p2-index.txt`);
  await writeFile(`${work}/p2-crlnumber`, '1000\n');
  const t0 = performance.now();
  const o = await run('/usr/bin/time', ['-f', 'maxrss_kb=%M', 'openssl', 'ca', '-gencrl', '-config', `${work}/p2.cnf`, '-keyfile', `${work}/p2.key`, '-cert', `${work}/p2.pem`, '-out', `${work}/p2-theirs.pem`, '-batch'], { maxBuffer: 1 << 26 }); // prettier-ignore
  const seconds = (performance.now() - t0) / 1000;
  const rssMb = Number(/maxrss_kb=(\d+)/.exec(o.stderr)?.[1]) / 1024;
  await run('openssl', ['crl', '-in', `${work}/p2-theirs.pem`, '-outform', 'DER', '-out', `${work}/p2-theirs.der`]);
  return { seconds, rssMb, bytes: (await stat(`${work}/p2-theirs.der`)).size };
}

async function encoderOnly(): Promise<void> {
  // An issuing CA: key + self-signed certificate made by openssl (only its name and key matter here).
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await writeFile(`${dir}/ca.key`, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await run('openssl', [
    'req', '-new', '-x509', '-key', `${dir}/ca.key`, '-subj', '/C=CN/O=CertDesk Bench/CN=CertDesk Bench Issuing CA',
    '-days', '365', '-out', `${dir}/ca.pem`, '-addext', 'subjectKeyIdentifier=hash',
  ]); // prettier-ignore
  const caDer = Buffer.from((await readFile(`${dir}/ca.pem`, 'latin1')).replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const { issuerNameDer, keyId } = nameAndKeyId(caDer);
  const signer = ecdsaTestSigner(createPrivateKey(await readFile(`${dir}/ca.key`)));
  await writeFile(
    `${dir}/ca.cnf`,
    `[ ca ]\ndefault_ca = d\n[ d ]\ndir = ${dir}\ndatabase = $dir/index.txt\ncrlnumber = $dir/crlnumber\ndefault_md = sha256\ndefault_crl_days = 7\ncrl_extensions = crl_ext\n[ crl_ext ]\nauthorityKeyIdentifier = keyid:always\n`,
  );

  const REASONS = [undefined, 'keyCompromise', 'superseded', 'cessationOfOperation', 'affiliationChanged'] as const;
  const rows: { n: number; ours: number; theirs: number; oursSize: number; theirsSize: number }[] = [];
  for (const n of sizes) {
    // Same entries for both: 16-byte random positive serials, dates over the last month, 4 in 5 with a reason.
    const entries: CrlEntry[] = new Array(n);
    const lines: string[] = new Array(n);
    const base = Date.UTC(2026, 9, 20);
    const serials = randomBytes(16 * n);
    for (let i = 0; i < n; i++) {
      const serial = serials.subarray(16 * i, 16 * i + 16);
      serial[0] = (serial[0]! & 0x7f) | 0x01;
      const revokedAt = new Date(base + Math.floor(Math.random() * 30 * 86400) * 1000);
      const reason = REASONS[i % REASONS.length];
      entries[i] = { serial, revokedAt, reason: reason ? CRL_REASON[reason] : undefined };
      const t = revokedAt.toISOString().replace(/^\d\d(\d\d)-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d).*/, '$1$2$3$4$5$6Z');
      lines[i] = `R\t361231000000Z\t${reason ? `${t},${reason}` : t}\t${serial.toString('hex').toUpperCase()}\tunknown\t/CN=x\n`;
    }
    await writeFile(`${dir}/index.txt`, lines.join(''));
    await writeFile(`${dir}/crlnumber`, '1000\n');

    const t0 = performance.now();
    await run(
      'openssl',
      [
        'ca',
        '-gencrl',
        '-config',
        `${dir}/ca.cnf`,
        '-keyfile',
        `${dir}/ca.key`,
        '-cert',
        `${dir}/ca.pem`,
        '-out',
        `${dir}/theirs.pem`,
        '-batch',
      ],
      {
        maxBuffer: 1 << 26,
      },
    );
    const theirs = (performance.now() - t0) / 1000;
    await run('openssl', ['crl', '-in', `${dir}/theirs.pem`, '-outform', 'DER', '-out', `${dir}/theirs.der`]);
    const theirsSize = (await stat(`${dir}/theirs.der`)).size;

    const now = new Date();
    const build = () =>
      buildCrl({
        issuerNameDer,
        authorityKeyId: keyId,
        signer,
        thisUpdate: now,
        nextUpdate: new Date(now.getTime() + 7 * 86400_000),
        crlNumber: 0x1000n,
        entries,
      });
    if (rows.length === 0) await build(); // warm-up (JIT) once, on the first size
    // Median of 3 (the machine is shared); a full GC first when run with --expose-gc, so setup garbage is not billed.
    const times: number[] = [];
    let der: Uint8Array = new Uint8Array(0);
    for (let r = 0; r < 3; r++) {
      (globalThis as { gc?: () => void }).gc?.();
      const t1 = performance.now();
      der = await build();
      times.push((performance.now() - t1) / 1000);
    }
    const ours = times.sort((a, b) => a - b)[1]!;
    await writeFile(`${dir}/ours.der`, der);
    const check = await run('openssl', ['crl', '-inform', 'DER', '-in', `${dir}/ours.der`, '-noout', '-crlnumber'], { maxBuffer: 1 << 26 });
    if (!check.stdout.includes('crlNumber=0x1000')) throw new Error('openssl did not parse our CRL');
    rows.push({ n, ours, theirs, oursSize: der.length, theirsSize });
  }

  console.log(
    'entries      ours s   openssl s   ours/openssl   ours µs/entry   openssl µs/entry   ours bytes    openssl bytes   size diff',
  );
  for (const r of rows)
    console.log(
      `${String(r.n).padStart(9)}   ${r.ours.toFixed(3).padStart(6)}   ${r.theirs.toFixed(3).padStart(9)}   ${(r.ours / r.theirs).toFixed(2).padStart(11)}x   ${((r.ours / r.n) * 1e6).toFixed(3).padStart(13)}   ${((r.theirs / r.n) * 1e6).toFixed(3).padStart(16)}   ${String(r.oursSize).padStart(10)}   ${String(r.theirsSize).padStart(14)}   ${(((r.oursSize - r.theirsSize) / r.theirsSize) * 100).toFixed(4).padStart(8)}%`,
    );
  if (rows.length > 1) {
    const a = rows[0]!;
    const b = rows[rows.length - 1]!;
    console.log(`linearity: µs/entry at ${b.n} ÷ µs/entry at ${a.n} = ${(b.ours / b.n / (a.ours / a.n)).toFixed(2)} (1.00 = linear)`);
  }
}

/** The complete CRL as the server publishes it, from PostgreSQL, against openssl ca -gencrl over the same rows. */
async function productPath(): Promise<void> {
  const MB = 1024 * 1024;
  const out: string[] = [];
  for (const n of sizes) {
    const reg = await crlRegistry(n, 'ecdsa-p256', (m) => console.log(`[crl] ${m}`));
    try {
      // OpenSSL: same entries from the database, an equivalent P-256 issuing key of its own.
      const theirsRun = await opensslGencrl(dir, (file) => reg.writeIndexTxt(file));
      const theirs = theirsRun.seconds;
      const theirsRssMb = theirsRun.rssMb;
      const times: number[] = [];
      let heapPeak = 0;
      let rssPeak = 0;
      let entries = 0;
      let size = 0;
      for (let r = 0; r < 3; r++) {
        (globalThis as { gc?: () => void }).gc?.();
        const m0 = process.memoryUsage();
        let heapMax = 0;
        let rssMax = 0;
        const sample = () => {
          const m = process.memoryUsage();
          heapMax = Math.max(heapMax, m.heapUsed + m.external - m0.heapUsed - m0.external);
          rssMax = Math.max(rssMax, m.rss - m0.rss);
        };
        const timer = setInterval(sample, 2);
        const t1 = performance.now();
        const res = await reg.publisher.publishCrl('ecdsa-p256', COMPLETE_CRL);
        times.push((performance.now() - t1) / 1000);
        sample();
        clearInterval(timer);
        heapPeak = Math.max(heapPeak, heapMax);
        rssPeak = Math.max(rssPeak, rssMax);
        entries = res.entries;
        size = res.der.length;
      }
      if (entries !== n) throw new Error(`the complete CRL lists ${entries} entries, not ${n}`);
      const file = `${dir}/p2-ours.der`;
      await writeFile(file, (await reg.publisher.crlForHttp('ecdsa-p256', COMPLETE_CRL))!.der); // the stored bytes, as served
      const check = await run('openssl', ['crl', '-inform', 'DER', '-in', file, '-noout', '-crlnumber'], { maxBuffer: 1 << 26 });
      if (!/crlNumber=/.test(check.stdout)) throw new Error('openssl did not parse the complete CRL');
      const theirsSize = theirsRun.bytes;
      const ours = times.sort((a, b) => a - b)[1]!;
      out.push(
        `${String(n).padStart(9)}   ${ours.toFixed(3).padStart(6)}   ${theirs.toFixed(3).padStart(9)}   ${(ours / theirs).toFixed(2).padStart(11)}x   ${(heapPeak / MB).toFixed(1).padStart(12)}   ${(rssPeak / MB).toFixed(1).padStart(10)}   ${theirsRssMb.toFixed(1).padStart(15)}   ${String(size).padStart(10)}   ${String(theirsSize).padStart(10)}`,
      );
    } finally {
      await reg.close();
    }
  }
  console.log('\ncomplete CRL, product path (PostgreSQL → publishCrl → crl_documents) against openssl ca -gencrl over the same rows');
  console.log(
    '  entries   ours s   openssl s   ours/openssl   ours heap+ext MB   ours rss MB   openssl rss MB   ours bytes   openssl bytes',
  );
  for (const l of out) console.log(l);
}

/** The subject Name and subjectKeyIdentifier of a certificate, by walking its DER. */
function nameAndKeyId(cert: Uint8Array): { issuerNameDer: Uint8Array; keyId: Uint8Array } {
  const outer = readTlv(cert, 0);
  const tbs = readTlv(cert, outer.start);
  let at = tbs.start;
  const fields: { start: number; end: number; tag: number; from: number }[] = [];
  while (at < tbs.end) {
    const f = readTlv(cert, at);
    fields.push({ ...f, from: at });
    at = f.end;
  }
  // [0] version, serial, signature, issuer, validity, subject, spki, [3] extensions
  const subject = fields[5]!;
  const exts = fields.find((f) => f.tag === 0xa3)!;
  const hexCert = Buffer.from(cert.subarray(exts.start, exts.end)).toString('hex');
  const ski = /0603551d0e04160414([0-9a-f]{40})/.exec(hexCert);
  if (!ski) throw new Error('no SKI');
  return { issuerNameDer: cert.subarray(subject.from, subject.end), keyId: Buffer.from(ski[1]!, 'hex') };
}
