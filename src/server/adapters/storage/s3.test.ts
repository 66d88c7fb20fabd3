/**
 * The S3-compatible store against a real S3 server: @20minutes/s3rver (an npm devDependency, started here on
 * a free port over a temporary directory). Why that one: it installs from npm with nothing else, starts in
 * a fraction of a second, and — unlike the original `s3rver` package, which accepts any secret — checks
 * AWS Signature Version 4, so refused credentials are tested for real. Debian 12's Ceph RADOS Gateway
 * (radosgw 16.2) was tried: it cannot start without a Ceph cluster (monitors and OSDs; its cluster-less
 * "dbstore" backend arrived in later Ceph releases). MinIO is in neither Debian nor npm.
 *
 * Both addressing styles are exercised: path style (MinIO, RGW) and virtual-host style (OSS, COS), the
 * latter with an HTTP agent that resolves the bucket's host name to the test server. The server computes
 * Signature V4 wrongly for virtual-host requests (it signs them as path-style) and for bucket-level ones
 * (it drops the trailing "/"), so the virtual-host runs use a second server instance that does not check
 * signatures; credentials are checked on the path-style one, where it checks them correctly.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent, type AgentOptions } from 'node:http';
import type { LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from '@20minutes/s3rver';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Config } from '../../config.js';
import { failedDependency } from '../../outages.js';
import { orderDocuments, storedBlobs } from '../../db/schema.js';
import { uploadScan } from '../../testing/applicant-flow.js';
import { testApp, testDb, type TestApp } from '../../testing/harness.js';
import { isolatedDb, type IsolatedDb } from '../../testing/isolated-db.js';
import { configuredBackend, fileStoreFor } from './configured.js';
import { databaseBackend } from './database.js';
import { encryptingFileStore } from './encrypted.js';
import { localDiskBackend } from './local-disk.js';
import { moveFilesIntoStore } from './move-files.js';
import { StorageUnavailable, StoredFileMissing } from './port.js';
import { s3Backend, s3ClientFor, type S3Settings } from './s3.js';
import { fileStoreContract, PLAIN } from './testing.js';

const BUCKET = 'certdesk-files';
/** s3rver's built-in account. */
const ACCESS_KEY = 'S3RVER';
const SECRET = 'S3RVER';
/** Virtual-host names under this domain are <bucket>.s3.<region>.example.test, resolved to the server. */
const VHOST_DOMAIN = 'example.test';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'certdesk-s3-'));
  dirs.push(d);
  return d;
};

let server: S3rver;
let serverDir: string;
let port: number;
/** The virtual-host server: same bucket, signatures not checked (see the header). */
let vhostServer: S3rver;
let vhostPort: number;
const apps: TestApp[] = [];

beforeAll(async () => {
  serverDir = tempDir();
  server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: serverDir,
    serviceEndpoint: VHOST_DOMAIN,
    configureBuckets: [{ name: BUCKET, configs: [] }],
  });
  ({ port } = await server.run());
  vhostServer = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: tempDir(),
    serviceEndpoint: VHOST_DOMAIN,
    allowMismatchedSignatures: true,
    configureBuckets: [{ name: BUCKET, configs: [] }],
  });
  ({ port: vhostPort } = await vhostServer.run());
});
afterAll(async () => {
  for (const a of apps) await a.close();
  await server?.close();
  await vhostServer?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const pathStyle = (over: Partial<S3Settings> = {}): S3Settings => ({
  endpoint: `http://127.0.0.1:${port}`,
  region: 'us-east-1',
  bucket: BUCKET,
  accessKeyId: ACCESS_KEY,
  secretAccessKey: SECRET,
  pathStyle: true,
  prefix: '',
  ...over,
});

/** An agent that sends every host name to the test server, as DNS would for a real bucket's name. */
const toServer: LookupFunction = (_host, options, callback) => {
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};
const vhostAgent = () => new Agent({ lookup: toServer } as AgentOptions);
const virtualHost = (over: Partial<S3Settings> = {}): S3Settings =>
  pathStyle({ endpoint: `http://s3.cn-test.${VHOST_DOMAIN}:${vhostPort}`, region: 'cn-test', pathStyle: false, ...over });

/** Straight to the bucket with the SDK, path style, bypassing the backend: what the bucket's operator sees. */
const rawClient = (p = port) => s3ClientFor(pathStyle({ endpoint: `http://127.0.0.1:${p}` }));
const rawGet = async (client: S3Client, key: string) =>
  Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray());
const rawPut = (client: S3Client, key: string, bytes: Buffer) =>
  client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bytes }));

fileStoreContract('S3 bucket, path style', async () => {
  const raw = rawClient();
  return {
    backend: s3Backend(pathStyle()),
    raw: (name) => rawGet(raw, name),
    overwrite: async (name, bytes) => void (await rawPut(raw, name, bytes)),
  };
});

fileStoreContract('S3 bucket, virtual-host style, under a prefix', async () => {
  const raw = rawClient(vhostPort);
  const settings = virtualHost({ prefix: 'certdesk/files/' });
  return {
    backend: s3Backend(settings, s3ClientFor(settings, { httpAgent: vhostAgent() })),
    raw: (name) => rawGet(raw, `certdesk/files/${name}`),
    overwrite: async (name, bytes) => void (await rawPut(raw, `certdesk/files/${name}`, bytes)),
  };
});

/** Every file under the server's directory, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('S3 bucket: what the server holds', () => {
  it('the server stores ciphertext only: no plaintext bytes anywhere in its files', async () => {
    const store = encryptingFileStore(s3Backend(pathStyle()), randomBytes(32));
    const key = await store.put(PLAIN);
    const objects = filesUnder(serverDir).filter((f) => f.includes(key));
    expect(objects.length).toBeGreaterThan(0);
    const all = Buffer.concat(filesUnder(serverDir).map((f) => readFileSync(f)));
    expect(all.includes(Buffer.from('360102199003071234'))).toBe(false);
    expect(all.includes(Buffer.from('经办人身份证'))).toBe(false);
    expect(all.includes(PLAIN.subarray(0, 8))).toBe(false);
    expect(await store.get(key)).toEqual(PLAIN);
  });

  it('a virtual-host store and a path-style store see the same objects (the bucket taken from the host name)', async () => {
    const k = randomBytes(32);
    const settings = virtualHost();
    const a = encryptingFileStore(s3Backend(settings, s3ClientFor(settings, { httpAgent: vhostAgent() })), k);
    const b = encryptingFileStore(s3Backend(pathStyle({ endpoint: `http://127.0.0.1:${vhostPort}` })), k);
    expect(await b.get(await a.put(PLAIN))).toEqual(PLAIN);
  });
});

describe('S3 bucket: refusals are typed, clear, and a 503 in a route', () => {
  const expectUnavailable = async (p: Promise<unknown>, reason: StorageUnavailable['reason'], text: RegExp) => {
    const e = await p.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(StorageUnavailable);
    expect((e as StorageUnavailable).reason).toBe(reason);
    expect((e as Error).message).toMatch(text);
    expect(failedDependency(e)).toBe('storage');
  };

  it('a wrong secret: StorageUnavailable(credentials) for write, read, remove and check, naming the settings', async () => {
    const good = encryptingFileStore(s3Backend(pathStyle()), randomBytes(32));
    const key = await good.put(PLAIN);
    const bad = s3Backend(pathStyle({ secretAccessKey: 'not-the-secret' }));
    const text = /refused CertDesk's credentials.*SignatureDoesNotMatch.*CERTDESK_S3_SECRET_ACCESS_KEY/;
    await expectUnavailable(bad.write(randomBytes(16).toString('hex'), Buffer.from('x')), 'credentials', text);
    await expectUnavailable(bad.read(key), 'credentials', text);
    await expectUnavailable(bad.remove(key), 'credentials', text);
    await expectUnavailable(bad.check(), 'credentials', /refused CertDesk's credentials/);
    // Nothing was removed by the refused request.
    expect(await good.get(key)).toEqual(PLAIN);
  });

  it('an unknown access key: StorageUnavailable(credentials)', async () => {
    const bad = s3Backend(pathStyle({ accessKeyId: 'NOBODY' }));
    await expectUnavailable(bad.read(randomBytes(16).toString('hex')), 'credentials', /InvalidAccessKeyId/);
  });

  it('a bucket that does not exist, and a server that does not answer, are StorageUnavailable too', async () => {
    await expectUnavailable(
      s3Backend(pathStyle({ bucket: 'no-such-bucket' })).read(randomBytes(16).toString('hex')),
      'bucket',
      /no-such-bucket does not exist/,
    );
    const closed = s3Backend(pathStyle({ endpoint: 'http://127.0.0.1:1' }));
    await expectUnavailable(closed.write(randomBytes(16).toString('hex'), Buffer.from('x')), 'unreachable', /cannot be reached/);
  });

  it('a missing object is StoredFileMissing, not an outage', async () => {
    await expect(s3Backend(pathStyle()).read(randomBytes(16).toString('hex'))).rejects.toBeInstanceOf(StoredFileMissing);
  });
});

describe('an instance with CERTDESK_STORAGE=s3: routes and /api/health', () => {
  const s3Env = (over: Record<string, string> = {}) => ({
    CERTDESK_DATA_DIR: tempDir(),
    CERTDESK_STORAGE: 's3',
    CERTDESK_S3_ENDPOINT: `http://127.0.0.1:${port}`,
    CERTDESK_S3_REGION: 'us-east-1',
    CERTDESK_S3_BUCKET: BUCKET,
    CERTDESK_S3_ACCESS_KEY_ID: ACCESS_KEY,
    CERTDESK_S3_SECRET_ACCESS_KEY: SECRET,
    CERTDESK_S3_PATH_STYLE: '1',
    CERTDESK_S3_PREFIX: 'routes/',
    ...over,
  });
  /** Two instances on one database: one with the bucket's credentials, one with a wrong secret. */
  let ok: TestApp;
  let refused: TestApp;
  beforeAll(async () => {
    const { db } = await testDb();
    ok = await testApp({ db, env: s3Env() });
    apps.push(ok);
    refused = await testApp({ db, env: s3Env({ CERTDESK_S3_SECRET_ACCESS_KEY: 'wrong' }) });
    apps.push(refused);
  }, 120_000);

  it('a scan uploaded through the app lands in the bucket as ciphertext and is shown again; refused credentials are a 503 in Chinese, nothing half-stored', async () => {
    const c = ok.client();
    const { body: account } = await c.register();
    const orderId = (await c.post('/api/orders', { projectCode: 'gov-procurement', keyType: 'main', agree: true })).json().order
      .id as string;
    const up = await uploadScan(c, orderId, 'business-license');
    expect(up.statusCode).toBe(201);
    const docId = up.json().document.id as string;
    const shown = await c.get(`/api/orders/${orderId}/documents/${docId}/file`);
    expect(shown.statusCode).toBe(200);
    // The bucket holds the upload under the prefix, and not its bytes: the PNG's own header is nowhere.
    const [row] = await ok.db.select().from(orderDocuments).where(eq(orderDocuments.id, docId));
    const stored = await rawGet(rawClient(), `routes/${row!.storageKey}`);
    expect(stored.subarray(0, 4).toString('latin1')).toBe('CDF1');
    expect(stored.includes(shown.rawPayload.subarray(0, 16))).toBe(false);
    expect(await ok.db.select().from(storedBlobs).where(eq(storedBlobs.name, row!.storageKey))).toEqual([]);

    const other = refused.client();
    expect((await other.login(account.uscc as string, account.password as string)).statusCode).toBe(200);
    const view = await other.get(`/api/orders/${orderId}/documents/${docId}/file`);
    expect(view.statusCode).toBe(503);
    expect(view.json().error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: expect.stringContaining('文件暂时无法存取') });
    const before = await ok.db.select().from(orderDocuments).where(eq(orderDocuments.orderId, orderId));
    const upload = await uploadScan(other, orderId, 'business-license', 2);
    expect(upload.statusCode).toBe(503);
    expect(upload.json().error.code).toBe('SERVICE_UNAVAILABLE');
    expect(await ok.db.select().from(orderDocuments).where(eq(orderDocuments.orderId, orderId))).toEqual(before);
  });

  it('/api/health: storage "s3" when the bucket answers; 503 "unavailable" with a Chinese warning when it refuses us', async () => {
    const r = await ok.client().get('/api/health');
    expect(r.json().checks.storage).toBe('s3');
    expect(r.json().warnings ?? []).not.toContainEqual(expect.stringContaining('文件存储'));

    const h = await refused.client().get('/api/health');
    expect(h.statusCode).toBe(503);
    expect(h.json().status).toBe('unavailable');
    expect(h.json().checks.storage).toBe('unavailable');
    expect(h.json().warnings).toContainEqual(
      expect.stringMatching(/文件存储（S3 存储桶）不可用：访问密钥被拒绝.*CERTDESK_S3_SECRET_ACCESS_KEY/),
    );
  });
});

describe('moving stored files into the bucket (CERTDESK_STORAGE=s3)', () => {
  // The mover takes every blob in the database: a database of these tests' own, not the one files share.
  let iso: IsolatedDb;
  beforeAll(async () => {
    iso = await isolatedDb('s3move');
  }, 60_000);
  afterAll(async () => {
    await iso?.drop();
  });
  const ownDb = async () => ({ db: (await iso.open()).db });
  const s3Config = (over: Partial<S3Settings> = {}): Pick<Config, 'storageKey' | 'storage'> => ({
    storageKey: randomBytes(32),
    storage: { kind: 's3', ...pathStyle({ prefix: `move-${randomBytes(4).toString('hex')}/`, ...over }) },
  });

  it('moves the disk blobs and the database blobs as they are, removes the old copies, and can run again or twice at once', async () => {
    const { db } = await ownDb();
    const config = s3Config();
    const dir = tempDir();
    const onDisk = encryptingFileStore(localDiskBackend(dir), config.storageKey);
    const inDb = encryptingFileStore(databaseBackend(db), config.storageKey);
    const diskKeys = await Promise.all([PLAIN, Buffer.from('发票')].map((f) => onDisk.put(f)));
    const dbKeys = await Promise.all([Buffer.from('印章'), Buffer.alloc(0), PLAIN].map((f) => inDb.put(f)));
    writeFileSync(path.join(dir, 'README'), 'not a blob');

    const target = configuredBackend(config, db);
    expect(target.kind).toBe('s3');
    const [first, second] = await Promise.all([moveFilesIntoStore(db, dir, target), moveFilesIntoStore(db, dir, target)]);
    expect([...first!.conflicts, ...second!.conflicts]).toEqual([]);
    // Each blob is in the bucket once; two movers may both copy one (same bytes), never lose one.
    expect(first!.moved + first!.alreadyThere + second!.moved + second!.alreadyThere).toBeGreaterThanOrEqual(5);

    const store = fileStoreFor(config, db);
    expect(await store.get(diskKeys[0]!)).toEqual(PLAIN);
    expect((await store.get(diskKeys[1]!)).toString()).toBe('发票');
    expect((await store.get(dbKeys[0]!)).toString()).toBe('印章');
    expect(await store.get(dbKeys[1]!)).toEqual(Buffer.alloc(0));
    expect(await store.get(dbKeys[2]!)).toEqual(PLAIN);
    expect(await db.select().from(storedBlobs)).toEqual([]);
    for (const k of diskKeys) expect(() => statSync(path.join(dir, k.slice(0, 2), k))).toThrow();
    expect(readFileSync(path.join(dir, 'README'), 'utf8')).toBe('not a blob');
    expect(await moveFilesIntoStore(db, dir, target)).toEqual({ moved: 0, alreadyThere: 0, conflicts: [] });
  });

  it('moves more blobs than one database page (100), every one of them', async () => {
    const { db } = await ownDb();
    const config = s3Config();
    const inDb = encryptingFileStore(databaseBackend(db), config.storageKey);
    const files = Array.from({ length: 230 }, (_, i) => Buffer.from(`文件 ${i}`));
    const keys = await Promise.all(files.map((f) => inDb.put(f)));
    const report = await moveFilesIntoStore(db, tempDir(), configuredBackend(config, db));
    expect(report).toEqual({ moved: 230, alreadyThere: 0, conflicts: [] });
    expect(await db.select().from(storedBlobs)).toEqual([]);
    const store = fileStoreFor(config, db);
    for (const [i, k] of keys.entries()) expect((await store.get(k)).toString()).toBe(`文件 ${i}`);
  }, 60_000);

  it('keeps a database blob whose name the bucket holds with other bytes, and says so', async () => {
    const { db } = await ownDb();
    const config = s3Config();
    const name = randomBytes(16).toString('hex');
    const target = configuredBackend(config, db);
    await target.backend.write(name, Buffer.from('in the bucket'));
    await databaseBackend(db).write(name, Buffer.from('in the database'));
    expect(await moveFilesIntoStore(db, tempDir(), target)).toEqual({ moved: 0, alreadyThere: 0, conflicts: [name] });
    expect((await databaseBackend(db).read(name)).toString()).toBe('in the database');
  });

  it('stops with the typed error, moving nothing, when the bucket refuses the credentials', async () => {
    const { db } = await ownDb();
    const config = s3Config({ secretAccessKey: 'wrong' });
    const key = await encryptingFileStore(databaseBackend(db), config.storageKey).put(PLAIN);
    await expect(moveFilesIntoStore(db, tempDir(), configuredBackend(config, db))).rejects.toBeInstanceOf(StorageUnavailable);
    expect(await encryptingFileStore(databaseBackend(db), config.storageKey).get(key)).toEqual(PLAIN);
  });
});

describe('CERTDESK_STORAGE and the CERTDESK_S3_* settings', () => {
  const env = (over: Record<string, string | undefined> = {}) => ({
    NODE_ENV: 'test',
    CERTDESK_STORAGE: 's3',
    CERTDESK_S3_ENDPOINT: 'https://oss-cn-hangzhou.aliyuncs.com',
    CERTDESK_S3_REGION: 'oss-cn-hangzhou',
    CERTDESK_S3_BUCKET: 'jxca-files',
    CERTDESK_S3_ACCESS_KEY_ID: 'LTAI5t0000',
    CERTDESK_S3_SECRET_ACCESS_KEY: 's3cr3t',
    ...over,
  });

  it('defaults to the database; s3 gives the bucket settings, virtual-host style unless told', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).storage).toEqual({ kind: 'database' });
    expect(loadConfig(env()).storage).toEqual({
      kind: 's3',
      endpoint: 'https://oss-cn-hangzhou.aliyuncs.com',
      region: 'oss-cn-hangzhou',
      bucket: 'jxca-files',
      accessKeyId: 'LTAI5t0000',
      secretAccessKey: 's3cr3t',
      pathStyle: false,
      prefix: '',
    });
    expect(
      loadConfig(env({ CERTDESK_S3_ENDPOINT: 'http://minio:9000/', CERTDESK_S3_PATH_STYLE: '1', CERTDESK_S3_PREFIX: 'certdesk/' })).storage,
    ).toMatchObject({
      endpoint: 'http://minio:9000',
      pathStyle: true,
      prefix: 'certdesk/',
    });
  });

  it.each([
    [{ CERTDESK_STORAGE: 'ftp' }, /CERTDESK_STORAGE/],
    [
      { CERTDESK_S3_BUCKET: undefined, CERTDESK_S3_SECRET_ACCESS_KEY: '' },
      /CERTDESK_STORAGE=s3 needs CERTDESK_S3_BUCKET, CERTDESK_S3_SECRET_ACCESS_KEY/,
    ],
    [{ CERTDESK_S3_ENDPOINT: 'oss-cn-hangzhou.aliyuncs.com' }, /CERTDESK_S3_ENDPOINT must be the service address/],
    [
      { CERTDESK_S3_ENDPOINT: 'https://oss-cn-hangzhou.aliyuncs.com/jxca-files' },
      /CERTDESK_S3_ENDPOINT must be the service address without bucket or path/,
    ],
    [{ CERTDESK_S3_ENDPOINT: 'ftp://files.example.cn' }, /CERTDESK_S3_ENDPOINT/],
    [{ CERTDESK_S3_REGION: 'CN Hangzhou' }, /CERTDESK_S3_REGION must be the region name/],
    [{ CERTDESK_S3_BUCKET: 'JXCA_Files' }, /CERTDESK_S3_BUCKET must be a bucket name/],
    [{ CERTDESK_S3_BUCKET: 'ab' }, /CERTDESK_S3_BUCKET must be a bucket name/],
    [{ CERTDESK_S3_BUCKET: 'files.jxca.cn' }, /CERTDESK_S3_PATH_STYLE=1/],
    [{ CERTDESK_S3_PREFIX: '/certdesk' }, /CERTDESK_S3_PREFIX must be empty or folders ending in "\/"/],
    [{ CERTDESK_S3_PREFIX: 'certdesk/../x/' }, /CERTDESK_S3_PREFIX/],
    [{ CERTDESK_S3_PATH_STYLE: 'yes' }, /CERTDESK_S3_PATH_STYLE/],
  ])('refuses %o', (over, message) => {
    expect(() => loadConfig(env(over))).toThrow(ConfigError);
    expect(() => loadConfig(env(over))).toThrow(message);
  });
});
